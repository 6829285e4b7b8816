#pragma once
// The window's life between the first frame and the last: the engine, what the engine says,
// the layout of the panels, and when the next frame is due.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ui.hpp"

namespace sala::gui {

// How often meters move: 20 times a second looks smooth and costs two thirds of 30.
inline constexpr std::chrono::milliseconds kMeterInterval{50};

struct AppOptions {
    std::filesystem::path config_dir;
    Settings settings;  // what the fields and devices start with
    bool register_at_once = false;
    std::string audio_in;  // overrides for this run only ("" = the remembered device)
    std::string audio_out;
    std::string ring_wav;
    std::string ui_map;               // --ui-map: where the controls are, for tests
    bool log_stdout = false;          // print each event's plain words on stdout
    bool insecure_plaintext = false;  // --insecure-plaintext: no TLS (a debugging server)
    std::string trust_server;         // --trust-server: a certificate fingerprint trusted without asking
};

class App {
public:
    // Throws std::runtime_error when the engine cannot start (no UDP socket).
    App(GLFWwindow* window, AppOptions options);
    ~App();  // hangs up and says bye (through the engine), stops ringing and the mic test

    void set_look(const Look& look) { ui_->look = look; }
    // Builds one ImGui frame; true when the engine's picture changed since the last one (its
    // effects, e.g. a popup opening, show in the next frame).
    bool frame(const std::vector<KeyPress>& keys);
    // Whether something moves on its own (meters, ringing, the calling dots): then the loop
    // redraws at the meters' pace (kMeterInterval) instead of waiting for input or the engine.
    double redraw_interval() const;

private:
    void drain_events();

    std::unique_ptr<client::Engine> engine_;
    std::unique_ptr<Ui> ui_;
    std::mutex events_mutex_;
    std::vector<client::Event> events_;
    std::uint64_t last_version_ = 0;  // filled by the engine thread, drained each frame
};

}  // namespace sala::gui
