#include "audio/paced/tone_input.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>

namespace sala::client {

ToneInput::ToneInput(double frequency_hz) : frequency_hz_(frequency_hz) {}

std::string ToneInput::description() const {
    char text[64];
    std::snprintf(text, sizeof text, "tone %g Hz at %g dBFS", frequency_hz_, kLevelDbfs);
    return text;
}

void ToneInput::fill(int16_t* block, std::size_t n) {
    const double amplitude = 32768.0 * std::pow(10.0, kLevelDbfs / 20.0);
    const double step = 2.0 * std::numbers::pi * frequency_hz_ / 48000.0;
    for (std::size_t i = 0; i < n; ++i) {
        block[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(phase_)));
        phase_ = std::fmod(phase_ + step, 2.0 * std::numbers::pi);
    }
}

}  // namespace sala::client
