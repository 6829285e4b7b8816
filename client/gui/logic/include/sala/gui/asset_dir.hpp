#pragma once
// Where the window's files (the ring tone) are: share/sala beside the program's bin directory,
// which holds both in the build tree (CMake copies assets/ to build/share/sala) and when
// installed under any prefix (PREFIX/bin/sala, PREFIX/share/sala).

#include <filesystem>

namespace sala::gui {

// PROGRAM_DIR/../share/sala, PROGRAM_DIR being the directory of the running executable
// (/proc/self/exe); empty if that cannot be read.
std::filesystem::path asset_dir();

}  // namespace sala::gui
