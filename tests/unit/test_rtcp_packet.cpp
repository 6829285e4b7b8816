#include "media/rtp/rtcp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <random>
#include <vector>

#include "media/rtp/rtp_packet.hpp"

namespace {
using namespace sala::client;

ReportBlock sample_block() { return ReportBlock{0xcafebabe, 25, -3, 0x0001fff0, 480, 0x12345678, 0x00018000}; }

SenderInfo sample_info() { return SenderInfo{0xe8f1a2b3c4d5e6f7ULL, 960000, 500, 40000}; }

std::size_t words_to_bytes(const std::uint8_t* header) { return (std::size_t{header[2]} << 8 | header[3]) * 4 + 4; }

TEST(RtcpPacket, SenderReportRoundTripsWithCname) {
    std::array<std::uint8_t, 256> out{};
    const std::size_t size = write_sender_report(0x11223344, sample_info(), sample_block(), out, "alice@sala");
    ASSERT_GT(size, 0u);
    EXPECT_EQ(size % 4, 0u);
    // SR with one block (52 bytes), then SDES: header, SSRC, CNAME type+length+10 bytes, null.
    EXPECT_EQ(out[0], 0x81);
    EXPECT_EQ(out[1], kRtcpSenderReport);
    EXPECT_EQ(words_to_bytes(out.data()), 52u);
    EXPECT_EQ(out[52], 0x81);
    EXPECT_EQ(out[53], kRtcpSourceDescription);
    EXPECT_EQ(out[60], 1);   // CNAME
    EXPECT_EQ(out[61], 10);  // its length
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&out[62]), 10), "alice@sala");
    EXPECT_EQ(size, 52 + words_to_bytes(&out[52]));
    EXPECT_EQ(out[size - 1], 0);

    auto report = parse_rtcp(std::span(out.data(), size));
    ASSERT_TRUE(report);
    EXPECT_EQ(report->sender_ssrc, 0x11223344u);
    ASSERT_TRUE(report->sender);
    EXPECT_EQ(*report->sender, sample_info());
    ASSERT_EQ(report->blocks.size(), 1u);
    EXPECT_EQ(report->blocks[0], sample_block());
    EXPECT_TRUE(looks_like_rtcp(std::span(out.data(), size)));
}

TEST(RtcpPacket, ReceiverReportRoundTripsWithAndWithoutBlock) {
    std::array<std::uint8_t, 128> out{};
    std::size_t size = write_receiver_report(7, sample_block(), out);
    ASSERT_GT(size, 0u);
    EXPECT_EQ(out[1], kRtcpReceiverReport);
    EXPECT_EQ(words_to_bytes(out.data()), 32u);
    auto report = parse_rtcp(std::span(out.data(), size));
    ASSERT_TRUE(report);
    EXPECT_EQ(report->sender_ssrc, 7u);
    EXPECT_FALSE(report->sender);
    ASSERT_EQ(report->blocks.size(), 1u);
    EXPECT_EQ(report->blocks[0], sample_block());

    size = write_receiver_report(8, std::nullopt, out);
    ASSERT_GT(size, 0u);
    EXPECT_EQ(out[0], 0x80);
    EXPECT_EQ(words_to_bytes(out.data()), 8u);
    report = parse_rtcp(std::span(out.data(), size));
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->blocks.empty());
    // The default CNAME names the SSRC.
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(&out[18]), out[17]), "sala-00000008");
}

TEST(RtcpPacket, ClampsCumulativeLossTo24BitsSigned) {
    std::array<std::uint8_t, 128> out{};
    ReportBlock block = sample_block();
    for (auto [given, expected] :
         {std::pair{-10'000'000, -0x800000}, {10'000'000, 0x7fffff}, {-1, -1}, {0x7fffff, 0x7fffff}, {0, 0}}) {
        block.cumulative_lost = given;
        const std::size_t size = write_receiver_report(1, block, out);
        EXPECT_EQ(parse_rtcp(std::span(out.data(), size))->blocks.at(0).cumulative_lost, expected);
    }
}

