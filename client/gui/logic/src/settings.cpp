#include "sala/gui/settings.hpp"

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "sala/cli_flags.hpp"

namespace sala::gui {
namespace {
constexpr const char* kFileName = "settings.conf";

// Values are single lines: a newline in a field would break the file, so it is cut there.
std::string one_line(const std::string& value) { return value.substr(0, value.find_first_of("\r\n")); }

const char* on_off(bool on) { return on ? "on" : "off"; }

// "on" or "off" into *to; anything else leaves it as it was.
void read_switch(const std::string& value, bool* to) {
    if (value == "on" || value == "off") *to = value == "on";
}
}  // namespace

client::VoiceOptions voice_options(const Settings& settings) {
    auto follow = [](bool on) { return on ? std::nullopt : std::optional<bool>(false); };
    return {follow(settings.echo_cancel), follow(settings.noise_suppress), follow(settings.gain_control)};
}

std::filesystem::path default_config_dir() {
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "sala";
    if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".config" / "sala";
    return {};
}

Settings load_settings(const std::filesystem::path& dir) {
    Settings settings;
    if (dir.empty()) return settings;
    std::ifstream in(dir / kFileName);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        std::string key = line.substr(0, eq);
        std::string value = line.substr(eq + 1);
        if (key == "name")
            settings.name = value;
        else if (key == "server" && !value.empty())
            settings.server = value;
        else if (key == "audio_in" && !value.empty())
            settings.audio_in = value;
        else if (key == "audio_out" && !value.empty())
            settings.audio_out = value;
        else if (key == "microphone_volume" || key == "speaker_volume")
            (key[0] == 'm' ? settings.microphone_volume : settings.speaker_volume) =
                static_cast<int>(sala::parse_integer(value, 0, 200).value_or(100));
        else if (key == "echo_cancel")
            read_switch(value, &settings.echo_cancel);
        else if (key == "noise_suppress")
            read_switch(value, &settings.noise_suppress);
        else if (key == "gain_control")
            read_switch(value, &settings.gain_control);
    }
    return settings;
}

bool save_settings(const std::filesystem::path& dir, const Settings& settings, std::string* error) {
    if (dir.empty()) {
        if (error) *error = "no configuration directory (neither XDG_CONFIG_HOME nor HOME is set)";
        return false;
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const auto path = dir / kFileName;
    const auto temporary = dir / (std::string(kFileName) + ".tmp");
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << "# Sala window settings, rewritten by sala on every change.\n"
            << "name=" << one_line(settings.name) << "\n"
            << "server=" << one_line(settings.server) << "\n"
            << "audio_in=" << one_line(settings.audio_in) << "\n"
            << "audio_out=" << one_line(settings.audio_out) << "\n"
            << "microphone_volume=" << settings.microphone_volume << "\n"
            << "speaker_volume=" << settings.speaker_volume << "\n"
            << "echo_cancel=" << on_off(settings.echo_cancel) << "\n"
            << "noise_suppress=" << on_off(settings.noise_suppress) << "\n"
            << "gain_control=" << on_off(settings.gain_control) << "\n";
        out.flush();
        if (!out) {
            if (error) *error = "cannot write " + temporary.string();
            return false;
        }
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        if (error) *error = "cannot replace " + path.string() + ": " + ec.message();
        return false;
    }
    return true;
}

}  // namespace sala::gui
