#include "audio/voice_processor.hpp"

#include <webrtc/modules/audio_processing/include/audio_processing.h>

#include <algorithm>
#include <stdexcept>

namespace sala::client {
namespace {
constexpr float kScale = 32768.0f;
// The far end is talking (its echo may be in the microphone) when what is played is louder
// than this (power, full scale 1: -45 dBFS).
constexpr float kFarAudible = 3.2e-5f;

void to_float(const std::int16_t* in, float* out) {
    for (std::size_t i = 0; i < VoiceProcessor::kBlock; ++i) out[i] = static_cast<float>(in[i]) / kScale;
}
}  // namespace

VoiceProcessor::VoiceProcessor(VoiceSettings settings, EchoFilter filter)
    : settings_(settings), filter_(filter), config_(std::make_unique<webrtc::Config>()) {
    const bool extended = filter == EchoFilter::extended;
    // The extended filter: a longer echo tail and delays that drift, as on real devices.
    config_->Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(extended));
    // The delay told covers the devices and rings; the estimator finds what lies beyond it (the
    // room, a device's unreported buffers). Without it the extended filter converged on some
    // runs of the device tests and not on others.
    config_->Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(extended));
    apm_.reset(webrtc::AudioProcessing::Create(*config_));
    if (!apm_) throw std::runtime_error("WebRTC's audio processing could not be set up");
    apm_->high_pass_filter()->Enable(true);
    auto* echo = apm_->echo_cancellation();
    echo->enable_drift_compensation(false);
    // Moderate: high suppression clips a talker during double talk (docs/benchmarks.md).
    echo->set_suppression_level(webrtc::EchoCancellation::kModerateSuppression);
    echo->Enable(settings_.echo_cancel);
    apm_->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
    apm_->noise_suppression()->Enable(settings_.noise_suppress);
    apm_->voice_detection()->Enable(true);
}

VoiceProcessor::~VoiceProcessor() = default;

void VoiceProcessor::process(const std::int16_t* played, std::int16_t* captured, int delay_ms) {
    const webrtc::StreamConfig stream(kRate, 1);
    to_float(played, reverse_);
    const float* reverse_in[] = {reverse_};
    float* reverse_out[] = {reverse_out_};
    apm_->ProcessReverseStream(reverse_in, stream, stream, reverse_out);
    apm_->set_stream_delay_ms(std::clamp(delay_ms, 0, 500));
    to_float(captured, capture_);
    const float* capture_in[] = {capture_};
    float* capture_out[] = {capture_};
    apm_->ProcessStream(capture_in, stream, stream, capture_out);
    voice_ = apm_->voice_detection()->stream_has_voice();
    if (settings_.gain_control) {
        float far_power = 0.0f;
        for (float v : reverse_) far_power += v * v;
        gain_.process(capture_, kBlock, voice_, far_power / kBlock > kFarAudible);
    }
    for (std::size_t i = 0; i < kBlock; ++i)
        captured[i] = static_cast<std::int16_t>(std::clamp(capture_[i] * kScale, -32768.0f, 32767.0f));
}

}  // namespace sala::client
