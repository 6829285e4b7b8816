#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>

// glad first: it must define the OpenGL declarations before GLFW would include GL/gl.h.
#include <glad/gl.h>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "app.hpp"
#include "close_on_signal.hpp"
#include "frame_canvas.hpp"
#include "frame_stats.hpp"
#include "look.hpp"
#include "sala/cli_flags.hpp"
#include "sala/gui/asset_dir.hpp"
#include "sala/gui/settings.hpp"
#include "window_scale.hpp"

namespace {
void on_glfw_error(int code, const char* text) { std::fprintf(stderr, "sala: GLFW error %d: %s\n", code, text); }

// Input seen by GLFW, counted by callbacks that ImGui's backend chains to: ImGui needs a
// frame or two after any input to show its result, even input taken in by a poll.
unsigned input_events = 0;
void count_input() { ++input_events; }
// Keys pressed since the last frame: ImGui 1.86 misses a key pressed and released within one
// frame (xdotool does that; so can a quick finger at 30 fps), so shortcuts are read from here.
std::vector<sala::gui::KeyPress> key_presses;
// The window system lost what the window showed (uncovered, restored): the next frame is drawn whole.
bool exposed = false;
void install_input_counters(GLFWwindow* window) {
    glfwSetWindowFocusCallback(window, [](GLFWwindow*, int) { count_input(); });
    glfwSetCursorEnterCallback(window, [](GLFWwindow*, int) { count_input(); });
    glfwSetCursorPosCallback(window, [](GLFWwindow*, double, double) { count_input(); });
    glfwSetMouseButtonCallback(window, [](GLFWwindow*, int, int, int) { count_input(); });
    glfwSetScrollCallback(window, [](GLFWwindow*, double, double) { count_input(); });
    glfwSetKeyCallback(window, [](GLFWwindow*, int key, int, int action, int mods) {
        count_input();
        if (action == GLFW_PRESS) key_presses.push_back({key, mods});
    });
    glfwSetCharCallback(window, [](GLFWwindow*, unsigned) { count_input(); });
    glfwSetWindowSizeCallback(window, [](GLFWwindow*, int, int) { count_input(); });
    glfwSetWindowRefreshCallback(window, [](GLFWwindow*) { exposed = true; });
}
}  // namespace

