#include "media/transit_spread.hpp"

#include <algorithm>
#include <cmath>

namespace sala::client {
namespace {
constexpr double kWindowMs = 2000.0;  // jitter is measured over this much arrival time
constexpr double kSpreadPercentile = 0.95;
constexpr double kMinDriftWindowMs = 1000.0;  // the transits must span this before a drift is fitted
constexpr double kMaxDrift = 0.002;           // 2,000 ppm: sound cards' clocks differ by far less
}  // namespace

TransitSpread::TransitSpread() : transits_(kHistory) { scratch_.reserve(kHistory); }

void TransitSpread::reset() {
    next_ = count_ = 0;
    min_ms_ = spread_ms_ = 0.0;
}

// The spread is measured around a line fitted through the window's transits (least squares,
// slope bounded by kMaxDrift): the sender's sound card clock runs a little fast or slow against
// ours, which makes its transits drift steadily (0.14 % on PulseAudio's null sinks here, 2.7 ms
// over the window) without a packet coming any later than another; that is not jitter. The
// minimum is the line's value now plus the lowest point below it.
void TransitSpread::record(double arrival_ms, double media_ms) {
    const double relative_ms = arrival_ms - media_ms;
    transits_[next_] = {arrival_ms, relative_ms};
    next_ = (next_ + 1) % transits_.size();
    count_ = std::min(count_ + 1, transits_.size());
    auto newest = [this](std::size_t i) -> const Transit& {
        return transits_[(next_ + transits_.size() - 1 - i) % transits_.size()];
    };

    std::size_t n = 0;
    double sx = 0, sy = 0, sxx = 0, sxy = 0, oldest_x = 0;
    for (; n < count_; ++n) {
        const double x = newest(n).arrival_ms - arrival_ms, y = newest(n).relative_ms - relative_ms;  // exact sums
        if (-x > kWindowMs) break;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        oldest_x = x;
    }
    double slope = 0.0;
    const double points = static_cast<double>(n), denominator = points * sxx - sx * sx;
    if (-oldest_x >= kMinDriftWindowMs && denominator > 0)
        slope = std::clamp((points * sxy - sx * sy) / denominator, -kMaxDrift, kMaxDrift);

    scratch_.clear();
    double lowest = 1e300;
    for (std::size_t i = 0; i < n; ++i) {
        const double residual = newest(i).relative_ms - slope * (newest(i).arrival_ms - arrival_ms);
        scratch_.push_back(residual);
        lowest = std::min(lowest, residual);
    }
    const auto rank = static_cast<std::size_t>(std::ceil(kSpreadPercentile * static_cast<double>(scratch_.size())) - 1);
    std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(rank), scratch_.end());
    min_ms_ = lowest;
    spread_ms_ = scratch_[rank] - lowest;
}

}  // namespace sala::client
