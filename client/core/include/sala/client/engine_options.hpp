#pragma once
// What a front end chooses when it starts an Engine.

#include <chrono>
#include <string>

#include "sala/client/media_options.hpp"

namespace sala::client {

struct EngineOptions {
    MediaOptions media;
    std::string audio_in = "device";   // as sala-cli --audio-in
    std::string audio_out = "device";  // as sala-cli --audio-out
    std::chrono::milliseconds ping_interval{10000};
    // How often meters and statistics are published during a call: ~30 Hz for a window,
    // less for front ends that only print statistics each second.
    std::chrono::milliseconds meter_interval{33};
    // The UDP media socket; a specific address also limits ICE to it (and a server on loopback
    // limits ICE to 127.0.0.1: every peer of such a server is on this host).
    std::string bind_address = "0.0.0.0";
    // Protocol v2: find the media path with ICE (direct when any direct pair works, else through
    // a relay). Off: media goes only to the address the server saw, as protocol v1 does.
    bool ice = true;
    bool relay_only = false;  // ICE offers only relayed candidates (hides local addresses; tests)
};

}  // namespace sala::client
