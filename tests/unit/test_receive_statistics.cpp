#include "media/rtp/receive_statistics.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {
using namespace sala::client;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kTicksPerPacket = 960;  // 20 ms at 48 kHz

TEST(ReceiveStatistics, CleanStreamHasNoLossAndNoJitter) {
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i = 0; i < 100; ++i)
        stats.on_packet(static_cast<std::uint16_t>(65500 + i), 1000 + kTicksPerPacket * i, t0 + i * 20ms);
    EXPECT_EQ(stats.packets_received(), 100u);
    EXPECT_EQ(stats.packets_expected(), 100);
    EXPECT_EQ(stats.packets_lost(), 0);
    EXPECT_EQ(stats.loss_fraction(), 0.0);
    EXPECT_EQ(stats.extended_highest_seq(), 65536u + (65500 + 99 - 65536));  // one wrap
    EXPECT_NEAR(stats.jitter_ms(), 0.0, 0.01);
    const ReportBlock block = stats.make_report_block(0xabc, 5, 6);
    EXPECT_EQ(block.ssrc, 0xabcu);
    EXPECT_EQ(block.fraction_lost, 0);
    EXPECT_EQ(block.cumulative_lost, 0);
    EXPECT_EQ(block.highest_seq, stats.extended_highest_seq());
    EXPECT_EQ(block.lsr, 5u);
    EXPECT_EQ(block.dlsr, 6u);
}

TEST(ReceiveStatistics, CountsLossAndFractionPerInterval) {
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i = 0; i < 100; ++i) {
        if (i % 4 == 3) continue;  // a quarter lost
        stats.on_packet(static_cast<std::uint16_t>(i), kTicksPerPacket * i, t0 + i * 20ms);
    }
    EXPECT_EQ(stats.packets_received(), 75u);
    EXPECT_EQ(stats.packets_expected(), 99);  // the last (99) was lost: highest is 98
    EXPECT_EQ(stats.packets_lost(), 24);
    ReportBlock block = stats.make_report_block(1, 0, 0);
    EXPECT_EQ(block.fraction_lost, 24 * 256 / 99);
    EXPECT_EQ(block.cumulative_lost, 24);
    EXPECT_NEAR(stats.loss_fraction(), 24.0 / 99.0, 1e-9);

    // Next interval: 10 packets; 99 turns out lost too, now that 100 is the highest.
    for (int i = 100; i < 110; ++i) stats.on_packet(static_cast<std::uint16_t>(i), kTicksPerPacket * i, t0 + i * 20ms);
    block = stats.make_report_block(1, 0, 0);
    EXPECT_EQ(block.fraction_lost, 1 * 256 / 11);
    EXPECT_EQ(block.cumulative_lost, 25);
    EXPECT_EQ(block.highest_seq, 109u);

    // Next interval: everything lost but one packet far ahead: fraction 255/256, not 0.
    stats.on_packet(130, kTicksPerPacket * 130, t0 + 130 * 20ms);
    block = stats.make_report_block(1, 0, 0);
    EXPECT_EQ(block.fraction_lost, 20 * 256 / 21);
}

TEST(ReceiveStatistics, ReorderingAndDuplicatesDoNotCountAsLoss) {
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i : {0, 1, 3, 2, 4, 6, 5, 7}) stats.on_packet(static_cast<std::uint16_t>(i), 0, t0);
    EXPECT_EQ(stats.packets_lost(), 0);
    EXPECT_EQ(stats.extended_highest_seq(), 7u);
    stats.on_packet(7, 0, t0);  // duplicate: lost goes negative, as RFC 3550 allows
    EXPECT_EQ(stats.packets_lost(), -1);
    EXPECT_EQ(stats.loss_fraction(), 0.0);
    EXPECT_EQ(stats.make_report_block(1, 0, 0).fraction_lost, 0);
}

TEST(ReceiveStatistics, JitterConvergesToTheMeanTransitDifference) {
    // Every other packet arrives 4 ms late: |D| is 4 ms for every pair, so J -> 4 ms = 192 ticks.
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i = 0; i < 500; ++i) {
        const auto arrival = t0 + i * 20ms + (i % 2 ? 4ms : 0ms);
        stats.on_packet(static_cast<std::uint16_t>(i), 12345 + kTicksPerPacket * i, arrival);
    }
    EXPECT_NEAR(stats.jitter_ms(), 4.0, 0.01);
    EXPECT_NEAR(stats.jitter_timestamp_units(), 192, 1);

    // One step from zero: J = |D| / 16.
    ReceiveStatistics one;
    one.on_packet(0, 0, t0);
    one.on_packet(1, kTicksPerPacket, t0 + 20ms + 16ms);
    EXPECT_NEAR(one.jitter_ms(), 1.0, 0.001);
}

TEST(ReceiveStatistics, JitterSurvivesTimestampWrap) {
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i = 0; i < 200; ++i)
        stats.on_packet(static_cast<std::uint16_t>(i), 0xffff0000u + kTicksPerPacket * static_cast<std::uint32_t>(i),
                        t0 + i * 20ms);
    EXPECT_NEAR(stats.jitter_ms(), 0.0, 0.01);
}

TEST(ReceiveStatistics, LargeJumpNeedsTwoSequentialPacketsToResync) {
    ReceiveStatistics stats;
    const Clock::time_point t0{};
    for (int i = 0; i < 10; ++i) stats.on_packet(static_cast<std::uint16_t>(i), 0, t0);
    stats.on_packet(20000, 0, t0);  // stray: ignored
    EXPECT_EQ(stats.packets_received(), 10u);
    EXPECT_EQ(stats.extended_highest_seq(), 9u);
    stats.on_packet(10, 0, t0);
    EXPECT_EQ(stats.packets_lost(), 0);
    stats.on_packet(30000, 0, t0);
    stats.on_packet(30001, 0, t0);  // confirmed: the source restarted its sequence
    EXPECT_EQ(stats.packets_received(), 1u);
    EXPECT_EQ(stats.extended_highest_seq(), 30001u);
    EXPECT_EQ(stats.packets_lost(), 0);
}

}  // namespace
