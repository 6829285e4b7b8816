// PlayoutDepth: how much the playback ring holds, and the devices' per-minute glitch counts.

#include "media/playout_depth.hpp"

#include <gtest/gtest.h>

using sala::client::PlayoutDepth;
using namespace std::chrono_literals;

TEST(PlayoutDepth, ASoundCardGetsOneOfItsBlocksAPacedDeviceAWholeFrame) {
    PlayoutDepth depth(2);  // 20 ms frames
    // A call starts at the floor, and calm seconds keep it there.
    EXPECT_EQ(depth.target(480), 480u);
    EXPECT_EQ(depth.target(240), 240u);
    EXPECT_EQ(depth.target(0), 960u);
    EXPECT_EQ(PlayoutDepth(1).target(0), 480u);
    auto t = PlayoutDepth::Clock::now();
    for (int second = 0; second <= PlayoutDepth::kCalmSeconds; ++second) depth.observe(t + second * 1s, 0, 0);
    EXPECT_EQ(depth.target(240), 240u);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 0.0);
}

TEST(PlayoutDepth, EachSecondWithAnUnderrunAddsFiveMilliseconds) {
    PlayoutDepth depth(2);
    auto t = PlayoutDepth::Clock::now();
    depth.observe(t, 0, 0);
    std::uint64_t underruns = 0;
    for (int second = 1; second <= 3; ++second) {
        underruns += 2;
        depth.observe(t + second * 1s, underruns, 0);
    }
    EXPECT_EQ(depth.target(480), 480u + 3 * 240u);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 15.0);
    for (int second = 4; second <= 20; ++second) depth.observe(t + second * 1s, ++underruns, 0);
    EXPECT_EQ(depth.target(480), 480u + PlayoutDepth::kMaxMargin);
    // A quiet second adds nothing, and a tick within the second counts nothing yet.
    const std::size_t before = depth.target(480);
    depth.observe(t + 21s, underruns, 0);
    depth.observe(t + 21s + 500ms, underruns + 5, 0);
    EXPECT_EQ(depth.target(480), before);
}

TEST(PlayoutDepth, CountsTheLastMinuteAndForgetsOlderSeconds) {
    PlayoutDepth depth(2);
    auto t = PlayoutDepth::Clock::now();
    depth.observe(t, 0, 0);
    depth.observe(t + 1s, 3, 100);  // second 1: 3 underruns, 100 overrun samples
    depth.observe(t + 2s, 4, 100);  // second 2: 1 underrun
    EXPECT_EQ(depth.underruns_per_minute(), 4u);
    EXPECT_EQ(depth.overruns_per_minute(), 100u);
    for (int second = 3; second <= 61; ++second) depth.observe(t + second * 1s, 4, 100);
    EXPECT_EQ(depth.underruns_per_minute(), 1u) << "second 1 is more than a minute ago";
    EXPECT_EQ(depth.overruns_per_minute(), 0u);
    depth.observe(t + 62s, 4, 100);
    EXPECT_EQ(depth.underruns_per_minute(), 0u);
}

TEST(PlayoutDepth, CountsThatRestartAreANewBaselineNotAWrap) {
    PlayoutDepth depth(1);
    auto t = PlayoutDepth::Clock::now();
    depth.observe(t, 50, 7);
    depth.observe(t + 1s, 0, 0);  // the call restarted the device counts
    depth.observe(t + 2s, 1, 0);
    EXPECT_EQ(depth.underruns_per_minute(), 1u);
    EXPECT_EQ(depth.overruns_per_minute(), 0u);
}

TEST(PlayoutDepth, AfterTenCalmSecondsItComesDownAStep) {
    PlayoutDepth depth(2);
    auto t = PlayoutDepth::Clock::now();
    depth.observe(t, 0, 0);
    depth.observe(t + 1s, 1, 0);
    depth.observe(t + 2s, 2, 0);
    depth.observe(t + 3s, 3, 0);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 15.0);
    for (int second = 4; second < 3 + PlayoutDepth::kCalmSeconds; ++second) depth.observe(t + second * 1s, 3, 0);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 15.0) << "not yet";
    depth.observe(t + (3 + PlayoutDepth::kCalmSeconds) * 1s, 3, 0);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 10.0);
    for (int second = 4 + PlayoutDepth::kCalmSeconds; second <= 3 + 3 * PlayoutDepth::kCalmSeconds; ++second)
        depth.observe(t + second * 1s, 3, 0);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 0.0);
    depth.observe(t + 100s, 3, 0);
    EXPECT_DOUBLE_EQ(depth.margin_ms(), 0.0) << "never below the floor";
}
