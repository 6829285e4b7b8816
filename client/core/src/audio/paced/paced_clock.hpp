#pragma once
// A thread that ticks once per audio block on absolute steady-clock deadlines: the sound
// card's clock for file, tone and null devices.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>

namespace sala::client {

// Calls a function every period (10 ms = 480 samples at 48 kHz) without drift.
class PacedClock {
public:
    static constexpr std::size_t kBlockSamples = 480;
    static constexpr std::chrono::nanoseconds kBlockPeriod = std::chrono::milliseconds(10);
    // Further behind than this, the clock skips the missed ticks instead of bursting them.
    static constexpr std::chrono::nanoseconds kMaxLag = std::chrono::milliseconds(100);

    PacedClock() = default;
    ~PacedClock() { stop(); }
    PacedClock(const PacedClock&) = delete;
    PacedClock& operator=(const PacedClock&) = delete;

    // Starts the thread; on_tick runs on it, first right away, then once per period.
    // Restarting an already running clock stops it first.
    void start(std::function<void()> on_tick, std::chrono::nanoseconds period = kBlockPeriod);
    // Stops and joins; on_tick is not running when this returns.
    void stop();

    bool running() const { return thread_.joinable(); }
    std::uint64_t ticks() const { return ticks_.load(std::memory_order_relaxed); }
    std::uint64_t skipped_ticks() const { return skipped_.load(std::memory_order_relaxed); }

private:
    void run(std::stop_token stop, std::function<void()> on_tick, std::chrono::nanoseconds period);

    std::atomic<std::uint64_t> ticks_{0};
    std::atomic<std::uint64_t> skipped_{0};
    std::jthread thread_;
};

}  // namespace sala::client
