#include <GLFW/glfw3.h>

#include "sala/client/call_quality.hpp"
#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {
namespace {

using client::CallState;

void toggle_mute(Ui& ui) { ui.engine.post(client::MuteCommand{!ui.snapshot->muted}); }

// How private the call is: the safety code to read aloud, and plain warnings when it is not.
void draw_security(const client::Snapshot& s) {
    const auto& sec = s.security;
    ImGui::PushTextWrapPos(0.0f);
    if (!sec.encrypted) {
        ImGui::TextColored(colour::bad, "NOT private: %s's client does not encrypt; anyone on the path can listen.",
                           s.peer.c_str());
        ImGui::PopTextWrapPos();
        return;
    }
    ImGui::TextColored(colour::good, "End-to-end encrypted.");
    ImGui::SameLine();
    ImGui::Text("Safety code");
    ImGui::SameLine();
    ImGui::TextColored(colour::good, "%s %s", sec.safety_code.substr(0, 3).c_str(), sec.safety_code.substr(3).c_str());
    ImGui::TextColored(colour::dim, "Read it to %s: the same code on both sides means nobody listens in.",
                       s.peer.c_str());
    if (sec.peer_key_changed)
        ImGui::TextColored(colour::warn,
                           "%s's identity key has changed since your last call: either %s set Sala up again, or "
                           "someone else answers as %s. Compare the safety code before you trust this call.",
                           s.peer.c_str(), s.peer.c_str(), s.peer.c_str());
    if (sec.key_logged)
        ImGui::TextColored(colour::warn,
                           "SALA_SRTP_KEYLOG is set: this call's keys are written to a file. NOT private.");
    ImGui::PopTextWrapPos();
}

// The one-way delay (an estimate: the peer's devices are not known) and the quality as a MOS,
// from the figures of the last second.
void draw_quality(Ui& ui) {
    const auto& figures = ui.history.figures();
    const double delay = client::one_way_delay_estimate_ms(figures);
    ImGui::AlignTextToFramePadding();
    if (delay < 0) {
        ImGui::TextColored(colour::dim, "Delay and quality: measuring...");
        ui.map.mark("delay_estimate", false);
        return;
    }
    ImGui::TextColored(colour::dim, "Delay one way about");
    ImGui::SameLine();
    ImGui::Text("%.0f ms", delay);
    ImGui::SameLine();
    ImGui::TextColored(colour::dim, "(estimate)");
    ui.map.mark("delay_estimate", true);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "Half the round trip (%.0f ms), the jitter buffer (%d ms), this side's microphone and speaker\n"
            "(%.0f + %.0f ms, standing in for the peer's, which are not known) and Opus (%.1f ms).",
            figures.rtt_ms / 2, figures.jitter_buffer_ms, figures.input_latency_ms, figures.output_latency_ms,
            client::codec_delay_ms(figures.frame_ms));
    const double mos = client::mos_estimate(figures);
    ImGui::SameLine();
    ImGui::TextColored(colour::dim, "   Quality");
    ImGui::SameLine();
    ImGui::TextColored(mos >= 4.0   ? colour::good
                       : mos >= 3.6 ? colour::warn
                                    : colour::bad,
                       "%s (%.1f of 5)", client::quality_word(mos), mos);
    ui.map.mark("quality", true);
}

void draw_in_call(Ui& ui) {
    const auto& s = *ui.snapshot;
    auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.call_started_at);
    heading(ui, ("In a call with " + s.peer).c_str());
    ImGui::SameLine();
    ImGui::TextColored(colour::good, "  %s", format_duration(elapsed).c_str());
    ImGui::SameLine();
    ImGui::TextColored(s.media_path == "failed" ? colour::warn : colour::dim, "  %s, round trip %s",
                       format_media_path(s.media_path).c_str(), format_rtt(s.stats.rtt_ms).c_str());
    if (s.muted) {
        ImGui::SameLine();
        ImGui::TextColored(colour::warn, "  microphone muted");
    }

    draw_quality(ui);
    draw_security(s);

    const float width = ImGui::GetTextLineHeight() * 8;
    if (button(ui, s.muted ? "Unmute (M)" : "Mute (M)", "mute", ui.rules.mute, ImVec2(width, 0))) toggle_mute(ui);
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.62f, 0.20f, 0.20f, 1.0f));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.78f, 0.26f, 0.26f, 1.0f));
    if (button(ui, "Hang up", "hang_up", ui.rules.hang_up, ImVec2(width, 0))) ui.engine.post(client::HangupCommand{});
    ImGui::PopStyleColor(2);

    ImGui::Spacing();
    // In a child window of their own: its own draw list, so the window redraws only the meters
    // when they move (frame_damage.hpp).
    const float meters_height = ImGui::GetFrameHeight() * 2 + ImGui::GetStyle().ItemSpacing.y;
    ImGui::BeginChild("meters", ImVec2(0, meters_height), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoBackground);
    const float meter_width = ImGui::GetContentRegionAvail().x;
    draw_level_meter("Mic", after_volume(s.mic, s.volume.microphone), meter_width);  // what is sent
    draw_level_meter("Peer", s.speaker, meter_width);
    ImGui::EndChild();
    if (!s.audio_problem.empty()) ImGui::TextColored(colour::warn, "%s", s.audio_problem.c_str());
}

}  // namespace

void draw_call_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    const auto& s = *ui.snapshot;
    if (begin_panel("Call", pos, size)) {
        switch (s.call) {
            case CallState::idle:
                heading(ui, "Not in a call");
                ImGui::TextColored(colour::dim, s.connection == client::ConnectionState::registered
                                                    ? "Pick someone in Users and press Call, or double-click a name."
                                                    : "Register with a server to make and receive calls.");
                if (s.missed_calls > 0)
                    ImGui::TextColored(colour::warn, "%d missed call%s: see History, beside Online.", s.missed_calls,
                                       s.missed_calls == 1 ? "" : "s");
                if (!ui.last_call_words.empty()) {
                    ImGui::Spacing();
                    ImGui::TextWrapped("Last call: %s", ui.last_call_words.c_str());
                }
                break;
            case CallState::calling: {
                // Three dots that come and go while the peer's window rings.
                int dots = static_cast<int>(ImGui::GetTime() * 2.0) % 4;
                heading(ui, ("Calling " + s.peer + std::string(static_cast<std::size_t>(dots), '.')).c_str());
                ImGui::TextColored(colour::dim, "Waiting for %s to answer.", s.peer.c_str());
                if (button(ui, "Cancel", "cancel", ui.rules.cancel_call, ImVec2(ImGui::GetTextLineHeight() * 8, 0)))
                    ui.engine.post(client::HangupCommand{});
                break;
            }
            case CallState::ringing:
                heading(ui, (s.peer + " is calling you").c_str());
                ImGui::TextColored(colour::dim, "Answer in the window that popped up (Enter accepts, Esc rejects).");
                break;
            case CallState::in_call:
                draw_in_call(ui);
                break;
        }
        ui.call_panel_height = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y;
    }
    ImGui::End();
}

}  // namespace sala::gui
