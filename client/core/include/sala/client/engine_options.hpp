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
    // Where the identity key and the peers' known keys live (sala-cli and sala: --config-dir,
    // default $XDG_CONFIG_HOME/sala). Empty: a new identity for this engine, kept nowhere.
    std::string config_dir;
    // End-to-end encryption: the SRTP suite we ask for as the caller ("AES_CM_128_HMAC_SHA1_80"
    // or "AEAD_AES_128_GCM"; "off": offer none, which implies allow_unencrypted: benchmarks and
    // tests of old peers), and whether a call with a peer that sends no keys goes on, in the
    // clear, with a warning (otherwise it ends with the reason not_private).
    std::string srtp_suite = "AES_CM_128_HMAC_SHA1_80";
    bool allow_unencrypted = false;
    // The directory connection is TLS (docs/protocol.md, "TLS") unless insecure_plaintext (for a
    // server started with --insecure-plaintext). A certificate no CA vouches for is trusted by its
    // pinned fingerprint (config_dir/known_servers); one seen for the first time is pinned at
    // once when trust_on_first_use (sala-cli), else the front end is asked (sala's window:
    // Snapshot::server_trust, then TrustServerCommand). trust_server (--trust-server SHA256:...)
    // is accepted, and pinned, even in place of another pin.
    bool insecure_plaintext = false;
    bool trust_on_first_use = true;
    std::string trust_server;
};

}  // namespace sala::client
