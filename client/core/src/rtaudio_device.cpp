#include "sala/client/rtaudio_device.hpp"

#include <RtAudio.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>

namespace sala::client {

namespace {

constexpr unsigned kRate = 48000;
constexpr unsigned kBufferFrames = 480;  // 10 ms
constexpr RtAudio::Api kApis[] = {RtAudio::LINUX_PULSE, RtAudio::LINUX_ALSA};

bool set_error(std::string* error, const std::string& text) {
    if (error) *error = text;
    return false;
}

bool contains_ignoring_case(const std::string& haystack, const std::string& needle) {
    auto lower = [](unsigned char c) { return std::tolower(c); };
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                       [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

bool compiled(RtAudio::Api api) {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    return std::find(apis.begin(), apis.end(), api) != apis.end();
}

void ignore_alsa_message(const char*, int, const char*, int, const char*, ...) {}

// ALSA prints its configuration errors to stderr when there is no sound card; our own error
// says what matters in one line. Looked up at run time: RtAudio already loads libasound.
void silence_alsa_diagnostics() {
    static std::once_flag once;
    std::call_once(once, [] {
        using Handler = void (*)(const char*, int, const char*, int, const char*, ...);
        using SetHandler = int (*)(Handler);
        if (void* symbol = dlsym(RTLD_DEFAULT, "snd_lib_error_set_handler")) {
            reinterpret_cast<SetHandler>(symbol)(&ignore_alsa_message);
        }
    });
}

// An RtAudio instance on the first sound system that has devices.
std::unique_ptr<RtAudio> open_sound_system() {
    silence_alsa_diagnostics();
    for (RtAudio::Api api : kApis) {
        if (!compiled(api)) continue;
        try {
            auto audio = std::make_unique<RtAudio>(api);
            audio->showWarnings(false);
            if (audio->getDeviceCount() > 0) return audio;
        } catch (const RtAudioError&) {
        }
    }
    return nullptr;
}

std::vector<AudioDeviceInfo> list_devices(RtAudio& audio) {
    std::vector<AudioDeviceInfo> devices;
    const unsigned count = audio.getDeviceCount();
    for (unsigned id = 0; id < count; ++id) {
        const RtAudio::DeviceInfo info = audio.getDeviceInfo(id);
        if (!info.probed) continue;
        devices.push_back({id, info.name, info.inputChannels, info.outputChannels,
                           info.preferredSampleRate, info.isDefaultInput, info.isDefaultOutput});
    }
    return devices;
}

// The sound system and the id of the device for name ("" = default), or nullopt.
struct ChosenDevice {
    std::unique_ptr<RtAudio> audio;
    AudioDeviceInfo info;
};

std::optional<ChosenDevice> choose_device(const std::string& name, bool input,
                                          std::string* error) {
    const char* direction = input ? "input" : "output";
    std::unique_ptr<RtAudio> audio;
    try {
        audio = open_sound_system();
        if (!audio) {
            set_error(error, std::string("no audio ") + direction +
                                 " device: no sound system with devices (is PulseAudio running?)");
            return std::nullopt;
        }
        const std::vector<AudioDeviceInfo> devices = list_devices(*audio);
        auto usable = [&](const AudioDeviceInfo& d) {
            return input ? d.input_channels > 0 : d.output_channels > 0;
        };
        auto pick = [&](auto&& match) -> std::optional<ChosenDevice> {
            for (const AudioDeviceInfo& d : devices)
                if (usable(d) && match(d)) return ChosenDevice{std::move(audio), d};
            return std::nullopt;
        };
        std::optional<ChosenDevice> chosen;
        if (name.empty()) {
            chosen = pick([&](const AudioDeviceInfo& d) {
                return input ? d.is_default_input : d.is_default_output;
            });
            if (!chosen) chosen = pick([](const AudioDeviceInfo&) { return true; });
        } else {
            chosen = pick([&](const AudioDeviceInfo& d) { return d.name == name; });
            if (!chosen)
                chosen = pick([&](const AudioDeviceInfo& d) {
                    return contains_ignoring_case(d.name, name);
                });
        }
        if (chosen) return chosen;
        std::string names;
        for (const AudioDeviceInfo& d : devices)
            if (usable(d)) names += (names.empty() ? "'" : ", '") + d.name + "'";
        set_error(error, std::string("no audio ") + direction + " device" +
                             (name.empty() ? "" : " matching '" + name + "'") +
                             " (available: " + (names.empty() ? "none" : names) + ")");
    } catch (const RtAudioError& e) {
        set_error(error, std::string("audio ") + direction + ": " + e.getMessage());
    }
    return std::nullopt;
}

// Opens and starts a mono 48 kHz int16 stream on the chosen device.
bool start_stream(ChosenDevice& device, bool input, RtAudioCallback callback, void* self,
                  std::string* error) {
    const char* direction = input ? "input" : "output";
    try {
        const RtAudio::DeviceInfo info = device.audio->getDeviceInfo(device.info.id);
        const auto& rates = info.sampleRates;
        // A Resampler (and a channel mix) between the ring and the device slots in here when
        // a device cannot run at 48 kHz mono; until then such a device is refused.
        if (!rates.empty() && std::find(rates.begin(), rates.end(), kRate) == rates.end())
            return set_error(error, std::string("audio ") + direction + " device '" +
                                        info.name + "' cannot run at 48000 Hz");
        RtAudio::StreamParameters params;
        params.deviceId = device.info.id;
        params.nChannels = 1;
        RtAudio::StreamOptions options;
        options.flags = RTAUDIO_MINIMIZE_LATENCY;
        options.streamName = "sala";
        unsigned frames = kBufferFrames;
        device.audio->openStream(input ? nullptr : &params, input ? &params : nullptr,
                                 RTAUDIO_SINT16, kRate, &frames, callback, self, &options);
        device.audio->startStream();
        return true;
    } catch (const RtAudioError& e) {
        if (device.audio->isStreamOpen()) device.audio->closeStream();
        return set_error(error, std::string("audio ") + direction + " device '" +
                                    device.info.name + "': " + e.getMessage());
    }
}

void stop_stream(RtAudio* audio) {
    if (!audio) return;
    try {
        if (audio->isStreamRunning()) audio->stopStream();
        if (audio->isStreamOpen()) audio->closeStream();
    } catch (const RtAudioError&) {
    }
}

}  // namespace

std::vector<AudioDeviceInfo> list_audio_devices() {
    try {
        std::unique_ptr<RtAudio> audio = open_sound_system();
        if (audio) return list_devices(*audio);
    } catch (const RtAudioError&) {
    }
    return {};
}

bool find_audio_device(const std::string& name, bool input, std::string* error) {
    return choose_device(name, input, error).has_value();
}

RtAudioStream::RtAudioStream(std::string name, bool input)
    : name_(std::move(name)), input_(input) {}

RtAudioStream::~RtAudioStream() { stop(); }

bool RtAudioStream::start(Callback callback, void* self, std::string* error) {
    stop();
    std::optional<ChosenDevice> device = choose_device(name_, input_, error);
    if (!device) return false;
    if (!start_stream(*device, input_, callback, self, error)) return false;
    opened_name_ = device->info.name;
    audio_ = std::move(device->audio);
    return true;
}

void RtAudioStream::stop() {
    stop_stream(audio_.get());
    audio_.reset();
}

std::string RtAudioStream::description() const {
    const std::string& shown = opened_name_.empty() ? name_ : opened_name_;
    return std::string("audio ") + (input_ ? "input" : "output") + " device " +
           (shown.empty() ? std::string("(default)") : "'" + shown + "'");
}

bool RtAudioInput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();
    pipes_ = &pipes;
    return stream_.start(&RtAudioInput::callback, this, error);
}

int RtAudioInput::callback(void* /*out*/, void* in, unsigned frames, double /*time*/,
                           unsigned status, void* self) {
    auto* device = static_cast<RtAudioInput*>(self);
    AudioPipes& pipes = *device->pipes_;
    if (status & RTAUDIO_INPUT_OVERFLOW) device->overflows_.fetch_add(1, std::memory_order_relaxed);
    if (!in) return 0;
    const auto* samples = static_cast<const int16_t*>(in);
    pipes.mic.process(samples, frames);
    const std::size_t pushed = pipes.capture.push(samples, frames);
    if (pushed < frames)
        pipes.capture_overruns.fetch_add(frames - pushed, std::memory_order_relaxed);
    return 0;
}

bool RtAudioOutput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();
    pipes_ = &pipes;
    return stream_.start(&RtAudioOutput::callback, this, error);
}

int RtAudioOutput::callback(void* out, void* /*in*/, unsigned frames, double /*time*/,
                            unsigned status, void* self) {
    auto* device = static_cast<RtAudioOutput*>(self);
    AudioPipes& pipes = *device->pipes_;
    if (status & RTAUDIO_OUTPUT_UNDERFLOW)
        device->underflows_.fetch_add(1, std::memory_order_relaxed);
    if (!out) return 0;
    auto* samples = static_cast<int16_t*>(out);
    const std::size_t got = pipes.playback.pop(samples, frames);
    if (got < frames) {
        std::fill(samples + got, samples + frames, int16_t{0});
        pipes.playback_underruns.fetch_add(1, std::memory_order_relaxed);
    }
    pipes.speaker.process(samples, frames);
    return 0;
}

}  // namespace sala::client
