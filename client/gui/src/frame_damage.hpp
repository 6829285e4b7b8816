#pragma once
// Which part of the window a frame changes: this frame's ImGui draw lists compared with the last
// frame's, triangle by triangle. The window redraws only that rectangle, and nothing at all
// when a frame would be identical (a meter that did not move, a clock that did not tick).

#include <vector>

#include <imgui.h>

namespace sala::gui {

// A rectangle in display coordinates (x0, y0, x1, y1); empty when x1 <= x0 or y1 <= y0.
struct DamageRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;

    bool empty() const { return x1 <= x0 || y1 <= y0; }
    void add(float ax0, float ay0, float ax1, float ay1);
    void add(const DamageRect& other) { add(other.x0, other.y0, other.x1, other.y1); }
    float area() const { return empty() ? 0.0f : (x1 - x0) * (y1 - y0); }
};

// The parts of a frame that changed: a few rectangles that do not overlap (changes far apart,
// such as a meter and a clock in different panels, stay apart).
struct Damage {
    static constexpr std::size_t kMaxRects = 4;
    std::vector<DamageRect> rects;

    bool empty() const { return rects.empty(); }
    // Adds r, merging it with the rectangles it touches, and the closest two when too many.
    void add(const DamageRect& r);
    float area() const;
};

class FrameDamage {
public:
    // What changed since the last frame measured (everything after invalidate() or a new size);
    // the frame is then remembered as the last.
    Damage measure(const ImDrawData& frame);
    // The next frame is drawn whole (the window was exposed, the canvas is new).
    void invalidate() { valid_ = false; }

private:
    struct List {
        std::vector<ImDrawVert> vertices;
        std::vector<ImDrawIdx> indices;
        std::vector<ImDrawCmd> commands;
    };

    std::vector<List> last_;
    ImVec2 size_{0, 0};
    bool valid_ = false;
};

}  // namespace sala::gui
