#pragma once
// The audio device interface: inputs and outputs on their own clocks, exchanging samples with
// the engine through AudioPipes.

#include <string>

#include "audio/audio_pipes.hpp"

namespace sala::client {

// A source of captured audio running on its own clock (sound-card callback or paced thread).
class AudioInput {
public:
    virtual ~AudioInput() = default;
    // Begins pushing into pipes.capture and feeding pipes.mic. May be called again after
    // stop(); a file source then plays from the start again.
    virtual bool start(AudioPipes& pipes, std::string* error) = 0;
    // Stops and waits: the device no longer touches the pipes when this returns.
    virtual void stop() = 0;
    virtual std::string description() const = 0;
    // False once a running device has failed (removed, or stopped delivering audio); the
    // engine then replaces it and tells the user. Devices that cannot fail stay true.
    virtual bool healthy() const { return true; }
};

// A sink of played audio running on its own clock.
class AudioOutput {
public:
    virtual ~AudioOutput() = default;
    // Begins popping pipes.playback and feeding pipes.speaker. May be called again after
    // stop(); a file sink then appends.
    virtual bool start(AudioPipes& pipes, std::string* error) = 0;
    // Stops and waits: the device no longer touches the pipes when this returns.
    virtual void stop() = 0;
    virtual std::string description() const = 0;
    // As AudioInput::healthy().
    virtual bool healthy() const { return true; }
};

}  // namespace sala::client
