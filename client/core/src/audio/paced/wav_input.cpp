#include "audio/paced/wav_input.hpp"

#include <algorithm>
#include <cstdio>

namespace sala::client {

WavInput::WavInput(std::vector<int16_t> samples, std::string name)
    : samples_(std::move(samples)), name_(std::move(name)) {}

std::string WavInput::description() const {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f s", samples_.size() / 48000.0);
    return "WAV file '" + name_ + "' (" + seconds + ")";
}

void WavInput::fill(int16_t* block, std::size_t n) {
    const std::size_t take = std::min(n, samples_.size() - position_);
    std::copy_n(samples_.begin() + static_cast<std::ptrdiff_t>(position_), take, block);
    std::fill(block + take, block + n, int16_t{0});
    position_ += take;
}

}  // namespace sala::client
