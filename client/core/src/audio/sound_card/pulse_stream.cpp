#include "audio/sound_card/pulse_stream.hpp"

#include "audio/sound_card/device_names.hpp"

#include "audio/sound_card/pulse_presence.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cctype>
#include <thread>
#include <vector>

namespace sala::client {

namespace {

constexpr unsigned kMaxChannels = 8;
constexpr int kRealTimePriority = 10;  // low among real-time threads: the sound server runs above it
constexpr std::chrono::milliseconds kConnectLimit{3000};
constexpr std::chrono::milliseconds kStepWait{2};
constexpr std::uint32_t kServerDefault = static_cast<std::uint32_t>(-1);

// One device as the server lists it.
struct Listed {
    std::string name, description;
    std::string known_as;  // the "device.description" property: what RtAudio and the watch call it
    pa_sample_spec spec{};
    pa_channel_map map{};
};

struct Listing {
    std::vector<Listed> devices;
    std::string default_name;
    int pending = 0;
};

template <typename Info>
void on_device(pa_context*, const Info* info, int eol, void* user) {
    auto* listing = static_cast<Listing*>(user);
    if (eol) {
        --listing->pending;
        return;
    }
    const char* property = pa_proplist_gets(info->proplist, PA_PROP_DEVICE_DESCRIPTION);
    const std::string description = info->description ? info->description : "";
    listing->devices.push_back({info->name ? info->name : "", description, property ? property : description,
                                info->sample_spec, info->channel_map});
}

void on_server(pa_context*, const pa_server_info* info, void* user) {
    auto* listing = static_cast<Listing*>(user);
    if (info) listing->default_name = info->default_sink_name ? info->default_sink_name : "";
    --listing->pending;
}

void on_server_source(pa_context*, const pa_server_info* info, void* user) {
    auto* listing = static_cast<Listing*>(user);
    if (info) listing->default_name = info->default_source_name ? info->default_source_name : "";
    --listing->pending;
}

}  // namespace

struct PulseStream::Device {
    std::string name;  // the server's name for it, what the stream connects to
    std::string description;
    std::string known_as;
    pa_sample_spec spec{};
    pa_channel_map map{};
};

PulseStream::PulseStream(std::string name, bool input) : name_(std::move(name)), input_(input) {}

PulseStream::~PulseStream() { stop(); }

// Runs done() under the loop's lock every few milliseconds until it is true or the limit
// passes (pa_threaded_mainloop_wait has no deadline). Called with the lock held.
template <typename Done>
bool PulseStream::wait_until(Done done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        pa_threaded_mainloop_unlock(loop_);
        std::this_thread::sleep_for(kStepWait);
        pa_threaded_mainloop_lock(loop_);
    }
    return true;
}

void PulseStream::on_context_state(pa_context*, void* self) {
    pa_threaded_mainloop_signal(static_cast<PulseStream*>(self)->loop_, 0);
}

void PulseStream::on_stream_state(pa_stream* stream, void* self) {
    auto* me = static_cast<PulseStream*>(self);
    const pa_stream_state_t state = pa_stream_get_state(stream);
    if (state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED) me->gone_.store(true, std::memory_order_release);
}

void PulseStream::on_ready(pa_stream* stream, std::size_t bytes, void* self) {
    auto* me = static_cast<PulseStream*>(self);
    if (!me->asked_for_real_time_) {
        // Once, on PA's thread: real-time scheduling where the system allows it (as PulseAudio's
        // own clients ask through rtkit), so a busy machine does not starve the speaker of its
        // 5 ms requests. One system call; refused (EPERM) without the right, which is fine.
        me->asked_for_real_time_ = true;
        sched_param param{};
        param.sched_priority = kRealTimePriority;
        pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    }
    me->ready_(stream, bytes, me->self_);
}

