#include "audio/level_meter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace sala::client {

namespace {
constexpr double kFullScale = 32768.0;

float to_dbfs(double amplitude) {
    if (amplitude <= 0.0) return LevelMeter::kFloorDbfs;
    return std::max(LevelMeter::kFloorDbfs, static_cast<float>(20.0 * std::log10(amplitude / kFullScale)));
}
}  // namespace

void LevelMeter::process(const int16_t* block, std::size_t n) {
    if (n == 0) return;
    std::int64_t sum_squares = 0;
    int peak = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const int s = block[i];
        sum_squares += s * s;
        peak = std::max(peak, std::abs(s));
    }
    const float rms_db = to_dbfs(std::sqrt(static_cast<double>(sum_squares) / n));
    const float peak_db = to_dbfs(peak);

    const auto hold_samples = static_cast<std::uint64_t>(kHoldSeconds * sample_rate_);
    if (peak_db >= held_) {
        held_ = peak_db;
        samples_since_hold_ = 0;
    } else {
        const std::uint64_t before = samples_since_hold_;
        samples_since_hold_ += n;
        if (samples_since_hold_ > hold_samples) {
            const std::uint64_t decaying = samples_since_hold_ - std::max(before, hold_samples);
            held_ -= kDecayDbPerSecond * static_cast<float>(decaying) / sample_rate_;
            held_ = std::max({held_, peak_db, kFloorDbfs});
        }
    }
    rms_.store(rms_db, std::memory_order_relaxed);
    peak_.store(peak_db, std::memory_order_relaxed);
    hold_.store(held_, std::memory_order_relaxed);
}

LevelMeter::Levels LevelMeter::read() const {
    return {rms_.load(std::memory_order_relaxed), peak_.load(std::memory_order_relaxed),
            hold_.load(std::memory_order_relaxed)};
}

void LevelMeter::reset() {
    held_ = kFloorDbfs;
    samples_since_hold_ = 0;
    rms_.store(kFloorDbfs);
    peak_.store(kFloorDbfs);
    hold_.store(kFloorDbfs);
}

}  // namespace sala::client
