#pragma once
// Writes a small file whole: a new file beside it, renamed into place, so that a reader never
// sees half of it (known_peers, known_servers).

#include <filesystem>
#include <string_view>

namespace sala {

// False when the file could not be written (the old one, if any, is left as it was).
bool replace_file(const std::filesystem::path& file, std::string_view contents);

}  // namespace sala
