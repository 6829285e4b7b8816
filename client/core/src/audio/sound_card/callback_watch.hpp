#pragma once
// Timing and health of a sound-card callback, kept in atomics: the worst time one callback
// took, when it last ran, and whether the device has failed (stalled, or calling back faster
// than real time, which is how a removed PulseAudio device shows through RtAudio 5).

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sala::client {

// True on a thread while it runs a Sala audio callback: lets a test binary count what the
// callback allocates (tests/integration/test_audio_devices_pulse.cpp).
bool in_audio_callback();

// Around a call into the sound server's own client library from inside a callback (libpulse's
// pa_stream_begin_write, pa_stream_write, pa_stream_peek): what that library allocates is its
// own, as when RtAudio's pa_simple_write runs after RtAudio's callback returns (libpulse takes
// memory blocks from its pool and falls back to the heap when the pool runs dry); Sala's code
// in the callback still allocates nothing. Not nested.
class SoundServerCall {
public:
    SoundServerCall();
    ~SoundServerCall();
    SoundServerCall(const SoundServerCall&) = delete;
    SoundServerCall& operator=(const SoundServerCall&) = delete;
};

// Watches one device's callback. begin()/end() run on the callback thread (lock-free, no
// allocation); the rest on any thread.
class CallbackWatch {
public:
    using Clock = std::chrono::steady_clock;
    // Before the first callback a device may take this long, and after it a gap this long
    // means the device stopped: both above PulseAudio's 2 s blocks on idle sinks.
    static constexpr std::chrono::milliseconds kFirstCallbackGrace{4000};
    static constexpr std::chrono::milliseconds kStallLimit{3000};
    // Frames beyond real time (rate * elapsed * kFastFactor + kFastSlack) mean a failing
    // device is calling back in a loop.
    static constexpr double kFastFactor = 1.5;
    static constexpr std::chrono::milliseconds kFastSlack{300};

    // Called before the stream starts (not concurrently with a callback).
    void reset(unsigned device_rate);

    // Callback thread: returns the start time for end().
    std::int64_t begin();
    // Callback thread: records the time taken and the frames delivered; false when the
    // device is running faster than real time (failed: the callback should abort).
    bool end(std::int64_t begun_ns, unsigned frames);

    // Any thread: false once the device failed, or when no callback came for too long.
    bool healthy() const;
    // Worst time one callback took, in nanoseconds (0 before the first).
    std::uint64_t max_callback_ns() const { return max_ns_.load(std::memory_order_relaxed); }
    std::uint64_t callbacks() const { return callbacks_.load(std::memory_order_relaxed); }

    static std::int64_t now_ns();

private:
    unsigned rate_ = 48000;
    std::atomic<std::int64_t> started_ns_{0};
    std::atomic<std::int64_t> last_ns_{0};
    std::atomic<std::uint64_t> frames_{0};
    std::atomic<std::uint64_t> callbacks_{0};
    std::atomic<std::uint64_t> max_ns_{0};
    std::atomic<bool> failed_{false};
    static_assert(std::atomic<std::int64_t>::is_always_lock_free);
};

}  // namespace sala::client
