#include "frame_damage.hpp"

#include <algorithm>
#include <cstring>

namespace sala::gui {

void DamageRect::add(float ax0, float ay0, float ax1, float ay1) {
    if (ax1 <= ax0 || ay1 <= ay0) return;
    if (empty()) {
        *this = {ax0, ay0, ax1, ay1};
        return;
    }
    x0 = std::min(x0, ax0);
    y0 = std::min(y0, ay0);
    x1 = std::max(x1, ax1);
    y1 = std::max(y1, ay1);
}

namespace {
// Rectangles this close are drawn as one: a second pass over the draw lists costs more than a
// strip of pixels.
constexpr float kNear = 16.0f;

bool near(const DamageRect& a, const DamageRect& b) {
    return a.x0 <= b.x1 + kNear && b.x0 <= a.x1 + kNear && a.y0 <= b.y1 + kNear && b.y0 <= a.y1 + kNear;
}
DamageRect joined(DamageRect a, const DamageRect& b) {
    a.add(b);
    return a;
}
}  // namespace

void Damage::add(const DamageRect& r) {
    if (r.empty()) return;
    DamageRect merged = r;
    for (bool again = true; again;) {
        again = false;
        for (auto it = rects.begin(); it != rects.end(); ++it)
            if (near(*it, merged)) {
                merged.add(*it);
                rects.erase(it);
                again = true;
                break;
            }
    }
    rects.push_back(merged);
    while (rects.size() > kMaxRects) {
        std::size_t best_i = 0, best_j = 1;
        float best = -1;
        for (std::size_t i = 0; i < rects.size(); ++i)
            for (std::size_t j = i + 1; j < rects.size(); ++j) {
                const float growth = joined(rects[i], rects[j]).area() - rects[i].area() - rects[j].area();
                if (best < 0 || growth < best) best = growth, best_i = i, best_j = j;
            }
        const DamageRect both = joined(rects[best_i], rects[best_j]);
        rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(best_j));
        rects.erase(rects.begin() + static_cast<std::ptrdiff_t>(best_i));
        add(both);
    }
}

float Damage::area() const {
    float sum = 0;
    for (const auto& r : rects) sum += r.area();
    return sum;
}

