// TransitSpread: the earliest transit and the spread above it that the jitter buffer works from,
// with a sender's clock drift taken out and real jitter kept.
#include <gtest/gtest.h>

#include <random>

#include "media/transit_spread.hpp"

using sala::client::TransitSpread;

namespace {
// 20 ms packets for `seconds`: packet i sent at i * 20 ms of the sender's clock, which runs
// `drift` fast, and arriving 5 ms plus jitter(i) later on ours.
template <typename Jitter>
TransitSpread run(double drift, double seconds, Jitter jitter) {
    TransitSpread spread;
    for (int i = 0; i < seconds * 50; ++i) {
        const double media_ms = 20.0 * i;
        spread.record(1000.0 + media_ms / (1.0 + drift) + 5.0 + jitter(i), media_ms);
    }
    return spread;
}
}  // namespace

TEST(TransitSpread, AClockDriftIsNotSpreadButRealJitterIs) {
    EXPECT_LT(run(0.0, 10, [](int) { return 0.0; }).spread_ms(), 0.01);
    // 0.14 % fast (PulseAudio's null sinks against the steady clock here): 2.8 ms over the window.
    const TransitSpread drifting = run(0.0014, 10, [](int) { return 0.0; });
    EXPECT_LT(drifting.spread_ms(), 0.1);
    EXPECT_LT(run(-0.0014, 10, [](int) { return 0.0; }).spread_ms(), 0.1) << "a slow clock alike";
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> jitter(0.0, 10.0);
    const TransitSpread jittery = run(0.0014, 10, [&](int) { return jitter(rng); });
    EXPECT_NEAR(jittery.spread_ms(), 9.5, 1.0);
}

TEST(TransitSpread, TheMinimumIsTheEarliestTransitNow) {
    // A fast clock: the transits fall 0.28 ms a second; the minimum follows them, not the window's
    // oldest point.
    const TransitSpread drifting = run(0.0014, 10, [](int) { return 0.0; });
    const double last_media = 20.0 * 499, last_arrival = 1000.0 + last_media / 1.0014 + 5.0;
    EXPECT_NEAR(drifting.min_ms(), last_arrival - last_media, 0.05);
}

TEST(TransitSpread, ARampOfDelayBeyondAnyClockDriftStaysSpread) {
    // 10 ms more every second (a queue filling): far beyond 2,000 ppm, most of it is spread.
    const TransitSpread ramp = run(0.0, 10, [](int i) { return 0.2 * (i % 100); });
    EXPECT_GT(ramp.spread_ms(), 10.0);
}

TEST(TransitSpread, ResetForgetsTheWindow) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> jitter(0.0, 10.0);
    TransitSpread spread = run(0.0, 5, [&](int) { return jitter(rng); });
    spread.reset();
    EXPECT_EQ(spread.spread_ms(), 0.0);
    spread.record(5000.0, 100.0);
    EXPECT_EQ(spread.min_ms(), 4900.0);
    EXPECT_EQ(spread.spread_ms(), 0.0);
}
