// The one-way delay estimate and the E-model's MOS from a call's figures.
#include <gtest/gtest.h>

#include "sala/client/call_quality.hpp"

namespace sala::client {
namespace {

CallStatistics figures(double rtt_ms, int buffer_ms, std::uint64_t received, std::uint64_t lost) {
    CallStatistics s;
    s.frame_ms = 20;
    s.rtt_ms = rtt_ms;
    s.jitter_buffer_ms = buffer_ms;
    s.input_latency_ms = 15;
    s.output_latency_ms = 55;
    s.packets_received = received;
    s.packets_lost = lost;
    return s;
}

TEST(CallQuality, DelayIsHalfTheRoundTripThisSidesDevicesTheBufferAndTheCodec) {
    EXPECT_DOUBLE_EQ(one_way_delay_estimate_ms(figures(40, 30, 100, 0)), 20 + 30 + 15 + 55 + 26.5);
    EXPECT_DOUBLE_EQ(one_way_delay_estimate_ms(figures(-1, 30, 100, 0)), -1);
    EXPECT_DOUBLE_EQ(mos_estimate(figures(-1, 30, 100, 0)), -1);
}

TEST(CallQuality, MosFallsWithLossAndDelay) {
    const double clean = mos_estimate(figures(20, 20, 1000, 0));
    EXPECT_GT(clean, 4.3);
    EXPECT_LE(clean, 4.5);
    EXPECT_STREQ(quality_word(clean), "excellent");
    const double lossy = mos_estimate(figures(20, 20, 950, 50));  // 5% lost
    EXPECT_LT(lossy, clean);
    EXPECT_GT(lossy, 3.0);
    const double slow = mos_estimate(figures(600, 100, 1000, 0));  // ~500 ms one way
    EXPECT_LT(slow, 3.1);
    EXPECT_STREQ(quality_word(slow), "bad");
    const double awful = mos_estimate(figures(20, 20, 500, 500));
    EXPECT_GE(awful, 1.0);
    EXPECT_LT(awful, 2.0);
    CallStatistics late = figures(20, 20, 1000, 0);
    late.late_packets = 50;  // dropped by the jitter buffer: as bad as lost
    EXPECT_NEAR(mos_estimate(late), mos_estimate(figures(20, 20, 950, 50)), 0.05);
}

}  // namespace
}  // namespace sala::client
