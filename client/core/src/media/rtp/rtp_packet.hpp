#pragma once
// RTP (RFC 3550) packets: writing, validated parsing, and sequence-number arithmetic.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sala::client {

inline constexpr std::uint8_t kOpusPayloadType = 111;  // dynamic payload type for Opus (RFC 7587)
inline constexpr int kOpusClockRate = 48000;           // RTP clock of Opus, whatever the audio rate
inline constexpr std::size_t kRtpHeaderSize = 12;      // fixed header, no CSRC or extension

// The fields of an RTP fixed header that Sala uses (version 2, no CSRC list when written).
struct RtpHeader {
    bool marker = false;
    std::uint8_t payload_type = kOpusPayloadType;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
};

// Writes header + payload into out; returns the bytes written, or 0 if it does not fit.
std::size_t write_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out);

// A parsed RTP packet: the header and the payload without CSRCs, extension or padding.
struct RtpView {
    RtpHeader header;
    std::span<const std::uint8_t> payload;  // points into the parsed packet
};

// Parses an RTP packet; nullopt when it is not version 2, truncated or inconsistent.
std::optional<RtpView> parse_rtp(std::span<const std::uint8_t> packet);

// True when a is newer than b in 16-bit serial arithmetic (RFC 1982); never when equal or
// exactly half the space apart.
constexpr bool seq_newer(std::uint16_t a, std::uint16_t b) {
    const auto forward = static_cast<std::uint16_t>(a - b);
    return forward != 0 && forward < 0x8000;
}

// Extends 16-bit sequence numbers to 64 bits across wraps, relative to the last value seen.
class SequenceUnwrapper {
public:
    std::int64_t unwrap(std::uint16_t seq);

private:
    std::optional<std::int64_t> last_;
};

// Extends 32-bit RTP timestamps to 64 bits across wraps, relative to the last value seen.
class TimestampUnwrapper {
public:
    std::int64_t unwrap(std::uint32_t timestamp);

private:
    std::optional<std::int64_t> last_;
};

}  // namespace sala::client
