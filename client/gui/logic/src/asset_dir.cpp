#include "sala/gui/asset_dir.hpp"

namespace sala::gui {

std::filesystem::path asset_dir() {
    std::error_code ec;
    const auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec || program.empty()) return {};
    return (program.parent_path().parent_path() / "share" / "sala").lexically_normal();
}

}  // namespace sala::gui
