// libFuzzer target: an RTP packet (RFC 3550) as the media session parses what it drained, after
// SRTP. Besides what the sanitizers catch, it checks that the payload views the packet between the
// header (with CSRCs and extension) and the padding, and that writing the parsed header and payload
// back gives a packet that parses to the same fields and payload.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "check.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "seeds.hpp"

namespace {
using namespace sala::client;

using sala::fuzz::check;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sala::fuzz::write_seeds_if_asked([](const sala::fuzz::WriteSeed& write) {
        std::array<std::uint8_t, 256> buffer{};
        const std::uint8_t opus[] = {0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x80, 0x41, 0x97};
        RtpHeader header;
        header.sequence = 4711;
        header.timestamp = 960 * 25;
        header.ssrc = 0x5a1a0001;
        std::size_t n = write_rtp(header, opus, buffer);
        write("opus", std::span(buffer.data(), n));
        header.marker = true;
        header.sequence = 0xffff;
        n = write_rtp(header, {}, buffer);
        write("marker_empty", std::span(buffer.data(), n));
        // The shapes write_rtp never makes but a peer may send: two CSRCs, a one-word header
        // extension and 3 bytes of padding, made from the plain packet.
        header.marker = false;
        n = write_rtp(header, opus, buffer);
        std::vector<std::uint8_t> full(buffer.begin(), buffer.begin() + 12);
        full[0] = 0x80 | 0x20 | 0x10 | 2;
        for (std::uint8_t b : {0, 0, 0, 1, 0, 0, 0, 2}) full.push_back(b);              // CSRCs
        for (std::uint8_t b : {0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0}) full.push_back(b);  // extension
        full.insert(full.end(), opus, opus + sizeof opus);
        for (std::uint8_t b : {0, 0, 3}) full.push_back(b);  // padding
        write("csrc_extension_padding", full);
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> packet(data, size);
    auto parsed = parse_rtp(packet);
    if (!parsed) return 0;
    const auto& payload = parsed->payload;
    check(size >= kRtpHeaderSize && (data[0] >> 6) == 2);
    check(payload.data() >= data + kRtpHeaderSize + 4 * (data[0] & 0x0f));
    check(payload.data() + payload.size() <= data + size);
    if (!(data[0] & 0x20)) check(payload.data() + payload.size() == data + size);

    static std::array<std::uint8_t, 0x10000> out;
    std::size_t written = write_rtp(parsed->header, payload, out);
    check(written == kRtpHeaderSize + payload.size());
    auto again = parse_rtp(std::span<const std::uint8_t>(out.data(), written));
    check(again.has_value());
    check(again->header.marker == parsed->header.marker && again->header.payload_type == parsed->header.payload_type &&
          again->header.sequence == parsed->header.sequence && again->header.timestamp == parsed->header.timestamp &&
          again->header.ssrc == parsed->header.ssrc);
    check(std::equal(payload.begin(), payload.end(), again->payload.begin(), again->payload.end()));
    // Too small a buffer: nothing written.
    check(write_rtp(parsed->header, payload, std::span(out.data(), written - 1)) == 0);

    SequenceUnwrapper sequences;
    check(sequences.unwrap(parsed->header.sequence) == parsed->header.sequence);
    check(sequences.unwrap(static_cast<std::uint16_t>(parsed->header.sequence + 1)) == parsed->header.sequence + 1);
    return 0;
}
