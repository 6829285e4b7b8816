#pragma once
// What the window remembers between runs (last name, server, audio devices, volumes and voice processing), kept as a
// small "key=value" file in the user's configuration directory.

#include <filesystem>
#include <string>

#include "sala/client/media_options.hpp"
#include "sala/protocol.hpp"

namespace sala::gui {

struct Settings {
    std::string name;
    std::string server = "localhost:" + std::to_string(protocol::kDefaultPort);
    std::string audio_in = "device";  // engine specs: "device" or "device:NAME"
    std::string audio_out = "device";
    int microphone_volume = 100;  // percent, 0-200
    int speaker_volume = 100;
    // Voice processing of the microphone (on: for a sound card, as the engine's default).
    bool echo_cancel = true;
    bool noise_suppress = true;
    bool gain_control = true;
};

// The engine's voice options for these switches: on follows the input (a sound card processed,
// a file or tone given with --audio-in untouched), off is off.
client::VoiceOptions voice_options(const Settings& settings);

// $XDG_CONFIG_HOME/sala, else $HOME/.config/sala; "" when neither variable is set.
std::filesystem::path default_config_dir();

// The settings in dir/settings.conf; defaults for whatever is missing or unreadable.
Settings load_settings(const std::filesystem::path& dir);
// Writes dir/settings.conf (creating dir) through a temporary file and a rename. False with
// *error set (if not null) when it cannot.
bool save_settings(const std::filesystem::path& dir, const Settings& settings, std::string* error);

}  // namespace sala::gui
