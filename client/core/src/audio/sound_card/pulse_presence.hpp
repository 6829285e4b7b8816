#pragma once
// Whether a PulseAudio device is still there, and how long this process's stream on it takes,
// asked of the server directly with a deadline (RtAudio's listing has none, connects to every
// device's server state, and does not say what its PulseAudio streams queue).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

namespace sala::client {

// What PulseAudio says of one device and of this process's stream on it.
struct PulseDeviceState {
    bool present = false;
    // This process's stream on the device: what the server queues for it plus the device's
    // own latency (pa_sink_input_info / pa_source_output_info buffer_usec + sink_usec /
    // source_usec); nullopt when the device has no stream of this process.
    std::optional<std::chrono::microseconds> stream_latency;
};

// The state of the source (input) or sink (output) named `description` as RtAudio names it
// (its "device.description" property) on the server libpulse connects to (PULSE_SERVER or the
// default); nullopt when the server could not be asked within `timeout`.
std::optional<PulseDeviceState> pulse_device_state(const std::string& description, bool input,
                                                   std::chrono::milliseconds timeout);

// True when that device exists, false when it does not, nullopt when the server could not be
// asked within `timeout`.
std::optional<bool> pulse_device_present(const std::string& description, bool input, std::chrono::milliseconds timeout);

// Watches this process's stream on one device from a thread of its own: asks the server 200 ms
// after start() (so the delay is known from a call's first second) and then once a second.
// A device that left the server sets *gone; the stream's delay (plus extra_us, what the
// device's callback block adds) goes to *latency_us, which is -1 again after stop().
class PulseStreamWatch {
public:
    ~PulseStreamWatch() { stop(); }
    void start(std::string description, bool input, std::atomic<bool>* gone, std::atomic<std::int64_t>* latency_us,
               std::int64_t extra_us);
    void stop();

private:
    std::jthread thread_;
    std::atomic<std::int64_t>* latency_us_ = nullptr;
};

}  // namespace sala::client
