#include "media/rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

namespace {
using namespace sala::client;

std::vector<std::uint8_t> bytes(std::initializer_list<int> values) {
    std::vector<std::uint8_t> out;
    for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

TEST(RtpPacket, WritesTheRfc3550Layout) {
    RtpHeader header{true, 111, 0x1234, 0x89abcdef, 0x01020304};
    const auto payload = bytes({0xaa, 0xbb, 0xcc});
    std::array<std::uint8_t, 64> out{};
    ASSERT_EQ(write_rtp(header, payload, out), 15u);
    const auto expected =
        bytes({0x80, 0x80 | 111, 0x12, 0x34, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb, 0xcc});
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
}

TEST(RtpPacket, RoundTripsBothWays) {
    RtpHeader header{false, kOpusPayloadType, 65535, 4'000'000'000u, 0xdeadbeef};
    const auto payload = bytes({1, 2, 3, 4, 5});
    std::array<std::uint8_t, 64> out{};
    const std::size_t size = write_rtp(header, payload, out);
    auto view = parse_rtp(std::span(out.data(), size));
    ASSERT_TRUE(view);
    EXPECT_EQ(view->header.marker, false);
    EXPECT_EQ(view->header.payload_type, kOpusPayloadType);
    EXPECT_EQ(view->header.sequence, 65535);
    EXPECT_EQ(view->header.timestamp, 4'000'000'000u);
    EXPECT_EQ(view->header.ssrc, 0xdeadbeefu);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), view->payload.begin(), view->payload.end()));

    // Parse a hand-built packet, write it again: the same bytes.
    const auto packet = bytes({0x80, 0xef, 0x00, 0x07, 0, 0, 0x03, 0xc0, 0x11, 0x22, 0x33, 0x44, 9, 8});
    auto parsed = parse_rtp(packet);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->header.marker);
    EXPECT_EQ(parsed->header.payload_type, 111);
    EXPECT_EQ(parsed->header.timestamp, 960u);
    std::array<std::uint8_t, 64> again{};
    ASSERT_EQ(write_rtp(parsed->header, parsed->payload, again), packet.size());
    EXPECT_TRUE(std::equal(packet.begin(), packet.end(), again.begin()));
}

TEST(RtpPacket, WriteRefusesWhatDoesNotFit) {
    const auto payload = bytes({1, 2, 3});
    std::array<std::uint8_t, 14> small{};
    EXPECT_EQ(write_rtp({}, payload, small), 0u);
    std::array<std::uint8_t, 15> exact{};
    EXPECT_EQ(write_rtp({}, payload, exact), 15u);
    EXPECT_EQ(write_rtp({}, {}, std::span(exact.data(), 12)), 12u);
}

TEST(RtpPacket, SkipsCsrcsExtensionAndPadding) {
    // V=2 P=1 X=1 CC=2, two CSRCs, a one-word extension, payload 7 7, three padding bytes.
    const auto packet = bytes({0xb2, 111,  0,    1,    0,    0,    0,    2,    0, 0, 0, 3,  // fixed header
                               0xc1, 0xc1, 0xc1, 0xc1, 0xc2, 0xc2, 0xc2, 0xc2,              // CSRCs
                               0xbe, 0xde, 0x00, 0x01, 0x10, 0xff, 0,    0,                 // extension
                               7,    7,    0,    0,    3});  // payload, padding with count 3
    auto view = parse_rtp(packet);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->header.sequence, 1);
    EXPECT_EQ(view->header.timestamp, 2u);
    EXPECT_EQ(view->header.ssrc, 3u);
    ASSERT_EQ(view->payload.size(), 2u);
    EXPECT_EQ(view->payload[0], 7);
    EXPECT_EQ(view->payload[1], 7);
}

TEST(RtpPacket, AcceptsAnEmptyPayloadAndPaddingOnly) {
    EXPECT_TRUE(parse_rtp(bytes({0x80, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}))->payload.empty());
    auto padded = parse_rtp(bytes({0xa0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}));
    ASSERT_TRUE(padded);
    EXPECT_TRUE(padded->payload.empty());
}

