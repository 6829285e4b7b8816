#pragma once
// How a call's media is sent and received: codec settings, the media timeout, and deliberate
// damage to the receive path for tests and benchmarks.

#include <chrono>
#include <optional>

namespace sala::client {

// Deliberate damage to the receive path, for tests and benchmarks.
struct Impairment {
    double loss_percent = 0.0;
    int jitter_ms = 0;
};

// Voice processing of the microphone (issue 13): each switch unset follows the input, on for a
// sound card and off for files, tones and silence (whose tests compare samples exactly).
struct VoiceOptions {
    std::optional<bool> echo_cancel, noise_suppress, gain_control;
};

// What voice processing does (each on or off), once the input is known.
struct VoiceSettings {
    bool echo_cancel = true;
    bool noise_suppress = true;
    bool gain_control = true;
};

struct MediaOptions {
    int frame_ms = 20;        // 10 or 20
    int bitrate_bps = 20000;  // with 20 ms frames about 36 kb/s on the wire (IP+UDP+RTP)
    int complexity = 5;       // Opus encoder complexity, 0..10 (CPU against quality)
    bool echo = false;        // send back what is heard instead of the input device
    VoiceOptions voice;
    Impairment impair;
    std::chrono::milliseconds timeout{5000};  // the call ends after this long without a packet
};

}  // namespace sala::client