namespace {

bool same_vertex(const ImDrawVert& a, const ImDrawVert& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool same_command(const ImDrawCmd& a, const ImDrawCmd& b) {
    return a.ClipRect.x == b.ClipRect.x && a.ClipRect.y == b.ClipRect.y && a.ClipRect.z == b.ClipRect.z &&
           a.ClipRect.w == b.ClipRect.w && a.TextureId == b.TextureId && a.VtxOffset == b.VtxOffset &&
           a.IdxOffset == b.IdxOffset && a.ElemCount == b.ElemCount && a.UserCallback == b.UserCallback &&
           a.UserCallbackData == b.UserCallbackData;
}

// Everything a list draws: each command's triangles, within its clip rectangle.
template <typename Vertices, typename Indices, typename Commands>
DamageRect drawn_area(const Vertices& vertices, const Indices& indices, const Commands& commands) {
    DamageRect area;
    for (const auto& c : commands) {
        if (c.UserCallback || c.ElemCount == 0) continue;
        DamageRect r{1e30f, 1e30f, -1e30f, -1e30f};
        for (unsigned k = 0; k < c.ElemCount; ++k) {
            const ImVec2 p = vertices[c.VtxOffset + indices[c.IdxOffset + k]].pos;
            r = {std::min(r.x0, p.x), std::min(r.y0, p.y), std::max(r.x1, p.x), std::max(r.y1, p.y)};
        }
        area.add(std::max(r.x0 - 1, c.ClipRect.x), std::max(r.y0 - 1, c.ClipRect.y), std::min(r.x1 + 1, c.ClipRect.z),
                 std::min(r.y1 + 1, c.ClipRect.w));
    }
    return area;
}

// One triangle's bounding box, clipped by its command's rectangle; a pixel wider each way for
// anti-aliased edges.
void add_triangle(Damage& damage, const ImDrawVert* vertices, const ImDrawIdx* triangle, const ImVec4& clip) {
    float x0 = vertices[triangle[0]].pos.x, x1 = x0, y0 = vertices[triangle[0]].pos.y, y1 = y0;
    for (int k = 1; k < 3; ++k) {
        const ImVec2 p = vertices[triangle[k]].pos;
        x0 = std::min(x0, p.x);
        x1 = std::max(x1, p.x);
        y0 = std::min(y0, p.y);
        y1 = std::max(y1, p.y);
    }
    damage.add(
        {std::max(x0 - 1, clip.x), std::max(y0 - 1, clip.y), std::min(x1 + 1, clip.z), std::min(y1 + 1, clip.w)});
}

// A list whose commands kept their shape: only the triangles that moved, before and after.
void compare(Damage& damage, const std::vector<ImDrawVert>& old_vertices, const std::vector<ImDrawIdx>& old_indices,
             const ImDrawList& now) {
    const std::size_t n = old_vertices.size();
    std::vector<char> moved(n, 0);
    bool any = false;
    for (std::size_t i = 0; i < n; ++i)
        if (!same_vertex(old_vertices[i], now.VtxBuffer[static_cast<int>(i)])) moved[i] = any = true;
    if (!any && std::memcmp(old_indices.data(), now.IdxBuffer.Data, old_indices.size() * sizeof(ImDrawIdx)) == 0)
        return;
    for (const auto& command : now.CmdBuffer) {
        if (command.UserCallback) continue;
        const ImDrawVert* old_v = old_vertices.data() + command.VtxOffset;
        const ImDrawVert* new_v = now.VtxBuffer.Data + command.VtxOffset;
        const char* changed = moved.data() + command.VtxOffset;
        for (unsigned t = 0; t < command.ElemCount; t += 3) {
            const ImDrawIdx* a = old_indices.data() + command.IdxOffset + t;
            const ImDrawIdx* b = now.IdxBuffer.Data + command.IdxOffset + t;
            if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && !changed[a[0]] && !changed[a[1]] && !changed[a[2]])
                continue;
            add_triangle(damage, old_v, a, command.ClipRect);
            add_triangle(damage, new_v, b, command.ClipRect);
        }
    }
}

}  // namespace

Damage FrameDamage::measure(const ImDrawData& frame) {
    Damage damage;
    const bool whole = !valid_ || frame.DisplaySize.x != size_.x || frame.DisplaySize.y != size_.y ||
                       static_cast<std::size_t>(frame.CmdListsCount) != last_.size();
    if (whole)
        damage.add({frame.DisplayPos.x, frame.DisplayPos.y, frame.DisplayPos.x + frame.DisplaySize.x,
                    frame.DisplayPos.y + frame.DisplaySize.y});
    last_.resize(static_cast<std::size_t>(frame.CmdListsCount));
    for (int i = 0; i < frame.CmdListsCount; ++i) {
        const ImDrawList& now = *frame.CmdLists[i];
        List& old = last_[static_cast<std::size_t>(i)];
        if (!whole) {
            bool same_shape = old.vertices.size() == static_cast<std::size_t>(now.VtxBuffer.Size) &&
                              old.indices.size() == static_cast<std::size_t>(now.IdxBuffer.Size) &&
                              old.commands.size() == static_cast<std::size_t>(now.CmdBuffer.Size);
            for (std::size_t c = 0; same_shape && c < old.commands.size(); ++c)
                same_shape = same_command(old.commands[c], now.CmdBuffer[static_cast<int>(c)]);
            if (same_shape) {
                compare(damage, old.vertices, old.indices, now);
            } else {
                damage.add(drawn_area(old.vertices, old.indices, old.commands));
                damage.add(drawn_area(now.VtxBuffer, now.IdxBuffer, now.CmdBuffer));
            }
        }
        old.vertices.assign(now.VtxBuffer.begin(), now.VtxBuffer.end());
        old.indices.assign(now.IdxBuffer.begin(), now.IdxBuffer.end());
        old.commands.assign(now.CmdBuffer.begin(), now.CmdBuffer.end());
    }
    size_ = frame.DisplaySize;
    valid_ = true;
    return damage;
}

}  // namespace sala::gui
