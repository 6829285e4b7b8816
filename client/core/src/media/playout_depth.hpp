#pragma once
// How much decoded audio the playback ring holds after each engine tick, and the devices'
// health that decides it. A sound card wakes the engine after every block it takes, so one
// block queued is enough while the machine keeps up; a paced device (file, null) wakes it once
// per codec frame and takes that much at once. A call starts at that floor: the devices are
// open and running before it starts (they open while it rings), and a step above it cost the
// first ten seconds of a call 10 ms on the device tests (docs/benchmarks.md). Each second in
// which the speaker underran adds a step (5 ms, up to a cap); each kCalmSeconds without one take
// a step off, down to the floor: a machine that cannot keep the floor gets a safer depth
// instead of repeated gaps, and a passing load does not cost the rest of the call its latency.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sala::client {

class PlayoutDepth {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::size_t kBlock = 480;  // samples a paced device takes at a time (10 ms at 48 kHz)
    static constexpr std::size_t kStep = 240;   // 5 ms more per second that underran
    static constexpr std::size_t kMaxMargin = 1440;
    static constexpr int kCalmSeconds = 10;

    explicit PlayoutDepth(int blocks_per_wake) : blocks_per_wake_(blocks_per_wake) {}

    // Samples to keep queued for the speaker after this tick; device_block: what a sound card
    // takes at a time (it wakes us after each), 0 for a paced device.
    std::size_t target(std::size_t device_block) const {
        return device_block > 0 ? device_block + margin_ : kBlock * static_cast<std::size_t>(blocks_per_wake_);
    }

    // Once per tick with the devices' running totals (which the call may reset to zero).
    void observe(Clock::time_point now, std::uint64_t underruns, std::uint64_t overruns);

    // Counts over the last 60 seconds (or the call so far, when shorter).
    std::uint64_t underruns_per_minute() const { return minute_underruns_; }
    std::uint64_t overruns_per_minute() const { return minute_overruns_; }
    double margin_ms() const { return static_cast<double>(margin_) / 48.0; }

private:
    int blocks_per_wake_;
    std::size_t margin_ = 0;
    int calm_seconds_ = 0;  // since the last underrun or step down
    bool started_ = false;
    Clock::time_point second_start_{};
    std::uint64_t last_underruns_ = 0, last_overruns_ = 0;  // totals at the second's start
    std::array<std::uint32_t, 60> underrun_seconds_{}, overrun_seconds_{};
    std::size_t second_ = 0;  // index of the next slot
    std::uint64_t minute_underruns_ = 0, minute_overruns_ = 0;
};

}  // namespace sala::client
