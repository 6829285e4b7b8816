#include "sala/gui/format.hpp"
#include "sala/protocol.hpp"
#include "ui.hpp"

namespace sala::gui {
namespace {

// A small rounded label, green for available and amber for busy.
void status_badge(bool busy) {
    const char* text = protocol::to_string(busy ? protocol::Status::busy : protocol::Status::available);
    const ImVec4 tint = busy ? colour::warn : colour::good;
    ImVec2 text_size = ImGui::CalcTextSize(text);
    ImVec2 pad(ImGui::GetTextLineHeight() * 0.4f, 1.0f);
    ImVec2 at = ImGui::GetCursorScreenPos();
    ImVec2 end(at.x + text_size.x + pad.x * 2, at.y + text_size.y + pad.y * 2);
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(at, end, ImGui::GetColorU32(ImVec4(tint.x, tint.y, tint.z, 0.18f)), text_size.y);
    draw->AddText(ImVec2(at.x + pad.x, at.y + pad.y), ImGui::GetColorU32(tint), text);
    ImGui::Dummy(ImVec2(end.x - at.x, end.y - at.y));
}

void call(Ui& ui, const std::string& peer) {
    ui.last_call_words.clear();
    ui.engine.post(client::CallCommand{peer});
}

// Who is online, with a filter and the Call button.
void draw_user_list(Ui& ui) {
    const auto& s = *ui.snapshot;
    const bool registered = s.connection == client::ConnectionState::registered;
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##filter", "filter by name", ui.filter.data(), ui.filter.size());
    ui.map.mark("filter");

    const float footer = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
    ImGui::BeginChild("list", ImVec2(0, -footer), true);
    std::size_t shown = 0;
    for (const auto& user : *s.users) {
        if (protocol::name_key(user.name) == protocol::name_key(s.name)) continue;
        if (!name_matches_filter(user.name, ui.filter.data())) continue;
        ++shown;
        ImGui::PushID(user.name.c_str());
        const bool selected = ui.selected == user.name;
        const float badge_width =  // room for the wider badge
            ImGui::CalcTextSize(protocol::to_string(protocol::Status::available)).x + ImGui::GetTextLineHeight();
        if (ImGui::Selectable(user.name.c_str(), selected, ImGuiSelectableFlags_AllowDoubleClick,
                              ImVec2(ImGui::GetContentRegionAvail().x - badge_width, 0))) {
            ui.selected = user.name;
            if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left) && can_call(s, user.name)) call(ui, user.name);
        }
        ui.map.mark("user:" + user.name);
        ImGui::SameLine(ImGui::GetContentRegionMax().x - badge_width + ImGui::GetTextLineHeight() * 0.5f);
        status_badge(user.busy);
        ImGui::PopID();
    }
    if (shown == 0) {
        const char* why = !registered        ? "Register to see who is online."
                          : s.users->empty() ? "Nobody else is online yet."
                                             : "Nobody matches the filter.";
        ImGui::TextColored(colour::dim, "%s", why);
    }
    ImGui::EndChild();

    std::string label = ui.rules.call && !ui.selected.empty() ? "Call " + ui.selected : std::string("Call");
    if (button(ui, (label + "###call").c_str(), "call", ui.rules.call, ImVec2(-1, 0))) call(ui, ui.selected);
}

}  // namespace

void draw_users_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    const auto& s = *ui.snapshot;
    if (begin_panel("Users", pos, size)) {
        const bool registered = s.connection == client::ConnectionState::registered;
        ImGui::TextColored(colour::dim, "You:");
        ImGui::SameLine();
        const bool reconnecting = s.connection == client::ConnectionState::reconnecting;
        heading(ui, registered || reconnecting ? s.name.c_str() : "(not registered)");
        if (reconnecting) {
            ImGui::SameLine();
            ImGui::TextColored(colour::warn, "(reconnecting)");
        }
        // The missed calls not seen yet are counted on the History tab until it is opened.
        if (ImGui::BeginTabBar("lists")) {
            const bool online = ImGui::BeginTabItem("Online");
            ui.map.mark("tab:online");
            if (online) {
                draw_user_list(ui);
                ImGui::EndTabItem();
            }
            const std::string label = s.missed_calls > 0
                                          ? "History (" + std::to_string(s.missed_calls) + " missed)###history"
                                          : std::string("History###history");
            const bool history = ImGui::BeginTabItem(label.c_str());
            ui.map.mark(s.missed_calls > 0 ? "tab:history:missed" : "tab:history");
            if (history) {
                draw_history_tab(ui);
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
    }
    ImGui::End();
}

}  // namespace sala::gui
