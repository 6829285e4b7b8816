#include "audio/sound_card/pulse_presence.hpp"

#include <pulse/pulseaudio.h>

#include <memory>

namespace sala::client {

namespace {

struct Query {
    const std::string* description;
    bool found = false;
    bool done = false;
    bool failed = false;
};

template <typename Info>
void on_info(pa_context*, const Info* info, int eol, void* user) {
    auto* query = static_cast<Query*>(user);
    if (eol != 0) {
        query->done = true;
        query->failed = eol < 0;
        return;
    }
    if (info && info->description && *query->description == info->description) query->found = true;
}

}  // namespace

std::optional<bool> pulse_device_present(const std::string& description, bool input,
                                         std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_ptr<pa_mainloop, decltype(&pa_mainloop_free)> loop(pa_mainloop_new(), &pa_mainloop_free);
    if (!loop) return std::nullopt;
    std::unique_ptr<pa_context, decltype(&pa_context_unref)> context(
        pa_context_new(pa_mainloop_get_api(loop.get()), "sala-presence"), &pa_context_unref);
    if (!context || pa_context_connect(context.get(), nullptr, PA_CONTEXT_NOAUTOSPAWN, nullptr) < 0)
        return std::nullopt;

    Query query{&description};
    pa_operation* operation = nullptr;
    std::optional<bool> result;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pa_mainloop_prepare(loop.get(), 20000) < 0 || pa_mainloop_poll(loop.get()) < 0 ||
            pa_mainloop_dispatch(loop.get()) < 0)
            break;
        const pa_context_state_t state = pa_context_get_state(context.get());
        if (!PA_CONTEXT_IS_GOOD(state)) break;
        if (state == PA_CONTEXT_READY && !operation) {
            operation = input ? pa_context_get_source_info_list(context.get(), &on_info<pa_source_info>, &query)
                              : pa_context_get_sink_info_list(context.get(), &on_info<pa_sink_info>, &query);
            if (!operation) break;
        }
        if (query.done) {
            if (!query.failed) result = query.found;
            break;
        }
    }
    if (operation) {
        pa_operation_cancel(operation);
        pa_operation_unref(operation);
    }
    pa_context_disconnect(context.get());
    return result;
}

}  // namespace sala::client
