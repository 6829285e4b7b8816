#include <algorithm>
#include <cstdio>

#include <GLFW/glfw3.h>

#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {

bool key_pressed(const Ui& ui, int key, bool ctrl) {
    for (const auto& press : ui.keys)
        if (press.key == key && (!ctrl || (press.mods & GLFW_MOD_CONTROL))) return true;
    return false;
}

bool begin_panel(const char* title, ImVec2 pos, ImVec2 size) {
    ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
    ImGui::SetNextWindowSize(size, ImGuiCond_Always);
    return ImGui::Begin(title, nullptr,
                        ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                            ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
}

void heading(const Ui& ui, const char* text) {
    if (ui.look.bold) ImGui::PushFont(ui.look.bold);
    ImGui::TextUnformatted(text);
    if (ui.look.bold) ImGui::PopFont();
}

bool button(Ui& ui, const char* label, const char* map_name, bool enabled, ImVec2 size) {
    ImGui::BeginDisabled(!enabled);
    bool clicked = ImGui::Button(label, size);
    ImGui::EndDisabled();
    ui.map.mark(map_name, enabled);
    return clicked && enabled;
}

namespace {
ImU32 zone_colour(MeterZone zone, float alpha) {
    switch (zone) {
        case MeterZone::green:
            return ImGui::GetColorU32(ImVec4(0.30f, 0.78f, 0.36f, alpha));
        case MeterZone::yellow:
            return ImGui::GetColorU32(ImVec4(0.93f, 0.78f, 0.22f, alpha));
        case MeterZone::red:
            return ImGui::GetColorU32(ImVec4(0.92f, 0.30f, 0.28f, alpha));
    }
    return 0;
}
}  // namespace

void draw_level_meter(const char* label, const client::MeterReading& level, float width) {
    const float line = ImGui::GetTextLineHeight();
    const float label_width = ImGui::CalcTextSize("Peer").x + line * 2.2f;
    const float value_width = ImGui::CalcTextSize("-88.8 dB").x + line;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    if (level.voice) {  // the voice detector hears a voice (the microphone, while voice processing runs)
        const ImVec2 after = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(after.x + line * 0.6f, after.y - line * 0.5f), line * 0.25f,
                                                    zone_colour(MeterZone::green, 1.0f));
    }
    ImGui::SameLine(label_width);

    const float bar_width = std::max(line * 4, width - label_width - value_width);
    const float bar_height = ImGui::GetFrameHeight();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const float rounding = 3.0f;
    draw->AddRectFilled(origin, ImVec2(origin.x + bar_width, origin.y + bar_height),
                        ImGui::GetColorU32(ImVec4(0.13f, 0.14f, 0.17f, 1.0f)), rounding);

    auto x_at = [&](float dbfs) { return origin.x + bar_width * client::dbfs_to_meter_fraction(dbfs); };
    // The unlit bands, so the scale reads even in silence.
    const float yellow_x = x_at(kMeterYellowDbfs), red_x = x_at(kMeterRedDbfs), end_x = origin.x + bar_width;
    const float top = origin.y + 2, bottom = origin.y + bar_height - 2;
    draw->AddRectFilled(ImVec2(origin.x + 2, top), ImVec2(yellow_x, bottom), zone_colour(MeterZone::green, 0.12f));
    draw->AddRectFilled(ImVec2(yellow_x, top), ImVec2(red_x, bottom), zone_colour(MeterZone::yellow, 0.12f));
    draw->AddRectFilled(ImVec2(red_x, top), ImVec2(end_x - 2, bottom), zone_colour(MeterZone::red, 0.12f));

    // Lit up to the RMS level, each band in its own colour; the block peak a bit dimmer.
    auto fill = [&](float to_x, float alpha) {
        const float from[3] = {origin.x + 2, yellow_x, red_x};
        const float upto[3] = {yellow_x, red_x, end_x - 2};
        const MeterZone zones[3] = {MeterZone::green, MeterZone::yellow, MeterZone::red};
        for (int i = 0; i < 3; ++i) {
            float right = std::min(to_x, upto[i]);
            if (right > from[i])
                draw->AddRectFilled(ImVec2(from[i], top), ImVec2(right, bottom), zone_colour(zones[i], alpha));
        }
    };
    fill(x_at(level.peak_dbfs), 0.45f);
    fill(x_at(level.rms_dbfs), 1.0f);
    // Peak hold: a bright tick.
    if (level.hold_dbfs > -60.0f) {
        float x = std::min(x_at(level.hold_dbfs), end_x - 4);
        draw->AddRectFilled(ImVec2(x, origin.y + 1), ImVec2(x + 3, origin.y + bar_height - 1),
                            zone_colour(meter_zone(level.hold_dbfs), 1.0f));
    }
    // Scale ticks every 12 dB.
    for (float db = -48.0f; db < 0.0f; db += 12.0f) {
        float x = x_at(db);
        draw->AddLine(ImVec2(x, bottom - 4), ImVec2(x, bottom), ImGui::GetColorU32(ImVec4(1, 1, 1, 0.25f)));
    }
    ImGui::Dummy(ImVec2(bar_width, bar_height));
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(colour::dim, "%s", format_dbfs(level.rms_dbfs).c_str());
}

}  // namespace sala::gui
