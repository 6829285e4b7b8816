#pragma once
// The audio device interface (inputs and outputs on their own clocks), the pipes through
// which they exchange samples with the engine, and the factory for --audio-in/--audio-out.

#include "sala/client/audio_processor.hpp"
#include "sala/client/level_meter.hpp"
#include "sala/client/paced_duplex.hpp"
#include "sala/client/spsc_ring.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

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
    // Worst time one sound-card callback took, in nanoseconds (0 for file/null devices).
    std::atomic<std::uint64_t> callback_max_ns{0};

    // Echo cancellation / noise suppression on capture, run by the input device; null (off)
    // by default. Set it before the devices start; it must outlive them.
    std::atomic<AudioProcessor*> processor{nullptr};
    // What the output device played (48 kHz mono), the processor's echo reference; only
    // fed while a processor is set.
    static constexpr std::size_t kFarEndSamples = 4800;  // 100 ms
    SpscRing<int16_t> far_end;

    // Audio thread: raises callback_max_ns to ns if it is larger.
    void note_callback_ns(std::uint64_t ns) {
        std::uint64_t worst = callback_max_ns.load(std::memory_order_relaxed);
        while (ns > worst && !callback_max_ns.compare_exchange_weak(worst, ns, std::memory_order_relaxed)) {
        }
    }
};

// A source of captured audio running on its own clock (sound-card callback or paced thread).
class AudioInput {
public:
    virtual ~AudioInput() = default;
    // Begins pushing into pipes.capture and feeding pipes.mic. May be called again after
    // stop(); a file source then plays from the start again.
    virtual bool start(AudioPipes& pipes, std::string* error) = 0;
    // Stops and waits: the device no longer touches the pipes when this returns.
    virtual void stop() = 0;
    virtual std::string description() const = 0;
    // False once a running device has failed (removed, or stopped delivering audio); the
    // engine then replaces it and tells the user. Devices that cannot fail stay true.
    virtual bool healthy() const { return true; }
};

// A sink of played audio running on its own clock.
class AudioOutput {
public:
    virtual ~AudioOutput() = default;
    // Begins popping pipes.playback and feeding pipes.speaker. May be called again after
    // stop(); a file sink then appends.
    virtual bool start(AudioPipes& pipes, std::string* error) = 0;
    // Stops and waits: the device no longer touches the pipes when this returns.
    virtual void stop() = 0;
    virtual std::string description() const = 0;
    // As AudioInput::healthy().
    virtual bool healthy() const { return true; }
};

// Input spec: a WAV path, "tone:HZ", "silence", "device" or "device:NAME". A WAV file is
// loaded here, so a bad file is reported before any call. nullptr and a one-line *error
// when the spec is wrong.
std::unique_ptr<AudioInput> make_audio_input(const std::string& spec, std::string* error);
// Output spec: a path ending in .wav (written 48 kHz mono 16-bit; created here), "null",
// "device" or "device:NAME".
std::unique_ptr<AudioOutput> make_audio_output(const std::string& spec, std::string* error);

}  // namespace sala::client
