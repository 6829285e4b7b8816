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
// Until the sound server has reported a device's latency credibly twice, it is taken to be what
// PulseAudio's are on a desktop (15 ms microphone, 25 ms speaker), and after that the smaller of
// the last two reports: the canceller finds an echo up to about 30 ms from the delay it is told,
// and on the device tests' echo path it failed to converge on about half the calls that started
// with 0 ms told, and on one that was told 192 ms for a second.
constexpr std::int64_t kUnknownInputUs = 15'000, kUnknownOutputUs = 25'000;
constexpr int kMaxDelayMs = 500;
constexpr int kHysteresisMs = 30;

// A freshly started PulseAudio stream reports seconds of latency for its first second or two
// (1449 then 448 ms, then once 150 to 190 ms, for a speaker whose steady report is 37 ms, on the
// test's null sinks): reports beyond this are not believed.
constexpr std::int64_t kCredibleUs = 250'000;
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
    told_ms_ = -1;
    input_ = Reported{{kUnknownInputUs, kUnknownInputUs}, 0};
    output_ = Reported{{kUnknownOutputUs, kUnknownOutputUs}, 0};
    devices_known_ = false;
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
        processor_->process(played_.data(), block_.data(), std::max(0, told_ms_));
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
    auto credible = [](const std::atomic<std::int64_t>& reported, Reported& device) {
        const std::int64_t us = reported.load(std::memory_order_relaxed);
        if (us >= 0 && us <= kCredibleUs && us != device.last[1]) {
            device.last[0] = device.last[1];
            device.last[1] = us;
            ++device.reports;
        }
        return std::min(device.last[0], device.last[1]);
    };
    const std::int64_t input_us = credible(pipes.input_device_latency_us, input_);
    const std::int64_t output_us = credible(pipes.output_device_latency_us, output_);
    const bool known = input_.reports >= 2 && output_.reports >= 2;
    if (known != devices_known_) told_ms_ = -1;  // the first credible reports: tell at once
    devices_known_ = known;
    const double devices_ms = static_cast<double>(input_us + output_us) / 1000.0;
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
    // The sound server's reports move by a few ms from one second to the next and the rings' fill
    // by a block; each change told makes the canceller shift its reference and converge again
    // (its delay estimator follows small moves by itself), so only a large change is told.
    const int delay_ms = std::clamp(static_cast<int>(std::lround(delay_ms_)), 0, kMaxDelayMs);
    if (told_ms_ < 0 || std::abs(delay_ms - told_ms_) > kHysteresisMs) told_ms_ = delay_ms;
}

}  // namespace sala::client
