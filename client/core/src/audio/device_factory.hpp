#pragma once
// Builds the audio device an --audio-in/--audio-out spec names.

#include <memory>
#include <string>

#include "audio/audio_device.hpp"

namespace sala::client {

// Input spec: a WAV path, "tone:HZ", "silence", "device" or "device:NAME". A WAV file is
// loaded here, so a bad file is reported before any call. nullptr and a one-line *error
// when the spec is wrong.
std::unique_ptr<AudioInput> make_audio_input(const std::string& spec, std::string* error);
// Output spec: a path ending in .wav (written 48 kHz mono 16-bit; created here), "null",
// "device" or "device:NAME".
std::unique_ptr<AudioOutput> make_audio_output(const std::string& spec, std::string* error);

}  // namespace sala::client