int main(int argc, char** argv) {
    auto flags =
        sala::FlagParser("sala", "[options]", "The Sala voice-call dashboard.")
            .option("server", "HOST[:PORT]",
                    "directory server to use (default: the last one, or " + sala::gui::Settings{}.server + ")")
            .option("name", "NAME", "name to register; with --server, registers at once")
            .option("audio-in", "SPEC", "what is sent, for this run: device, device:NAME, tone:HZ, a WAV file")
            .option("audio-out", "SPEC", "what is heard, for this run: device, device:NAME, null, a WAV file")
            .option("config-dir", "DIR", "where settings are kept (default $XDG_CONFIG_HOME/sala or ~/.config/sala)")
            .option("ring", "WAV", "the ring tone (default ring.wav in share/sala beside the program's bin directory)")
            .option("trust-server", "SHA256:...",
                    "trust the server's TLS certificate with this fingerprint, and pin it")
            .flag("insecure-plaintext", "talk to the server without TLS (a server started with --insecure-plaintext)")
            .flag("log-stdout", "print every event in plain words on stdout (for tests)")
            .option("ui-map", "FILE", "keep where the controls are in FILE (for tests that click them)")
            .option("frames", "N", "quit after rendering N frames (for tests)")
            .option("scale", "FACTOR",
                    "size of text and controls, e.g. 1.5 or 2 (default: the monitor's content scale)")
            .flag("frame-stats", "print on stderr, each second, how many frames were drawn (for measurements)")
            .parse_or_exit(argc, argv);

    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((!display || !*display) && (!wayland || !*wayland)) {
        std::cerr << "sala: no display (DISPLAY is not set); use the headless client instead: "
                     "sala-cli --server localhost:5000 --name YOURNAME\n";
        return 1;
    }

    sala::gui::CloseOnSignal close_on_signal;
    sala::gui::AppOptions options;
    options.config_dir =
        flags.has("config-dir") ? std::filesystem::path(flags.get("config-dir")) : sala::gui::default_config_dir();
    options.settings = sala::gui::load_settings(options.config_dir);
    if (flags.has("server")) options.settings.server = flags.get("server");
    if (flags.has("name")) options.settings.name = flags.get("name");
    options.register_at_once = flags.has("server") && flags.has("name");
    options.audio_in = flags.get("audio-in");
    options.audio_out = flags.get("audio-out");
    options.ring_wav = flags.get("ring", (sala::gui::asset_dir() / "ring.wav").string());
    options.ui_map = flags.get("ui-map");
    options.log_stdout = flags.has("log-stdout");
    options.insecure_plaintext = flags.has("insecure-plaintext");
    options.trust_server = flags.get("trust-server", "");

    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        std::cerr << "sala: cannot open the display '" << (display ? display : "") << "'\n";
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    std::optional<float> fixed_scale;
    if (flags.has("scale")) {
        const std::string text = flags.get("scale");
        char* end = nullptr;
        const float value = std::strtof(text.c_str(), &end);
        if (end == text.c_str() || *end || !(value >= 0.5f && value <= 4.0f)) {
            std::cerr << "sala: --scale takes a number from 0.5 to 4, not '" << text << "'\n";
            glfwTerminate();
            return 2;
        }
        fixed_scale = value;
    }
    sala::gui::WindowScale window_scale(fixed_scale);
    int window_width = 1280, window_height = 720;
    window_scale.window_size(window_scale.initial(), window_width, window_height);
    GLFWwindow* window = glfwCreateWindow(window_width, window_height, "Sala", nullptr, nullptr);
    if (!window) {
        std::cerr << "sala: cannot create an OpenGL 3.3 window\n";
        glfwTerminate();
        return 1;
    }
    close_on_signal.watch(window);
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    if (!gladLoadGL(glfwGetProcAddress)) {
        std::cerr << "sala: cannot load OpenGL functions\n";
        close_on_signal.watch(nullptr);
        glfwDestroyWindow(window);
        glfwTerminate();
        return 1;
    }
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    static std::string ini_path;
    if (options.config_dir.empty()) {
        ImGui::GetIO().IniFilename = nullptr;
    } else {
        std::error_code ec;
        std::filesystem::create_directories(options.config_dir, ec);
        ini_path = (options.config_dir / "imgui.ini").string();
        ImGui::GetIO().IniFilename = ini_path.c_str();
    }
    window_scale.watch(window);
    sala::gui::Look look = sala::gui::apply_look(window_scale.current());
    install_input_counters(window);  // before the backend, which chains to them
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int status = 0;
    try {
        sala::gui::App app(window, options);
        app.set_look(look);
        const long long max_frames =
            flags.has("frames") ? sala::parse_integer(flags.get("frames"), 1, 1LL << 40).value_or(1) : -1;
        int settle_frames = 2;
        sala::gui::FrameDamage damage;
        sala::gui::FrameCanvas canvas(window);
        std::optional<sala::gui::FrameStats> frame_stats;
        if (flags.has("frame-stats")) frame_stats.emplace();
        double last_frame_start = glfwGetTime();
        for (long long frame = 0; !glfwWindowShouldClose(window) && frame != max_frames; ++frame) {
            const unsigned seen = input_events;
            if (settle_frames > 0) {
                glfwPollEvents();
                --settle_frames;
            } else {
                // Until something happens or, while something moves, until the next frame.
                // (The interval runs from the start of the last frame, so slow frames, e.g.
                // with software OpenGL, do not lower the rate further.)
                const double interval = app.redraw_interval();
                if (interval > 0)
                    glfwWaitEventsTimeout(std::max(0.001, last_frame_start + interval - glfwGetTime()));
                else
                    glfwWaitEvents();
            }
            if (input_events != seen) settle_frames = 2;
            last_frame_start = glfwGetTime();
            if (float scale = 1.0f; window_scale.changed(window, &scale)) {
                app.set_look(sala::gui::reapply_look(scale));
                damage.invalidate();
            }
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            // While nothing moves, a new engine picture gets a second frame for its effects.
            const bool changed = app.frame(key_presses);
            key_presses.clear();
            if (changed && app.redraw_interval() == 0) settle_frames = std::max(settle_frames, 1);
            ImGui::Render();
            // Only what changed is drawn, and a frame that would look the same is not drawn.
            ImDrawData& draw_data = *ImGui::GetDrawData();
            if (exposed) damage.invalidate();
            exposed = false;
            const sala::gui::Damage changed_area = damage.measure(draw_data);
            int width = 0, height = 0;
            glfwGetFramebufferSize(window, &width, &height);
            const bool drawn = canvas.draw(draw_data, changed_area, width, height);
            if (frame_stats) frame_stats->count(drawn, changed_area.area(), draw_data.DisplaySize);
        }
        // Gone from the screen at once; the engine then hangs up and says bye (briefly, even
        // when the server is unreachable) as the app is destroyed.
        glfwHideWindow(window);
    } catch (const std::exception& e) {
        std::cerr << "sala: " << e.what() << "\n";
        status = 1;
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    close_on_signal.watch(nullptr);
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}
