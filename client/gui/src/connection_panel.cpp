#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {
namespace {

void register_now(Ui& ui) {
    client::ConnectCommand connect;
    std::string error;
    if (!client::make_connect_command(ui.server.data(), ui.name.data(), connect, &error)) {
        ui.server_problem =
            "That is not a server address: use host or host:port, e.g. localhost:5000 (nodes of a cluster: "
            "separated by commas).";
        return;
    }
    ui.server_problem.clear();
    ui.error_code.clear();
    ui.settings.name = ui.name.data();
    ui.settings.server = ui.server.data();
    ui.save_settings();
    ui.engine.post(std::move(connect));
}

void field_error(const std::string& text) {
    if (text.empty()) return;
    ImGui::PushStyleColor(ImGuiCol_Text, colour::bad);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

}  // namespace

void draw_connection_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    const auto& s = *ui.snapshot;
    const auto& rules = ui.rules;
    if (begin_panel("Connection", pos, size)) {
        const float label_width = ImGui::CalcTextSize("Server").x + ImGui::GetStyle().ItemSpacing.x * 2;
        const bool has_error = !s.connect_error.empty() && s.connection == client::ConnectionState::disconnected;
        const bool name_error = has_error && error_field(ui.error_code) == ErrorField::name;
        bool submit = false;

        ImGui::BeginDisabled(!rules.edit_identity);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Name");
        ImGui::SameLine(label_width);
        ImGui::SetNextItemWidth(-1);
        submit |= ImGui::InputTextWithHint("##name", "your name, e.g. alice", ui.name.data(), ui.name.size(),
                                           ImGuiInputTextFlags_EnterReturnsTrue);
        ui.map.mark("name_field", rules.edit_identity);
        if (name_error) field_error(s.connect_error);

        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted("Server");
        ImGui::SameLine(label_width);
        ImGui::SetNextItemWidth(-1);
        submit |= ImGui::InputTextWithHint("##server", "host:port", ui.server.data(), ui.server.size(),
                                           ImGuiInputTextFlags_EnterReturnsTrue);
        ui.map.mark("server_field", rules.edit_identity);
        ImGui::EndDisabled();
        // A certificate question has its own window (server_trust_modal.cpp) with the details.
        if (has_error && s.server_trust)
            field_error(s.server_trust->pinned.empty()
                            ? "Not connected: you have not trusted this server's certificate. Register to decide."
                            : "Not connected: this server's certificate changed. Register to see both and decide.");
        else if (has_error && !name_error)
            field_error(s.connect_error);
        if (!ui.server_problem.empty()) field_error(ui.server_problem);

        ImGui::Spacing();
        const float width = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
        if (button(ui, "Register", "register", rules.register_, ImVec2(width, 0)) || (submit && rules.register_))
            register_now(ui);
        ImGui::SameLine();
        if (button(ui, "Disconnect", "disconnect", rules.disconnect, ImVec2(width, 0)))
            ui.engine.post(client::DisconnectCommand{});

        const ImVec4 state_colour = s.connection == client::ConnectionState::registered     ? colour::good
                                    : s.connection == client::ConnectionState::disconnected ? colour::dim
                                                                                            : colour::warn;
        ImGui::PushStyleColor(ImGuiCol_Text, state_colour);
        ImGui::TextWrapped("%s", connection_words(s).c_str());
        ImGui::PopStyleColor();
        if (s.connection == client::ConnectionState::registered && !s.server_fingerprint.empty())
            ImGui::TextColored(colour::dim, "TLS, certificate %.19s...", s.server_fingerprint.c_str());
    }
    ImGui::End();
}

}  // namespace sala::gui
