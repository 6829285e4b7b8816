#include "ui_map.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <imgui.h>

namespace sala::gui {

void UiMap::mark(const std::string& name, bool enabled) {
    if (path_.empty()) return;
    ImVec2 min = ImGui::GetItemRectMin();
    ImVec2 max = ImGui::GetItemRectMax();
    char line[256];
    std::snprintf(line, sizeof line, "%s %d %d %s\n", name.c_str(), static_cast<int>((min.x + max.x) / 2),
                  static_cast<int>((min.y + max.y) / 2), enabled ? "enabled" : "disabled");
    frame_ += line;
}

void UiMap::end_frame() {
    if (path_.empty()) return;
    if (frame_ != written_) {
        std::string temporary = path_ + ".tmp";
        {
            std::ofstream out(temporary, std::ios::trunc);
            out << frame_;
        }
        std::error_code ec;
        std::filesystem::rename(temporary, path_, ec);
        written_ = frame_;
    }
    frame_.clear();
}

}  // namespace sala::gui
