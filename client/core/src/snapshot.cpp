#include "sala/client/snapshot.hpp"

namespace sala::client {

const char* to_string(ConnectionState state) {
    switch (state) {
        case ConnectionState::disconnected: return "disconnected";
        case ConnectionState::connecting: return "connecting";
        case ConnectionState::registered: return "registered";
        case ConnectionState::reconnecting: return "reconnecting";
    }
    return "?";
}

const char* to_string(CallState state) {
    switch (state) {
        case CallState::idle: return "idle";
        case CallState::calling: return "calling";
        case CallState::ringing: return "ringing";
        case CallState::in_call: return "in_call";
    }
    return "?";
}

}  // namespace sala::client
