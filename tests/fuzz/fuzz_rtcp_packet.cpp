// libFuzzer target: a compound RTCP packet (RFC 3550) as the media session parses what it drained,
// after SRTCP. Besides what the sanitizers catch, it checks the report against the packet (never
// more blocks than the bytes hold) and that a report written from what was parsed (its sender
// info and first block, the way the session writes its own) parses back to the same fields.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "check.hpp"
#include "media/rtp/rtcp_packet.hpp"
#include "seeds.hpp"

namespace {
using namespace sala::client;

using sala::fuzz::check;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sala::fuzz::write_seeds_if_asked([](const sala::fuzz::WriteSeed& write) {
        std::array<std::uint8_t, 512> buffer{};
        SenderInfo info{0xe8a1b2c3'40000000ULL, 96000, 250, 40000};
        ReportBlock block{0x5a1a0002, 12, -3, 70123, 480, 0xb2c34000, 6554};
        std::size_t n = write_sender_report(0x5a1a0001, info, block, buffer);
        write("sr_block", std::span(buffer.data(), n));
        n = write_sender_report(0x5a1a0001, info, std::nullopt, buffer, "alice@sala");
        write("sr_cname", std::span(buffer.data(), n));
        n = write_receiver_report(0x5a1a0002, block, buffer);
        write("rr_block", std::span(buffer.data(), n));
        // A compound of two reports by the same sender: the second one's block is read too.
        std::size_t first = write_receiver_report(0x5a1a0002, block, buffer);
        block.ssrc = 0x5a1a0003;
        std::size_t second = write_receiver_report(0x5a1a0002, block, std::span(buffer).subspan(first));
        write("rr_rr", std::span(buffer.data(), first + second));
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> packet(data, size);
    auto parsed = parse_rtcp(packet);
    if (!parsed) return 0;
    check(size >= 8 && size % 4 == 0);
    check(parsed->blocks.size() * 24 <= size);

    std::optional<ReportBlock> block;
    if (!parsed->blocks.empty()) {
        block = parsed->blocks.front();
        // 24 bits on the wire: a value outside is clamped when written.
        check(block->cumulative_lost >= -0x800000 && block->cumulative_lost <= 0x7fffff);
    }
    static std::array<std::uint8_t, 1500> out;
    std::size_t written = parsed->sender ? write_sender_report(parsed->sender_ssrc, *parsed->sender, block, out)
                                         : write_receiver_report(parsed->sender_ssrc, block, out);
    check(written > 0 && written % 4 == 0);
    auto again = parse_rtcp(std::span<const std::uint8_t>(out.data(), written));
    check(again.has_value() && looks_like_rtcp(std::span<const std::uint8_t>(out.data(), written)));
    check(again->sender_ssrc == parsed->sender_ssrc && again->sender == parsed->sender);
    check(again->blocks.size() == (block ? 1u : 0u));
    if (block) check(again->blocks.front() == *block);
    return 0;
}
