// The audio comparison used by the call tests and benchmarks: delay, correlation, similarity.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "audio_similarity.hpp"
#include "media/opus_codec.hpp"

namespace {
using sala::audio::compare;
using sala::audio::estimate_delay;

constexpr int kRate = 48000;

// Speech-like test audio: "syllables" of a gliding harmonic voice through two moving
// formant resonators, with noise bursts for consonants and pauses between words. Seeds
// give unrelated utterances.
std::vector<int16_t> pseudo_speech(unsigned seed, double seconds) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<int16_t> out(static_cast<std::size_t>(seconds * kRate), 0);
    std::size_t n = static_cast<std::size_t>(0.1 * kRate);
    double phase = 0;
    while (n < out.size()) {
        const auto length = static_cast<std::size_t>((0.12 + 0.2 * uniform(rng)) * kRate);
        const double pitch0 = 90 + 140 * uniform(rng), pitch1 = 90 + 140 * uniform(rng);
        const double f1 = 300 + 600 * uniform(rng), f2 = 900 + 1800 * uniform(rng);
        const bool consonant = uniform(rng) < 0.3;
        // Two-pole resonators (formants) on the excitation.
        double y1[2] = {0, 0}, y2[2] = {0, 0};
        auto coefficients = [](double hz, double bandwidth) {
            const double r = std::exp(-std::numbers::pi * bandwidth / kRate);
            return std::pair{2 * r * std::cos(2 * std::numbers::pi * hz / kRate), -r * r};
        };
        const auto [a1, b1] = coefficients(f1, 90);
        const auto [a2, b2] = coefficients(f2, 120);
        for (std::size_t i = 0; i < length && n + i < out.size(); ++i) {
            const double t = double(i) / double(length);
            const double pitch = pitch0 + (pitch1 - pitch0) * t;
            phase += pitch / kRate;
            double excitation = consonant ? 0.3 * noise(rng) : (phase - std::floor(phase) < 0.1 ? 1.0 : -0.11);
            const double v1 = excitation + a1 * y1[0] + b1 * y1[1];
            y1[1] = y1[0];
            y1[0] = v1;
            const double v2 = excitation + a2 * y2[0] + b2 * y2[1];
            y2[1] = y2[0];
            y2[0] = v2;
            const double envelope = std::sin(std::numbers::pi * t);
            out[n + i] = static_cast<int16_t>(std::clamp(40.0 * envelope * (v1 + 0.5 * v2), -32000.0, 32000.0));
        }
        n += length + static_cast<std::size_t>((uniform(rng) < 0.3 ? 0.15 : 0.02) * kRate);
    }
    return out;
}

// `lead` samples of silence, then the signal scaled by gain with a little noise, padded
// to `total` samples.
std::vector<int16_t> delayed(const std::vector<int16_t>& x, std::size_t lead, double gain, std::size_t total,
                             double noise_rms = 30.0) {
    std::mt19937 rng(99);
    std::normal_distribution<double> noise(0.0, noise_rms);
    std::vector<int16_t> out(total, 0);
    for (std::size_t i = 0; i < total; ++i) {
        double v = noise(rng);
        if (i >= lead && i - lead < x.size()) v += gain * x[i - lead];
        out[i] = static_cast<int16_t>(std::clamp(v, -32768.0, 32767.0));
    }
    return out;
}

// Through the real Opus encoder and decoder (20 ms frames, 24 kb/s, as in a call).
std::vector<int16_t> through_opus(const std::vector<int16_t>& x, int frame_ms = 20) {
    sala::client::VoiceEncoder encoder(frame_ms, 24000);
    sala::client::VoiceDecoder decoder;
    const auto frame = static_cast<std::size_t>(encoder.frame_samples());
    std::vector<int16_t> padded(x);
    padded.resize((x.size() / frame + 1) * frame, 0);
    std::vector<int16_t> out;
    std::vector<std::uint8_t> packet(sala::client::kMaxVoicePacketBytes);
    std::vector<int16_t> decoded(sala::client::kMaxVoicePacketSamples);
    for (std::size_t i = 0; i < padded.size(); i += frame) {
        const auto size = encoder.encode(&padded[i], packet);
        EXPECT_GT(size, 0u);
        const int n = decoder.decode(std::span(packet.data(), size), decoded.data(), int(decoded.size()));
        EXPECT_EQ(n, int(frame));
        out.insert(out.end(), decoded.begin(), decoded.begin() + n);
    }
    return out;
}

TEST(AudioSimilarity, RmsLevelOfFullScaleSquareAndSilence) {
    std::vector<int16_t> square(4800);
    for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 24) % 2 ? 16384 : -16384;
    EXPECT_NEAR(sala::audio::rms_dbfs(square), -6.02, 0.01);
    EXPECT_EQ(sala::audio::rms_dbfs(std::vector<int16_t>(100, 0)), -120.0);
    EXPECT_EQ(sala::audio::rms_dbfs({}), -120.0);
}

TEST(AudioSimilarity, RecoversKnownDelaysWithinOneMillisecond) {
    const auto sent = pseudo_speech(1, 3.0);
    for (double delay_ms : {0.0, 0.5, 7.3, 41.0, 123.4, 777.7, 1500.0, 1999.0}) {
        const auto lead = static_cast<std::size_t>(delay_ms * kRate / 1000.0);
        const auto recorded = delayed(sent, lead, 0.5, sent.size() + 2 * kRate + 4800);
        const auto delay = estimate_delay(sent, recorded);
        ASSERT_TRUE(delay) << delay_ms;
        EXPECT_NEAR(double(*delay) * 1000.0 / kRate, delay_ms, 1.0) << delay_ms;
        EXPECT_EQ(*delay, std::ptrdiff_t(lead)) << "clean signal: exact to the sample";
    }
}

