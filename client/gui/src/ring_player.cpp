#include "ring_player.hpp"

#include <algorithm>

#include "sala/client/wav_file.hpp"

namespace sala::gui {
namespace {
constexpr std::size_t kPauseSamples = 48000 * 3 / 2;  // between two rings
}

RingPlayer::RingPlayer(const std::string& wav) {
    std::string error;
    if (auto audio = client::read_wav_48k_mono(wav, &error)) {
        cycle_ = std::move(audio->samples);
        cycle_.resize(cycle_.size() + kPauseSamples, 0);
    } else {
        problem_ = "no ring tone: " + error;
    }
}

RingPlayer::~RingPlayer() { stop(); }

void RingPlayer::start(const std::string& output_spec) {
    stop();
    if (cycle_.empty()) return;
    std::string error;
    position_ = 0;
    if (!output_.start(output_spec, &error)) {
        problem_ = "cannot ring: " + error;
        return;
    }
    problem_.clear();
    feed();
}

void RingPlayer::stop() { output_.stop(); }

void RingPlayer::feed() {
    if (!output_.running()) return;
    // Keep about half a second queued: enough to ride over a slow frame, short enough that
    // nothing lingers.
    constexpr std::size_t kQueued = 24000;
    while (output_.queued() < kQueued) {
        std::size_t n = std::min(kQueued - output_.queued(), cycle_.size() - position_);
        std::size_t pushed = output_.push(cycle_.data() + position_, n);
        position_ = (position_ + pushed) % cycle_.size();
        if (pushed == 0) break;
    }
}

}  // namespace sala::gui
