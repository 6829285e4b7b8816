#include "app.hpp"

#include <algorithm>
#include <cstdio>

#include <GLFW/glfw3.h>

#include "sala/gui/format.hpp"

namespace sala::gui {
namespace {

client::EngineOptions engine_options(const AppOptions& o) {
    client::EngineOptions e;
    e.audio_in = o.audio_in.empty() ? o.settings.audio_in : o.audio_in;
    e.audio_out = o.audio_out.empty() ? o.settings.audio_out : o.audio_out;
    e.media.voice = voice_options(o.settings);
    e.config_dir = o.config_dir.string();  // the identity key and the peers' keys live there too
    e.insecure_plaintext = o.insecure_plaintext;
    e.trust_server = o.trust_server;
    e.trust_on_first_use = false;  // the window asks (server_trust_modal.cpp)
    e.meter_interval = kMeterInterval;
    return e;
}

template <std::size_t N>
void copy_into(std::array<char, N>& field, const std::string& text) {
    std::snprintf(field.data(), field.size(), "%s", text.c_str());
}

}  // namespace

void Ui::save_settings() {
    std::string error;
    if (!gui::save_settings(config_dir, settings, &error)) std::fprintf(stderr, "sala: %s\n", error.c_str());
}

App::App(GLFWwindow* window, AppOptions options) {
    engine_ = std::make_unique<client::Engine>(engine_options(options));
    ui_ =
        std::make_unique<Ui>(*engine_, window, options.config_dir, options.settings, options.ring_wav, options.ui_map);
    // For this run, the devices given on the command line are what the panels show and use.
    if (!options.audio_in.empty()) ui_->settings.audio_in = options.audio_in;
    if (!options.audio_out.empty()) ui_->settings.audio_out = options.audio_out;
    copy_into(ui_->name, options.settings.name);
    copy_into(ui_->server, options.settings.server);
    ui_->devices_loading = std::async(std::launch::async, [] { return client::list_audio_devices(); });

    const bool log_stdout = options.log_stdout;
    engine_->on_event([this, log_stdout](const client::Event& event) {
        if (log_stdout) {
            std::printf("%s\n", event.text.c_str());
            std::fflush(stdout);
        }
        const std::string kind = event.fields.value("event", "");
        if (kind == "call_failed" || kind == "call_ended" || kind == "error") {
            std::lock_guard lock(events_mutex_);
            events_.push_back(event);
        }
    });
    engine_->on_publish([] { glfwPostEmptyEvent(); });
    ui_->snapshot = engine_->snapshot();
    post_volume(*ui_);

    if (options.register_at_once) {
        client::ConnectCommand connect;
        if (client::make_connect_command(options.settings.server, options.settings.name, connect, &ui_->server_problem))
            engine_->post(std::move(connect));
    }
}

App::~App() {
    ui_->ring.stop();
    ui_->mic_test.stop();
    ui_.reset();
    engine_.reset();
}

void App::drain_events() {
    std::vector<client::Event> events;
    {
        std::lock_guard lock(events_mutex_);
        events.swap(events_);
    }
    for (const auto& event : events) {
        const std::string kind = event.fields.value("event", "");
        if (kind == "error")
            ui_->error_code = event.fields.value("code", "");
        else
            ui_->last_call_words = event.text;
    }
}

bool App::frame(const std::vector<KeyPress>& keys) {
    drain_events();
    Ui& ui = *ui_;
    ui.keys = keys;
    ui.snapshot = engine_->snapshot();
    ui.rules = control_rules(*ui.snapshot, ui.facts());
    ui.history.update(*ui.snapshot);  // the figures of this second, for the call and statistics panels

    // The mute key, wherever the focus is: M outside text fields, Ctrl+M in them too.
    const bool m = key_pressed(ui, GLFW_KEY_M), ctrl_m = key_pressed(ui, GLFW_KEY_M, true);
    if (ui.rules.mute && (ctrl_m || (m && !ImGui::GetIO().WantTextInput)))
        engine_->post(client::MuteCommand{!ui.snapshot->muted});

    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    const float gap = 8.0f * ui.look.scale;
    const ImVec2 origin = viewport->WorkPos, area = viewport->WorkSize;
    const float left_width = std::clamp(area.x * 0.3f, 280.0f * ui.look.scale, 420.0f * ui.look.scale);
    const float connection_height = 205.0f * ui.look.scale;
    const float right_x = origin.x + gap * 2 + left_width;
    const float right_width = area.x - left_width - gap * 3;
    // Tall enough for what the call panel showed last frame (warnings add lines), never less
    // than room for a call's heading, buttons and meters.
    const float call_height =
        std::clamp(ui.call_panel_height, 170.0f * ui.look.scale, std::max(170.0f * ui.look.scale, area.y * 0.45f));
    const float middle_height = std::clamp((area.y - call_height - gap * 4) * 0.58f, 120.0f, 300.0f * ui.look.scale);
    const float middle_y = origin.y + gap * 2 + call_height;
    const float log_y = middle_y + middle_height + gap;
    const float stats_width = (right_width - gap) * 0.55f;

    draw_connection_panel(ui, ImVec2(origin.x + gap, origin.y + gap), ImVec2(left_width, connection_height));
    draw_users_panel(ui, ImVec2(origin.x + gap, origin.y + gap * 2 + connection_height),
                     ImVec2(left_width, area.y - connection_height - gap * 3));
    draw_call_panel(ui, ImVec2(right_x, origin.y + gap), ImVec2(right_width, call_height));
    draw_stats_panel(ui, ImVec2(right_x, middle_y), ImVec2(stats_width, middle_height));
    draw_audio_panel(ui, ImVec2(right_x + stats_width + gap, middle_y),
                     ImVec2(right_width - stats_width - gap, middle_height));
    draw_log_panel(ui, ImVec2(right_x, log_y), ImVec2(right_width, origin.y + area.y - log_y - gap));
    draw_invite_modal(ui);
    draw_server_trust_modal(ui);
    ui.map.end_frame();
    const bool changed = ui.snapshot->version != last_version_;
    last_version_ = ui.snapshot->version;
    return changed;
}

double App::redraw_interval() const {
    const auto& s = *ui_->snapshot;
    if (s.call == client::CallState::in_call || s.call == client::CallState::ringing || ui_->mic_test.running())
        return std::chrono::duration<double>(kMeterInterval).count();
    if (s.call == client::CallState::calling) return 0.25;
    return 0;  // wait for input or the engine
}

}  // namespace sala::gui
