// libFuzzer target: the WAV reader (decode_wav_48k_mono, what read_wav_48k_mono does with a file's
// bytes), since `--audio-in FILE` may be handed any file. Besides what the sanitizers catch, it
// checks that a refusal says why and that the 48 kHz result is as long as the data chunk's frames
// at the file's rate make it (the resampler neither loses nor invents more than a filter's length).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "check.hpp"
#include "sala/client/wav_file.hpp"
#include "seeds.hpp"

namespace {
using sala::fuzz::check;

std::uint32_t le32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
// A header for the formats WavWriter does not write: tag, channels, rate, bits, an EXTENSIBLE fmt
// chunk or the plain one, then `frames` frames of a ramp.
std::vector<std::uint8_t> hand_made(std::uint16_t tag, std::uint16_t channels, std::uint32_t rate, std::uint16_t bits,
                                    bool extensible, std::size_t frames) {
    std::vector<std::uint8_t> out;
    auto put = [&](std::uint32_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    auto text = [&](const char* four) { out.insert(out.end(), four, four + 4); };
    const std::uint32_t align = channels * bits / 8u, data = static_cast<std::uint32_t>(frames * align);
    const std::uint32_t fmt = extensible ? 40 : 16;
    text("RIFF");
    put(4 + 8 + fmt + 8 + data, 4);
    text("WAVE");
    text("fmt ");
    put(fmt, 4);
    put(extensible ? 0xFFFE : tag, 2);
    put(channels, 2);
    put(rate, 4);
    put(rate * align, 4);
    put(align, 2);
    put(bits, 2);
    if (extensible) {
        put(22, 2);
        put(bits, 2);
        put(0, 4);
        put(tag, 2);
        for (std::uint8_t b : {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71})
            out.push_back(b);
    }
    text("data");
    put(data, 4);
    for (std::size_t i = 0; i < data; ++i) out.push_back(static_cast<std::uint8_t>(i * 7));
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sala::fuzz::write_seeds_if_asked([](const sala::fuzz::WriteSeed& write) {
        // What WavWriter writes (the recorder of --audio-out), read back from a file.
        for (int rate : {48000, 8000}) {
            std::vector<std::int16_t> tone(rate / 100);
            for (std::size_t i = 0; i < tone.size(); ++i)
                tone[i] = static_cast<std::int16_t>(8000 * std::sin(2 * 3.14159265 * 440 * i / rate));
            const std::string path = "/tmp/sala-fuzz-seed.wav";
            if (!sala::client::write_wav(path, tone, rate, nullptr)) std::abort();
            std::ifstream in(path, std::ios::binary);
            std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            std::remove(path.c_str());
            write("pcm16_mono_" + std::to_string(rate), bytes);
        }
        write("float32_stereo_44100", hand_made(3, 2, 44100, 32, false, 100));
        write("extensible_pcm24_stereo_96000", hand_made(1, 2, 96000, 24, true, 100));
        write("pcm8_mono_11025", hand_made(1, 1, 11025, 8, false, 200));
        write("float64_mono_22050", hand_made(3, 1, 22050, 64, false, 50));
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string error;
    auto audio = sala::client::decode_wav_48k_mono(std::span<const unsigned char>(data, size), &error);
    if (!audio) {
        check(!error.empty());
        return 0;
    }
    // The frames can only be as many as the bytes after the header; at 1 kHz (the lowest rate read)
    // each becomes 48, plus the filter's tail.
    check(audio->samples.size() <= (size - 12) * 48 + 1024);
    // Find the rate as the reader does for a plain file: the first "fmt " chunk at 12.
    if (size >= 44 && std::memcmp(data + 12, "fmt ", 4) == 0 && std::memcmp(data + 36, "data", 4) == 0 &&
        le32(data + 16) == 16) {
        const std::uint32_t rate = le32(data + 24);
        const std::uint32_t align = static_cast<std::uint32_t>(data[32] | data[33] << 8);
        std::uint32_t bytes = le32(data + 40);
        if (bytes == 0xFFFFFFFF) bytes = static_cast<std::uint32_t>(size - 44);
        const double frames = static_cast<double>(bytes / align);
        const double expected = frames * 48000.0 / rate;
        check(audio->samples.size() <= expected + 64 && audio->samples.size() + 64 >= expected);
    }
    return 0;
}
