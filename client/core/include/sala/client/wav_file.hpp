#pragma once
// WAV files in and out: any common PCM/float WAV read as 48 kHz mono; 16-bit mono written.

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sala::client {

// Audio decoded from a file, in the internal format.
struct WavAudio {
    std::vector<int16_t> samples;  // 48 kHz mono
};

// Reads 8/16/24/32-bit integer or 32/64-bit float WAV (PCM, IEEE_FLOAT or EXTENSIBLE), any
// rate and channel count; mixes down to mono and resamples to 48 kHz. On failure returns
// nullopt and puts one line saying why in *error (if not null).
std::optional<WavAudio> read_wav_48k_mono(const std::string& path, std::string* error);
// The same from a whole file's bytes already in memory (the file's bytes are untrusted: fuzzed);
// *error, if not null, gets the reason without a file name.
std::optional<WavAudio> decode_wav_48k_mono(std::span<const unsigned char> file, std::string* error);

// Streams 16-bit mono samples into a WAV file; the header's sizes are patched on close().
class WavWriter {
public:
    WavWriter() = default;
    ~WavWriter();  // closes
    WavWriter(const WavWriter&) = delete;
    WavWriter& operator=(const WavWriter&) = delete;

    // Creates or truncates path. Returns false with *error set if it cannot be written.
    bool open(const std::string& path, std::string* error, int sample_rate = 48000);
    void write(const int16_t* samples, std::size_t n);
    // Patches the header's sizes and flushes, so the file is valid so far; stays open.
    void flush();
    void close();

    bool is_open() const { return file_.is_open(); }
    bool failed() const { return failed_; }  // a write or seek failed since open()
    std::uint64_t samples_written() const { return samples_; }
    const std::string& path() const { return path_; }

private:
    void write_header();

    std::ofstream file_;
    std::string path_;
    int rate_ = 48000;
    std::uint64_t samples_ = 0;
    bool failed_ = false;
};

// Writes a whole mono 16-bit file at the given rate.
bool write_wav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate, std::string* error);

}  // namespace sala::client
