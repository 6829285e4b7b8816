#include "media/playout_depth.hpp"

#include <algorithm>

namespace sala::client {

void PlayoutDepth::observe(Clock::time_point now, std::uint64_t underruns, std::uint64_t overruns) {
    if (!started_ || underruns < last_underruns_ || overruns < last_overruns_) {
        // The first tick, or the call restarted the counts: a new baseline.
        started_ = true;
        second_start_ = now;
        last_underruns_ = underruns;
        last_overruns_ = overruns;
        return;
    }
    if (now - second_start_ < std::chrono::seconds(1)) return;
    second_start_ = now;
    const auto new_underruns =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(underruns - last_underruns_, UINT32_MAX));
    const auto new_overruns =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(overruns - last_overruns_, UINT32_MAX));
    last_underruns_ = underruns;
    last_overruns_ = overruns;
    minute_underruns_ += new_underruns;
    minute_underruns_ -= underrun_seconds_[second_];
    minute_overruns_ += new_overruns;
    minute_overruns_ -= overrun_seconds_[second_];
    underrun_seconds_[second_] = new_underruns;
    overrun_seconds_[second_] = new_overruns;
    second_ = (second_ + 1) % underrun_seconds_.size();
    if (new_underruns > 0) {
        margin_ = std::min(margin_ + kStep, kMaxMargin);
        calm_seconds_ = 0;
    } else if (margin_ > 0 && ++calm_seconds_ >= kCalmSeconds) {
        margin_ -= kStep;
        calm_seconds_ = 0;
    }
}

}  // namespace sala::client
