#include "sala/client/wav_file.hpp"

#include "temp_dir.hpp"
#include "test_signal.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>

using sala::client::read_wav_48k_mono;
using sala::client::WavAudio;
using sala::client::WavWriter;
using sala::client::write_wav;
using sala::test::rms_dbfs;
using sala::test::sine;
using sala::test::TempDir;
using sala::test::zero_crossing_hz;

namespace {

void put(std::string& s, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A WAV file's bytes built by hand: fmt (plain or EXTENSIBLE) and data chunks.
std::string wav_bytes(std::uint16_t tag, int channels, int rate, int bits, const std::string& data,
                      bool extensible = false, std::uint32_t declared_data = 0xFFFFFFFE) {
    std::string fmt;
    put(fmt, extensible ? 0xFFFE : tag, 2);
    put(fmt, static_cast<std::uint32_t>(channels), 2);
    put(fmt, static_cast<std::uint32_t>(rate), 4);
    put(fmt, static_cast<std::uint32_t>(rate * channels * bits / 8), 4);
    put(fmt, static_cast<std::uint32_t>(channels * bits / 8), 2);
    put(fmt, static_cast<std::uint32_t>(bits), 2);
    if (extensible) {
        put(fmt, 22, 2);
        put(fmt, static_cast<std::uint32_t>(bits), 2);
        put(fmt, 0, 4);
        put(fmt, tag, 2);
        fmt += std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
    }
    std::string body = "WAVEfmt ";
    put(body, static_cast<std::uint32_t>(fmt.size()), 4);
    body += fmt + "LIST";
    put(body, 4, 4);
    body += "INFO";  // an unrelated chunk to skip
    body += "data";
    put(body, declared_data == 0xFFFFFFFE ? static_cast<std::uint32_t>(data.size()) : declared_data, 4);
    body += data;
    std::string file = "RIFF";
    put(file, static_cast<std::uint32_t>(body.size()), 4);
    return file + body;
}

void save(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string pcm16(const std::vector<int16_t>& samples) {
    std::string s;
    for (int16_t v : samples) put(s, static_cast<std::uint16_t>(v), 2);
    return s;
}

bool have_sox() { return std::system("sox --version >/dev/null 2>&1") == 0; }

// Reads path expecting success, and checks a 1 s 1 kHz tone at the given RMS level.
void expect_one_second_1khz(const std::string& path, double rms_db, double rms_tolerance = 0.3) {
    std::string error;
    std::optional<WavAudio> audio = read_wav_48k_mono(path, &error);
    ASSERT_TRUE(audio) << error;
    const std::vector<int16_t>& s = audio->samples;
    EXPECT_NEAR(double(s.size()), 48000.0, 1.0);
    EXPECT_NEAR(zero_crossing_hz(s, 2400, s.size() - 2400), 1000.0, 1.0);
    EXPECT_NEAR(rms_dbfs(s, 2400, s.size() - 2400), rms_db, rms_tolerance);
}

}  // namespace

TEST(WavFile, RoundTripIsExact) {
    TempDir dir;
    const std::vector<int16_t> samples = sine(440, 0.5, -3);
    std::string error;
    ASSERT_TRUE(write_wav(dir.file("a.wav"), samples, 48000, &error)) << error;
    EXPECT_EQ(std::filesystem::file_size(dir.file("a.wav")), 44 + 2 * samples.size());
    std::optional<WavAudio> back = read_wav_48k_mono(dir.file("a.wav"), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->samples, samples);
}

// decode_wav_48k_mono (what the fuzz target drives) reads the same from memory as from the file,
// and says why without a file name when it refuses.
TEST(WavFile, DecodesFromMemoryAsFromTheFile) {
    TempDir dir;
    const std::vector<int16_t> samples = sine(440, 0.1, -3);
    std::string error;
    ASSERT_TRUE(write_wav(dir.file("m.wav"), samples, 16000, &error)) << error;
    std::ifstream in(dir.file("m.wav"), std::ios::binary);
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto from_memory = sala::client::decode_wav_48k_mono(bytes, &error);
    auto from_file = read_wav_48k_mono(dir.file("m.wav"), &error);
    ASSERT_TRUE(from_memory && from_file) << error;
    EXPECT_EQ(from_memory->samples, from_file->samples);
    EXPECT_FALSE(sala::client::decode_wav_48k_mono(std::span(bytes).first(20), &error));
    EXPECT_EQ(error, "truncated inside a chunk");
}

TEST(WavFile, WriterStreamsAndPatchesSizesOnFlushAndClose) {
    TempDir dir;
    const std::vector<int16_t> samples = sine(1000, 0.3, -6);
    WavWriter writer;
    std::string error;
    ASSERT_TRUE(writer.open(dir.file("s.wav"), &error)) << error;
    writer.write(samples.data(), 1000);
    writer.flush();
    std::optional<WavAudio> partial = read_wav_48k_mono(dir.file("s.wav"), &error);
    ASSERT_TRUE(partial) << error;
    EXPECT_EQ(partial->samples.size(), 1000u);
    writer.write(samples.data() + 1000, samples.size() - 1000);
    writer.close();
    EXPECT_FALSE(writer.failed());
    EXPECT_EQ(writer.samples_written(), samples.size());
    std::optional<WavAudio> back = read_wav_48k_mono(dir.file("s.wav"), &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->samples, samples);
}

TEST(WavFile, OwnFilesAtOtherRatesAreResampledTo48k) {
    TempDir dir;
    std::string error;
    for (int rate : {44100, 8000, 16000, 96000}) {
        const std::string path = dir.file(std::to_string(rate) + ".wav");
        ASSERT_TRUE(write_wav(path, sine(1000, 1.0, -6, rate), rate, &error)) << error;
        SCOPED_TRACE(rate);
        expect_one_second_1khz(path, -9.03);
    }
}

TEST(WavFile, HandBuiltFormatsAreDecoded) {
    TempDir dir;
    const std::vector<int16_t> tone = sine(1000, 1.0, -6, 32000);
    std::string pcm8, pcm24, pcm32, f32, stereo, left_only;
    for (int16_t v : tone) {
        pcm8 += static_cast<char>(static_cast<std::uint8_t>((v >> 8) + 128));
        put(pcm24, static_cast<std::uint32_t>(v) << 8, 3);
        put(pcm32, static_cast<std::uint32_t>(v) << 16, 4);
        float f = v / 32768.0f;
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        put(f32, bits, 4);
        put(stereo, static_cast<std::uint16_t>(v), 2);
        put(stereo, static_cast<std::uint16_t>(v), 2);
        put(left_only, static_cast<std::uint16_t>(v), 2);
        put(left_only, 0, 2);
    }
    save(dir.file("8.wav"), wav_bytes(1, 1, 32000, 8, pcm8));
    save(dir.file("24.wav"), wav_bytes(1, 1, 32000, 24, pcm24, true));
    save(dir.file("32.wav"), wav_bytes(1, 1, 32000, 32, pcm32));
    save(dir.file("f32.wav"), wav_bytes(3, 1, 32000, 32, f32));
    save(dir.file("f32x.wav"), wav_bytes(3, 1, 32000, 32, f32, true));
    save(dir.file("stereo.wav"), wav_bytes(1, 2, 32000, 16, stereo));
    save(dir.file("left.wav"), wav_bytes(1, 2, 32000, 16, left_only));
    for (const char* name : {"8.wav", "24.wav", "32.wav", "f32.wav", "f32x.wav", "stereo.wav"}) {
        SCOPED_TRACE(name);
        expect_one_second_1khz(dir.file(name), -9.03, name[0] == '8' ? 0.5 : 0.3);
    }
    expect_one_second_1khz(dir.file("left.wav"), -15.05);  // mixed down: half the amplitude
}

TEST(WavFile, SoxFilesAnyRateAndChannelsAreConverted) {
    if (!have_sox()) GTEST_SKIP() << "sox is not installed";
    TempDir dir;
    struct Case {
        const char* name;
        const char* format;
    };
    const Case cases[] = {
        {"stereo44.wav", "-r 44100 -c 2 -b 16"},
        {"mono8k.wav", "-r 8000 -c 1 -b 16"},
        {"float22k.wav", "-r 22050 -c 2 -e floating-point -b 32"},
        {"int24_6ch.wav", "-r 48000 -c 6 -b 24"},  // WAVE_FORMAT_EXTENSIBLE
        {"u8.wav", "-r 11025 -c 1 -e unsigned -b 8"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string path = dir.file(c.name);
        const std::string command = std::string("sox -n ") + c.format + " '" + path + "' synth 1 sine 1000 vol 0.5";
        ASSERT_EQ(std::system(command.c_str()), 0) << command;
        // 0.5 of full scale: -6.02 dBFS peak, -9.03 dBFS RMS (8-bit has more noise).
        expect_one_second_1khz(path, -9.03, std::strcmp(c.name, "u8.wav") == 0 ? 0.5 : 0.3);
    }
}

TEST(WavFile, BadFilesGiveClearErrors) {
    TempDir dir;
    std::string error;
    auto fails_with = [&](const std::string& path, const std::string& words) {
        error.clear();
        EXPECT_FALSE(read_wav_48k_mono(path, &error));
        EXPECT_NE(error.find(words), std::string::npos) << "error was: " << error;
        EXPECT_NE(error.find(path), std::string::npos) << "error was: " << error;
    };
    fails_with(dir.file("missing.wav"), "No such file");
    save(dir.file("text.wav"), "hello, this is not audio at all\n");
    fails_with(dir.file("text.wav"), "not a WAV");
    save(dir.file("empty.wav"), "");
    fails_with(dir.file("empty.wav"), "not a WAV");
    save(dir.file("adpcm.wav"), wav_bytes(2, 1, 8000, 4, std::string(100, '\0')));
    fails_with(dir.file("adpcm.wav"), "unsupported WAV format");
    save(dir.file("12bit.wav"), wav_bytes(1, 1, 8000, 12, std::string(100, '\0')));
    fails_with(dir.file("12bit.wav"), "unsupported WAV format");
    save(dir.file("short.wav"), wav_bytes(1, 1, 8000, 16, pcm16({1, 2, 3}), false, 1000));
    fails_with(dir.file("short.wav"), "truncated");
    std::string no_data = wav_bytes(1, 1, 8000, 16, "");
    no_data.resize(no_data.size() - 8);  // drop the data chunk header
    save(dir.file("nodata.wav"), no_data);
    fails_with(dir.file("nodata.wav"), "no data chunk");
    // Null error pointer is allowed.
    EXPECT_FALSE(read_wav_48k_mono(dir.file("missing.wav"), nullptr));
}

TEST(WavFile, UnwritablePathFailsToOpen) {
    WavWriter writer;
    std::string error;
    EXPECT_FALSE(writer.open("/nonexistent-dir/x.wav", &error));
    EXPECT_NE(error.find("/nonexistent-dir/x.wav"), std::string::npos) << error;
    EXPECT_FALSE(writer.is_open());
    EXPECT_FALSE(write_wav("/nonexistent-dir/y.wav", {1, 2}, 48000, &error));
}
