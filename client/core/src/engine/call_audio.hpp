#pragma once
// The sound devices of one call: the pipes the media session reads and writes, the input and
// output that fill and drain them, and their replacement when one cannot be used. A
// microphone that fails sends silence and a speaker that fails plays into nothing, so the
// call (and its clock) goes on; the user is told once.

#include <functional>
#include <memory>
#include <string>

#include "audio/audio_device.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class CallAudio {
public:
    // device: "microphone" or "speaker"; error: why, in plain words.
    using Problem = std::function<void(const char* device, const std::string& error)>;

    // echo: no input device; the media session feeds what it plays back into the capture pipe.
    CallAudio(bool echo, Problem on_problem);
    ~CallAudio();
    CallAudio(const CallAudio&) = delete;
    CallAudio& operator=(const CallAudio&) = delete;

    AudioPipes& pipes() { return pipes_; }
    // Opens the devices the specs name (again, after a change of devices mid-call).
    void start(const std::string& input_spec, const std::string& output_spec);
    // Replaces a device that stopped working since the last check.
    void check_health();
    MeterReading mic() const;
    MeterReading speaker() const;

private:
    void replace_input(const std::string& why);
    void replace_output(const std::string& why);
    void stop();

    AudioPipes pipes_;
    const bool echo_;
    Problem on_problem_;
    std::unique_ptr<AudioInput> input_;
    std::unique_ptr<AudioOutput> output_;
};

}  // namespace sala::client