TEST(AudioSimilarity, RecordingShorterThanSentStillAligns) {
    // The recording can stop before the sent file ends (the call was hung up).
    const auto sent = pseudo_speech(2, 4.0);
    auto recorded = delayed(sent, 2400, 1.0, 2 * kRate);
    auto result = compare(sent, recorded);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->delay_samples, 2400);
    EXPECT_NEAR(result->delay_ms, 50.0, 1e-9);
    EXPECT_GT(result->waveform_correlation, 0.99);
    EXPECT_GT(result->spectral_similarity, 0.95);
}

TEST(AudioSimilarity, IdenticalSignalsScorePerfectly) {
    const auto sent = pseudo_speech(3, 2.0);
    auto result = compare(sent, sent);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->delay_samples, 0);
    EXPECT_NEAR(result->waveform_correlation, 1.0, 1e-9);
    EXPECT_NEAR(result->spectral_similarity, 1.0, 1e-9);
    EXPECT_GT(result->speech_frames, 50u);
    EXPECT_DOUBLE_EQ(result->sent_rms_dbfs, result->recorded_rms_dbfs);
}

TEST(AudioSimilarity, LevelChangesDoNotCountAsDissimilar) {
    const auto sent = pseudo_speech(4, 2.0);
    auto quieter = delayed(sent, 960, 0.1, sent.size() + 960, 3.0);
    auto result = compare(sent, quieter);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->delay_samples, 960);
    EXPECT_GT(result->spectral_similarity, 0.95);
    EXPECT_NEAR(result->recorded_rms_dbfs - result->sent_rms_dbfs, -20.0, 0.5);
}

TEST(AudioSimilarity, TracksADelayThatMovesDuringTheRecording) {
    // As when a jitter buffer grows by three 20 ms frames half-way through a call.
    const auto sent = pseudo_speech(7, 4.0);
    const std::size_t half = 2 * kRate, early = 1440, late = 1440 + 2880;
    std::vector<int16_t> recorded(sent.size() + kRate, 0);
    for (std::size_t i = 0; i < sent.size(); ++i) recorded[i + (i < half ? early : late)] = sent[i];
    auto result = compare(sent, recorded);
    ASSERT_TRUE(result);
    EXPECT_NEAR(result->delay_min_ms, 30.0, 1.0);
    EXPECT_NEAR(result->delay_max_ms, 90.0, 1.0);
    EXPECT_GT(result->tracked_similarity, 0.95);
    EXPECT_GT(result->tracked_similarity, result->spectral_similarity + 0.1) << "one delay fits only half";
}

TEST(AudioSimilarity, UnrelatedSignalsScoreLow) {
    for (unsigned seed = 10; seed < 14; ++seed) {
        const auto sent = pseudo_speech(seed, 3.0);
        const auto other = delayed(pseudo_speech(seed + 100, 3.0), 2400, 1.0, 4 * kRate);
        auto result = compare(sent, other);
        ASSERT_TRUE(result);
        EXPECT_LT(std::abs(result->waveform_correlation), 0.2) << seed;
        EXPECT_LT(result->spectral_similarity, 0.35) << seed;
        EXPECT_LT(result->tracked_similarity, 0.35) << seed;
    }
}

TEST(AudioSimilarity, SilenceOrNothingGivesNoDelay) {
    const auto sent = pseudo_speech(5, 1.0);
    EXPECT_FALSE(estimate_delay(sent, std::vector<int16_t>(kRate, 0)));
    EXPECT_FALSE(estimate_delay(std::vector<int16_t>(kRate, 0), sent));
    EXPECT_FALSE(estimate_delay(sent, {}));
}

TEST(AudioSimilarity, SpeechThroughRealOpusScoresHigh) {
    const auto sent = pseudo_speech(6, 3.0);
    for (int frame_ms : {20, 10}) {
        const auto decoded = through_opus(sent, frame_ms);
        // Put the decoded audio 60 ms into a longer recording, as a call would.
        const auto recorded = delayed(decoded, 2880, 1.0, decoded.size() + kRate, 2.0);
        auto result = compare(sent, recorded);
        ASSERT_TRUE(result);
        // Opus adds its own algorithmic delay (6.5 ms at 48 kHz) on top of ours.
        EXPECT_GT(result->delay_ms, 60.0) << frame_ms;
        EXPECT_LT(result->delay_ms, 75.0) << frame_ms;
        EXPECT_GT(result->spectral_similarity, 0.85) << frame_ms;
        EXPECT_GT(result->waveform_correlation, 0.5) << frame_ms;
        EXPECT_NEAR(result->recorded_rms_dbfs, result->sent_rms_dbfs, 3.0) << frame_ms;

        // And an unrelated utterance through the same codec stays low.
        const auto other = through_opus(pseudo_speech(60, 3.0), frame_ms);
        auto unrelated = compare(sent, other);
        ASSERT_TRUE(unrelated);
        EXPECT_LT(unrelated->spectral_similarity, 0.35) << frame_ms;
    }
}

}  // namespace
