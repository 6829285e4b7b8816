#pragma once
// The window's picture kept in a texture of its own between frames, so a frame redraws only
// the rectangles that changed (FrameDamage): the back buffer's contents are undefined after a
// swap, the canvas's are not. Where the window system can show part of the back buffer
// (PartialPresent), only the changed rectangles are copied to the window; elsewhere the whole
// canvas is copied and swapped.

#include <imgui.h>

#include "frame_damage.hpp"
#include "partial_present.hpp"

namespace sala::gui {

class FrameCanvas {
public:
    // With the window's context current.
    explicit FrameCanvas(GLFWwindow* window) : window_(window), partial_(window) {}
    ~FrameCanvas();
    FrameCanvas(const FrameCanvas&) = delete;
    FrameCanvas& operator=(const FrameCanvas&) = delete;

    // Draws ImGui's frame into the canvas where damage says (display coordinates), then shows it
    // in the window (width x height pixels). Returns false, and draws nothing, when the damage
    // is empty: the window already shows this frame.
    bool draw(ImDrawData& frame, Damage damage, int width, int height);

private:
    struct Pixels {
        int x0, y0, x1, y1;  // framebuffer pixels, y down
    };
    void make(int width, int height);
    Pixels pixels(const ImDrawData& frame, const DamageRect& r) const;
    void redraw(ImDrawData& frame, const Pixels& p);

    GLFWwindow* window_;
    PartialPresent partial_;
    unsigned framebuffer_ = 0;
    unsigned texture_ = 0;
    int width_ = 0, height_ = 0;
    bool fresh_ = true;
    ImVector<ImVec4> clips_;  // the frame's own clip rectangles, restored before each redraw
};

}  // namespace sala::gui
