#pragma once
// RTCP (RFC 3550) sender and receiver reports with an SDES CNAME, compound parsing, RFC 5761
// demultiplexing from RTP on one port, NTP time and round-trip time.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace sala::client {

inline constexpr std::uint8_t kRtcpSenderReport = 200;
inline constexpr std::uint8_t kRtcpReceiverReport = 201;
inline constexpr std::uint8_t kRtcpSourceDescription = 202;
inline constexpr std::uint8_t kRtcpBye = 203;

// One reception report block: what the reporter received from the source `ssrc`.
struct ReportBlock {
    std::uint32_t ssrc = 0;
    std::uint8_t fraction_lost = 0;    // lost since the previous report, in 1/256
    std::int32_t cumulative_lost = 0;  // 24-bit signed on the wire (clamped when written)
    std::uint32_t highest_seq = 0;     // extended highest sequence number received
    std::uint32_t jitter = 0;          // interarrival jitter, in RTP timestamp units
    std::uint32_t lsr = 0;             // middle 32 bits of the last SR's NTP time, 0 if none
    std::uint32_t dlsr = 0;            // delay since that SR, in 1/65536 s

    bool operator==(const ReportBlock&) const = default;
};

// The sender information of an SR: when it was sent and how much the sender has sent.
struct SenderInfo {
    std::uint64_t ntp = 0;  // 64-bit NTP timestamp: seconds since 1900 << 32 | fraction
    std::uint32_t rtp_timestamp = 0;
    std::uint32_t packet_count = 0;
    std::uint32_t octet_count = 0;

    bool operator==(const SenderInfo&) const = default;
};

// What a compound RTCP packet reported: its sender, the SR info if any, the report blocks.
struct RtcpReport {
    std::uint32_t sender_ssrc = 0;
    std::optional<SenderInfo> sender;
    std::vector<ReportBlock> blocks;
};

// Writes a compound packet SR [+ block] + SDES CNAME; returns bytes written, 0 if it does not
// fit. An empty cname writes "sala-<ssrc in hex>"; a cname is cut at 255 bytes.
std::size_t write_sender_report(std::uint32_t ssrc, const SenderInfo& info, const std::optional<ReportBlock>& block,
                                std::span<std::uint8_t> out, std::string_view cname = {});

// Writes a compound packet RR [+ block] + SDES CNAME; same conventions as write_sender_report.
std::size_t write_receiver_report(std::uint32_t ssrc, const std::optional<ReportBlock>& block,
                                  std::span<std::uint8_t> out, std::string_view cname = {});

// Walks a compound RTCP packet, validating every length; reports the first SR or RR (and the
// blocks of further reports by the same sender), skipping SDES, BYE and unknown types.
std::optional<RtcpReport> parse_rtcp(std::span<const std::uint8_t> packet);

// RFC 5761 section 4: an RTCP packet on a port shared with RTP has a second byte in 192..223.
bool looks_like_rtcp(std::span<const std::uint8_t> packet);

// The current wall-clock time as a 64-bit NTP timestamp.
std::uint64_t ntp_now();

// The middle 32 bits of an NTP timestamp (16.16 fixed point seconds), as LSR uses.
constexpr std::uint32_t ntp_middle32(std::uint64_t ntp) { return static_cast<std::uint32_t>(ntp >> 16); }

// Round-trip time in ms from a report block received at now_middle32 (RFC 3550 6.4.1):
// now - lsr - dlsr; -1 when lsr is 0 (no SR seen yet), 0 when clock granularity makes it negative.
double rtt_ms(std::uint32_t now_middle32, std::uint32_t lsr, std::uint32_t dlsr);

}  // namespace sala::client
