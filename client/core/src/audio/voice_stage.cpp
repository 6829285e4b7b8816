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
// PulseAudio's are on a desktop (15 ms microphone, 25 ms speaker) for the delay shown (the
// canceller runs the regular filter told 0 ms meanwhile, below), and after that the smaller of the
// last two reports (one speaker reported 192 ms for a second).
constexpr std::int64_t kUnknownInputUs = 15'000, kUnknownOutputUs = 25'000;
constexpr int kMaxDelayMs = 500;
constexpr int kHysteresisMs = 30;
// The extended filter misses echoes that come less than about 12 ms after the reference (it takes
// any delay under 20 ms as 20 ms); the regular one covers about 45 ms from the delay it is told.
// Until the devices are known the regular filter runs told 0 ms (an echo 0-45 ms behind, as on a
// desktop's devices); once they are, it stays for a short delay, told this much less than measured
// (the sound server's figures were 5 ms long on the test's null sinks: told 6 ms for an echo at
// 6 ms it barely converged, told 0-3 ms it reached -40 to -70 dB), and the extended filter with its
// delay estimator takes over for a long one (a new filter starts unconverged: a dead band between).
constexpr int kShortEchoMs = 20, kLongEchoMs = 35, kRegularLeadMs = 10;

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
        processor_ = std::make_unique<VoiceProcessor>(settings, EchoFilter::regular);
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
    if (reference) {
        measure_delay(pipes);
        choose_filter();
    }
    const bool regular = processor_->filter() == EchoFilter::regular;
    const int told = !regular ? told_ms_ : devices_known_ ? told_ms_ - kRegularLeadMs : 0;
    while (pipes.capture.size() >= block_.size()) {
        pipes.capture.pop(block_.data(), block_.size());
        const std::size_t far = reference ? pipes.far_end.pop(played_.data(), played_.size()) : 0;
        std::fill(played_.begin() + static_cast<std::ptrdiff_t>(far), played_.end(), 0);
        processor_->process(played_.data(), block_.data(), std::max(0, told));
        meter_.process(block_.data(), block_.size());
        cleaned_.push(block_.data(), block_.size());
        voice_ = processor_->voice();
    }
    return cleaned_;
}

void VoiceStage::choose_filter() {
    const VoiceSettings settings = processor_->settings();
    if (!settings.echo_cancel || !devices_known_ || told_ms_ < 0) return;
    const EchoFilter now = processor_->filter();
    EchoFilter wanted = now;
    if (told_ms_ < kShortEchoMs)
        wanted = EchoFilter::regular;
    else if (told_ms_ > kLongEchoMs)
        wanted = EchoFilter::extended;
    if (wanted == now) return;
    auto next = std::make_unique<VoiceProcessor>(settings, wanted);
    next->continue_from(*processor_);  // the talker's gain goes on; the canceller converges anew
    processor_ = std::move(next);
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
    if (known != devices_known_) {  // the first credible reports: measure and tell afresh, at once
        delay_ms_ = -1.0;
        told_ms_ = -1;
    }
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
