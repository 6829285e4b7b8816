#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <glad/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "sala/cli_flags.hpp"

namespace {
void on_glfw_error(int code, const char* text) { std::fprintf(stderr, "sala: GLFW error %d: %s\n", code, text); }
}  // namespace

int main(int argc, char** argv) {
    auto flags = sala::FlagParser("sala", "[options]", "The Sala voice-call dashboard.")
                     .option("server", "HOST[:PORT]", "directory server to use (default localhost:5000)")
                     .option("name", "NAME", "name to register; with --server, registers at once")
                     .option("frames", "N", "quit after rendering N frames (for tests)")
                     .parse_or_exit(argc, argv);

    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((!display || !*display) && (!wayland || !*wayland)) {
        std::cerr << "sala: no display (DISPLAY is not set); use the headless client instead: "
                     "sala-cli --server localhost:5000 --name YOURNAME\n";
        return 1;
    }
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        std::cerr << "sala: cannot open the display '" << (display ? display : "") << "'\n";
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    GLFWwindow* window = glfwCreateWindow(1100, 700, "Sala", nullptr, nullptr);
    if (!window) {
        std::cerr << "sala: cannot create an OpenGL 3.3 window\n";
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    if (!gladLoadGL(glfwGetProcAddress)) {
        std::cerr << "sala: cannot load OpenGL functions\n";
        return 1;
    }
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    long long max_frames = flags.has("frames") ? sala::parse_integer(flags.get("frames"), 1, 1LL << 40).value_or(1) : -1;
    for (long long frame = 0; !glfwWindowShouldClose(window) && frame != max_frames; ++frame) {
        glfwWaitEventsTimeout(0.5);
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        ImGui::Begin("Sala");
        ImGui::Text("Sala %s", SALA_VERSION);
        ImGui::End();
        ImGui::Render();
        int width = 0, height = 0;
        glfwGetFramebufferSize(window, &width, &height);
        glViewport(0, 0, width, height);
        glClearColor(0.1f, 0.1f, 0.12f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        glfwSwapBuffers(window);
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return 0;
}
