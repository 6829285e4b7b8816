#pragma once
// Finds an installed program (espeak-ng, tshark, ...) on PATH, for tests that need one.

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

namespace sala::test {

// The full path of an executable `program` on PATH, or nullopt when it is not installed.
inline std::optional<std::string> find_on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
}

}  // namespace sala::test
