#include "audio/sound_card/pulse_presence.hpp"

#include <condition_variable>
#include <mutex>

#include <pulse/pulseaudio.h>
#include <unistd.h>

#include <memory>

namespace sala::client {

namespace {

// One query: the device's index (first listing), then this process's stream on it (second).
struct Query {
    explicit Query(const std::string& device_description) : description(&device_description) {}
    const std::string* description;
    std::string pid = std::to_string(::getpid());
    std::optional<std::uint32_t> device;
    std::optional<pa_usec_t> latency;
    bool done = false;
    bool failed = false;
};

bool finished(Query* query, int eol) {
    if (eol == 0) return false;
    query->done = true;
    query->failed = eol < 0;
    return true;
}

// A device's name as RtAudio gives it: the "device.description" property, which is not always
// the description field: PipeWire's pipewire-pulse gives a sink's monitor the sink's own
// property ("a_in") and the field "Monitor of a_in"; PulseAudio both "Monitor of a_in".
template <typename Info>
const char* rtaudio_name(const Info& info) {
    const char* property = pa_proplist_gets(info.proplist, PA_PROP_DEVICE_DESCRIPTION);
    return property ? property : info.description;
}

template <typename Info>
void on_device(pa_context*, const Info* info, int eol, void* user) {
    auto* query = static_cast<Query*>(user);
    if (finished(query, eol)) return;
    const char* name = info ? rtaudio_name(*info) : nullptr;
    if (name && *query->description == name) query->device = info->index;
}

bool ours(const Query& query, pa_proplist* properties) {
    const char* pid = pa_proplist_gets(properties, PA_PROP_APPLICATION_PROCESS_ID);
    return pid && query.pid == pid;
}

void on_sink_input(pa_context*, const pa_sink_input_info* info, int eol, void* user) {
    auto* query = static_cast<Query*>(user);
    if (finished(query, eol)) return;
    if (info && info->sink == query->device && ours(*query, info->proplist))
        query->latency = info->buffer_usec + info->sink_usec;
}

void on_source_output(pa_context*, const pa_source_output_info* info, int eol, void* user) {
    auto* query = static_cast<Query*>(user);
    if (finished(query, eol)) return;
    if (info && info->source == query->device && ours(*query, info->proplist))
        query->latency = info->buffer_usec + info->source_usec;
}

}  // namespace

std::optional<PulseDeviceState> pulse_device_state(const std::string& description, bool input,
                                                   std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_ptr<pa_mainloop, decltype(&pa_mainloop_free)> loop(pa_mainloop_new(), &pa_mainloop_free);
    if (!loop) return std::nullopt;
    std::unique_ptr<pa_context, decltype(&pa_context_unref)> context(
        pa_context_new(pa_mainloop_get_api(loop.get()), "sala-presence"), &pa_context_unref);
    if (!context || pa_context_connect(context.get(), nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
        return std::nullopt;

    Query query(description);
    pa_operation* operation = nullptr;
    bool listed_streams = false;
    std::optional<PulseDeviceState> result;
    auto next = [&](pa_operation* started) {
        if (operation) pa_operation_unref(operation);
        operation = started;
        query.done = query.failed = false;
        return started != nullptr;
    };
    while (std::chrono::steady_clock::now() < deadline) {
        if (pa_mainloop_prepare(loop.get(), 20000) < 0 || pa_mainloop_poll(loop.get()) < 0 ||
            pa_mainloop_dispatch(loop.get()) < 0)
            break;
        const pa_context_state_t state = pa_context_get_state(context.get());
        if (!PA_CONTEXT_IS_GOOD(state)) break;
        pa_context* c = context.get();
        if (state == PA_CONTEXT_READY && !operation &&
            !next(input ? pa_context_get_source_info_list(c, &on_device<pa_source_info>, &query)
                        : pa_context_get_sink_info_list(c, &on_device<pa_sink_info>, &query)))
            break;
        if (!query.done) continue;
        if (query.failed) break;
        if (!listed_streams && query.device) {
            listed_streams = true;
            if (!next(input ? pa_context_get_source_output_info_list(c, &on_source_output, &query)
                            : pa_context_get_sink_input_info_list(c, &on_sink_input, &query)))
                break;
            continue;
        }
        result = PulseDeviceState{query.device.has_value(), std::nullopt};
        if (query.latency) result->stream_latency = std::chrono::microseconds(*query.latency);
        break;
    }
    if (operation) {
        pa_operation_cancel(operation);
        pa_operation_unref(operation);
    }
    pa_context_disconnect(context.get());
    return result;
}

std::optional<bool> pulse_device_present(const std::string& description, bool input,
                                         std::chrono::milliseconds timeout) {
    auto state = pulse_device_state(description, input, timeout);
    if (!state) return std::nullopt;
    return state->present;
}

void PulseStreamWatch::start(std::string description, bool input, std::atomic<bool>* gone,
                             std::atomic<std::int64_t>* latency_us, std::int64_t extra_us) {
    stop();
    latency_us_ = latency_us;
    thread_ = std::jthread([=, description = std::move(description)](std::stop_token stop) {
        constexpr std::chrono::milliseconds kFirstLook{200}, kInterval{1000}, kTimeout{500};
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        for (auto interval = kFirstLook;; interval = kInterval) {
            wake.wait_for(lock, stop, interval, [] { return false; });
            if (stop.stop_requested()) return;
            // No conclusion (nullopt) when the server does not answer in time: a server that
            // is gone shows in the callbacks instead (CallbackWatch).
            const std::optional<PulseDeviceState> state = pulse_device_state(description, input, kTimeout);
            if (state && !state->present) {
                if (gone) gone->store(true, std::memory_order_release);
                return;
            }
            if (state && state->stream_latency && latency_us)
                latency_us->store(state->stream_latency->count() + extra_us, std::memory_order_relaxed);
        }
    });
}

void PulseStreamWatch::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    if (latency_us_) latency_us_->store(-1, std::memory_order_relaxed);
    latency_us_ = nullptr;
}

}  // namespace sala::client
