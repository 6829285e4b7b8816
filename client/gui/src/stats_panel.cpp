#include <algorithm>
#include <cstdio>

#include "sala/gui/format.hpp"
#include "ui.hpp"

namespace sala::gui {
namespace {

void row(const char* name, const std::string& value) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextColored(colour::dim, "%s", name);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(value.c_str());
}

void plot(const char* label, const std::vector<float>& values, float max, const char* unit, float height) {
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "%s: %.1f %s", label, values.empty() ? 0.0 : double(values.back()), unit);
    ImGui::PushID(label);
    ImGui::PlotLines("##plot", values.data(), static_cast<int>(values.size()), 0, overlay, 0.0f, max,
                     ImVec2(ImGui::GetContentRegionAvail().x, height));
    ImGui::PopID();
}

}  // namespace

void draw_stats_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    const auto& s = *ui.snapshot;
    if (begin_panel("Statistics", pos, size)) {
        const auto& st = s.call == client::CallState::in_call ? ui.history.figures() : s.stats;
        if (s.call != client::CallState::in_call && st.packets_sent == 0 && st.packets_received == 0) {
            ImGui::TextColored(colour::dim, "Figures appear here during a call.");
        } else {
            if (s.call != client::CallState::in_call) ImGui::TextColored(colour::dim, "The last call:");
            if (ImGui::BeginTable("figures", 2, ImGuiTableFlags_SizingStretchProp)) {
                char text[128];
                std::snprintf(text, sizeof text, "%s, %d ms frames", st.codec == "opus" ? "Opus" : st.codec.c_str(),
                              st.frame_ms);
                row("Codec", text);
                row("Bitrate", format_kbps(st.send_kbps) + " out, " + format_kbps(st.receive_kbps) + " in");
                std::snprintf(text, sizeof text, "%s (%llu of %llu)", format_percent(st.loss_percent).c_str(),
                              static_cast<unsigned long long>(st.packets_lost),
                              static_cast<unsigned long long>(st.packets_lost + st.packets_received));
                row("Packet loss", text);
                row("Jitter", format_ms(st.jitter_ms));
                row("Buffer delay", format_ms(st.jitter_buffer_ms));
                // Our sound devices' own delays (the sound server's queues and our rings).
                row("Device delay",
                    format_ms(st.input_latency_ms) + " microphone, " + format_ms(st.output_latency_ms) + " speaker");
                row("Round trip", format_rtt(st.rtt_ms));
                std::snprintf(text, sizeof text, "%llu concealed, %llu by FEC",
                              static_cast<unsigned long long>(st.concealed_frames),
                              static_cast<unsigned long long>(st.fec_recovered_frames));
                row("Repaired", text);
                // Packets that failed SRTP authentication or the replay check: dropped, never played.
                std::snprintf(text, sizeof text, "%llu (forged or replayed)",
                              static_cast<unsigned long long>(st.rejected_packets));
                row("Rejected", text);
                // What the peer's reports say of our stream, and what the sound devices dropped.
                row("Peer's loss",
                    st.remote_loss_percent < 0 ? "not reported yet" : format_percent(st.remote_loss_percent));
                std::snprintf(text, sizeof text, "%llu mic overruns, %llu speaker underruns (%llu, %llu a minute)",
                              static_cast<unsigned long long>(st.capture_overruns),
                              static_cast<unsigned long long>(st.playback_underruns),
                              static_cast<unsigned long long>(st.capture_overruns_per_minute),
                              static_cast<unsigned long long>(st.playback_underruns_per_minute));
                row("Device glitches", text);
                ImGui::EndTable();
            }
            const float height = std::max(ImGui::GetTextLineHeight() * 1.5f,
                                          (ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y) / 2);
            const auto& loss = ui.history.loss_percent();
            float loss_max = std::max(5.0f, loss.empty() ? 0.0f : *std::max_element(loss.begin(), loss.end()) * 1.2f);
            plot("Loss", loss, loss_max, "%", height);
            plot("Delay", ui.history.delay_ms(), std::max(100.0f, ui.history.max_delay_ms() * 1.2f), "ms", height);
        }
    }
    ImGui::End();
}

}  // namespace sala::gui
