#pragma once
// Audio level in dBFS (RMS, peak and a decaying peak hold): written by the audio thread
// without locks, read by any thread.

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace sala::client {

// Per-block RMS and peak with a peak hold that holds ~1 s then falls ~20 dB/s.
class LevelMeter {
public:
    static constexpr float kFloorDbfs = -90.0f;  // what silence reads as
    static constexpr float kHoldSeconds = 1.0f;
    static constexpr float kDecayDbPerSecond = 20.0f;

    // Levels as last measured: one block's RMS and peak, and the held peak.
    struct Levels {
        float rms_dbfs = kFloorDbfs;
        float peak_dbfs = kFloorDbfs;
        float hold_dbfs = kFloorDbfs;
    };

    explicit LevelMeter(int sample_rate = 48000) : sample_rate_(sample_rate) {}
    LevelMeter(const LevelMeter&) = delete;
    LevelMeter& operator=(const LevelMeter&) = delete;

    // Audio thread only (one writer): no locks, no allocation. Time is counted in samples.
    void process(const int16_t* block, std::size_t n);
    // Any thread.
    Levels read() const;
    // Back to silence; only while no thread is calling process().
    void reset();

private:
    const int sample_rate_;
    // Writer-only state.
    float held_ = kFloorDbfs;
    std::uint64_t samples_since_hold_ = 0;
    // Published.
    std::atomic<float> rms_{kFloorDbfs};
    std::atomic<float> peak_{kFloorDbfs};
    std::atomic<float> hold_{kFloorDbfs};
    static_assert(std::atomic<float>::is_always_lock_free);
};

}  // namespace sala::client
