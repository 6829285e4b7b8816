#include "audio/paced/paced_clock.hpp"

#include <cstdint>
#include <utility>

namespace sala::client {

void PacedClock::start(std::function<void()> on_tick, std::chrono::nanoseconds period) {
    stop();
    ticks_ = 0;
    skipped_ = 0;
    thread_ = std::jthread(
        [this, on_tick = std::move(on_tick), period](std::stop_token stop) { run(std::move(stop), on_tick, period); });
}

void PacedClock::stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
}

void PacedClock::run(std::stop_token stop, std::function<void()> on_tick, std::chrono::nanoseconds period) {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now();
    while (!stop.stop_requested()) {
        on_tick();
        ticks_.fetch_add(1, std::memory_order_relaxed);
        deadline += period;
        const auto late = Clock::now() - deadline;
        if (late > kMaxLag) {
            const auto missed = static_cast<std::uint64_t>(late / period);
            skipped_.fetch_add(missed, std::memory_order_relaxed);
            deadline += period * static_cast<std::int64_t>(missed);
        }
        std::this_thread::sleep_until(deadline);
    }
}

}  // namespace sala::client
