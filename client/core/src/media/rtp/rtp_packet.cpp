#include "media/rtp/rtp_packet.hpp"

#include "media/rtp/byte_order.hpp"

namespace sala::client {

std::size_t write_rtp(const RtpHeader& header, std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) {
    const std::size_t size = kRtpHeaderSize + payload.size();
    if (out.size() < size) return 0;
    out[0] = 0x80;  // version 2, no padding, no extension, no CSRC
    out[1] = static_cast<std::uint8_t>((header.marker ? 0x80 : 0x00) | (header.payload_type & 0x7f));
    put_be16(out.data() + 2, header.sequence);
    put_be32(out.data() + 4, header.timestamp);
    put_be32(out.data() + 8, header.ssrc);
    for (std::size_t i = 0; i < payload.size(); ++i) out[kRtpHeaderSize + i] = payload[i];
    return size;
}

std::optional<RtpView> parse_rtp(std::span<const std::uint8_t> packet) {
    if (packet.size() < kRtpHeaderSize) return std::nullopt;
    const std::uint8_t first = packet[0];
    if ((first >> 6) != 2) return std::nullopt;
    const bool padding = (first & 0x20) != 0;
    const bool extension = (first & 0x10) != 0;
    const std::size_t csrc_count = first & 0x0f;

    std::size_t offset = kRtpHeaderSize + 4 * csrc_count;
    if (offset > packet.size()) return std::nullopt;
    if (extension) {
        if (packet.size() - offset < 4) return std::nullopt;
        const std::size_t words = get_be16(packet.data() + offset + 2);
        offset += 4;
        if ((packet.size() - offset) / 4 < words) return std::nullopt;
        offset += 4 * words;
    }
    std::size_t end = packet.size();
    if (padding) {
        const std::size_t pad = packet.back();
        if (pad == 0 || pad > end - offset) return std::nullopt;
        end -= pad;
    }

    RtpView view;
    view.header.marker = (packet[1] & 0x80) != 0;
    view.header.payload_type = packet[1] & 0x7f;
    view.header.sequence = get_be16(packet.data() + 2);
    view.header.timestamp = get_be32(packet.data() + 4);
    view.header.ssrc = get_be32(packet.data() + 8);
    view.payload = packet.subspan(offset, end - offset);
    return view;
}

std::int64_t SequenceUnwrapper::unwrap(std::uint16_t seq) {
    if (!last_) {
        last_ = seq;
    } else {
        const auto delta =
            static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - static_cast<std::uint16_t>(*last_)));
        *last_ += delta;
    }
    return *last_;
}

std::int64_t TimestampUnwrapper::unwrap(std::uint32_t timestamp) {
    if (!last_) {
        last_ = timestamp;
    } else {
        const auto delta = static_cast<std::int32_t>(timestamp - static_cast<std::uint32_t>(*last_));
        *last_ += delta;
    }
    return *last_;
}

}  // namespace sala::client
