#pragma once
// Whether a PulseAudio device is still there, and how long this process's stream on it takes,
// asked of the server directly with a deadline (RtAudio's listing has none, connects to every
// device's server state, and does not say what its PulseAudio streams queue).

#include <chrono>
#include <optional>
#include <string>

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

}  // namespace sala::client
