#pragma once
// The sound devices of one call: the pipes the media session reads and writes, the input and
// output that fill and drain them, and their replacement when one cannot be used. Sound cards
// open while the call rings or is placed, on a thread of this object's own, so that audio
// flows from the call's first frame. A microphone that fails sends silence and a speaker that
// fails plays into nothing, so the call (and its clock) goes on; the user is told once.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "audio/audio_device.hpp"
#include "sala/client/media_options.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class CallAudio {
public:
    // device: "microphone" or "speaker"; error: why, in plain words.
    using Problem = std::function<void(const char* device, const std::string& error)>;

    // media.echo: no input device; the media session feeds what it plays back into the capture
    // pipe. media.voice: read at every start(), the voice processing of the microphone (on for a
    // sound card unless switched off); media must outlive this.
    CallAudio(const MediaOptions& media, Problem on_problem);
    ~CallAudio();
    CallAudio(const CallAudio&) = delete;
    CallAudio& operator=(const CallAudio&) = delete;

    // A call rings or is being placed: opens the sound cards the specs name ("device",
    // "device:NAME") on a thread of its own (a PulseAudio stream takes 100-250 ms to open).
    // Files, tones, silence and null wait for start(), which is their time origin. Does
    // nothing when devices are already opening or running.
    void prepare(const std::string& input_spec, const std::string& output_spec);
    // The call starts (or its devices change mid-call): the devices the specs name run from
    // now on. Those prepare() opened for the same specs are taken over, waiting for them if
    // they are still opening; what they captured before now is dropped (never sent) and their
    // overrun and underrun counts start from zero.
    void start(const std::string& input_spec, const std::string& output_spec);
    // The call is over, or never started: devices closed, pipes gone.
    void close();
    // prepare() while the call is calling or ringing, close() once it is idle.
    void follow(CallState call, const std::string& input_spec, const std::string& output_spec);
    // This call's pipes (made by the first prepare() or start()).
    AudioPipes& pipes();
    // Replaces a device that stopped working since the last check.
    void check_health();
    // The microphone as it is sent: processed when voice processing runs.
    MeterReading mic() const;
    MeterReading speaker() const;

private:
    // What the opening thread made for prepare(); read once it is joined.
    struct Early {
        std::string input_spec, output_spec;  // empty: not opened early
        std::unique_ptr<AudioInput> input;
        std::unique_ptr<AudioOutput> output;
        std::string input_error, output_error;
    };
    void open_early(AudioPipes& pipes);
    void replace_input(const std::string& why);
    void replace_output(const std::string& why);
    void stop();
    void configure_voice(const std::string& input_spec);

    const MediaOptions& media_;
    const bool echo_;
    Problem on_problem_;
    std::unique_ptr<AudioPipes> pipes_;
    std::unique_ptr<AudioInput> input_;
    std::unique_ptr<AudioOutput> output_;
    std::string input_spec_, output_spec_;  // what runs: as asked, or "silence"/"null" in place of a failed device
    Early early_;
    std::jthread opener_;  // opening early_; joined before early_ is read, and before pipes_ go
};

}  // namespace sala::client
