#include "frame_canvas.hpp"

#include <algorithm>
#include <cmath>

#include <glad/gl.h>

#include <GLFW/glfw3.h>
#include <imgui_impl_opengl3.h>

namespace sala::gui {

FrameCanvas::~FrameCanvas() {
    if (framebuffer_) glDeleteFramebuffers(1, &framebuffer_);
    if (texture_) glDeleteTextures(1, &texture_);
}

void FrameCanvas::make(int width, int height) {
    if (!framebuffer_) glGenFramebuffers(1, &framebuffer_);
    if (!texture_) glGenTextures(1, &texture_);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    width_ = width;
    height_ = height;
    fresh_ = true;
}

FrameCanvas::Pixels FrameCanvas::pixels(const ImDrawData& frame, const DamageRect& r) const {
    const ImVec2 scale = frame.FramebufferScale, origin = frame.DisplayPos;
    return {std::max(0, static_cast<int>(std::floor((r.x0 - origin.x) * scale.x))),
            std::max(0, static_cast<int>(std::floor((r.y0 - origin.y) * scale.y))),
            std::min(width_, static_cast<int>(std::ceil((r.x1 - origin.x) * scale.x))),
            std::min(height_, static_cast<int>(std::ceil((r.y1 - origin.y) * scale.y)))};
}

// Clears p in the canvas and draws every command of the frame clipped to it.
void FrameCanvas::redraw(ImDrawData& frame, const Pixels& p) {
    const ImVec2 scale = frame.FramebufferScale, origin = frame.DisplayPos;
    const float cx0 = origin.x + p.x0 / scale.x, cy0 = origin.y + p.y0 / scale.y;
    const float cx1 = origin.x + p.x1 / scale.x, cy1 = origin.y + p.y1 / scale.y;
    int k = 0;
    for (int i = 0; i < frame.CmdListsCount; ++i)
        for (auto& command : frame.CmdLists[i]->CmdBuffer) {
            const ImVec4& r = clips_[k++];
            command.ClipRect = ImVec4(std::max(r.x, cx0), std::max(r.y, cy0), std::min(r.z, cx1), std::min(r.w, cy1));
        }
    glEnable(GL_SCISSOR_TEST);
    glScissor(p.x0, height_ - p.y1, p.x1 - p.x0, p.y1 - p.y0);
    glClearColor(0.06f, 0.065f, 0.075f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    glDisable(GL_SCISSOR_TEST);
    ImGui_ImplOpenGL3_RenderDrawData(&frame);
}

bool FrameCanvas::draw(ImDrawData& frame, Damage damage, int width, int height) {
    if (width <= 0 || height <= 0) return false;
    const bool resized = width != width_ || height != height_;
    if (resized) make(width, height);
    if (fresh_) {
        damage = {};
        damage.add({frame.DisplayPos.x, frame.DisplayPos.y, frame.DisplayPos.x + frame.DisplaySize.x,
                    frame.DisplayPos.y + frame.DisplaySize.y});
    }
    if (damage.empty()) return false;

    clips_.resize(0);
    for (int i = 0; i < frame.CmdListsCount; ++i)
        for (const auto& command : frame.CmdLists[i]->CmdBuffer) clips_.push_back(command.ClipRect);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glViewport(0, 0, width, height);
    std::vector<Pixels> drawn;
    for (const auto& r : damage.rects) {
        const Pixels p = pixels(frame, r);
        if (p.x1 <= p.x0 || p.y1 <= p.y0) continue;
        redraw(frame, p);
        drawn.push_back(p);
    }

    glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer_);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    if (partial_.available() && !fresh_) {
        for (const auto& p : drawn) {
            const int gy0 = height - p.y1, gy1 = height - p.y0;
            glBlitFramebuffer(p.x0, gy0, p.x1, gy1, p.x0, gy0, p.x1, gy1, GL_COLOR_BUFFER_BIT, GL_NEAREST);
        }
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        for (const auto& p : drawn) partial_.copy(p.x0, height - p.y1, p.x1 - p.x0, p.y1 - p.y0);
    } else {
        glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        glfwSwapBuffers(window_);
    }
    fresh_ = false;
    return true;
}

}  // namespace sala::gui
