#pragma once
// The sound devices a user can choose from, and the check of an --audio-in/--audio-out spec.

#include <string>
#include <vector>

namespace sala::client {

// One sound device as the sound system reports it.
struct AudioDeviceInfo {
    unsigned id = 0;  // RtAudio's index, valid until the device list changes
    std::string name;
    unsigned input_channels = 0;
    unsigned output_channels = 0;
    unsigned preferred_rate = 0;
    bool is_default_input = false;
    bool is_default_output = false;
};

// The devices of the first sound system that has any (PulseAudio, then ALSA); empty when
// there is none.
std::vector<AudioDeviceInfo> list_audio_devices();

// Whether an input spec can be used: a WAV path (read now), "tone:HZ", "silence", "device" or
// "device:NAME" (the device must exist). False with a one-line *error otherwise.
bool check_audio_input(const std::string& spec, std::string* error);
// Whether an output spec can be used: a path ending in .wav (created now), "null", "device" or
// "device:NAME".
bool check_audio_output(const std::string& spec, std::string* error);

}  // namespace sala::client
