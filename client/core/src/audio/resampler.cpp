#include "audio/resampler.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace sala::client {

namespace {
constexpr int kQuality = 5;  // speex's VoIP default: good quality at low CPU
constexpr std::size_t kMaxChunk = std::numeric_limits<spx_uint32_t>::max() / 2;
}  // namespace

Resampler::Resampler(int in_rate, int out_rate, int channels)
    : in_rate_(in_rate), out_rate_(out_rate), channels_(channels) {
    if (in_rate <= 0 || out_rate <= 0 || channels <= 0)
        throw std::invalid_argument("resampler: rates and channels must be positive");
    if (passthrough()) return;
    int err = 0;
    state_ = speex_resampler_init(static_cast<spx_uint32_t>(channels), static_cast<spx_uint32_t>(in_rate),
                                  static_cast<spx_uint32_t>(out_rate), kQuality, &err);
    if (!state_) throw std::invalid_argument(std::string("resampler: ") + speex_resampler_strerror(err));
}

Resampler::~Resampler() {
    if (state_) speex_resampler_destroy(state_);
}

Resampler::Resampler(Resampler&& other) noexcept
    : in_rate_(other.in_rate_),
      out_rate_(other.out_rate_),
      channels_(other.channels_),
      state_(std::exchange(other.state_, nullptr)) {}

Resampler& Resampler::operator=(Resampler&& other) noexcept {
    if (this != &other) {
        if (state_) speex_resampler_destroy(state_);
        in_rate_ = other.in_rate_;
        out_rate_ = other.out_rate_;
        channels_ = other.channels_;
        state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
}

std::size_t Resampler::process(const int16_t* in, std::size_t in_frames, int16_t* out, std::size_t out_capacity_frames,
                               std::size_t* consumed) {
    const auto ch = static_cast<std::size_t>(channels_);
    if (!state_) {
        const std::size_t n = std::min(in_frames, out_capacity_frames);
        std::copy(in, in + n * ch, out);
        if (consumed) *consumed = n;
        return n;
    }
    std::size_t used = 0;
    std::size_t written = 0;
    while (used < in_frames && written < out_capacity_frames) {
        auto in_len = static_cast<spx_uint32_t>(std::min(in_frames - used, kMaxChunk));
        auto out_len = static_cast<spx_uint32_t>(std::min(out_capacity_frames - written, kMaxChunk));
        speex_resampler_process_interleaved_int(state_, in + used * ch, &in_len, out + written * ch, &out_len);
        used += in_len;
        written += out_len;
        if (in_len == 0 && out_len == 0) break;
    }
    if (consumed) *consumed = used;
    return written;
}

std::vector<int16_t> Resampler::process_all(const std::vector<int16_t>& in) {
    const auto ch = static_cast<std::size_t>(channels_);
    const std::size_t in_frames = in.size() / ch;
    if (!state_) return std::vector<int16_t>(in.begin(), in.begin() + in_frames * ch);

    const std::size_t want =
        static_cast<std::size_t>((static_cast<long double>(in_frames) * out_rate_) / in_rate_ + 0.5L);
    reset();
    speex_resampler_skip_zeros(state_);  // output starts at input time zero
    std::vector<int16_t> out((want + 64) * ch);
    std::size_t consumed = 0;
    std::size_t written = process(in.data(), in_frames, out.data(), want + 64, &consumed);

    // Push zeros through to flush the filter's tail.
    const std::size_t tail = speex_resampler_get_input_latency(state_) + 1;
    const std::vector<int16_t> zeros(tail * ch, 0);
    if (written < want) written += process(zeros.data(), tail, out.data() + written * ch, want + 64 - written, nullptr);
    out.resize(std::min(written, want) * ch);
    out.resize(want * ch, 0);
    reset();
    return out;
}

void Resampler::reset() {
    if (state_) speex_resampler_reset_mem(state_);
}

}  // namespace sala::client
