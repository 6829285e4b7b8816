#include "engine/call_audio.hpp"

#include "audio/device_factory.hpp"

namespace sala::client {
namespace {
MeterReading reading(const LevelMeter& meter) {
    auto levels = meter.read();
    return {levels.rms_dbfs, levels.peak_dbfs, levels.hold_dbfs};
}
}  // namespace

CallAudio::CallAudio(bool echo, Problem on_problem) : echo_(echo), on_problem_(std::move(on_problem)) {}

CallAudio::~CallAudio() { stop(); }

void CallAudio::start(const std::string& input_spec, const std::string& output_spec) {
    stop();
    std::string error;
    if (!echo_) {
        input_ = make_audio_input(input_spec, &error);
        if (!input_ || !input_->start(pipes_, &error)) replace_input(error);
    }
    output_ = make_audio_output(output_spec, &error);
    if (!output_ || !output_->start(pipes_, &error)) replace_output(error);
}

void CallAudio::check_health() {
    // An AudioCommand can choose the failed device (or another) again.
    if (input_ && !input_->healthy()) replace_input(input_->description() + " stopped working (removed or failed)");
    if (output_ && !output_->healthy()) replace_output(output_->description() + " stopped working (removed or failed)");
}

MeterReading CallAudio::mic() const { return reading(pipes_.mic); }
MeterReading CallAudio::speaker() const { return reading(pipes_.speaker); }

void CallAudio::replace_input(const std::string& why) {
    on_problem_("microphone", why);
    if (input_) input_->stop();
    if ((input_ = make_audio_input("silence", nullptr))) input_->start(pipes_, nullptr);
}

void CallAudio::replace_output(const std::string& why) {
    on_problem_("speaker", why);
    if (output_) output_->stop();
    if ((output_ = make_audio_output("null", nullptr))) output_->start(pipes_, nullptr);
}

void CallAudio::stop() {
    if (input_) input_->stop();
    if (output_) output_->stop();
    input_.reset();
    output_.reset();
}

}  // namespace sala::client
