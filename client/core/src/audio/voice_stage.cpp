#include "audio/voice_stage.hpp"

#include <algorithm>
#include <cmath>

#include "audio/audio_pipes.hpp"

namespace sala::client {
namespace {
constexpr double kSamplesPerMs = VoiceProcessor::kRate / 1000.0;
// The rings' fill is sampled at wake-ups that follow either device's callback, so one reading
// is up to a block off either way: follow the mean slowly, and a jump (new devices, the sound
// server's first report) at once.
constexpr double kFollow = 0.05;
constexpr double kJumpMs = 40.0;
// A canceller told a delay longer than the real one cancels far less (25.6 against 37.0 dB
// when told 30 ms too long) than one told a shorter one (36.4 dB when told 30 ms too short;
// docs/benchmarks.md): the filter's tail covers an echo that comes later than told, not one
// that comes earlier. The reported latencies carry a block or so of doubt, so tell it less.
constexpr double kTellShortMs = 20.0;
constexpr int kMaxDelayMs = 500;

std::int64_t known_us(const std::atomic<std::int64_t>& us) { return std::max<std::int64_t>(0, us.load()); }
}  // namespace

VoiceStage::VoiceStage() : cleaned_(VoiceProcessor::kRate) {}
VoiceStage::~VoiceStage() = default;

void VoiceStage::configure(const VoiceSettings& settings, AudioPipes& pipes) {
    const bool any = settings.echo_cancel || settings.noise_suppress || settings.gain_control;
    const VoiceSettings now = this->settings();
    if (!any) {
        processor_.reset();
    } else if (!processor_ || now.echo_cancel != settings.echo_cancel ||
               now.noise_suppress != settings.noise_suppress || now.gain_control != settings.gain_control) {
        processor_ = std::make_unique<VoiceProcessor>(settings);
    }
    // The gain stage needs to know when the far end talks even with the canceller off.
    const bool reference = any;
    if (reference && !pipes.echo_reference.load()) pipes.far_end.clear_from_consumer();
    pipes.echo_reference.store(reference);
    delay_ms_ = -1.0;
    voice_ = false;
    meter_.reset();
}

SpscRing<std::int16_t>& VoiceStage::pass(AudioPipes& pipes) {
    if (!processor_) return pipes.capture;
    const bool reference = pipes.echo_reference.load(std::memory_order_relaxed);
    if (reference) measure_delay(pipes);
    while (pipes.capture.size() >= block_.size()) {
        pipes.capture.pop(block_.data(), block_.size());
        const std::size_t far = reference ? pipes.far_end.pop(played_.data(), played_.size()) : 0;
        std::fill(played_.begin() + static_cast<std::ptrdiff_t>(far), played_.end(), 0);
        processor_->process(played_.data(), block_.data(), told_ms_);
        meter_.process(block_.data(), block_.size());
        cleaned_.push(block_.data(), block_.size());
        voice_ = processor_->voice();
    }
    return cleaned_;
}

// A block taken from both rings at once pairs a microphone block that arrived C samples ago
// with a far-end block that the speaker's callback took F samples ago: the echo of that far
// block reaches the capture ring output + input latency after it was taken, so it arrives
// (output + input) - (F - C) after its partner. Far-end samples beyond that are dropped.
void VoiceStage::measure_delay(AudioPipes& pipes) {
    const double devices_ms =
        static_cast<double>(known_us(pipes.input_device_latency_us) + known_us(pipes.output_device_latency_us)) /
        1000.0;
    const double capture = static_cast<double>(pipes.capture.size());
    double far = static_cast<double>(pipes.far_end.size());
    const double excess = far - capture - devices_ms * kSamplesPerMs;
    if (excess > 0) {
        for (std::size_t drop = static_cast<std::size_t>(excess), got = 1; drop > 0 && got > 0; drop -= got)
            got = pipes.far_end.pop(played_.data(), std::min(drop, played_.size()));
        far = static_cast<double>(pipes.far_end.size());
    }
    const double delay = devices_ms - (far - capture) / kSamplesPerMs;
    if (delay_ms_ < 0 || std::abs(delay - delay_ms_) > kJumpMs)
        delay_ms_ = delay;
    else
        delay_ms_ += kFollow * (delay - delay_ms_);
    told_ms_ = std::clamp(static_cast<int>(std::lround(delay_ms_ - kTellShortMs)), 0, kMaxDelayMs);
}

}  // namespace sala::client
