#pragma once
// Opus voice encoder and decoder (48 kHz mono), with packet-loss concealment and in-band FEC.

#include <cstddef>
#include <cstdint>
#include <span>

struct OpusEncoder;
struct OpusDecoder;

namespace sala::client {

inline constexpr int kVoiceSampleRate = 48000;
inline constexpr int kMaxVoicePacketSamples = 5760;        // 120 ms, the longest Opus packet
inline constexpr std::size_t kMaxVoicePacketBytes = 1275;  // largest single Opus frame

// Encodes 10 or 20 ms frames of 48 kHz mono speech (application VOIP, in-band FEC, no DTX).
// Below kFullbandFromBps at most wideband (SILK, 8 kHz of audio): at 20 kb/s Opus would
// otherwise choose its hybrid fullband mode, a fifth more CPU for little a voice call gains.
class VoiceEncoder {
public:
    static constexpr int kDefaultComplexity = 5;
    static constexpr int kFullbandFromBps = 24000;

    // frame_ms: 10, 20, 40 or 60; complexity 0..10. Throws std::invalid_argument or std::runtime_error.
    explicit VoiceEncoder(int frame_ms = 20, int bitrate_bps = 24000, int complexity = kDefaultComplexity);
    ~VoiceEncoder();
    VoiceEncoder(VoiceEncoder&& other) noexcept;
    VoiceEncoder& operator=(VoiceEncoder&& other) noexcept;
    VoiceEncoder(const VoiceEncoder&) = delete;
    VoiceEncoder& operator=(const VoiceEncoder&) = delete;

    int frame_samples() const { return frame_samples_; }
    // Encodes frame_samples() samples; returns the packet size, or 0 on failure.
    std::size_t encode(const std::int16_t* pcm, std::span<std::uint8_t> out);
    void set_bitrate(int bitrate_bps);
    // The loss rate the in-band FEC is sized for (0..100). Opus adds the redundancy only when
    // the loss is high enough to be worth it at this bitrate (at 20 kb/s: about 8 % and up,
    // then narrowing the audio to 6 kHz to make room); without loss the bits go to quality.
    void set_expected_loss(int percent);
    void set_complexity(int complexity);  // 0..10

private:
    OpusEncoder* encoder_ = nullptr;
    int frame_samples_ = 0;
};

// Decodes Opus packets to 48 kHz mono; conceals lost frames or recovers them from FEC.
class VoiceDecoder {
public:
    VoiceDecoder();  // throws std::runtime_error
    ~VoiceDecoder();
    VoiceDecoder(VoiceDecoder&& other) noexcept;
    VoiceDecoder& operator=(VoiceDecoder&& other) noexcept;
    VoiceDecoder(const VoiceDecoder&) = delete;
    VoiceDecoder& operator=(const VoiceDecoder&) = delete;

    // Decodes one packet into at most max_samples samples; returns the samples, 0 if invalid.
    int decode(std::span<const std::uint8_t> packet, std::int16_t* out, int max_samples);
    // Packet-loss concealment for a lost frame of `samples` (a multiple of 2.5 ms).
    int conceal(std::int16_t* out, int samples);
    // Recovers the lost frame before next_packet from its in-band FEC (PLC when it has none).
    int decode_fec(std::span<const std::uint8_t> next_packet, std::int16_t* out, int samples);
    // Forgets the decoder history, as at the start of a new stream.
    void reset();

    // Samples at 48 kHz in an Opus packet, or 0 if the packet is invalid.
    static int packet_samples(std::span<const std::uint8_t> packet);

private:
    OpusDecoder* decoder_ = nullptr;
};

}  // namespace sala::client
