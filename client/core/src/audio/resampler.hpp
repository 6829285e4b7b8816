#pragma once
// Sample-rate conversion of int16 audio (libspeexdsp, quality 5): WAV files at any rate and
// devices that cannot run at 48 kHz.

#include <cstddef>
#include <cstdint>
#include <vector>

struct SpeexResamplerState_;

namespace sala::client {

// Converts interleaved int16 frames from one rate to another; a plain copy when equal.
class Resampler {
public:
    // Throws std::invalid_argument for rates or channel counts that are not positive.
    Resampler(int in_rate, int out_rate, int channels = 1);
    ~Resampler();
    Resampler(Resampler&& other) noexcept;
    Resampler& operator=(Resampler&& other) noexcept;
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    int in_rate() const { return in_rate_; }
    int out_rate() const { return out_rate_; }
    int channels() const { return channels_; }
    bool passthrough() const { return in_rate_ == out_rate_; }

    // Streaming: converts as much as fits, returns frames written and sets *consumed to the
    // input frames used (may be null). Never allocates: usable in an audio callback.
    std::size_t process(const int16_t* in, std::size_t in_frames, int16_t* out, std::size_t out_capacity_frames,
                        std::size_t* consumed);

    // Whole buffer (files): output is time-aligned with the input and has exactly
    // round(frames * out_rate / in_rate) frames. Resets the stream state before and after.
    std::vector<int16_t> process_all(const std::vector<int16_t>& in);

    // Forgets buffered history (e.g. after a gap in the stream).
    void reset();

private:
    int in_rate_;
    int out_rate_;
    int channels_;
    SpeexResamplerState_* state_ = nullptr;  // null when passthrough
};

}  // namespace sala::client
