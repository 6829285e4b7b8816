#include "sala/client/wav_file.hpp"

#include "audio/resampler.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace sala::client {

namespace {

constexpr int kRate = 48000;
constexpr std::uint16_t kFormatPcm = 1;
constexpr std::uint16_t kFormatFloat = 3;
constexpr std::uint16_t kFormatExtensible = 0xFFFE;
constexpr std::uint32_t kSizeUnknown = 0xFFFFFFFF;  // streaming writers that never patched
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 32;

std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
std::uint32_t le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

bool fail(std::string* error, const std::string& path, const std::string& why) {
    if (error) *error = "'" + path + "': " + why;
    return false;
}

struct Format {
    std::uint16_t tag = 0;  // PCM or FLOAT after resolving EXTENSIBLE
    int channels = 0;
    int rate = 0;
    int bits = 0;
    std::size_t block_align = 0;
};

bool parse_format(const unsigned char* p, std::uint32_t size, Format* f, std::string* why) {
    if (size < 16) return (*why = "fmt chunk too short", false);
    f->tag = le16(p);
    f->channels = le16(p + 2);
    f->rate = static_cast<int>(std::min<std::uint32_t>(le32(p + 4), 0x7FFFFFFF));
    f->block_align = le16(p + 12);
    f->bits = le16(p + 14);
    if (f->tag == kFormatExtensible) {
        if (size < 40) return (*why = "EXTENSIBLE fmt chunk too short", false);
        f->tag = le16(p + 24);  // first two bytes of the sub-format GUID
    }
    const bool pcm = f->tag == kFormatPcm && (f->bits == 8 || f->bits == 16 || f->bits == 24 || f->bits == 32);
    const bool flt = f->tag == kFormatFloat && (f->bits == 32 || f->bits == 64);
    if (!pcm && !flt) {
        char text[96];
        std::snprintf(text, sizeof text, "unsupported WAV format (tag 0x%04X, %d bits)", f->tag, f->bits);
        return (*why = text, false);
    }
    if (f->channels < 1) return (*why = "no channels", false);
    if (f->rate < 1000 || f->rate > 768000) return (*why = "unsupported sample rate " + std::to_string(f->rate), false);
    if (f->block_align != static_cast<std::size_t>(f->channels) * (f->bits / 8))
        return (*why = "inconsistent block alignment", false);
    return true;
}

double sample_value(const unsigned char* p, const Format& f) {
    if (f.tag == kFormatFloat) {
        if (f.bits == 32) {
            const float v = std::bit_cast<float>(le32(p));
            return std::isfinite(v) ? v : 0.0;
        }
        const std::uint64_t raw = le32(p) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
        const double v = std::bit_cast<double>(raw);
        return std::isfinite(v) ? v : 0.0;
    }
    switch (f.bits) {
        case 8:
            return (p[0] - 128) / 128.0;
        case 16:
            return static_cast<std::int16_t>(le16(p)) / 32768.0;
        case 24: {
            const auto top = (static_cast<std::uint32_t>(p[0]) << 8) | (static_cast<std::uint32_t>(p[1]) << 16) |
                             (static_cast<std::uint32_t>(p[2]) << 24);
            return static_cast<std::int32_t>(top) / 2147483648.0;
        }
        default:
            return static_cast<std::int32_t>(le32(p)) / 2147483648.0;
    }
}

std::vector<int16_t> mix_to_mono(const unsigned char* data, std::size_t frames, const Format& f) {
    std::vector<int16_t> mono(frames);
    const std::size_t bytes = static_cast<std::size_t>(f.bits / 8);
    for (std::size_t i = 0; i < frames; ++i) {
        const unsigned char* frame = data + i * f.block_align;
        double sum = 0;
        for (int c = 0; c < f.channels; ++c) sum += sample_value(frame + c * bytes, f);
        const double v = std::round(sum / f.channels * 32768.0);
        mono[i] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
    }
    return mono;
}

bool read_file(const std::string& path, std::vector<unsigned char>* bytes, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(error, path, std::string("cannot open: ") + std::strerror(errno));
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0));
    if (size > kMaxFileBytes) return fail(error, path, "file too large for a WAV");
    in.seekg(0);
    bytes->resize(size);
    if (!in.read(reinterpret_cast<char*>(bytes->data()), static_cast<std::streamsize>(size)))
        return fail(error, path, "read error");
    return true;
}

}  // namespace

std::optional<WavAudio> read_wav_48k_mono(const std::string& path, std::string* error) {
    std::vector<unsigned char> file;
    if (!read_file(path, &file, error)) return std::nullopt;
    std::string why;
    auto audio = decode_wav_48k_mono(file, &why);
    if (!audio) fail(error, path, why);
    return audio;
}