TEST(RtcpPacket, WriteRefusesWhatDoesNotFit) {
    std::array<std::uint8_t, 256> out{};
    const std::size_t full = write_sender_report(1, sample_info(), sample_block(), out);
    ASSERT_GT(full, 0u);
    for (std::size_t n = 0; n < full; ++n)
        EXPECT_EQ(write_sender_report(1, sample_info(), sample_block(), std::span(out.data(), n)), 0u);
}

TEST(RtcpPacket, ParsesCompoundPacketsAndSkipsUnknownTypes) {
    std::array<std::uint8_t, 256> out{};
    std::size_t size = write_receiver_report(0x42, sample_block(), out);
    // Append a BYE and an unknown APP-like type 210 with two words of body.
    const std::uint8_t bye[] = {0x81, kRtcpBye, 0, 1, 0, 0, 0, 0x42};
    const std::uint8_t other[] = {0x80, 210, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
    std::copy(std::begin(bye), std::end(bye), out.begin() + static_cast<std::ptrdiff_t>(size));
    size += sizeof bye;
    std::copy(std::begin(other), std::end(other), out.begin() + static_cast<std::ptrdiff_t>(size));
    size += sizeof other;
    auto report = parse_rtcp(std::span(out.data(), size));
    ASSERT_TRUE(report);
    EXPECT_EQ(report->sender_ssrc, 0x42u);
    EXPECT_EQ(report->blocks.size(), 1u);

    // SDES first, then an RR: the report is still found.
    std::array<std::uint8_t, 256> sdes_first{};
    const std::size_t rr = write_receiver_report(5, std::nullopt, out);
    const std::size_t sdes = rr - 8;
    std::copy(out.begin() + 8, out.begin() + static_cast<std::ptrdiff_t>(rr), sdes_first.begin());
    std::copy(out.begin(), out.begin() + 8, sdes_first.begin() + static_cast<std::ptrdiff_t>(sdes));
    EXPECT_TRUE(parse_rtcp(std::span(sdes_first.data(), rr)));

    // Only SDES: nothing to report.
    EXPECT_FALSE(parse_rtcp(std::span(out.data() + 8, sdes)));
}

TEST(RtcpPacket, ParsesPaddingOnTheLastPacketOnly) {
    // RR without blocks, padded by one word.
    const std::uint8_t padded[] = {0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4};
    auto report = parse_rtcp(padded);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->sender_ssrc, 9u);
    const std::uint8_t bad_count[] = {0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 0};
    EXPECT_FALSE(parse_rtcp(bad_count));
    const std::uint8_t too_much[] = {0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 9};
    EXPECT_FALSE(parse_rtcp(too_much));
    const std::uint8_t padded_then_more[] = {0xa0, 201, 0, 2, 0, 0, 0, 9, 0, 0, 0, 4, 0x80, 201, 0, 1, 0, 0, 0, 9};
    EXPECT_FALSE(parse_rtcp(padded_then_more));
}

