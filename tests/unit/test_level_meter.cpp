#include "audio/level_meter.hpp"
#include "sala/client/snapshot.hpp"

#include "test_signal.hpp"

#include <gtest/gtest.h>

#include <thread>

using sala::client::dbfs_to_meter_fraction;
using sala::client::LevelMeter;
using sala::test::sine;

namespace {
constexpr std::size_t kBlock = 480;

void feed(LevelMeter& meter, const std::vector<int16_t>& samples) {
    for (std::size_t at = 0; at + kBlock <= samples.size(); at += kBlock) meter.process(samples.data() + at, kBlock);
}
}  // namespace

TEST(LevelMeter, StartsAtTheFloor) {
    LevelMeter meter;
    const LevelMeter::Levels l = meter.read();
    EXPECT_EQ(l.rms_dbfs, -90.0f);
    EXPECT_EQ(l.peak_dbfs, -90.0f);
    EXPECT_EQ(l.hold_dbfs, -90.0f);
}

TEST(LevelMeter, SineAtMinus6HasPeakMinus6AndRmsMinus9) {
    LevelMeter meter;
    feed(meter, sine(1000, 0.1, -6));
    const LevelMeter::Levels l = meter.read();
    EXPECT_NEAR(l.peak_dbfs, -6.0, 0.1);
    EXPECT_NEAR(l.rms_dbfs, -9.03, 0.1);
    EXPECT_NEAR(l.hold_dbfs, -6.0, 0.1);
}

TEST(LevelMeter, FullScaleIsZeroAndSilenceIsTheFloor) {
    LevelMeter meter;
    std::vector<int16_t> block(kBlock, -32768);
    meter.process(block.data(), block.size());
    EXPECT_NEAR(meter.read().peak_dbfs, 0.0, 1e-4);
    EXPECT_NEAR(meter.read().rms_dbfs, 0.0, 1e-4);
    std::fill(block.begin(), block.end(), int16_t{0});
    meter.process(block.data(), block.size());
    EXPECT_EQ(meter.read().rms_dbfs, -90.0f);
    EXPECT_EQ(meter.read().peak_dbfs, -90.0f);
    // One LSB is below the floor; four are just above it.
    block[0] = 1;
    meter.process(block.data(), block.size());
    EXPECT_EQ(meter.read().peak_dbfs, -90.0f);
    block[0] = 4;
    meter.process(block.data(), block.size());
    EXPECT_NEAR(meter.read().peak_dbfs, -78.27, 0.05);
}

// Hold stays ~1 s after a peak, then falls ~20 dB per second of samples, down to the floor.
TEST(LevelMeter, PeakHoldHoldsThenDecays) {
    LevelMeter meter;
    feed(meter, sine(1000, 0.1, -6));
    const std::vector<int16_t> silence(48000 * 6, 0);
    const std::vector<int16_t> first(silence.begin(), silence.begin() + 48000 * 9 / 10);
    feed(meter, first);  // 0.9 s
    EXPECT_NEAR(meter.read().hold_dbfs, -6.0, 0.1);
    EXPECT_EQ(meter.read().peak_dbfs, -90.0f);
    const std::vector<int16_t> second(silence.begin(), silence.begin() + 48000 * 6 / 10);
    feed(meter, second);  // 1.5 s: 0.5 s of decay
    EXPECT_NEAR(meter.read().hold_dbfs, -16.0, 0.3);
    feed(meter, second);  // 2.1 s: 1.1 s of decay
    EXPECT_NEAR(meter.read().hold_dbfs, -28.0, 0.3);
    feed(meter, silence);
    EXPECT_EQ(meter.read().hold_dbfs, -90.0f);
    // A new, quieter peak sets the hold again.
    feed(meter, sine(1000, 0.05, -20));
    EXPECT_NEAR(meter.read().hold_dbfs, -20.0, 0.1);
}

TEST(LevelMeter, ReadableFromAnotherThreadWhileProcessing) {
    LevelMeter meter;
    const std::vector<int16_t> tone = sine(500, 1.0, -12);
    std::jthread writer([&] { feed(meter, tone); });
    for (int i = 0; i < 1000; ++i) {
        const LevelMeter::Levels l = meter.read();
        ASSERT_TRUE(l.peak_dbfs == -90.0f || std::abs(l.peak_dbfs + 12.0f) < 0.2f);
    }
}

TEST(LevelMeter, MeterFractionMapsMinus60To0) {
    EXPECT_EQ(dbfs_to_meter_fraction(-90.0f), 0.0f);
    EXPECT_EQ(dbfs_to_meter_fraction(-60.0f), 0.0f);
    EXPECT_FLOAT_EQ(dbfs_to_meter_fraction(-30.0f), 0.5f);
    EXPECT_EQ(dbfs_to_meter_fraction(0.0f), 1.0f);
    EXPECT_EQ(dbfs_to_meter_fraction(6.0f), 1.0f);
}
