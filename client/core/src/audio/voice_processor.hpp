#pragma once
// Voice processing of the captured audio (issue 13): WebRTC's audio processing module
// (libwebrtc-audio-processing 0.3, the library PulseAudio's echo canceller uses; chosen over
// speexdsp by bench/voice_processing.sh, see docs/benchmarks.md) in 10 ms blocks at 48 kHz mono,
// and a gain stage of our own after it (gain_stage.hpp says why not the library's).
// Each block of captured audio goes in with the block the speaker played at the same time and
// the delay between the two; out comes the microphone with the echo cancelled, noise suppressed
// and gain controlled, each as switched on, and whether it holds a voice.
// No allocation after construction; not thread-safe: one thread calls process().

#include <cstddef>
#include <cstdint>
#include <memory>

#include "audio/gain_stage.hpp"
#include "sala/client/media_options.hpp"

namespace webrtc {
class AudioProcessing;
class Config;
}  // namespace webrtc

namespace sala::client {

// Which of WebRTC's echo filters runs. The extended one (a longer tail, its own delay estimator
// for delays the devices do not report, drift) takes any delay told under 20 ms as 20 ms and
// misses an echo that comes sooner: on the test's null sinks, whose echo came 6 ms after the
// reference, it left -20 dB where the regular filter, told 0 ms, reached -40 to -70 dB
// (docs/benchmarks.md). The regular one covers about 45 ms from the delay it is told.
enum class EchoFilter { extended, regular };

class VoiceProcessor {
public:
    static constexpr int kRate = 48000;
    static constexpr std::size_t kBlock = kRate / 100;  // 10 ms

    // Throws std::runtime_error when the library cannot be set up.
    explicit VoiceProcessor(VoiceSettings settings, EchoFilter filter = EchoFilter::extended);
    ~VoiceProcessor();
    VoiceProcessor(const VoiceProcessor&) = delete;
    VoiceProcessor& operator=(const VoiceProcessor&) = delete;

    // played: the kBlock samples sent to the speaker now (the echo reference); captured: the
    // kBlock samples the microphone gave now, processed in place. delay_ms: how long after being
    // played audio reaches the microphone (the device latencies and the rings between), 0-500.
    void process(const std::int16_t* played, std::int16_t* captured, int delay_ms);
    // Whether the last processed block held a voice (WebRTC's voice activity detector).
    bool voice() const { return voice_; }
    const VoiceSettings& settings() const { return settings_; }
    EchoFilter filter() const { return filter_; }
    // Takes over what `before` learned of the talker (the gain stage's level and gain), as when
    // the echo filter changes mid-call: the library's own state starts afresh.
    void continue_from(const VoiceProcessor& before) { gain_ = before.gain_; }

private:
    VoiceSettings settings_;
    EchoFilter filter_;
    std::unique_ptr<webrtc::Config> config_;
    std::unique_ptr<webrtc::AudioProcessing> apm_;
    float reverse_[kBlock] = {}, reverse_out_[kBlock] = {}, capture_[kBlock] = {};
    GainStage gain_;
    bool voice_ = false;
};

}  // namespace sala::client