TEST(RtcpPacket, RejectsTruncatedAndInconsistentPackets) {
    std::array<std::uint8_t, 256> out{};
    const std::size_t size = write_sender_report(1, sample_info(), sample_block(), out);
    for (std::size_t n = 0; n < size; ++n) {
        std::vector<std::uint8_t> cut(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
        auto report = parse_rtcp(cut);
        // Only a cut exactly after the SR is a valid (non-compound) packet.
        EXPECT_EQ(report.has_value(), n == 52) << n;
    }
    const std::uint8_t wrong_version[] = {0x40, 201, 0, 1, 0, 0, 0, 9};
    EXPECT_FALSE(parse_rtcp(wrong_version));
    const std::uint8_t too_many_blocks[] = {0x82, 201, 0,  7,  0,  0,  0,  9,  1,  2,  3,  4,  5,  6,  7,  8,
                                            9,    10,  11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
    EXPECT_FALSE(parse_rtcp(too_many_blocks));
    const std::uint8_t sr_too_short[] = {0x80, 200, 0, 1, 0, 0, 0, 9};
    EXPECT_FALSE(parse_rtcp(sr_too_short));
}

TEST(RtcpPacket, RandomBytesNeverCrash) {
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 120);
    for (int i = 0; i < 200'000; ++i) {
        std::vector<std::uint8_t> packet(static_cast<std::size_t>(length(rng)));
        for (auto& b : packet) b = static_cast<std::uint8_t>(byte(rng));
        if (packet.size() >= 4 && i % 2 == 0) {  // plausible headers reach the deeper checks
            packet[0] = static_cast<std::uint8_t>(0x80 | (packet[0] & 0x21));
            packet[1] = static_cast<std::uint8_t>(200 + i % 5);
            packet[2] = 0;
            packet[3] = static_cast<std::uint8_t>(packet.size() / 4 - 1 + (i % 3 == 0));
        }
        auto report = parse_rtcp(packet);
        if (report) {
            EXPECT_LE(report->blocks.size(), packet.size() / 24);
        }
    }
}

TEST(RtcpDemux, TellsRtcpFromRtpPerRfc5761) {
    std::array<std::uint8_t, 128> out{};
    const std::size_t rr = write_receiver_report(1, std::nullopt, out);
    EXPECT_TRUE(looks_like_rtcp(std::span(out.data(), rr)));
    std::array<std::uint8_t, 64> rtp{};
    for (bool marker : {false, true}) {
        const std::size_t n = write_rtp(RtpHeader{marker, kOpusPayloadType, 1, 2, 3}, {}, rtp);
        EXPECT_FALSE(looks_like_rtcp(std::span(rtp.data(), n)));
    }
    const std::uint8_t edge_low[] = {0x80, 191, 0, 0}, low[] = {0x80, 192, 0, 0}, high[] = {0x80, 223, 0, 0},
                       edge_high[] = {0x80, 224, 0, 0};
    EXPECT_FALSE(looks_like_rtcp(edge_low));
    EXPECT_TRUE(looks_like_rtcp(low));
    EXPECT_TRUE(looks_like_rtcp(high));
    EXPECT_FALSE(looks_like_rtcp(edge_high));
    EXPECT_FALSE(looks_like_rtcp(std::span(low, 2)));
}

TEST(RtcpTime, NtpNowIsUnixTimePlusTheNtpEra) {
    const auto before = std::chrono::system_clock::now();
    const std::uint64_t ntp = ntp_now();
    const auto unix_seconds =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count());
    EXPECT_NEAR(static_cast<double>(ntp >> 32), static_cast<double>(unix_seconds + 2'208'988'800ULL), 2.0);
    EXPECT_EQ(ntp_middle32(0x0123456789abcdefULL), 0x456789abu);
}

TEST(RtcpTime, RoundTripTimeFollowsRfc3550WorkedExample) {
    // RFC 3550 6.4.1: SR sent at 0xb705:2000 (46853.125 s), received back in an RR at
    // 0xb710:8000 (46864.500 s) with DLSR 0x0005:4000 (5.250 s): RTT = 6.125 s.
    EXPECT_DOUBLE_EQ(rtt_ms(0xb7108000u, 0xb7052000u, 0x00054000u), 6125.0);
    EXPECT_DOUBLE_EQ(rtt_ms(0x00010000u + 0x0000199au, 0x00010000u, 0), 0x199a * 1000.0 / 65536.0);
    EXPECT_DOUBLE_EQ(rtt_ms(0x00000100u, 0xffffff00u, 0x00000100u), 0x100 * 1000.0 / 65536.0);  // wraps
    EXPECT_EQ(rtt_ms(123, 0, 0), -1.0);                                                         // no SR received yet
    EXPECT_EQ(rtt_ms(0x10000, 0x10000, 5), 0.0);  // clock granularity: never negative
}

}  // namespace
