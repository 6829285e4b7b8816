#include <ctime>

#include <GLFW/glfw3.h>

#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {
namespace {

// "14:05" today, "Dec 6 14:05" before.
std::string when_text(std::chrono::system_clock::time_point time) {
    const std::time_t t = std::chrono::system_clock::to_time_t(time);
    const std::time_t now = std::time(nullptr);
    std::tm local{}, today{};
    localtime_r(&t, &local);
    localtime_r(&now, &today);
    char text[32];
    const bool same_day = local.tm_year == today.tm_year && local.tm_yday == today.tm_yday;
    std::strftime(text, sizeof text, same_day ? "%H:%M" : "%b %d %H:%M", &local);
    return text;
}

ImVec4 outcome_colour(client::CallOutcome outcome) {
    switch (outcome) {
        case client::CallOutcome::answered:
            return colour::good;
        case client::CallOutcome::missed:
            return colour::bad;
        default:
            return colour::dim;
    }
}

}  // namespace

// The calls made and received, newest first, each with a button to call back; looking at it
// marks the missed calls as seen.
void draw_history_tab(Ui& ui) {
    const auto& s = *ui.snapshot;
    // Seen: the tab is open in a window that has the focus (not one left open behind others).
    if (s.missed_calls > 0 && glfwGetWindowAttrib(ui.window, GLFW_FOCUSED)) ui.engine.post(client::SeenCallsCommand{});
    const auto& records = *s.history;
    ImGui::BeginChild("history", ImVec2(0, 0), true);
    if (records.empty()) ImGui::TextColored(colour::dim, "No calls yet.");
    const float button_width = ImGui::CalcTextSize("Call").x + ImGui::GetStyle().FramePadding.x * 2;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[records.size() - 1 - i];
        ImGui::PushID(static_cast<int>(i));
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(colour::dim, "%s", when_text(r.time).c_str());
        ImGui::SameLine();
        ImGui::TextUnformatted(r.peer.c_str());
        ImGui::SameLine();
        std::string how = std::string(r.incoming ? "in, " : "out, ") + client::to_string(r.outcome);
        if (r.outcome == client::CallOutcome::answered) how += ", " + format_duration(r.duration);
        ImGui::TextColored(outcome_colour(r.outcome), "%s", how.c_str());
        ImGui::SameLine(ImGui::GetContentRegionMax().x - button_width);
        const bool enabled = can_call(s, r.peer);
        if (button(ui, "Call", ("history_call:" + std::to_string(i)).c_str(), enabled)) {
            ui.last_call_words.clear();
            ui.engine.post(client::CallCommand{r.peer});
        }
        ImGui::PopID();
    }
    ImGui::EndChild();
}

}  // namespace sala::gui
