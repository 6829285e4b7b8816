#include "audio/resampler.hpp"

#include "test_signal.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using sala::client::Resampler;
using sala::test::rms_dbfs;
using sala::test::sine;
using sala::test::zero_crossing_hz;

TEST(Resampler, EqualRatesCopy) {
    Resampler r(48000, 48000);
    EXPECT_TRUE(r.passthrough());
    const std::vector<int16_t> in = {1, -2, 3, -4};
    EXPECT_EQ(r.process_all(in), in);
    int16_t out[2];
    std::size_t consumed = 0;
    EXPECT_EQ(r.process(in.data(), in.size(), out, 2, &consumed), 2u);
    EXPECT_EQ(consumed, 2u);
    EXPECT_EQ(out[1], -2);
}

TEST(Resampler, RejectsNonsenseRates) {
    EXPECT_THROW(Resampler(0, 48000), std::invalid_argument);
    EXPECT_THROW(Resampler(48000, -1), std::invalid_argument);
    EXPECT_THROW(Resampler(48000, 44100, 0), std::invalid_argument);
}

struct RateCase {
    int in_rate;
    int out_rate;
};

class ResamplerRates : public ::testing::TestWithParam<RateCase> {};

// A 1 kHz tone keeps its frequency, level and duration, and starts on time.
TEST_P(ResamplerRates, WholeBufferKeepsToneLengthAndTiming) {
    const auto [in_rate, out_rate] = GetParam();
    std::vector<int16_t> in(static_cast<std::size_t>(in_rate) / 10, 0);  // 100 ms silence
    const std::vector<int16_t> tone = sine(1000, 1.0, -6, in_rate);
    in.insert(in.end(), tone.begin(), tone.end());

    const std::vector<int16_t> out = Resampler(in_rate, out_rate).process_all(in);
    const std::size_t expected = static_cast<std::size_t>(double(in.size()) * out_rate / in_rate + 0.5);
    ASSERT_EQ(out.size(), expected);
    const std::size_t start = static_cast<std::size_t>(out_rate) / 10;
    const std::size_t mid_lo = start + static_cast<std::size_t>(out_rate) / 10;
    const std::size_t mid_hi = out.size() - static_cast<std::size_t>(out_rate) / 10;
    EXPECT_NEAR(zero_crossing_hz(out, mid_lo, mid_hi, out_rate), 1000.0, 2.0);
    EXPECT_NEAR(rms_dbfs(out, mid_lo, mid_hi), -9.03, 0.3);
    // Silence before the tone stays silent, so nothing was shifted earlier.
    EXPECT_LT(rms_dbfs(out, 0, start - static_cast<std::size_t>(out_rate) / 500), -60.0);
}

INSTANTIATE_TEST_SUITE_P(Rates, ResamplerRates,
                         ::testing::Values(RateCase{44100, 48000}, RateCase{8000, 48000}, RateCase{48000, 44100},
                                           RateCase{96000, 48000}, RateCase{16000, 48000}));

// Streaming in small uneven chunks gives the same tone as the whole-buffer conversion.
TEST(Resampler, StreamingInChunksConsumesEverything) {
    Resampler r(44100, 48000);
    const std::vector<int16_t> in = sine(440, 0.5, -12, 44100);
    std::vector<int16_t> out;
    int16_t buffer[300];
    std::size_t at = 0;
    while (at < in.size()) {
        const std::size_t n = std::min<std::size_t>(in.size() - at, 1 + at % 250);
        std::size_t done = 0;
        while (done < n) {
            std::size_t consumed = 0;
            const std::size_t wrote = r.process(in.data() + at + done, n - done, buffer, 300, &consumed);
            out.insert(out.end(), buffer, buffer + wrote);
            done += consumed;
        }
        at += n;
    }
    // Everything minus the filter's latency came out.
    EXPECT_NEAR(double(out.size()), 0.5 * 48000, 100.0);
    EXPECT_NEAR(zero_crossing_hz(out, 2000, out.size() - 100), 440.0, 1.0);
}