TEST(RtpPacket, RejectsTruncatedAndInconsistentPackets) {
    const std::vector<std::vector<std::uint8_t>> bad = {
        {},
        bytes({0x80}),
        bytes({0x80, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0}),                                   // 11 bytes
        bytes({0x40, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1}),                             // version 1
        bytes({0xc0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1}),                             // version 3
        bytes({0x81, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3}),                       // CSRC cut short
        bytes({0x8f, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}),                                // 15 CSRCs, none there
        bytes({0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde}),                    // extension header cut
        bytes({0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 2, 1, 2, 3, 4}),  // ext data cut
        bytes({0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0xff, 0xff}),        // huge ext length
        bytes({0xa0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 0}),                       // padding count 0
        bytes({0xa0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 4}),                       // padding longer than payload
        bytes({0xa0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}),                                // padding flag, no byte
        bytes({0xb0, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 0, 2}),           // pad into ext
    };
    for (std::size_t i = 0; i < bad.size(); ++i) EXPECT_FALSE(parse_rtp(bad[i])) << "case " << i;
}

TEST(RtpPacket, EveryTruncationOfAValidPacketIsSafe) {
    const auto packet = bytes({0xb1, 111,  0,    1,    0,    0,    0,    2,    0, 0, 0, 3, 0xc1, 0xc1,
                               0xc1, 0xc1, 0xbe, 0xde, 0x00, 0x01, 0x10, 0xff, 0, 0, 7, 7, 0,    2});
    ASSERT_TRUE(parse_rtp(packet));
    for (std::size_t n = 0; n < packet.size(); ++n) {
        // A shorter copy in its own allocation, so ASan sees any read past the end.
        std::vector<std::uint8_t> cut(packet.begin(), packet.begin() + static_cast<std::ptrdiff_t>(n));
        auto view = parse_rtp(cut);
        if (view) {
            EXPECT_LE(view->payload.data() + view->payload.size(), cut.data() + cut.size());
        }
    }
}

TEST(RtpPacket, RandomBytesNeverCrashAndPayloadStaysInside) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(0, 80);
    int accepted = 0;
    for (int i = 0; i < 200'000; ++i) {
        std::vector<std::uint8_t> packet(static_cast<std::size_t>(length(rng)));
        for (auto& b : packet) b = static_cast<std::uint8_t>(byte(rng));
        if (i % 2 == 0 && !packet.empty()) packet[0] = static_cast<std::uint8_t>(0x80 | (packet[0] & 0x3f));
        auto view = parse_rtp(packet);
        if (!view) continue;
        ++accepted;
        ASSERT_GE(view->payload.data(), packet.data() + kRtpHeaderSize);
        ASSERT_LE(view->payload.data() + view->payload.size(), packet.data() + packet.size());
    }
    EXPECT_GT(accepted, 0);
}

TEST(RtpSequence, NewerAcrossTheWrap) {
    EXPECT_TRUE(seq_newer(1, 0));
    EXPECT_FALSE(seq_newer(0, 1));
    EXPECT_FALSE(seq_newer(5, 5));
    EXPECT_TRUE(seq_newer(0, 65535));
    EXPECT_TRUE(seq_newer(10, 65500));
    EXPECT_FALSE(seq_newer(65500, 10));
    EXPECT_TRUE(seq_newer(0x7fff, 0));
    EXPECT_FALSE(seq_newer(0x8000, 0));  // exactly half way: neither
    EXPECT_FALSE(seq_newer(0, 0x8000));
}

TEST(RtpSequence, UnwrapperCountsCyclesAndToleratesReordering) {
    SequenceUnwrapper unwrap;
    EXPECT_EQ(unwrap.unwrap(65534), 65534);
    EXPECT_EQ(unwrap.unwrap(65535), 65535);
    EXPECT_EQ(unwrap.unwrap(0), 65536);
    EXPECT_EQ(unwrap.unwrap(65535), 65535);  // late packet from before the wrap
    EXPECT_EQ(unwrap.unwrap(2), 65538);
    std::int64_t last = 65538;
    for (int i = 0; i < 3 * 65536; i += 1000) {
        const std::int64_t next = last + 1000;
        EXPECT_EQ(unwrap.unwrap(static_cast<std::uint16_t>(next)), next);
        last = next;
    }
    SequenceUnwrapper backwards;
    EXPECT_EQ(backwards.unwrap(3), 3);
    EXPECT_EQ(backwards.unwrap(65535), -1);
}

TEST(RtpSequence, TimestampUnwrapperCrossesTheWrap) {
    TimestampUnwrapper unwrap;
    EXPECT_EQ(unwrap.unwrap(0xffffff00u), 0xffffff00LL);
    EXPECT_EQ(unwrap.unwrap(0x000003c0u), 0x1000003c0LL);
    EXPECT_EQ(unwrap.unwrap(0xfffffff0u), 0xfffffff0LL);
}

}  // namespace
