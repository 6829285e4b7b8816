// Which part of the window a frame changes: draw lists built by hand (rectangles as two
// triangles), compared frame to frame, and the rectangles of damage kept few and apart.
#include <gtest/gtest.h>

#include "frame_damage.hpp"

namespace sala::gui {
namespace {

// A draw list of axis-aligned rectangles (x0, y0, x1, y1), one command clipped to `clip`.
struct Frame {
    ImDrawList list{nullptr};
    ImDrawList* lists[1] = {&list};
    ImDrawData data;

    Frame(std::initializer_list<ImVec4> rects, ImVec4 clip = ImVec4(0, 0, 1280, 720)) {
        for (const ImVec4& r : rects) {
            const auto base = static_cast<ImDrawIdx>(list.VtxBuffer.Size);
            const ImVec2 corners[4] = {{r.x, r.y}, {r.z, r.y}, {r.z, r.w}, {r.x, r.w}};
            for (const ImVec2& p : corners) list.VtxBuffer.push_back(ImDrawVert{p, ImVec2(0, 0), 0xffffffff});
            for (int i : {0, 1, 2, 0, 2, 3}) list.IdxBuffer.push_back(static_cast<ImDrawIdx>(base + i));
        }
        ImDrawCmd command;
        command.ClipRect = clip;
        command.ElemCount = static_cast<unsigned>(list.IdxBuffer.Size);
        list.CmdBuffer.push_back(command);
        data.Valid = true;
        data.CmdLists = lists;
        data.CmdListsCount = 1;
        data.TotalVtxCount = list.VtxBuffer.Size;
        data.TotalIdxCount = list.IdxBuffer.Size;
        data.DisplayPos = ImVec2(0, 0);
        data.DisplaySize = ImVec2(1280, 720);
        data.FramebufferScale = ImVec2(1, 1);
    }
};

TEST(FrameDamage, FirstFrameWholeThenNothingWhenIdentical) {
    FrameDamage damage;
    Frame a({{10, 10, 100, 40}, {500, 300, 600, 320}});
    const Damage first = damage.measure(a.data);
    ASSERT_EQ(first.rects.size(), 1u);
    EXPECT_EQ(first.area(), 1280.0f * 720.0f);
    Frame same({{10, 10, 100, 40}, {500, 300, 600, 320}});
    EXPECT_TRUE(damage.measure(same.data).empty());
    damage.invalidate();
    EXPECT_EQ(damage.measure(same.data).area(), 1280.0f * 720.0f);
}

TEST(FrameDamage, AMovedRectangleDamagesWhereItWasAndWhereItIs) {
    FrameDamage damage;
    Frame a({{10, 10, 100, 40}, {500, 300, 600, 320}});
    damage.measure(a.data);
    Frame b({{10, 10, 100, 40}, {500, 300, 650, 320}});  // a meter bar grows
    const Damage d = damage.measure(b.data);
    ASSERT_EQ(d.rects.size(), 1u);
    const DamageRect& r = d.rects[0];
    EXPECT_LE(r.x0, 500);
    EXPECT_GE(r.x1, 650);
    EXPECT_LE(r.y0, 300);
    EXPECT_GE(r.y1, 320);
    EXPECT_LT(r.area(), 200.0f * 40.0f);  // not the other rectangle, not the window
}

TEST(FrameDamage, AListThatChangesShapeDamagesWhatItDrawsWithinItsClip) {
    FrameDamage damage;
    Frame a({{410, 10, 500, 40}}, ImVec4(400, 0, 900, 200));
    damage.measure(a.data);
    Frame b({{410, 10, 500, 40}, {410, 50, 1000, 60}}, ImVec4(400, 0, 900, 200));  // one more, clipped at 900
    const Damage d = damage.measure(b.data);
    ASSERT_EQ(d.rects.size(), 1u);
    EXPECT_GE(d.rects[0].x0, 399);
    EXPECT_LE(d.rects[0].x1, 900);
    EXPECT_LE(d.rects[0].y0, 10);
    EXPECT_GE(d.rects[0].y1, 60);
    EXPECT_LE(d.rects[0].y1, 61);
}

TEST(Damage, FarApartStaysApartNearIsMergedAndAtMostFour) {
    Damage d;
    d.add({0, 0, 10, 10});
    d.add({500, 500, 510, 510});
    EXPECT_EQ(d.rects.size(), 2u);
    d.add({12, 0, 20, 10});  // touches the first within a few pixels
    EXPECT_EQ(d.rects.size(), 2u);
    for (float x = 100; x < 1000; x += 150) d.add({x, 300, x + 10, 310});
    EXPECT_LE(d.rects.size(), Damage::kMaxRects);
    float covered = 0;
    for (const auto& r : d.rects) covered += r.area();
    EXPECT_GE(covered, 20 * 10 + 10 * 10 + 6 * 10 * 10);
    for (std::size_t i = 0; i < d.rects.size(); ++i)  // no two overlap
        for (std::size_t j = i + 1; j < d.rects.size(); ++j) {
            const auto& a = d.rects[i];
            const auto& b = d.rects[j];
            EXPECT_TRUE(a.x1 <= b.x0 || b.x1 <= a.x0 || a.y1 <= b.y0 || b.y1 <= a.y0);
        }
}

}  // namespace
}  // namespace sala::gui
