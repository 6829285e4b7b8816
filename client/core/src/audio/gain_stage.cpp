#include "audio/gain_stage.hpp"

#include <algorithm>
#include <cmath>

namespace sala::client {
namespace {
// An echo lasts the delays the canceller handles (300 ms) plus a room's tail.
constexpr int kFarHoldBlocks = 60;
// The speech level follows voiced blocks over about a second and a half (10 ms blocks); the
// gain moves at most 10 dB/s up and 50 dB/s down.
constexpr float kLevelFollow = 1.0f / 150.0f;
constexpr float kUpDbPerBlock = 0.1f, kDownDbPerBlock = 0.5f;
// Quieter blocks say nothing of the talker's level: the voice detector also fires on the
// canceller's residual echo and on noise, and adapting to those lifted the residual echo by 20 dB
// and more in the far talker's pauses.
constexpr float kSilentDbfs = -60.0f;
// Nor do blocks less than this far above the noise floor: the voice detector also fires on
// steady noise, and the gain then lifted the suppressor's residual noise by 10 dB/s (the noise
// test: -55 dBFS at 0.5 s, -33 at 3 s). The floor is the 10th percentile of the last second's
// levels, each smoothed over about 15 ms (a suppressed noise's blocks scatter by 10 dB and more;
// a pause between words is longer); nothing is learnt before a second of sound has given one
// (the silence of a stream that has not started is no floor).
constexpr float kOverFloorDb = 10.0f;
constexpr float kSmoothing = 0.5f;
constexpr float kDigitalSilenceDbfs = -100.0f;
constexpr std::size_t kFloorRank = GainStage::kFloorBlocks / 10;
constexpr int kFirstVoicedBlocks = 30;  // the level is not believed before 0.3 s of voice
constexpr float kCeiling = 0.95f;       // the limiter's peak

float to_db(float power) { return 10.0f * std::log10(power + 1e-20f); }
}  // namespace

void GainStage::process(float* block, std::size_t n, bool voice, bool far_active) {
    if (far_active) far_hold_ = kFarHoldBlocks;
    float power = 0.0f, peak = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
        power += block[i] * block[i];
        peak = std::max(peak, std::fabs(block[i]));
    }
    power /= static_cast<float>(std::max<std::size_t>(n, 1));
    const float power_db = to_db(power);
    smoothed_ += kSmoothing * (power - smoothed_);
    const float smoothed_db = std::max(to_db(smoothed_), kDigitalSilenceDbfs);
    levels_db_[next_level_] = smoothed_db;
    next_level_ = (next_level_ + 1) % kFloorBlocks;
    if (power_db > kDigitalSilenceDbfs && sound_blocks_ < kFloorBlocks) ++sound_blocks_;
    bool above_floor = false;
    if (sound_blocks_ == kFloorBlocks) {
        sorted_db_ = levels_db_;
        std::nth_element(sorted_db_.begin(), sorted_db_.begin() + kFloorRank, sorted_db_.end());
        above_floor = smoothed_db > sorted_db_[kFloorRank] + kOverFloorDb;
    }
    if (far_hold_ > 0) {
        --far_hold_;
    } else if (voice && power_db > kSilentDbfs && above_floor) {
        level_db_ = level_db_ < -150.0f
                        ? power_db
                        : to_db(std::pow(10.0f, level_db_ / 10.0f) * (1 - kLevelFollow) + power * kLevelFollow);
        if (++voiced_ >= kFirstVoicedBlocks) {
            const float wanted = std::clamp(kTargetDbfs - level_db_, kMinGainDb, kMaxGainDb);
            gain_db_ += std::clamp(wanted - gain_db_, -kDownDbPerBlock, kUpDbPerBlock);
        }
    }
    // The limiter: never more than the ceiling for this block's peak.
    float target = std::pow(10.0f, gain_db_ / 20.0f);
    if (peak * target > kCeiling) target = kCeiling / peak;
    // Ramp from the last block's gain to this one's across the block (no zipper noise).
    const float step = (target - applied_) / static_cast<float>(std::max<std::size_t>(n, 1));
    for (std::size_t i = 0; i < n; ++i)
        block[i] = std::clamp(block[i] * (applied_ + step * static_cast<float>(i + 1)), -1.0f, 1.0f);
    applied_ = target;
}

}  // namespace sala::client
