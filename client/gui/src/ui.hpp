#pragma once
// What the panels of the window share: the engine, this frame's snapshot and rules, and what
// the window remembers between frames. Only the main thread touches it.

#include <array>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <imgui.h>

#include "desktop_notifier.hpp"
#include "mic_test.hpp"
#include "ring_player.hpp"
#include "sala/client/audio_devices.hpp"
#include "sala/client/engine.hpp"
#include "sala/client/server_address.hpp"
#include "sala/gui/control_rules.hpp"
#include "sala/gui/settings.hpp"
#include "sala/gui/stats_history.hpp"
#include "ui_map.hpp"

struct GLFWwindow;

namespace sala::gui {

// Colours with a meaning, shared by the panels.
namespace colour {
inline const ImVec4 good{0.40f, 0.85f, 0.45f, 1.0f};
inline const ImVec4 warn{0.95f, 0.80f, 0.30f, 1.0f};
inline const ImVec4 bad{0.95f, 0.40f, 0.38f, 1.0f};
inline const ImVec4 dim{0.62f, 0.64f, 0.68f, 1.0f};
}  // namespace colour

// A key that went down since the last frame (GLFW key code and modifier bits).
struct KeyPress {
    int key = 0;
    int mods = 0;
};

// Fonts the panels draw with.
struct Look {
    ImFont* bold = nullptr;  // headings; nullptr: the default font
    float scale = 1.0f;      // the monitor's content scale
};

struct Ui {
    Ui(client::Engine& engine, GLFWwindow* window, std::filesystem::path config_dir, Settings settings,
       std::string ring_wav, std::string ui_map_path)
        : engine(engine),
          window(window),
          config_dir(std::move(config_dir)),
          settings(std::move(settings)),
          ring(ring_wav),
          map(std::move(ui_map_path)) {}

    client::Engine& engine;
    GLFWwindow* window;
    Look look;

    // This frame.
    client::SnapshotPtr snapshot;
    ControlRules rules;
    std::vector<KeyPress> keys;

    // Remembered.
    std::filesystem::path config_dir;
    Settings settings;
    std::array<char, 128> name{};
    std::array<char, 256> server{};
    std::array<char, 64> filter{};
    std::string selected;
    std::string server_problem;   // our own reading of the server field
    std::string error_code;       // code of the last registration error, from the events
    std::string last_call_words;  // how the last call attempt or call ended, in plain words
    float call_panel_height = 0;  // what the call panel's content took last frame (it grows to fit)
    std::string invite_call_id;   // the invite the modal was opened for
    bool invite_answered = false;
    std::uint64_t trust_asked = 0;  // the certificate question the trust modal was opened for
    StatsHistory history;
    RingPlayer ring;
    DesktopNotifier notifier;  // an incoming call while the window is not focused
    MicTest mic_test;
    std::future<std::vector<client::AudioDeviceInfo>> devices_loading;
    std::vector<client::AudioDeviceInfo> devices;
    bool devices_known = false;
    UiMap map;

    UiFacts facts() const { return {name.data(), server.data(), selected}; }
    void save_settings();
};

// One panel each; rect in window coordinates.
void draw_connection_panel(Ui& ui, ImVec2 pos, ImVec2 size);
void draw_users_panel(Ui& ui, ImVec2 pos, ImVec2 size);  // with the history in a tab
void draw_history_tab(Ui& ui);
void draw_call_panel(Ui& ui, ImVec2 pos, ImVec2 size);
void draw_stats_panel(Ui& ui, ImVec2 pos, ImVec2 size);
void draw_audio_panel(Ui& ui, ImVec2 pos, ImVec2 size);
void draw_log_panel(Ui& ui, ImVec2 pos, ImVec2 size);
void draw_invite_modal(Ui& ui);
void draw_server_trust_modal(Ui& ui);

// Tells the engine the volumes of the settings.
void post_volume(Ui& ui);

// A horizontal dBFS bar with peak hold, coloured by level band, drawn with ImDrawList.
void draw_level_meter(const char* label, const client::MeterReading& level, float width);

// Whether key went down since the last frame (with Ctrl held, if ctrl).
bool key_pressed(const Ui& ui, int key, bool ctrl = false);

// Begins a fixed panel window at pos/size (End() it as usual).
bool begin_panel(const char* title, ImVec2 pos, ImVec2 size);
// A heading in the bold font.
void heading(const Ui& ui, const char* text);
// A button that is greyed out and inert unless enabled; true when clicked.
bool button(Ui& ui, const char* label, const char* map_name, bool enabled, ImVec2 size = ImVec2(0, 0));

}  // namespace sala::gui
