#include "ui.hpp"

namespace sala::gui {
namespace {

// "device" -> "Default", "device:NAME" -> NAME, anything else as it is.
std::string spec_words(const std::string& spec) {
    if (spec == "device") return "Default device";
    if (spec.rfind("device:", 0) == 0) return spec.substr(7);
    return spec;
}

// A combo of the default device and every device with channels in that direction; true when
// *spec changed.
bool device_combo(Ui& ui, const char* label, const char* map_name, bool input, std::string& spec) {
    bool changed = false;
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine(ImGui::CalcTextSize("Output").x + ImGui::GetStyle().ItemSpacing.x * 2);
    ImGui::SetNextItemWidth(-1);
    ImGui::BeginDisabled(!ui.rules.choose_devices);
    if (ImGui::BeginCombo(map_name, spec_words(spec).c_str())) {
        if (ImGui::Selectable("Default device", spec == "device")) {
            spec = "device";
            changed = true;
        }
        for (const auto& device : ui.devices) {
            if ((input ? device.input_channels : device.output_channels) == 0) continue;
            const std::string choice = "device:" + device.name;
            if (ImGui::Selectable(device.name.c_str(), spec == choice)) {
                spec = choice;
                changed = true;
            }
        }
        if (!ui.devices_known)
            ImGui::TextColored(colour::dim, "Looking for sound devices...");
        else if (ui.devices.empty())
            ImGui::TextColored(colour::dim, "No sound devices found.");
        ImGui::EndCombo();
    }
    ImGui::EndDisabled();
    ui.map.mark(map_name, ui.rules.choose_devices);
    return changed;
}

// A volume slider in percent (0-200); true when it moved, *let_go when the user let go of it
// after moving it.
bool volume_slider(Ui& ui, const char* label, const char* map_name, int& percent, bool* let_go) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine(ImGui::CalcTextSize("Microphone").x + ImGui::GetStyle().ItemSpacing.x * 2);
    ImGui::SetNextItemWidth(-1);
    const bool moved = ImGui::SliderInt(map_name, &percent, 0, 200, "%d%%", ImGuiSliderFlags_AlwaysClamp);
    *let_go |= ImGui::IsItemDeactivatedAfterEdit();
    ui.map.mark(map_name);
    return moved;
}

// One of the voice processing switches (they apply at once, mid-call too); true when it changed.
bool voice_switch(Ui& ui, const char* label, const char* map_name, bool& on) {
    const bool changed = ImGui::Checkbox(label, &on);
    ui.map.mark(map_name, true);
    return changed;
}

}  // namespace

// What the microphone sends and what the speaker plays, at the engine (remembered in settings).
void post_volume(Ui& ui) {
    ui.engine.post(client::VolumeCommand{ui.settings.microphone_volume / 100.0f, ui.settings.speaker_volume / 100.0f});
}

void draw_audio_panel(Ui& ui, ImVec2 pos, ImVec2 size) {
    if (ui.devices_loading.valid() &&
        ui.devices_loading.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        ui.devices = ui.devices_loading.get();
        ui.devices_known = true;
    }
    if (ui.mic_test.running() && !ui.rules.mic_test) ui.mic_test.stop();

    if (begin_panel("Audio", pos, size)) {
        bool changed = device_combo(ui, "Input", "##input", true, ui.settings.audio_in);
        changed |= device_combo(ui, "Output", "##output", false, ui.settings.audio_out);
        ImGui::Spacing();
        changed |= voice_switch(ui, "Echo cancellation", "echo_cancel", ui.settings.echo_cancel);
        ImGui::SameLine();
        changed |= voice_switch(ui, "Noise suppression", "noise_suppress", ui.settings.noise_suppress);
        changed |= voice_switch(ui, "Gain control", "gain_control", ui.settings.gain_control);
        if (changed) {
            ui.engine.post(
                client::AudioCommand{ui.settings.audio_in, ui.settings.audio_out, voice_options(ui.settings)});
            ui.save_settings();
            if (ui.mic_test.running()) ui.mic_test.start(ui.settings.audio_in);
        }
        bool let_go = false;
        bool moved = volume_slider(ui, "Microphone", "##mic_volume", ui.settings.microphone_volume, &let_go);
        moved |= volume_slider(ui, "Speaker", "##speaker_volume", ui.settings.speaker_volume, &let_go);
        if (moved) post_volume(ui);
        if (let_go) ui.save_settings();
        if (ui.devices_known && ui.devices.empty())
            ImGui::TextColored(colour::dim, "No sound devices found: calls go on without sound.");

        ImGui::Spacing();
        const bool running = ui.mic_test.running();
        if (button(ui, running ? "Stop mic test" : "Test microphone", "mic_test", ui.rules.mic_test,
                   ImVec2(ImGui::GetTextLineHeight() * 9, 0))) {
            if (running)
                ui.mic_test.stop();
            else
                ui.mic_test.start(ui.settings.audio_in);
        }
        if (!ui.rules.mic_test) {
            ImGui::SameLine();
            ImGui::TextColored(colour::dim, "(the call uses the microphone)");
        }
        if (ui.mic_test.running()) draw_level_meter("Mic", ui.mic_test.level(), ImGui::GetContentRegionAvail().x);
        if (!ui.mic_test.problem().empty()) {
            ImGui::PushStyleColor(ImGuiCol_Text, colour::warn);
            ImGui::TextWrapped("%s", ui.mic_test.problem().c_str());
            ImGui::PopStyleColor();
        }
    }
    ImGui::End();
}

}  // namespace sala::gui
