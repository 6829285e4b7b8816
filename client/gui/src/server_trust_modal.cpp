// The question the engine cannot answer alone: a server certificate no authority vouches for,
// seen for the first time or different from the one pinned before (Snapshot::server_trust).
// Trusting posts TrustServerCommand (the engine pins the fingerprint and connects again).
#include <GLFW/glfw3.h>

#include "ui.hpp"

namespace sala::gui {
namespace {
constexpr const char* kTitle = "Server certificate";

void fingerprint_line(const char* label, const std::string& fingerprint, const ImVec4& colour) {
    ImGui::TextColored(colour::dim, "%s", label);
    ImGui::Indent();
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", fingerprint.c_str());
    ImGui::PopStyleColor();
    ImGui::Unindent();
}
}  // namespace

void draw_server_trust_modal(Ui& ui) {
    const auto& question = ui.snapshot->server_trust;
    if (question && question->number != ui.trust_asked) {
        ui.trust_asked = question->number;
        ImGui::OpenPopup(kTitle);
    }
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(viewport->Pos.x + viewport->Size.x / 2, viewport->Pos.y + viewport->Size.y / 2),
                            ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetTextLineHeight() * 34, 0));
    if (!ImGui::BeginPopupModal(kTitle, nullptr, ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove)) return;
    if (!question || question->number != ui.trust_asked) {
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        return;
    }
    const bool changed = !question->pinned.empty();
    ImGui::Spacing();
    if (ui.look.bold) ImGui::PushFont(ui.look.bold);
    if (changed)
        ImGui::TextColored(colour::bad, "The certificate of %s has changed", question->server.c_str());
    else
        ImGui::Text("First connection to %s", question->server.c_str());
    if (ui.look.bold) ImGui::PopFont();
    ImGui::Spacing();
    if (changed) {
        ImGui::TextWrapped(
            "Someone may be intercepting your connection, or the server was given a new certificate. Trust the new one "
            "only if the server's operator confirms its fingerprint.");
        ImGui::Spacing();
        fingerprint_line("Before (pinned):", question->pinned, colour::dim);
        fingerprint_line("Now:", question->fingerprint, colour::warn);
    } else {
        ImGui::TextWrapped(
            "No certificate authority vouches for this server, so Sala knows it by its certificate's fingerprint. "
            "Compare it with the one the server's operator gives you (sala-server prints it when it starts). Sala "
            "remembers it and warns you if it ever changes.");
        ImGui::Spacing();
        fingerprint_line("Fingerprint:", question->fingerprint, colour::good);
    }
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::Spacing();
    const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
    ImGui::PushStyleColor(ImGuiCol_Button,
                          changed ? ImVec4(0.62f, 0.20f, 0.20f, 1.0f) : ImVec4(0.20f, 0.52f, 0.28f, 1.0f));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                          changed ? ImVec4(0.78f, 0.26f, 0.26f, 1.0f) : ImVec4(0.26f, 0.64f, 0.34f, 1.0f));
    const bool trust =
        button(ui, changed ? "Trust the new certificate" : "Trust and connect", "trust_server", true, ImVec2(width, 0));
    ImGui::PopStyleColor(2);
    ImGui::SameLine();
    const bool cancel =
        button(ui, changed ? "Don't connect (Esc)" : "Cancel (Esc)", "distrust_server", true, ImVec2(width, 0)) ||
        key_pressed(ui, GLFW_KEY_ESCAPE);
    if (trust) ui.engine.post(client::TrustServerCommand{question->fingerprint});
    if (trust || cancel) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

}  // namespace sala::gui
