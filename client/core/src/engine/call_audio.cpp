#include "engine/call_audio.hpp"

#include <cstdint>

#include "audio/device_factory.hpp"

namespace sala::client {
namespace {
MeterReading reading(const LevelMeter& meter) {
    auto levels = meter.read();
    return {levels.rms_dbfs, levels.peak_dbfs, levels.hold_dbfs};
}

bool sound_card(const std::string& spec) { return spec == "device" || spec.rfind("device:", 0) == 0; }

// Starts the device a spec names on pipes; nullptr and *error when it cannot.
template <typename Device>
std::unique_ptr<Device> started(std::unique_ptr<Device> device, AudioPipes& pipes, std::string* error) {
    if (device && !device->start(pipes, error)) {
        device->stop();
        device.reset();
    }
    return device;
}
}  // namespace

CallAudio::CallAudio(const MediaOptions& media, Problem on_problem)
    : media_(media), echo_(media.echo), on_problem_(std::move(on_problem)) {}

CallAudio::~CallAudio() { close(); }

AudioPipes& CallAudio::pipes() {
    if (!pipes_) pipes_ = std::make_unique<AudioPipes>();
    return *pipes_;
}

void CallAudio::prepare(const std::string& input_spec, const std::string& output_spec) {
    if (opener_.joinable() || input_ || output_) return;
    early_ = Early{};
    if (!echo_ && sound_card(input_spec)) early_.input_spec = input_spec;
    if (sound_card(output_spec)) early_.output_spec = output_spec;
    if (early_.input_spec.empty() && early_.output_spec.empty()) return;
    opener_ = std::jthread([this, &pipes = pipes()] { open_early(pipes); });
}

void CallAudio::open_early(AudioPipes& pipes) {
    if (!early_.input_spec.empty())
        early_.input = started(make_audio_input(early_.input_spec, &early_.input_error), pipes, &early_.input_error);
    if (!early_.output_spec.empty())
        early_.output =
            started(make_audio_output(early_.output_spec, &early_.output_error), pipes, &early_.output_error);
}

void CallAudio::start(const std::string& input_spec, const std::string& output_spec) {
    // The same devices, running: only the voice processing may have changed (the window's switches).
    if (!opener_.joinable() && input_ && output_ && input_spec == input_spec_ && output_spec == output_spec_)
        return configure_voice(input_spec);
    if (opener_.joinable()) opener_.join();
    Early early = std::move(early_);
    early_ = Early{};
    stop();
    AudioPipes& p = pipes();
    std::string error;
    if (!echo_) {
        if (!early.input_spec.empty() && early.input_spec == input_spec) {
            input_ = std::move(early.input);
            error = early.input_error;
        } else {
            input_ = started(make_audio_input(input_spec, &error), p, &error);
        }
        if (!input_) replace_input(error);
    }
    if (!early.output_spec.empty() && early.output_spec == output_spec) {
        output_ = std::move(early.output);
        error = early.output_error;
    } else {
        output_ = started(make_audio_output(output_spec, &error), p, &error);
    }
    if (!output_) replace_output(error);
    if (input_spec_.empty()) input_spec_ = input_spec;
    if (output_spec_.empty()) output_spec_ = output_spec;
    configure_voice(input_spec);
    if (early.input_spec.empty() && early.output_spec.empty()) return;
    // The devices ran before the call: what the microphone heard then is not the call's, and
    // the speaker's wait for the first frame was no underrun.
    std::int16_t scrap[480];
    while (p.capture.pop(scrap, std::size(scrap)) > 0) {
    }
    p.capture_overruns.store(0, std::memory_order_relaxed);
    p.playback_underruns.store(0, std::memory_order_relaxed);
}

void CallAudio::close() {
    if (opener_.joinable()) opener_.join();
    early_ = Early{};
    stop();
    pipes_.reset();
}

void CallAudio::follow(CallState call, const std::string& input_spec, const std::string& output_spec) {
    if (call == CallState::calling || call == CallState::ringing)
        prepare(input_spec, output_spec);
    else if (call == CallState::idle)
        close();
}

void CallAudio::check_health() {
    // An AudioCommand can choose the failed device (or another) again.
    if (input_ && !input_->healthy()) replace_input(input_->description() + " stopped working (removed or failed)");
    if (output_ && !output_->healthy()) replace_output(output_->description() + " stopped working (removed or failed)");
}

MeterReading CallAudio::mic() const {
    if (!pipes_) return MeterReading{};
    if (!pipes_->voice.active()) return reading(pipes_->mic);
    MeterReading processed = reading(pipes_->voice.meter());
    processed.voice = pipes_->voice.voice();
    return processed;
}

// Sound cards get voice processing unless a switch says otherwise; files, tones and silence only
// when one says so (their tests compare what was sent exactly); the echo test never (its
// "microphone" is what it plays).
void CallAudio::configure_voice(const std::string& input_spec) {
    const bool card = !echo_ && sound_card(input_spec);
    const VoiceOptions& o = media_.voice;
    VoiceSettings settings{o.echo_cancel.value_or(card), o.noise_suppress.value_or(card),
                           o.gain_control.value_or(card)};
    if (echo_) settings = VoiceSettings{false, false, false};
    pipes().voice.configure(settings, pipes());
}
MeterReading CallAudio::speaker() const { return pipes_ ? reading(pipes_->speaker) : MeterReading{}; }

void CallAudio::replace_input(const std::string& why) {
    on_problem_("microphone", why);
    input_spec_ = "silence";
    if (input_) input_->stop();
    if ((input_ = make_audio_input("silence", nullptr))) input_->start(pipes(), nullptr);
}

void CallAudio::replace_output(const std::string& why) {
    on_problem_("speaker", why);
    output_spec_ = "null";
    if (output_) output_->stop();
    if ((output_ = make_audio_output("null", nullptr))) output_->start(pipes(), nullptr);
}

void CallAudio::stop() {
    if (input_) input_->stop();
    if (output_) output_->stop();
    input_.reset();
    output_.reset();
    input_spec_.clear();
    output_spec_.clear();
}

}  // namespace sala::client
