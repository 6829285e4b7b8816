#pragma once
// The pipes through which audio devices exchange samples with the engine: rings, meters,
// the wake-up signal and the paced devices' shared clock.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "audio/level_meter.hpp"
#include "audio/paced/paced_duplex.hpp"
#include "audio/spsc_ring.hpp"
#include "audio/voice_stage.hpp"

namespace sala::client {

// Where devices exchange samples with the engine (48 kHz mono int16). Owned by the
// engine; outlives devices.
struct AudioPipes {
    explicit AudioPipes(std::size_t capacity_samples = 48000)
        : capture(capacity_samples), playback(capacity_samples), far_end(kFarEndSamples) {}

    // Devices notify after every block so the engine wakes exactly when there is work.
    WakeSignal wake;
    // The shared clock of the paced (file, tone, silence, null) devices on these pipes.
    PacedDuplex paced{wake};

    SpscRing<int16_t> capture;   // input device -> engine (what the mic hears)
    SpscRing<int16_t> playback;  // engine -> output device (what the user hears)
    LevelMeter mic;              // updated by the input device on what it captured (raw)
    LevelMeter speaker;          // updated by the output device on what it played
    // Samples dropped: capture ring full, or the sound system's own overflow (one block).
    std::atomic<std::uint64_t> capture_overruns{0};
    // Blocks short of samples (padded with silence), or the sound system's own underflow.
    std::atomic<std::uint64_t> playback_underruns{0};
    // While the output is a sound card, which wakes the engine after every block it takes,
    // that block in samples at 48 kHz; the engine then keeps about one block queued for it.
    // 0 for a paced device (file, null), which wakes it once per codec frame.
    std::atomic<std::uint32_t> output_block_samples{0};
    // When that sound card last took a block (steady clock nanoseconds, 0 for none): its next
    // request is about a block later, and the engine may queue the next block until just
    // before it (MediaSession::play_when_due).
    std::atomic<std::int64_t> output_taken_ns{0};
    // The devices' own delay as the sound server reports it (PulseAudio: its queue for our
    // stream and the device's latency) plus one callback block, in microseconds; -1 when not
    // known (file, tone and null devices, or not asked yet). Written about once a second off
    // the audio thread, by the device's watch.
    std::atomic<std::int64_t> input_device_latency_us{-1};
    std::atomic<std::int64_t> output_device_latency_us{-1};
    // Worst time one sound-card callback took, in nanoseconds (0 for file/null devices).
    std::atomic<std::uint64_t> callback_max_ns{0};

    // What the output device played (48 kHz mono), the echo canceller's reference: fed while
    // echo_reference is set (by the voice stage). As long as the capture ring, so that neither
    // overflows before the other when the engine is late (their fill is the echo's delay).
    static constexpr std::size_t kFarEndSamples = 48000;  // 1 s
    SpscRing<int16_t> far_end;
    std::atomic<bool> echo_reference{false};
    // The voice processing between the capture ring and the encoder (engine thread only).
    VoiceStage voice;

    // The first sample of the peer's audio: the engine marks its place in the playback ring
    // (pushed() + 1; 0 until then), the output device notes when it took it out (steady clock
    // nanoseconds; 0 until then). Pipes belong to one call.
    std::atomic<std::uint64_t> first_audio_mark{0};
    std::atomic<std::int64_t> first_audio_played_ns{0};

    // Audio thread, after popping the playback ring: a load or two, a clock read once per call.
    void note_played() {
        const std::uint64_t mark = first_audio_mark.load(std::memory_order_acquire);
        if (mark == 0 || playback.popped() < mark || first_audio_played_ns.load(std::memory_order_relaxed) != 0) return;
        first_audio_played_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                                    std::memory_order_release);
    }

    // Input device's thread: one block it captured (48 kHz mono, n samples in block): the mic
    // meter, the capture ring and its overruns.
    void take_captured(const int16_t* block, std::size_t n) {
        mic.process(block, n);
        const std::size_t pushed = capture.push(block, n);
        if (pushed < n) capture_overruns.fetch_add(n - pushed, std::memory_order_relaxed);
    }

    // Output device's thread: after popping the playback ring, what was heard (48 kHz mono):
    // the first-audio mark, the speaker meter and the echo canceller's reference.
    void note_heard(const int16_t* heard, std::size_t n) {
        note_played();
        speaker.process(heard, n);
        if (echo_reference.load(std::memory_order_relaxed)) far_end.push(heard, n);
    }

    // Audio thread: raises callback_max_ns to ns if it is larger.
    void note_callback_ns(std::uint64_t ns) {
        std::uint64_t worst = callback_max_ns.load(std::memory_order_relaxed);
        while (ns > worst && !callback_max_ns.compare_exchange_weak(worst, ns, std::memory_order_relaxed)) {
        }
    }
};

}  // namespace sala::client
