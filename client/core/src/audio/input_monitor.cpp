#include "sala/client/input_monitor.hpp"

#include <array>

#include "audio/device_factory.hpp"

namespace sala::client {

struct InputMonitor::Devices {
    AudioPipes pipes;
    std::unique_ptr<AudioInput> input;
};

InputMonitor::InputMonitor() = default;
InputMonitor::~InputMonitor() { stop(); }

bool InputMonitor::start(const std::string& spec, std::string* error) {
    stop();
    auto devices = std::make_unique<Devices>();
    devices->input = make_audio_input(spec, error);
    if (!devices->input || !devices->input->start(devices->pipes, error)) return false;
    devices_ = std::move(devices);
    return true;
}

void InputMonitor::stop() {
    if (devices_) devices_->input->stop();
    devices_.reset();
}

bool InputMonitor::running() const { return devices_ != nullptr; }

MeterReading InputMonitor::level() {
    if (!devices_) return {};
    std::array<std::int16_t, 4096> discard;
    while (devices_->pipes.capture.pop(discard.data(), discard.size()) == discard.size()) {
    }
    auto levels = devices_->pipes.mic.read();
    return {levels.rms_dbfs, levels.peak_dbfs, levels.hold_dbfs};
}

}  // namespace sala::client
