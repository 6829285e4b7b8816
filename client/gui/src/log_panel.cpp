#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {

void draw_log_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    const auto& log = *ui.snapshot->log;
    if (begin_panel("Log", pos, size)) {
        if (button(ui, "Copy", "copy_log", !log.empty())) ImGui::SetClipboardText(format_log(log).c_str());
        ImGui::SameLine();
        ImGui::TextColored(colour::dim, "%zu event%s; scroll up to stop following", log.size(),
                           log.size() == 1 ? "" : "s");

        ImGui::BeginChild("lines", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
        // Follow new lines unless the user has scrolled away from the bottom.
        const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f;
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(log.size()));
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const auto& entry = log[static_cast<std::size_t>(i)];
                ImGui::TextColored(colour::dim, "%s", format_clock(entry.time).c_str());
                ImGui::SameLine();
                const ImVec4 tint = entry.level == client::LogLevel::error ? colour::bad
                                    : entry.level == client::LogLevel::warning
                                        ? colour::warn
                                        : ImGui::GetStyleColorVec4(ImGuiCol_Text);
                ImGui::TextColored(tint, "%s", entry.text.c_str());
            }
        }
        if (at_bottom) ImGui::SetScrollHereY(1.0f);
        ImGui::EndChild();
    }
    ImGui::End();
}

}  // namespace sala::gui
