#include "audio/sound_card/rtaudio_device.hpp"

#include "audio/sound_card/device_names.hpp"

#include "audio/sound_card/pulse_presence.hpp"

#include <RtAudio.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace sala::client {

namespace {

constexpr unsigned kRate = kInternalRate;
constexpr unsigned kMaxChannels = 8;
// Periods the sound system queues for us: small for latency, more than one so a late
// callback does not at once become a dropout.
constexpr unsigned kDeviceBuffers = 1;
constexpr RtAudio::Api kApis[] = {RtAudio::LINUX_PULSE, RtAudio::LINUX_ALSA};

bool compiled(RtAudio::Api api) {
    std::vector<RtAudio::Api> apis;
    RtAudio::getCompiledApi(apis);
    return std::find(apis.begin(), apis.end(), api) != apis.end();
}

// RtAudio 5 does not promise that two instances may list or open devices at once (the GUI
// lists on a thread of its own while the engine opens): every listing and opening in this
// process takes this lock. The audio callbacks never do.
std::mutex& sound_system_mutex() {
    static std::mutex mutex;
    return mutex;
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
        devices.push_back({id, info.name, info.inputChannels, info.outputChannels, info.preferredSampleRate,
                           info.isDefaultInput, info.isDefaultOutput});
    }
    return devices;
}

// The sound system and the id of the device for name ("" = default), or nullopt.
struct ChosenDevice {
    std::unique_ptr<RtAudio> audio;
    AudioDeviceInfo info;
};

std::optional<ChosenDevice> choose_device(const std::string& name, bool input, std::string* error) {
    const char* direction = input ? "input" : "output";
    std::unique_ptr<RtAudio> audio;
    try {
        audio = open_sound_system();
        if (!audio) {
            set_device_error(error, std::string("no audio ") + direction +
                                        " device: no sound system with devices (is PulseAudio running?)");
            return std::nullopt;
        }
        const std::vector<AudioDeviceInfo> devices = list_devices(*audio);
        auto usable = [&](const AudioDeviceInfo& d) { return input ? d.input_channels > 0 : d.output_channels > 0; };
        auto pick = [&](auto&& match) -> std::optional<ChosenDevice> {
            for (const AudioDeviceInfo& d : devices)
                if (usable(d) && match(d)) return ChosenDevice{std::move(audio), d};
            return std::nullopt;
        };
        std::optional<ChosenDevice> chosen;
        if (name.empty()) {
            chosen = pick([&](const AudioDeviceInfo& d) { return input ? d.is_default_input : d.is_default_output; });
            if (!chosen) chosen = pick([](const AudioDeviceInfo&) { return true; });
        } else {
            chosen = pick([&](const AudioDeviceInfo& d) { return d.name == name; });
            if (!chosen) chosen = pick([&](const AudioDeviceInfo& d) { return contains_ignoring_case(d.name, name); });
        }
        if (chosen) return chosen;
        std::string names;
        for (const AudioDeviceInfo& d : devices)
            if (usable(d)) names += (names.empty() ? "'" : ", '") + d.name + "'";
        set_device_error(error, std::string("no audio ") + direction + " device" +
                                    (name.empty() ? "" : " matching '" + name + "'") +
                                    " (available: " + (names.empty() ? "none" : names) + ")");
    } catch (const RtAudioError& e) {
        set_device_error(error, std::string("audio ") + direction + ": " + e.getMessage());
    }
    return std::nullopt;
}

// The device's own rate when it has one (no conversion in the sound server; ours is a
// known speexdsp resampler), else 48 kHz, else the nearest rate it offers.
unsigned choose_rate(const RtAudio::DeviceInfo& info) {
    const auto& rates = info.sampleRates;
    auto offered = [&](unsigned rate) {
        return rates.empty() || std::find(rates.begin(), rates.end(), rate) != rates.end();
    };
    if (info.preferredSampleRate > 0 && offered(info.preferredSampleRate)) return info.preferredSampleRate;
    if (offered(kRate) || rates.empty()) return kRate;
    unsigned best = rates.front();
    for (unsigned rate : rates)
        if ((rate >= kRate && (best < kRate || rate < best)) || (best < kRate && rate > best)) best = rate;
    return best;
}

