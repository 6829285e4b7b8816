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
    pipes_ = std::make_unique<client::AudioPipes>();
    position_ = 0;
    output_ = client::make_audio_output(output_spec, &error);
    if (!output_ || !output_->start(*pipes_, &error)) {
        problem_ = "cannot ring: " + error;
        output_.reset();
        pipes_.reset();
        return;
    }
    problem_.clear();
    feed();
}

void RingPlayer::stop() {
    if (output_) output_->stop();
    output_.reset();
    pipes_.reset();
}

void RingPlayer::feed() {
    if (!output_) return;
    auto& ring = pipes_->playback;
    // Keep about half a second queued: enough to ride over a slow frame, short enough that
    // nothing lingers.
    constexpr std::size_t kQueued = 24000;
    while (ring.size() < kQueued) {
        std::size_t n = std::min(kQueued - ring.size(), cycle_.size() - position_);
        std::size_t pushed = ring.push(cycle_.data() + position_, n);
        position_ = (position_ + pushed) % cycle_.size();
        if (pushed == 0) break;
    }
}

}  // namespace sala::gui
