#include "mic_test.hpp"

#include <array>

namespace sala::gui {

bool MicTest::start(const std::string& input_spec) {
    stop();
    std::string error;
    pipes_ = std::make_unique<client::AudioPipes>();
    input_ = client::make_audio_input(input_spec, &error);
    if (!input_ || !input_->start(*pipes_, &error)) {
        problem_ = "The microphone could not be opened: " + error;
        input_.reset();
        pipes_.reset();
        return false;
    }
    problem_.clear();
    return true;
}

void MicTest::stop() {
    if (input_) input_->stop();
    input_.reset();
    pipes_.reset();
}

client::MeterReading MicTest::level() {
    if (!input_) return {};
    std::array<std::int16_t, 4096> discard;
    while (pipes_->capture.pop(discard.data(), discard.size()) == discard.size()) {
    }
    auto levels = pipes_->mic.read();
    return {levels.rms_dbfs, levels.peak_dbfs, levels.hold_dbfs};
}

}  // namespace sala::gui