// Opens (does not start) an int16 stream on the chosen device at its own rate and channel
// count (at most kMaxChannels; retried in stereo and mono when refused), ~10 ms per
// callback.
bool open_stream(ChosenDevice& device, bool input, RtAudioCallback callback, void* self, DeviceStreamFormat* format,
                 std::string* error) {
    const char* direction = input ? "input" : "output";
    std::string why;
    try {
        const RtAudio::DeviceInfo info = device.audio->getDeviceInfo(device.info.id);
        const unsigned rate = choose_rate(info);
        const unsigned device_channels = input ? info.inputChannels : info.outputChannels;
        const unsigned most = std::min(std::max(device_channels, 1u), kMaxChannels);
        for (unsigned channels = most; channels >= 1; channels = channels > 2 ? 2 : channels - 1) {
            RtAudio::StreamParameters params;
            params.deviceId = device.info.id;
            params.nChannels = channels;
            RtAudio::StreamOptions options;
            options.flags = RTAUDIO_MINIMIZE_LATENCY;
            options.numberOfBuffers = kDeviceBuffers;
            options.streamName = "sala";
            unsigned frames = rate / 100;
            try {
                device.audio->openStream(input ? nullptr : &params, input ? &params : nullptr, RTAUDIO_SINT16, rate,
                                         &frames, callback, self, &options);
            } catch (const RtAudioError& e) {
                why = e.getMessage();
                if (device.audio->isStreamOpen()) device.audio->closeStream();
                continue;
            }
            if (!device.audio->isStreamOpen()) continue;
            *format = {device.audio->getStreamSampleRate(), channels, frames};
            return true;
        }
    } catch (const RtAudioError& e) {
        why = e.getMessage();
    }
    if (device.audio->isStreamOpen()) device.audio->closeStream();
    return set_device_error(error, std::string("audio ") + direction + " device '" + device.info.name +
                                       "' cannot be opened: " + (why.empty() ? "refused" : why));
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
    std::lock_guard lock(sound_system_mutex());
    try {
        std::unique_ptr<RtAudio> audio = open_sound_system();
        if (audio) return list_devices(*audio);
    } catch (const RtAudioError&) {
    }
    return {};
}

bool find_audio_device(const std::string& name, bool input, std::string* error, bool* on_pulse) {
    std::lock_guard lock(sound_system_mutex());
    std::optional<ChosenDevice> device = choose_device(name, input, error);
    if (device && on_pulse) *on_pulse = device->audio->getCurrentApi() == RtAudio::LINUX_PULSE;
    return device.has_value();
}

RtAudioStream::RtAudioStream(std::string name, bool input) : name_(std::move(name)), input_(input) {}

RtAudioStream::~RtAudioStream() { stop(); }

bool RtAudioStream::open(Callback callback, void* self, DeviceStreamFormat* format, std::string* error) {
    stop();
    std::lock_guard lock(sound_system_mutex());
    std::optional<ChosenDevice> device = choose_device(name_, input_, error);
    if (!device) return false;
    if (!open_stream(*device, input_, callback, self, &format_, error)) return false;
    opened_name_ = device->info.name;
    audio_ = std::move(device->audio);
    *format = format_;
    return true;
}

bool RtAudioStream::run(std::string* error, std::atomic<std::int64_t>* latency_us) {
    if (!audio_) return set_device_error(error, description() + " is not open");
    try {
        audio_->startStream();
        gone_.store(false, std::memory_order_release);
        if (audio_->getCurrentApi() == RtAudio::LINUX_PULSE)  // plus one callback block
            watch_.start(opened_name_, input_, &gone_, latency_us,
                         std::int64_t(format_.frames) * 1000000 / format_.rate);
        return true;
    } catch (const RtAudioError& e) {
        const std::string text = description() + " cannot start: " + e.getMessage();
        stop();
        return set_device_error(error, text);
    }
}

