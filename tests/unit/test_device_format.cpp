#include "audio/sound_card/callback_watch.hpp"
#include "audio/sound_card/device_format.hpp"
#include "audio/spsc_ring.hpp"

#include "test_signal.hpp"

#include <gtest/gtest.h>

#include <thread>

using sala::client::CallbackWatch;
using sala::client::CaptureFormat;
using sala::client::PlaybackFormat;
using sala::client::SpscRing;
using sala::test::rms_dbfs;
using sala::test::sine;
using sala::test::zero_crossing_hz;

namespace {

// The same mono signal on each of `channels` interleaved channels.
std::vector<int16_t> interleave(const std::vector<int16_t>& mono, unsigned channels) {
    std::vector<int16_t> out(mono.size() * channels);
    for (std::size_t i = 0; i < mono.size(); ++i)
        for (unsigned c = 0; c < channels; ++c) out[i * channels + c] = mono[i];
    return out;
}

}  // namespace

TEST(CaptureFormat, StereoAt44100BecomesMonoAt48000WithTheSameTone) {
    const unsigned rate = 44100, frames = 441;
    const std::vector<int16_t> device = interleave(sine(1000, 1.0, -6, rate), 2);
    CaptureFormat convert(rate, 2, frames);
    std::vector<int16_t> out48, block(convert.max_output());
    for (std::size_t at = 0; at + frames <= device.size() / 2; at += frames) {
        const std::size_t n = convert.convert(device.data() + at * 2, frames, block.data());
        out48.insert(out48.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
    }
    // One second in, one second out (within the resampler's delay), tone and level kept.
    EXPECT_NEAR(static_cast<double>(out48.size()), 48000.0, 100.0);
    EXPECT_NEAR(zero_crossing_hz(out48, 4800, out48.size(), 48000), 1000.0, 2.0);
    EXPECT_NEAR(rms_dbfs(out48, 4800, out48.size()), -6 - 3.01, 0.3);
}

TEST(CaptureFormat, MixesChannelsByAveraging) {
    std::vector<int16_t> device{1000, 3000, -2000, 2000};  // two stereo frames
    CaptureFormat convert(48000, 2, 2);
    std::vector<int16_t> out(convert.max_output());
    ASSERT_EQ(convert.convert(device.data(), 2, out.data()), 2u);
    EXPECT_EQ(out[0], 2000);
    EXPECT_EQ(out[1], 0);
}

TEST(PlaybackFormat, FillsEveryChannelAtTheDeviceRateAndCountsShortfalls) {
    const unsigned rate = 44100, frames = 441, channels = 2;
    SpscRing<int16_t> ring(48000 * 2);
    const std::vector<int16_t> tone = sine(500, 1.0, -6);
    ASSERT_EQ(ring.push(tone.data(), tone.size()), tone.size());
    PlaybackFormat convert(rate, channels, frames);
    std::vector<int16_t> played, block(frames * channels);
    int complete = 0, short_blocks = 0;
    for (int i = 0; i < 110; ++i) {  // 1.1 s: the last blocks find the ring empty
        (convert.fill(ring, block.data(), frames) ? complete : short_blocks)++;
        for (std::size_t f = 0; f < frames; ++f) {
            EXPECT_EQ(block[f * 2], block[f * 2 + 1]);
            played.push_back(block[f * 2]);
        }
    }
    EXPECT_GE(complete, 99);
    EXPECT_GE(short_blocks, 9);
    EXPECT_NEAR(zero_crossing_hz(played, 4410, 44100 - 4410, rate), 500.0, 2.0);
    EXPECT_NEAR(rms_dbfs(played, 4410, 44100 - 4410), -6 - 3.01, 0.3);
    // Silence after the ring ran dry, never stale samples.
    EXPECT_LT(rms_dbfs(played, played.size() - 4410, played.size()), -80.0);
}

TEST(PlaybackFormat, At48000TakesExactlyWhatItPlays) {
    SpscRing<int16_t> ring(4800);
    const std::vector<int16_t> tone = sine(700, 0.05, -6);  // 2400 samples
    ring.push(tone.data(), tone.size());
    PlaybackFormat convert(48000, 1, 480);
    std::vector<int16_t> block(480);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(convert.fill(ring, block.data(), 480));
    EXPECT_EQ(convert.last_input_count(), 480u);  // after the first block's one-sample lead
    EXPECT_EQ(block[10], tone[3 * 480 + 10]);
}

TEST(CallbackWatch, HealthyWhileCalledAtRealTimeFailsWhenLooping) {
    CallbackWatch watch;
    watch.reset(48000);
    EXPECT_TRUE(watch.healthy());  // within the first-callback grace
    for (int i = 0; i < 5; ++i) {
        const auto begun = watch.begin();
        EXPECT_TRUE(sala::client::in_audio_callback());
        EXPECT_TRUE(watch.end(begun, 480));
        EXPECT_FALSE(sala::client::in_audio_callback());
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(watch.healthy());
    EXPECT_GT(watch.max_callback_ns(), 0u);
    // A failing device calls back in a tight loop: seconds of audio in no time.
    bool alive = true;
    for (int i = 0; i < 1000 && alive; ++i) alive = watch.end(watch.begin(), 480);
    EXPECT_FALSE(alive);
    EXPECT_FALSE(watch.healthy());
}
