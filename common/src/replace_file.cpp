#include "sala/replace_file.hpp"

#include <unistd.h>

#include <fstream>
#include <string>

namespace sala {

bool replace_file(const std::filesystem::path& file, std::string_view contents) {
    const auto temporary = file.string() + ".new." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) std::filesystem::remove(temporary, ec);
    return !ec;
}

}  // namespace sala