void RtAudioStream::stop() {
    watch_.stop();
    stop_stream(audio_.get());
    audio_.reset();
}

std::string RtAudioStream::description() const {
    const std::string& shown = opened_name_.empty() ? name_ : opened_name_;
    std::string text = std::string("audio ") + (input_ ? "input" : "output") + " device " +
                       (shown.empty() ? std::string("(default)") : "'" + shown + "'");
    if (audio_)
        text += " (" + std::to_string(format_.rate) + " Hz, " + std::to_string(format_.channels) +
                (format_.channels == 1 ? " channel)" : " channels)");
    return text;
}

// ---- input ------------------------------------------------------------------------------------

RtAudioInput::RtAudioInput(std::string name) : stream_(std::move(name), true) {}
RtAudioInput::~RtAudioInput() { stop(); }

std::string RtAudioInput::description() const { return stream_.description(); }

bool RtAudioInput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();
    pipes_ = &pipes;
    if (!stream_.open(&RtAudioInput::callback, this, &format_, error)) return false;
    // Everything the callback touches is allocated here, before the stream runs.
    convert_ = std::make_unique<CaptureFormat>(format_.rate, format_.channels, format_.frames);
    block_.assign(convert_->max_output(), 0);
    watch_.reset(format_.rate);
    return stream_.run(error, &pipes.input_device_latency_us);
}

int RtAudioInput::callback(void* /*out*/, void* in, unsigned frames, double /*time*/, unsigned status, void* self) {
    auto* device = static_cast<RtAudioInput*>(self);
    const std::int64_t begun = device->watch_.begin();
    AudioPipes& pipes = *device->pipes_;
    if (status & RTAUDIO_INPUT_OVERFLOW) pipes.capture_overruns.fetch_add(frames, std::memory_order_relaxed);
    if (in) {
        int16_t* block = device->block_.data();
        const std::size_t n = device->convert_->convert(static_cast<const int16_t*>(in), frames, block);
        pipes.take_captured(block, n);
    }
    const bool alive = device->watch_.end(begun, frames);
    pipes.note_callback_ns(device->watch_.max_callback_ns());
    pipes.wake.notify();
    return alive ? 0 : 2;  // 2: abort a device that fails in a loop
}

// ---- output -----------------------------------------------------------------------------------

RtAudioOutput::RtAudioOutput(std::string name) : stream_(std::move(name), false) {}
RtAudioOutput::~RtAudioOutput() { stop(); }

std::string RtAudioOutput::description() const { return stream_.description(); }

bool RtAudioOutput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();
    pipes_ = &pipes;
    if (!stream_.open(&RtAudioOutput::callback, this, &format_, error)) return false;
    convert_ = std::make_unique<PlaybackFormat>(format_.rate, format_.channels, format_.frames);
    watch_.reset(format_.rate);
    if (!stream_.run(error, &pipes.output_device_latency_us)) return false;
    pipes.output_block_samples.store(static_cast<std::uint32_t>(std::uint64_t(format_.frames) * kRate / format_.rate),
                                     std::memory_order_relaxed);
    return true;
}

int RtAudioOutput::callback(void* out, void* /*in*/, unsigned frames, double /*time*/, unsigned status, void* self) {
    auto* device = static_cast<RtAudioOutput*>(self);
    const std::int64_t begun = device->watch_.begin();
    AudioPipes& pipes = *device->pipes_;
    pipes.output_taken_ns.store(begun, std::memory_order_relaxed);
    if (status & RTAUDIO_OUTPUT_UNDERFLOW) pipes.playback_underruns.fetch_add(1, std::memory_order_relaxed);
    if (out) {
        if (!device->convert_->fill(pipes.playback, static_cast<int16_t*>(out), frames))
            pipes.playback_underruns.fetch_add(1, std::memory_order_relaxed);
        pipes.note_heard(device->convert_->last_input(), device->convert_->last_input_count());
    }
    const bool alive = device->watch_.end(begun, frames);
    pipes.note_callback_ns(device->watch_.max_callback_ns());
    pipes.wake.notify();
    return alive ? 0 : 2;
}

}  // namespace sala::client
