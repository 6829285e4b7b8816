#pragma once
// Whether a PulseAudio device is still there, asked of the server directly with a deadline
// (RtAudio's listing has none, and connects to every device's server state).

#include <chrono>
#include <optional>
#include <string>

namespace sala::client {

// True when a source (input) or sink (output) described as `description` exists on the
// server libpulse connects to (PULSE_SERVER or the default), false when it does not,
// nullopt when the server could not be asked within `timeout`.
std::optional<bool> pulse_device_present(const std::string& description, bool input, std::chrono::milliseconds timeout);

}  // namespace sala::client
