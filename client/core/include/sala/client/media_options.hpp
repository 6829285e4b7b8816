#pragma once
// How a call's media is sent and received: codec settings, the media timeout, and deliberate
// damage to the receive path for tests and benchmarks.

#include <chrono>

namespace sala::client {

// Deliberate damage to the receive path, for tests and benchmarks.
struct Impairment {
    double loss_percent = 0.0;
    int jitter_ms = 0;
};

struct MediaOptions {
    int frame_ms = 20;        // 10 or 20
    int bitrate_bps = 20000;  // with 20 ms frames about 36 kb/s on the wire (IP+UDP+RTP)
    int complexity = 5;       // Opus encoder complexity, 0..10 (CPU against quality)
    bool echo = false;        // send back what is heard instead of the input device
    Impairment impair;
    std::chrono::milliseconds timeout{5000};  // the call ends after this long without a packet
};

}  // namespace sala::client