std::optional<WavAudio> decode_wav_48k_mono(std::span<const unsigned char> file, std::string* error) {
    auto failed = [&](std::string why) -> std::optional<WavAudio> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    const unsigned char* b = file.data();
    const std::size_t size = file.size();
    if (size < 12 || std::memcmp(b, "RIFF", 4) != 0 || std::memcmp(b + 8, "WAVE", 4) != 0)
        return failed("not a WAV file (no RIFF/WAVE header)");

    std::optional<Format> format;
    const unsigned char* data = nullptr;
    std::size_t data_bytes = 0;
    std::string why;
    for (std::size_t at = 12; at + 8 <= size;) {
        const unsigned char* chunk = b + at;
        const std::uint32_t declared = le32(chunk + 4);
        const std::size_t left = size - at - 8;
        if (std::memcmp(chunk, "data", 4) == 0) {
            if (declared != kSizeUnknown && declared > left)
                return failed("truncated: the data chunk declares " + std::to_string(declared) + " bytes but only " +
                              std::to_string(left) + " are present");
            data = chunk + 8;
            data_bytes = declared == kSizeUnknown ? left : declared;
        } else if (declared > left) {
            return failed("truncated inside a chunk");
        } else if (std::memcmp(chunk, "fmt ", 4) == 0) {
            Format f;
            if (!parse_format(chunk + 8, declared, &f, &why)) return failed(why);
            format = f;
        }
        if (data && format) break;
        at += 8 + std::size_t{declared} + (declared & 1);
    }
    if (!format) return failed("not a WAV file (no fmt chunk)");
    if (!data) return failed("truncated: no data chunk");

    std::vector<int16_t> mono = mix_to_mono(data, data_bytes / format->block_align, *format);
    WavAudio audio;
    audio.samples = Resampler(format->rate, kRate).process_all(mono);
    return audio;
}

WavWriter::~WavWriter() { close(); }

bool WavWriter::open(const std::string& path, std::string* error, int sample_rate) {
    close();
    failed_ = false;
    samples_ = 0;
    rate_ = sample_rate;
    path_ = path;
    file_.open(path, std::ios::binary | std::ios::trunc);
    if (!file_) return fail(error, path, std::string("cannot write: ") + std::strerror(errno));
    write_header();
    if (!file_) {
        file_.close();
        return fail(error, path, "cannot write the header");
    }
    return true;
}

void WavWriter::write(const int16_t* samples, std::size_t n) {
    if (!file_.is_open() || n == 0) return;
    if constexpr (std::endian::native == std::endian::little) {
        file_.write(reinterpret_cast<const char*>(samples), static_cast<std::streamsize>(n * sizeof(int16_t)));
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            const auto v = static_cast<std::uint16_t>(samples[i]);
            const char bytes[2] = {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)};
            file_.write(bytes, 2);
        }
    }
    samples_ += n;
    if (!file_) failed_ = true;
}

void WavWriter::flush() {
    if (!file_.is_open()) return;
    const auto end = file_.tellp();
    file_.seekp(0);
    write_header();
    file_.seekp(end);
    file_.flush();
    if (!file_) failed_ = true;
}

void WavWriter::close() {
    if (!file_.is_open()) return;
    flush();
    file_.close();
}

void WavWriter::write_header() {
    const auto data_bytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(samples_ * 2, 0xFFFFFFFFu - 36));
    const auto rate = static_cast<std::uint32_t>(rate_);
    unsigned char h[44];
    auto put16 = [&](int at, std::uint32_t v) {
        h[at] = v & 0xFF;
        h[at + 1] = (v >> 8) & 0xFF;
    };
    auto put32 = [&](int at, std::uint32_t v) {
        put16(at, v & 0xFFFF);
        put16(at + 2, v >> 16);
    };
    std::memcpy(h, "RIFF", 4);
    put32(4, 36 + data_bytes);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    put32(16, 16);
    put16(20, kFormatPcm);
    put16(22, 1);  // channels
    put32(24, rate);
    put32(28, rate * 2);  // byte rate
    put16(32, 2);         // block align
    put16(34, 16);        // bits
    std::memcpy(h + 36, "data", 4);
    put32(40, data_bytes);
    file_.write(reinterpret_cast<const char*>(h), sizeof h);
}

bool write_wav(const std::string& path, const std::vector<int16_t>& samples, int sample_rate, std::string* error) {
    WavWriter writer;
    if (!writer.open(path, error, sample_rate)) return false;
    writer.write(samples.data(), samples.size());
    writer.close();
    if (writer.failed()) return fail(error, path, "write failed");
    return true;
}

}  // namespace sala::client
