#include "audio/sound_card/callback_watch.hpp"

namespace sala::client {

namespace {
thread_local bool tl_in_callback = false;
}  // namespace

bool in_audio_callback() { return tl_in_callback; }

SoundServerCall::SoundServerCall() { tl_in_callback = false; }
SoundServerCall::~SoundServerCall() { tl_in_callback = true; }

std::int64_t CallbackWatch::now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

void CallbackWatch::reset(unsigned device_rate) {
    rate_ = device_rate;
    started_ns_.store(now_ns(), std::memory_order_relaxed);
    last_ns_.store(0, std::memory_order_relaxed);
    frames_.store(0, std::memory_order_relaxed);
    callbacks_.store(0, std::memory_order_relaxed);
    max_ns_.store(0, std::memory_order_relaxed);
    failed_.store(false, std::memory_order_release);
}

std::int64_t CallbackWatch::begin() {
    tl_in_callback = true;
    return now_ns();
}

bool CallbackWatch::end(std::int64_t begun_ns, unsigned frames) {
    const std::int64_t now = now_ns();
    const auto took = static_cast<std::uint64_t>(now - begun_ns);
    std::uint64_t worst = max_ns_.load(std::memory_order_relaxed);
    while (took > worst && !max_ns_.compare_exchange_weak(worst, took, std::memory_order_relaxed)) {
    }
    callbacks_.fetch_add(1, std::memory_order_relaxed);
    last_ns_.store(now, std::memory_order_release);
    const std::uint64_t total = frames_.fetch_add(frames, std::memory_order_relaxed) + frames;
    tl_in_callback = false;

    const double elapsed_s = static_cast<double>(now - started_ns_.load(std::memory_order_relaxed)) * 1e-9;
    const double slack_s = std::chrono::duration<double>(kFastSlack).count();
    const double allowed = (elapsed_s * kFastFactor + slack_s) * rate_;
    if (static_cast<double>(total) > allowed) {
        failed_.store(true, std::memory_order_release);
        return false;
    }
    return true;
}

bool CallbackWatch::healthy() const {
    if (failed_.load(std::memory_order_acquire)) return false;
    const std::int64_t now = now_ns();
    const std::int64_t last = last_ns_.load(std::memory_order_acquire);
    if (last == 0)
        return now - started_ns_.load(std::memory_order_relaxed) <
               std::chrono::nanoseconds(kFirstCallbackGrace).count();
    return now - last < std::chrono::nanoseconds(kStallLimit).count();
}

}  // namespace sala::client
