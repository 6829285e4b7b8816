// The voice processing's gain stage (issue 13): a quiet talker is brought to about -20 dBFS, the
// gain holds while the far end talks (so a canceller's residual echo is not lifted), and the
// limiter keeps a loud block from clipping.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "audio/gain_stage.hpp"

namespace {
using sala::client::GainStage;
constexpr std::size_t kBlock = 480;

// A 10 ms block of a 200 Hz tone at `dbfs` RMS.
std::vector<float> tone_block(double dbfs, std::size_t at) {
    std::vector<float> block(kBlock);
    const double amplitude = std::sqrt(2.0) * std::pow(10.0, dbfs / 20.0);
    for (std::size_t i = 0; i < kBlock; ++i)
        block[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * 200.0 * double(at + i) / 48000.0));
    return block;
}

double rms_dbfs(const std::vector<float>& block) {
    double sum = 0;
    for (float v : block) sum += double(v) * v;
    return 10 * std::log10(sum / double(block.size()) + 1e-20);
}

// Runs `seconds` of talk at `dbfs` through the stage, as people talk: 0.4 s of voiced blocks,
// then a 0.2 s pause (silence, not voiced); the level of the last voiced block.
double run(GainStage& stage, double dbfs, double seconds, bool far_active) {
    double out = -200;
    for (std::size_t b = 0; b < static_cast<std::size_t>(seconds * 100); ++b) {
        const bool talking = b % 60 < 40;
        auto block = talking ? tone_block(dbfs, b * kBlock) : std::vector<float>(kBlock, 0.0f);
        stage.process(block.data(), block.size(), talking, far_active);
        if (talking) out = rms_dbfs(block);
    }
    return out;
}

TEST(GainStage, BringsAQuietTalkerToAboutMinus20Dbfs) {
    GainStage stage;
    const double out = run(stage, -40.0, 5.0, false);
    EXPECT_NEAR(out, -21.0, 1.5);
    EXPECT_NEAR(stage.gain_db(), 19.0, 1.5);
}

TEST(GainStage, HoldsItsGainWhileTheFarEndTalks) {
    GainStage stage;
    run(stage, -60.0 + 5.0, 5.0, true);  // only residual echo, far end talking: nothing learnt
    EXPECT_EQ(stage.gain_db(), 0.0f);
}

// Steady noise the voice detector calls voice (it does, now and then, on the suppressor's
// residual) is not a talker: it stays at the noise floor, and the gain stays where it was.
TEST(GainStage, DoesNotLiftSteadyNoiseTheDetectorCallsVoice) {
    GainStage stage;
    for (std::size_t b = 0; b < 500; ++b) {
        auto block = tone_block(-50.0, b * kBlock);
        stage.process(block.data(), block.size(), true, false);
    }
    EXPECT_EQ(stage.gain_db(), 0.0f);
    run(stage, -40.0, 5.0, false);  // a talker 10 dB above it is still brought up
    EXPECT_GT(stage.gain_db(), 15.0f);
}

TEST(GainStage, NeverLiftsMoreThan30DbNorClips) {
    GainStage quiet;
    run(quiet, -58.0, 10.0, false);
    EXPECT_LE(quiet.gain_db(), GainStage::kMaxGainDb);
    GainStage loud;
    EXPECT_LE(run(loud, -1.0, 3.0, false), -1.0);  // brought down, and a peak stays below full scale
    auto block = tone_block(0.0, 0);
    loud.process(block.data(), block.size(), true, false);
    for (float v : block) EXPECT_LE(std::fabs(v), 1.0f);
}

}  // namespace
