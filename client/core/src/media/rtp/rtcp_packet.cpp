#include "media/rtp/rtcp_packet.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "media/rtp/byte_order.hpp"

namespace sala::client {
namespace {

constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kBlockSize = 24;
constexpr std::size_t kSenderInfoSize = 20;
constexpr std::uint8_t kCnameItem = 1;
constexpr std::uint64_t kNtpUnixOffsetSeconds = 2'208'988'800ULL;  // 1900-01-01 to 1970-01-01

void put_header(std::uint8_t* p, std::uint8_t count, std::uint8_t type, std::size_t bytes) {
    p[0] = static_cast<std::uint8_t>(0x80 | count);
    p[1] = type;
    put_be16(p + 2, static_cast<std::uint16_t>(bytes / 4 - 1));
}

void put_block(std::uint8_t* p, const ReportBlock& b) {
    const std::int32_t lost = std::clamp(b.cumulative_lost, -0x800000, 0x7fffff);
    put_be32(p, b.ssrc);
    put_be32(p + 4, (std::uint32_t{b.fraction_lost} << 24) | (static_cast<std::uint32_t>(lost) & 0xffffff));
    put_be32(p + 8, b.highest_seq);
    put_be32(p + 12, b.jitter);
    put_be32(p + 16, b.lsr);
    put_be32(p + 20, b.dlsr);
}

ReportBlock get_block(const std::uint8_t* p) {
    ReportBlock b;
    b.ssrc = get_be32(p);
    const std::uint32_t word = get_be32(p + 4);
    b.fraction_lost = static_cast<std::uint8_t>(word >> 24);
    std::uint32_t lost = word & 0xffffff;
    if (lost & 0x800000) lost |= 0xff000000;  // sign-extend 24 bits
    b.cumulative_lost = static_cast<std::int32_t>(lost);
    b.highest_seq = get_be32(p + 8);
    b.jitter = get_be32(p + 12);
    b.lsr = get_be32(p + 16);
    b.dlsr = get_be32(p + 20);
    return b;
}

// SDES with one chunk: SSRC, a CNAME item, then a null item padding to a 32-bit boundary.
std::size_t put_sdes(std::uint32_t ssrc, std::string_view cname, std::span<std::uint8_t> out) {
    char fallback[16];
    if (cname.empty()) {
        std::snprintf(fallback, sizeof fallback, "sala-%08x", static_cast<unsigned>(ssrc));
        cname = fallback;
    }
    cname = cname.substr(0, 255);
    const std::size_t items = 2 + cname.size() + 1;  // type, length, text, at least one null
    const std::size_t size = kHeaderSize + 4 + (items + 3) / 4 * 4;
    if (out.size() < size) return 0;
    std::uint8_t* p = out.data();
    put_header(p, 1, kRtcpSourceDescription, size);
    put_be32(p + 4, ssrc);
    p[8] = kCnameItem;
    p[9] = static_cast<std::uint8_t>(cname.size());
    std::copy(cname.begin(), cname.end(), p + 10);
    std::fill(p + 10 + cname.size(), p + size, std::uint8_t{0});
    return size;
}

std::size_t write_report(std::uint32_t ssrc, const SenderInfo* info, const std::optional<ReportBlock>& block,
                         std::span<std::uint8_t> out, std::string_view cname) {
    const std::size_t size = kHeaderSize + 4 + (info ? kSenderInfoSize : 0) + (block ? kBlockSize : 0);
    if (out.size() < size) return 0;
    std::uint8_t* p = out.data();
    put_header(p, block ? 1 : 0, info ? kRtcpSenderReport : kRtcpReceiverReport, size);
    put_be32(p + 4, ssrc);
    std::size_t offset = 8;
    if (info) {
        put_be32(p + offset, static_cast<std::uint32_t>(info->ntp >> 32));
        put_be32(p + offset + 4, static_cast<std::uint32_t>(info->ntp));
        put_be32(p + offset + 8, info->rtp_timestamp);
        put_be32(p + offset + 12, info->packet_count);
        put_be32(p + offset + 16, info->octet_count);
        offset += kSenderInfoSize;
    }
    if (block) put_block(p + offset, *block);
    const std::size_t sdes = put_sdes(ssrc, cname, out.subspan(size));
    return sdes == 0 ? 0 : size + sdes;
}

}  // namespace

std::size_t write_sender_report(std::uint32_t ssrc, const SenderInfo& info, const std::optional<ReportBlock>& block,
                                std::span<std::uint8_t> out, std::string_view cname) {
    return write_report(ssrc, &info, block, out, cname);
}

std::size_t write_receiver_report(std::uint32_t ssrc, const std::optional<ReportBlock>& block,
                                  std::span<std::uint8_t> out, std::string_view cname) {
    return write_report(ssrc, nullptr, block, out, cname);
}

std::optional<RtcpReport> parse_rtcp(std::span<const std::uint8_t> packet) {
    std::optional<RtcpReport> report;
    std::size_t offset = 0;
    if (packet.empty()) return std::nullopt;
    while (offset < packet.size()) {
        if (packet.size() - offset < kHeaderSize) return std::nullopt;
        const std::uint8_t* p = packet.data() + offset;
        if ((p[0] >> 6) != 2) return std::nullopt;
        const bool padding = (p[0] & 0x20) != 0;
        const std::size_t count = p[0] & 0x1f;
        const std::uint8_t type = p[1];
        const std::size_t size = (std::size_t{get_be16(p + 2)} + 1) * 4;
        if (size > packet.size() - offset) return std::nullopt;
        std::size_t body = size;
        if (padding) {
            // Only the last packet of a compound may be padded (RFC 3550 A.2).
            if (offset + size != packet.size()) return std::nullopt;
            const std::size_t pad = p[size - 1];
            if (pad == 0 || pad > size - kHeaderSize) return std::nullopt;
            body -= pad;
        }
        if (type == kRtcpSenderReport || type == kRtcpReceiverReport) {
            const bool sr = type == kRtcpSenderReport;
            const std::size_t fixed = kHeaderSize + 4 + (sr ? kSenderInfoSize : 0);
            if (body < fixed || (body - fixed) / kBlockSize < count) return std::nullopt;
            const std::uint32_t ssrc = get_be32(p + 4);
            if (!report) {
                report.emplace();
                report->sender_ssrc = ssrc;
                if (sr) {
                    SenderInfo info;
                    info.ntp = (std::uint64_t{get_be32(p + 8)} << 32) | get_be32(p + 12);
                    info.rtp_timestamp = get_be32(p + 16);
                    info.packet_count = get_be32(p + 20);
                    info.octet_count = get_be32(p + 24);
                    report->sender = info;
                }
            }
            if (ssrc == report->sender_ssrc) {
                for (std::size_t i = 0; i < count; ++i) report->blocks.push_back(get_block(p + fixed + i * kBlockSize));
            }
        }
        offset += size;
    }
    return report;
}

bool looks_like_rtcp(std::span<const std::uint8_t> packet) {
    return packet.size() >= kHeaderSize && (packet[0] >> 6) == 2 && packet[1] >= 192 && packet[1] <= 223;
}

std::uint64_t ntp_now() {
    using namespace std::chrono;
    const auto since_epoch = duration_cast<nanoseconds>(system_clock::now().time_since_epoch());
    const auto ns = static_cast<std::uint64_t>(since_epoch.count());
    const std::uint64_t seconds = ns / 1'000'000'000ULL + kNtpUnixOffsetSeconds;
    const std::uint64_t fraction = ((ns % 1'000'000'000ULL) << 32) / 1'000'000'000ULL;
    return (seconds << 32) | fraction;
}

double rtt_ms(std::uint32_t now_middle32, std::uint32_t lsr, std::uint32_t dlsr) {
    if (lsr == 0) return -1.0;
    const auto rtt = static_cast<std::int32_t>(now_middle32 - lsr - dlsr);
    if (rtt < 0) return 0.0;
    return rtt * 1000.0 / 65536.0;
}

}  // namespace sala::client
