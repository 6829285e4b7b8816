#pragma once
// Sound-card input and output on PulseAudio through PulseStream (libpulse's own API), the
// first choice when a PulseAudio server answers: the same conversion, meters, rings and
// health watch as the RtAudio devices, with the server's small requests instead of RtAudio's
// 10 ms blocking writes (about 10 ms less on the speaker and 5 ms on the microphone).

#include "audio/audio_device.hpp"
#include "audio/sound_card/callback_watch.hpp"
#include "audio/sound_card/device_format.hpp"
#include "audio/sound_card/pulse_stream.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sala::client {

// Captures: each fragment the server hands over is mixed to mono, resampled to 48 kHz and
// pushed into pipes.capture (no locks, no allocation).
class PulseInput final : public AudioInput {
public:
    explicit PulseInput(std::string name);
    ~PulseInput() override;
    bool start(AudioPipes& pipes, std::string* error) override;
    void stop() override { stream_.stop(); }
    std::string description() const override { return stream_.description(); }
    bool healthy() const override { return watch_.healthy() && !stream_.gone(); }
    const CallbackWatch& watch() const { return watch_; }
    DeviceStreamFormat format() const { return format_; }

private:
    static void prepare(const DeviceStreamFormat& format, void* self);
    static void on_ready(pa_stream* stream, std::size_t bytes, void* self);

    PulseStream stream_;
    AudioPipes* pipes_ = nullptr;
    DeviceStreamFormat format_;
    std::unique_ptr<CaptureFormat> convert_;
    std::size_t max_frames_ = 0;
    std::vector<int16_t> block_;
    CallbackWatch watch_;
};

// Plays: whenever the server asks, pops pipes.playback into the server's own buffer
// (silence for what the ring lacks), feeding the speaker meter and the echo reference.
class PulseOutput final : public AudioOutput {
public:
    explicit PulseOutput(std::string name);
    ~PulseOutput() override;
    bool start(AudioPipes& pipes, std::string* error) override;
    void stop() override;
    std::string description() const override { return stream_.description(); }
    bool healthy() const override { return watch_.healthy() && !stream_.gone(); }
    const CallbackWatch& watch() const { return watch_; }
    DeviceStreamFormat format() const { return format_; }

private:
    static void prepare(const DeviceStreamFormat& format, void* self);
    static void on_ready(pa_stream* stream, std::size_t bytes, void* self);
    void follow_request(AudioPipes& pipes, std::size_t frames);  // the server's thread
    std::uint32_t internal_samples(std::size_t frames) const;    // device frames at 48 kHz
    // Raises output_block_samples to samples, up to kMaxBlockSamples (it never lowers it).
    void raise_block(AudioPipes& pipes, std::uint32_t samples);

    static constexpr int kSteadyRequests = 8;
    static constexpr std::uint32_t kMaxBlockSamples = 960;  // 20 ms: beyond it, a queue, not a block

    PulseStream stream_;
    AudioPipes* pipes_ = nullptr;
    DeviceStreamFormat format_;
    std::unique_ptr<PlaybackFormat> convert_;
    std::size_t max_frames_ = 0;
    int larger_requests_ = 0;  // in a row, asking for more than output_block_samples
    std::uint32_t largest_request_ = 0;
    CallbackWatch watch_;
};

}  // namespace sala::client
