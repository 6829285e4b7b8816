#pragma once
// For the fuzz targets' seed writers: SALA_FUZZ_WRITE_SEEDS=DIR build-fuzz/bin/fuzz_NAME writes the
// target's seeds into DIR (tests/fuzz/corpus/NAME) and exits, so every seed is made by the
// project's own code (its RTP/RTCP writers, SRTP, WAV writer, message builders).
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace sala::fuzz {

using WriteSeed = std::function<void(const std::string& name, std::span<const std::uint8_t> bytes)>;

// Call from LLVMFuzzerInitialize: when SALA_FUZZ_WRITE_SEEDS names a directory, runs `write` with a
// function that puts one file there, then exits.
inline void write_seeds_if_asked(const std::function<void(const WriteSeed&)>& write) {
    const char* directory = std::getenv("SALA_FUZZ_WRITE_SEEDS");
    if (!directory) return;
    write([&](const std::string& name, std::span<const std::uint8_t> bytes) {
        std::ofstream file(std::string(directory) + "/" + name, std::ios::binary);
        file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!file.good()) std::abort();
    });
    std::exit(0);
}

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace sala::fuzz
