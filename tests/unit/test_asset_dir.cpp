// The window finds its ring tone in share/sala beside its bin directory, in the build tree as
// when installed.
#include <gtest/gtest.h>

#include "sala/gui/asset_dir.hpp"

TEST(AssetDir, IsShareSalaBesideTheProgramsBinDirectory) {
    const auto bin = std::filesystem::path(SALA_BIN_DIR).lexically_normal();
    EXPECT_EQ(sala::gui::asset_dir(), (bin.parent_path() / "share" / "sala").lexically_normal());
}
