#include "sala/gui/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "sala/client/call_history.hpp"
#include "sala/protocol.hpp"

namespace sala::gui {

std::string format_duration(std::chrono::seconds duration) { return client::call_length_text(duration); }

std::string format_dbfs(float dbfs) {
    if (dbfs <= -90.0f) return "silence";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f dB", static_cast<double>(dbfs));
    return text;
}

MeterZone meter_zone(float dbfs) {
    if (dbfs >= kMeterRedDbfs) return MeterZone::red;
    if (dbfs >= kMeterYellowDbfs) return MeterZone::yellow;
    return MeterZone::green;
}

std::string format_kbps(double kbps) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f kb/s", kbps);
    return text;
}

std::string format_percent(double percent) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %%", percent);
    return text;
}

std::string format_ms(double ms) {
    char text[32];
    std::snprintf(text, sizeof text, ms < 10.0 ? "%.1f ms" : "%.0f ms", ms);
    return text;
}

std::string format_rtt(double rtt_ms) { return rtt_ms < 0 ? "not measured yet" : format_ms(rtt_ms); }

std::string format_media_path(const std::string& media_path) {
    if (media_path == "direct") return "Direct";
    if (media_path == "relayed") return "Relayed via the server";
    if (media_path == "relayed-tcp") return "Relayed via the server over TCP";
    if (media_path == "connecting") return "Finding a path";
    if (media_path == "failed") return "No path to the peer";
    if (media_path == "lost") return "Looking for another path";
    return media_path;
}

std::string format_clock(std::chrono::system_clock::time_point time) { return client::clock_text(time); }

std::string format_log_line(const client::LogEntry& entry) { return format_clock(entry.time) + "  " + entry.text; }

std::string format_log(const std::vector<client::LogEntry>& log) {
    std::string all;
    for (const auto& entry : log) all += format_log_line(entry) + "\n";
    return all;
}

std::string connection_words(const client::Snapshot& s) {
    using client::ConnectionState;
    switch (s.connection) {
        case ConnectionState::disconnected:
            return "Not connected";
        case ConnectionState::connecting:
            return "Connecting to " + s.server + "...";
        case ConnectionState::registered:
            return "Registered as " + s.name + " on " + s.server;
        case ConnectionState::reconnecting:
            return "Connection lost; reconnecting to " + s.server + "...";
    }
    return "";
}

ErrorField error_field(const std::string& code) {
    using protocol::ErrorCode;
    auto known = protocol::parse_error_code(code);  // nullopt for the engine's own codes too
    return known == ErrorCode::name_taken || known == ErrorCode::name_owned || known == ErrorCode::invalid_name
               ? ErrorField::name
               : ErrorField::server;
}

bool name_matches_filter(const std::string& name, const std::string& filter) {
    return protocol::name_key(name).find(protocol::name_key(filter)) != std::string::npos;
}

client::MeterReading after_volume(const client::MeterReading& level, float volume) {
    if (volume == 1.0f) return level;
    const float shift = volume > 0 ? 20.0f * std::log10(volume) : -1000.0f;
    auto scaled = [shift](float dbfs) { return std::clamp(dbfs + shift, -90.0f, 0.0f); };
    return {scaled(level.rms_dbfs), scaled(level.peak_dbfs), scaled(level.hold_dbfs)};
}

}  // namespace sala::gui
