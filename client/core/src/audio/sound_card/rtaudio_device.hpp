#pragma once
// Sound-card input and output through RtAudio (PulseAudio first, then ALSA).

#include "audio/audio_device.hpp"
#include "audio/sound_card/callback_watch.hpp"
#include "audio/sound_card/device_format.hpp"
#include "audio/sound_card/pulse_presence.hpp"
#include "sala/client/audio_devices.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

class RtAudio;

namespace sala::client {

// One RtAudio stream on a named (or the default) device at the device's own rate and
// channel count, int16, ~10 ms per callback: what input and output share.
class RtAudioStream {
public:
    // RtAudio's callback signature (RtAudioStreamStatus is unsigned int).
    using Callback = int (*)(void* out, void* in, unsigned frames, double time, unsigned status, void* self);

    // name: "" for the default device, else the device whose name contains it.
    RtAudioStream(std::string name, bool input);
    ~RtAudioStream();
    RtAudioStream(const RtAudioStream&) = delete;
    RtAudioStream& operator=(const RtAudioStream&) = delete;

    // Opens the stream (not yet running) and reports its format.
    bool open(Callback callback, void* self, DeviceStreamFormat* format, std::string* error);
    // Starts the opened stream. latency_us, if set, gets the stream's delay in the sound server
    // (PulseAudio: its queue for the stream, the device's latency) plus one callback block,
    // about once a second, and -1 when the stream stops.
    bool run(std::string* error, std::atomic<std::int64_t>* latency_us = nullptr);
    void stop();  // the callback is no longer running when this returns
    std::string description() const;
    // True once the opened PulseAudio device has left the server (checked about
    // once a second on a thread of its own: PulseAudio moves the streams of a removed sink
    // elsewhere, so the callback alone does not show it).
    bool gone() const { return gone_.load(std::memory_order_acquire); }

private:
    std::string name_;
    bool input_;
    std::string opened_name_;
    DeviceStreamFormat format_;
    std::unique_ptr<RtAudio> audio_;
    std::atomic<bool> gone_{false};
    PulseStreamWatch watch_;
};

// Captures from a sound device: the RtAudio callback mixes the device's channels down to
// mono, resamples to 48 kHz and pushes into pipes.capture (no locks, allocation, logging or
// blocking).
class RtAudioInput final : public AudioInput {
public:
    // name: "" for the default input, else the device whose name contains it.
    explicit RtAudioInput(std::string name);
    ~RtAudioInput() override;
    bool start(AudioPipes& pipes, std::string* error) override;
    void stop() override { stream_.stop(); }
    std::string description() const override;
    bool healthy() const override { return watch_.healthy() && !stream_.gone(); }
    const CallbackWatch& watch() const { return watch_; }
    DeviceStreamFormat format() const { return format_; }

private:
    static int callback(void* out, void* in, unsigned frames, double time, unsigned status, void* self);

    RtAudioStream stream_;
    AudioPipes* pipes_ = nullptr;
    DeviceStreamFormat format_;
    std::unique_ptr<CaptureFormat> convert_;
    std::vector<int16_t> block_;  // 48 kHz mono, one callback's worth
    CallbackWatch watch_;
};

// Plays to a sound device: the RtAudio callback pops pipes.playback (silence when it is
// short), resamples to the device rate and copies to each of its channels.
class RtAudioOutput final : public AudioOutput {
public:
    // name: "" for the default output, else the device whose name contains it.
    explicit RtAudioOutput(std::string name);
    ~RtAudioOutput() override;
    bool start(AudioPipes& pipes, std::string* error) override;
    void stop() override {
        stream_.stop();
        if (pipes_) pipes_->output_block_samples.store(0, std::memory_order_relaxed);
        if (pipes_) pipes_->output_taken_ns.store(0, std::memory_order_relaxed);
    }
    std::string description() const override;
    bool healthy() const override { return watch_.healthy() && !stream_.gone(); }
    const CallbackWatch& watch() const { return watch_; }
    DeviceStreamFormat format() const { return format_; }

private:
    static int callback(void* out, void* in, unsigned frames, double time, unsigned status, void* self);

    RtAudioStream stream_;
    AudioPipes* pipes_ = nullptr;
    DeviceStreamFormat format_;
    std::unique_ptr<PlaybackFormat> convert_;
    CallbackWatch watch_;
};

// Checks now that a device matching name ("" = default) exists for input or output, so a
// wrong name is reported before any call. False with *error set otherwise.
bool find_audio_device(const std::string& name, bool input, std::string* error, bool* on_pulse = nullptr);

}  // namespace sala::client
