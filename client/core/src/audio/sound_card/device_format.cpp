#include "audio/sound_card/device_format.hpp"

#include <algorithm>
#include <cstring>

namespace sala::client {

namespace {

// Samples at `to` Hz covering `frames` samples at `from` Hz, rounded up, plus the few a
// resampler may deliver early or late.
std::size_t covering(std::size_t frames, unsigned from, unsigned to) { return (frames * to + from - 1) / from + 16; }

}  // namespace

CaptureFormat::CaptureFormat(unsigned device_rate, unsigned channels, std::size_t max_frames)
    : channels_(channels),
      max_frames_(max_frames),
      max_output_(covering(max_frames, device_rate, kInternalRate)),
      resampler_(static_cast<int>(device_rate), static_cast<int>(kInternalRate), 1),
      mono_(max_frames) {}

std::size_t CaptureFormat::convert(const int16_t* interleaved, std::size_t frames, int16_t* out) {
    frames = std::min(frames, max_frames_);
    const int16_t* mono = interleaved;
    if (channels_ > 1) {
        for (std::size_t f = 0; f < frames; ++f) {
            std::int32_t sum = 0;
            for (unsigned c = 0; c < channels_; ++c) sum += interleaved[f * channels_ + c];
            mono_[f] = static_cast<int16_t>(sum / static_cast<std::int32_t>(channels_));
        }
        mono = mono_.data();
    }
    return resampler_.process(mono, frames, out, max_output_, nullptr);
}

PlaybackFormat::PlaybackFormat(unsigned device_rate, unsigned channels, std::size_t max_frames)
    : channels_(channels),
      max_frames_(max_frames),
      resampler_(static_cast<int>(kInternalRate), static_cast<int>(device_rate), 1),
      pending_(covering(max_frames, device_rate, kInternalRate)),
      mono_(max_frames),
      taken_(4 * pending_.size()) {}

bool PlaybackFormat::fill(SpscRing<int16_t>& ring, int16_t* interleaved, std::size_t frames) {
    frames = std::min(frames, max_frames_);
    const unsigned device_rate = static_cast<unsigned>(resampler_.out_rate());
    std::size_t produced = 0;
    taken_count_ = 0;
    bool ring_short = false;
    // A few rounds at most: the resampler may want a sample or two more than first asked.
    for (int round = 0; round < 4 && produced < frames; ++round) {
        const std::size_t remaining = frames - produced;
        const std::size_t want = std::min(covering(remaining, device_rate, kInternalRate) - 15, pending_.size());
        if (pending_count_ < want && !ring_short) {
            const std::size_t asked = want - pending_count_;
            const std::size_t got = ring.pop(pending_.data() + pending_count_, asked);
            const std::size_t keep = std::min(got, taken_.size() - taken_count_);
            std::copy_n(pending_.data() + pending_count_, keep, taken_.data() + taken_count_);
            taken_count_ += keep;
            pending_count_ += got;
            if (got < asked) ring_short = true;
        }
        if (pending_count_ == 0) break;
        std::size_t consumed = 0;
        const std::size_t written =
            resampler_.process(pending_.data(), pending_count_, mono_.data() + produced, remaining, &consumed);
        std::memmove(pending_.data(), pending_.data() + consumed, (pending_count_ - consumed) * sizeof(int16_t));
        pending_count_ -= consumed;
        produced += written;
        if (written == 0 && consumed == 0) break;
    }
    const bool complete = produced == frames;
    if (!complete) {  // what is heard includes the silence played for the shortfall
        const std::size_t gap =
            std::min(covering(frames - produced, device_rate, kInternalRate) - 16, taken_.size() - taken_count_);
        std::fill_n(taken_.data() + taken_count_, gap, int16_t{0});
        taken_count_ += gap;
    }
    std::fill(mono_.begin() + static_cast<std::ptrdiff_t>(produced),
              mono_.begin() + static_cast<std::ptrdiff_t>(frames), int16_t{0});
    for (std::size_t f = 0; f < frames; ++f)
        for (unsigned c = 0; c < channels_; ++c) interleaved[f * channels_ + c] = mono_[f];
    return complete;
}

}  // namespace sala::client
