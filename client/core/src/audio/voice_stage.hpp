#pragma once
// The capture path's voice processing as the engine runs it (issue 13). At each wake-up the
// microphone's new 10 ms blocks go through a VoiceProcessor, each with a block of what the
// speaker played as the echo reference, and the delay between the two: the device latencies the
// sound server reports plus what the capture and far-end rings hold. The encoder takes what comes
// out. Engine thread only: the audio callbacks just fill the rings (AudioPipes::far_end while
// echo_reference is set, which it is while anything is on).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "audio/level_meter.hpp"
#include "audio/spsc_ring.hpp"
#include "audio/voice_processor.hpp"

namespace sala::client {

struct AudioPipes;

class VoiceStage {
public:
    VoiceStage();
    ~VoiceStage();
    VoiceStage(const VoiceStage&) = delete;
    VoiceStage& operator=(const VoiceStage&) = delete;

    // What runs from now on; everything off: the capture ring goes to the encoder untouched. The
    // same settings again (new devices mid-call) keep the converged processor and measure the
    // delay afresh. Starts or stops the speaker feeding pipes.far_end.
    void configure(const VoiceSettings& settings, AudioPipes& pipes);
    bool active() const { return processor_ != nullptr; }
    VoiceSettings settings() const { return processor_ ? processor_->settings() : VoiceSettings{false, false, false}; }

    // Processes what the microphone captured since the last call; returns the ring the encoder
    // takes from (pipes.capture itself while inactive).
    SpscRing<std::int16_t>& pass(AudioPipes& pipes);
    // Samples processed and waiting for the encoder.
    std::size_t held() const { return cleaned_.size(); }
    // The processed microphone: its level, and whether its last block held a voice.
    const LevelMeter& meter() const { return meter_; }
    bool voice() const { return voice_; }
    // The echo delay measured in ms (what the canceller is told, less with the regular filter);
    // -1 while it is off.
    int echo_delay_ms() const { return processor_ && processor_->settings().echo_cancel ? std::max(0, told_ms_) : -1; }

private:
    void measure_delay(AudioPipes& pipes);
    void choose_filter();

    std::unique_ptr<VoiceProcessor> processor_;
    SpscRing<std::int16_t> cleaned_;
    LevelMeter meter_;
    std::array<std::int16_t, VoiceProcessor::kBlock> played_{}, block_{};
    double delay_ms_ = -1.0;  // smoothed; -1: measure afresh
    int told_ms_ = -1;        // -1: not measured yet
    // A device's last two credible latency reports (us), and how many there were.
    struct Reported {
        std::int64_t last[2];
        int reports;
    };
    Reported input_{{0, 0}, 0}, output_{{0, 0}, 0};
    bool devices_known_ = false;
    bool voice_ = false;
};

}  // namespace sala::client
