#include "look.hpp"

#include <filesystem>

#include <imgui_impl_opengl3.h>

namespace sala::gui {
namespace {
constexpr const char* kRegular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
constexpr float kFontPixels = 16.0f;
}  // namespace

Look apply_look(float scale) {
    Look look;
    look.scale = scale;
    ImGuiIO& io = ImGui::GetIO();
    std::error_code ec;
    if (std::filesystem::exists(kRegular, ec) &&
        io.Fonts->AddFontFromFileTTF(kRegular, kFontPixels * scale, nullptr, io.Fonts->GetGlyphRangesDefault())) {
        if (std::filesystem::exists(kBold, ec))
            look.bold = io.Fonts->AddFontFromFileTTF(kBold, kFontPixels * 1.15f * scale, nullptr,
                                                     io.Fonts->GetGlyphRangesDefault());
    } else {
        ImFontConfig config;
        config.SizePixels = 13.0f * scale;
        io.Fonts->AddFontDefault(&config);
    }

    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 6.0f;
    style.ChildRounding = 4.0f;
    style.FrameRounding = 4.0f;
    style.PopupRounding = 6.0f;
    style.GrabRounding = 4.0f;
    style.WindowPadding = ImVec2(12, 10);
    style.FramePadding = ImVec2(8, 5);
    style.ItemSpacing = ImVec2(8, 7);
    style.WindowTitleAlign = ImVec2(0.0f, 0.5f);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.105f, 0.11f, 0.13f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.085f, 0.09f, 0.105f, 1.0f);
    c[ImGuiCol_PopupBg] = ImVec4(0.13f, 0.14f, 0.17f, 1.0f);
    c[ImGuiCol_TitleBg] = ImVec4(0.14f, 0.16f, 0.20f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.22f, 0.30f, 1.0f);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0.0f, 0.0f, 0.0f, 0.55f);
    style.ScaleAllSizes(scale);
    return look;
}

Look reapply_look(float scale) {
    ImGui::GetIO().Fonts->Clear();
    ImGui::GetStyle() = ImGuiStyle();
    Look look = apply_look(scale);
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
    return look;
}

}  // namespace sala::gui