bool PulseStream::connect(std::string* error) {
    loop_ = pa_threaded_mainloop_new();
    if (!loop_) return set_device_error(error, "PulseAudio: cannot make a main loop");
    context_ = pa_context_new(pa_threaded_mainloop_get_api(loop_), "sala");
    if (!context_) return set_device_error(error, "PulseAudio: cannot make a context");
    pa_context_set_state_callback(context_, &PulseStream::on_context_state, this);
    if (pa_context_connect(context_, nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
        return set_device_error(error, std::string("PulseAudio: ") + pa_strerror(pa_context_errno(context_)));
    if (pa_threaded_mainloop_start(loop_) < 0) return set_device_error(error, "PulseAudio: cannot start its thread");
    pa_threaded_mainloop_lock(loop_);
    const bool settled = wait_until(
        [this] {
            const pa_context_state_t state = pa_context_get_state(context_);
            return !PA_CONTEXT_IS_GOOD(state) || state == PA_CONTEXT_READY;
        },
        kConnectLimit);
    const bool ready = settled && pa_context_get_state(context_) == PA_CONTEXT_READY;
    pa_threaded_mainloop_unlock(loop_);
    if (!ready) return set_device_error(error, "no PulseAudio server answered (is PulseAudio running?)");
    return true;
}

// Called with the loop's lock held.
bool PulseStream::find_device(Device* device, std::string* error) {
    const char* direction = input_ ? "input" : "output";
    Listing listing;
    listing.pending = 2;
    pa_operation* list = input_ ? pa_context_get_source_info_list(context_, &on_device<pa_source_info>, &listing)
                                : pa_context_get_sink_info_list(context_, &on_device<pa_sink_info>, &listing);
    pa_operation* server = pa_context_get_server_info(context_, input_ ? &on_server_source : &on_server, &listing);
    if (!list) --listing.pending;
    if (!server) --listing.pending;
    const bool answered = wait_until([&listing] { return listing.pending <= 0; }, kConnectLimit);
    for (pa_operation* operation : {list, server}) {
        if (!operation) continue;
        if (!answered) pa_operation_cancel(operation);
        pa_operation_unref(operation);
    }
    if (!answered)
        return set_device_error(error, std::string("audio ") + direction + ": PulseAudio did not list its devices");

    auto pick = [&](auto&& match) -> const Listed* {
        for (const Listed& d : listing.devices)
            if (match(d)) return &d;
        return nullptr;
    };
    const Listed* chosen = nullptr;
    if (name_.empty()) {
        chosen = pick([&](const Listed& d) { return d.name == listing.default_name; });
        if (!chosen && !listing.devices.empty()) chosen = &listing.devices.front();
    } else {
        chosen =
            pick([&](const Listed& d) { return d.name == name_ || d.description == name_ || d.known_as == name_; });
        if (!chosen && input_) chosen = pick([&](const Listed& d) { return d.name == name_ + ".monitor"; });
        if (!chosen) chosen = pick([&](const Listed& d) { return contains_ignoring_case(d.description, name_); });
    }
    if (!chosen) {
        std::string names;
        for (const Listed& d : listing.devices) names += (names.empty() ? "'" : ", '") + d.description + "'";
        return set_device_error(error, std::string("no audio ") + direction + " device" +
                                           (name_.empty() ? "" : " matching '" + name_ + "'") +
                                           " (available: " + (names.empty() ? "none" : names) + ")");
    }
    *device = {chosen->name, chosen->description, chosen->known_as, chosen->spec, chosen->map};
    return true;
}

// Called with the loop's lock held.
bool PulseStream::start_stream(const Device& device, Prepare prepare, Ready ready, void* self, std::string* error) {
    const char* direction = input_ ? "input" : "output";
    pa_sample_spec spec{PA_SAMPLE_S16LE, device.spec.rate, static_cast<std::uint8_t>(device.spec.channels)};
    pa_channel_map map = device.map;
    if (spec.channels > kMaxChannels) {
        spec.channels = 2;
        pa_channel_map_init_stereo(&map);
    }
    if (!pa_sample_spec_valid(&spec))
        return set_device_error(error, std::string("audio ") + direction + ": bad device format");
    const unsigned frames = spec.rate * kBlockMs / 1000;
    const std::uint32_t block_bytes = static_cast<std::uint32_t>(frames * pa_frame_size(&spec));
    pa_buffer_attr attr;
    attr.maxlength = kServerDefault;
    attr.prebuf = kServerDefault;
    if (input_) {
        attr.fragsize = block_bytes;
        attr.tlength = attr.minreq = kServerDefault;
    } else {
        attr.fragsize = kServerDefault;
        attr.tlength = block_bytes * kOutputTargetBlocks;
        attr.minreq = block_bytes;
    }
    *format_ = {spec.rate, spec.channels, frames};
    prepare(*format_, self);
    stream_ = pa_stream_new(context_, "sala", &spec, &map);
    if (!stream_)
        return set_device_error(error,
                                std::string("audio ") + direction + ": " + pa_strerror(pa_context_errno(context_)));
    ready_ = ready;
    self_ = self;
    pa_stream_set_state_callback(stream_, &PulseStream::on_stream_state, this);
    if (input_) {
        pa_stream_set_read_callback(stream_, &PulseStream::on_ready, this);
    } else {
        pa_stream_set_write_callback(stream_, &PulseStream::on_ready, this);
    }
    const auto flags = static_cast<pa_stream_flags_t>(PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_MOVE);
    const int connected =
        input_ ? pa_stream_connect_record(stream_, device.name.c_str(), &attr, flags)
               : pa_stream_connect_playback(stream_, device.name.c_str(), &attr, flags, nullptr, nullptr);
    if (connected < 0)
        return set_device_error(error, "audio " + std::string(direction) + " device '" + device.description +
                                           "' cannot be opened: " + pa_strerror(pa_context_errno(context_)));
    const bool settled = wait_until(
        [this] {
            const pa_stream_state_t state = pa_stream_get_state(stream_);
            return state == PA_STREAM_READY || !PA_STREAM_IS_GOOD(state);
        },
        kConnectLimit);
    if (!settled || pa_stream_get_state(stream_) != PA_STREAM_READY)
        return set_device_error(error, "audio " + std::string(direction) + " device '" + device.description +
                                           "' cannot be opened: " + pa_strerror(pa_context_errno(context_)));
    const pa_buffer_attr* granted = pa_stream_get_buffer_attr(stream_);
    granted_request_frames_ = granted && !input_ ? static_cast<unsigned>(granted->minreq / pa_frame_size(&spec)) : 0;
    return true;
}

bool PulseStream::open(Prepare prepare, Ready ready, void* self, DeviceStreamFormat* format, std::string* error,
                       std::atomic<std::int64_t>* latency_us) {
    stop();
    gone_.store(false, std::memory_order_release);
    asked_for_real_time_ = false;  // a new PA thread
    format_ = format;
    if (!connect(error)) {
        stop();
        return false;
    }
    Device device;
    pa_threaded_mainloop_lock(loop_);
    const bool started = find_device(&device, error) && start_stream(device, prepare, ready, self, error);
    pa_threaded_mainloop_unlock(loop_);
    if (!started) {
        stop();
        return false;
    }
    opened_name_ = device.description;
    watch_.start(device.known_as, input_, &gone_, latency_us, 0);
    return true;
}

void PulseStream::stop() {
    watch_.stop();
    if (loop_) pa_threaded_mainloop_stop(loop_);  // joins PA's thread: no callback runs after this
    if (stream_) {
        pa_stream_disconnect(stream_);
        pa_stream_unref(stream_);
        stream_ = nullptr;
    }
    if (context_) {
        pa_context_disconnect(context_);
        pa_context_unref(context_);
        context_ = nullptr;
    }
    if (loop_) {
        pa_threaded_mainloop_free(loop_);
        loop_ = nullptr;
    }
}

std::string PulseStream::description() const {
    const std::string& shown = opened_name_.empty() ? name_ : opened_name_;
    std::string text = std::string("audio ") + (input_ ? "input" : "output") + " device " +
                       (shown.empty() ? std::string("(default)") : "'" + shown + "'");
    if (stream_ && format_)
        text += " (" + std::to_string(format_->rate) + " Hz, " + std::to_string(format_->channels) +
                (format_->channels == 1 ? " channel, PulseAudio)" : " channels, PulseAudio)");
    return text;
}

}  // namespace sala::client
