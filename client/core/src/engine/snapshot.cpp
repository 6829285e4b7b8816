#include "sala/client/snapshot.hpp"

#include <algorithm>

#include <ctime>

namespace sala::client {

const char* to_string(ConnectionState state) {
    switch (state) {
        case ConnectionState::disconnected:
            return "disconnected";
        case ConnectionState::connecting:
            return "connecting";
        case ConnectionState::registered:
            return "registered";
        case ConnectionState::reconnecting:
            return "reconnecting";
    }
    return "?";
}

const char* to_string(CallState state) {
    switch (state) {
        case CallState::idle:
            return "idle";
        case CallState::calling:
            return "calling";
        case CallState::ringing:
            return "ringing";
        case CallState::in_call:
            return "in_call";
    }
    return "?";
}

std::string clock_text(std::chrono::system_clock::time_point time) {
    std::time_t t = std::chrono::system_clock::to_time_t(time);
    std::tm local{};
    localtime_r(&t, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

float dbfs_to_meter_fraction(float dbfs) {
    constexpr float kRange = 60.0f;
    return std::clamp((dbfs + kRange) / kRange, 0.0f, 1.0f);
}

}  // namespace sala::client
