#include <GLFW/glfw3.h>

#include "ui.hpp"

namespace sala::gui {
namespace {
constexpr const char* kTitle = "Incoming call";

void answer(Ui& ui, bool accept) {
    ui.invite_answered = true;
    if (accept)
        ui.engine.post(client::AcceptCommand{});
    else
        ui.engine.post(client::RejectCommand{});
}
}  // namespace

void draw_invite_modal(Ui& ui) {
    const auto& s = *ui.snapshot;
    const bool ringing = s.call == client::CallState::ringing;
    if (ringing && s.call_id != ui.invite_call_id) {
        // A new invite: open the modal, ring, and ask the window manager for attention.
        ui.invite_call_id = s.call_id;
        ui.invite_answered = false;
        ImGui::OpenPopup(kTitle);
        ui.ring.start(ui.settings.audio_out);
        glfwRequestWindowAttention(ui.window);
        if (!glfwGetWindowAttrib(ui.window, GLFW_FOCUSED))
            ui.notifier.show(s.peer + " is calling", "Answer in Sala's window (Enter accepts, Esc rejects).");
    }
    if (!ringing || ui.invite_answered) {
        ui.ring.stop();
        ui.notifier.close();  // nothing happens when none is shown
    }
    if (ui.ring.playing()) ui.ring.feed();

    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(viewport->Pos.x + viewport->Size.x / 2, viewport->Pos.y + viewport->Size.y / 2),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetTextLineHeight() * 22, 0));
    bool open = true;
    if (ImGui::BeginPopupModal(kTitle, &open, ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove)) {
        if (!ringing || ui.invite_answered) {
            ImGui::CloseCurrentPopup();
        } else {
            ImGui::Spacing();
            if (ui.look.bold) ImGui::PushFont(ui.look.bold);
            const std::string line = s.peer + " is calling";
            ImGui::SetCursorPosX((ImGui::GetWindowWidth() - ImGui::CalcTextSize(line.c_str()).x) / 2);
            ImGui::TextUnformatted(line.c_str());
            if (ui.look.bold) ImGui::PopFont();
            ImGui::Spacing();
            if (!ui.ring.problem().empty()) ImGui::TextColored(colour::dim, "(%s)", ui.ring.problem().c_str());
            ImGui::Spacing();

            const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
            ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.20f, 0.52f, 0.28f, 1.0f));
            ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.26f, 0.64f, 0.34f, 1.0f));
            bool accept = button(ui, "Accept (Enter)", "accept", ui.rules.answer, ImVec2(width, 0));
            ImGui::PopStyleColor(2);
            ImGui::SameLine();
            ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.62f, 0.20f, 0.20f, 1.0f));
            ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.78f, 0.26f, 0.26f, 1.0f));
            bool reject = button(ui, "Reject (Esc)", "reject", ui.rules.answer, ImVec2(width, 0));
            ImGui::PopStyleColor(2);

            accept |= key_pressed(ui, GLFW_KEY_ENTER) || key_pressed(ui, GLFW_KEY_KP_ENTER);
            reject |= key_pressed(ui, GLFW_KEY_ESCAPE);
            if (accept || reject) {
                answer(ui, accept && !reject);
                ImGui::CloseCurrentPopup();
            }
        }
        ImGui::EndPopup();
    } else if (ringing && !ui.invite_answered && s.call_id == ui.invite_call_id) {
        // Closed some other way (the title bar's button): that is a no.
        answer(ui, false);
    }
    if (!open && ringing && !ui.invite_answered) answer(ui, false);
}

}  // namespace sala::gui
