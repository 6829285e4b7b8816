#include "audio/device_factory.hpp"
#include "audio/paced/paced_clock.hpp"
#include "audio/paced/tone_input.hpp"
#include "audio/sound_card/rtaudio_device.hpp"
#include "sala/client/wav_file.hpp"

#include "temp_dir.hpp"
#include "test_signal.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using sala::client::AudioPipes;
using sala::client::make_audio_input;
using sala::client::make_audio_output;
using sala::client::PacedClock;
using sala::client::read_wav_48k_mono;
using sala::client::write_wav;
using sala::test::rms_dbfs;
using sala::test::sine;
using sala::test::TempDir;
using sala::test::zero_crossing_hz;
using Clock = std::chrono::steady_clock;

namespace {

// Drains pipes.capture for a while, returning what arrived and how long it took.
std::vector<int16_t> drain_capture(AudioPipes& pipes, std::chrono::milliseconds window, double* seconds) {
    std::vector<int16_t> got;
    int16_t buffer[4800];
    const auto begin = Clock::now();
    while (Clock::now() - begin < window) {
        std::this_thread::sleep_for(5ms);
        const std::size_t n = pipes.capture.pop(buffer, 4800);
        got.insert(got.end(), buffer, buffer + n);
    }
    *seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    return got;
}

}  // namespace

TEST(PacedClock, TicksAtTheBlockRate) {
    PacedClock clock;
    std::atomic<int> ticks{0};
    const auto begin = Clock::now();
    clock.start([&] { ++ticks; });
    std::this_thread::sleep_for(500ms);
    clock.stop();
    const double seconds = std::chrono::duration<double>(Clock::now() - begin).count();
    EXPECT_FALSE(clock.running());
    EXPECT_EQ(static_cast<std::uint64_t>(ticks.load()), clock.ticks());
    // Generous bounds: this checks function, not timing precision (see bench/).
    EXPECT_GT(ticks.load(), seconds * 100 * 0.6);
    EXPECT_LT(ticks.load(), seconds * 100 * 1.4 + 2);
}

TEST(PacedClock, SkipsWhenFarBehindAndCountsIt) {
    PacedClock clock;
    std::atomic<int> ticks{0};
    clock.start([&] {
        if (ticks++ == 2) std::this_thread::sleep_for(300ms);
    });
    std::this_thread::sleep_for(500ms);
    clock.stop();
    EXPECT_GE(clock.skipped_ticks(), 15u);  // ~30 ticks were due during the 300 ms stall
    EXPECT_LT(ticks.load(), 40);            // they were not all burst afterwards
}

TEST(AudioDevices, ToneInputDeliversRealTimeSamplesOfTheTone) {
    std::string error;
    auto input = make_audio_input("tone:1000", &error);
    ASSERT_TRUE(input) << error;
    EXPECT_NE(input->description().find("1000 Hz"), std::string::npos);
    AudioPipes pipes;
    ASSERT_TRUE(input->start(pipes, &error)) << error;
    double seconds = 0;
    const std::vector<int16_t> got = drain_capture(pipes, 600ms, &seconds);
    input->stop();
    EXPECT_GT(double(got.size()), seconds * 48000 * 0.6);
    EXPECT_LT(double(got.size()), seconds * 48000 * 1.4 + 4800);
    EXPECT_EQ(got.size() % 480, 0u);
    ASSERT_GT(got.size(), 4800u);
    EXPECT_NEAR(zero_crossing_hz(got, 0, got.size()), 1000.0, 1.0);
    EXPECT_NEAR(rms_dbfs(got, 0, got.size()), -15.05, 0.1);  // -12 dBFS sine
    EXPECT_NEAR(pipes.mic.read().peak_dbfs, -12.0, 0.1);
    EXPECT_EQ(pipes.capture_overruns.load(), 0u);
}

TEST(AudioDevices, FullCaptureRingCountsOverruns) {
    std::string error;
    auto input = make_audio_input("silence", &error);
    ASSERT_TRUE(input) << error;
    AudioPipes pipes(1000);
    ASSERT_TRUE(input->start(pipes, &error));
    std::this_thread::sleep_for(200ms);
    input->stop();
    EXPECT_EQ(pipes.capture.size(), 1000u);
    EXPECT_GT(pipes.capture_overruns.load(), 2000u);
    EXPECT_EQ(pipes.mic.read().peak_dbfs, -90.0f);
}

TEST(AudioDevices, WavInputPlaysOnceThenSilenceAndRestartsFromTheBeginning) {
    TempDir dir;
    std::string error;
    ASSERT_TRUE(write_wav(dir.file("in.wav"), sine(700, 0.1, -6, 16000), 16000, &error));
    auto input = make_audio_input(dir.file("in.wav"), &error);
    ASSERT_TRUE(input) << error;
    EXPECT_NE(input->description().find("in.wav"), std::string::npos);
    AudioPipes pipes;
    for (int run = 0; run < 2; ++run) {
        SCOPED_TRACE(run);
        pipes.capture.clear_from_consumer();
        ASSERT_TRUE(input->start(pipes, &error));
        double seconds = 0;
        const std::vector<int16_t> got = drain_capture(pipes, 300ms, &seconds);
        input->stop();
        ASSERT_GT(got.size(), 9600u);
        EXPECT_NEAR(zero_crossing_hz(got, 0, 4800), 700.0, 2.0);
        EXPECT_NEAR(rms_dbfs(got, 0, 4800), -9.03, 0.3);
        EXPECT_LT(rms_dbfs(got, 4800 + 50, got.size()), -80.0);  // then silence
    }
}

TEST(AudioDevices, WavOutputRecordsWhatIsPlayedPaddedWithSilence) {
    TempDir dir;
    std::string error;
    auto output = make_audio_output(dir.file("out.wav"), &error);
    ASSERT_TRUE(output) << error;
    AudioPipes pipes;
    const std::vector<int16_t> tone = sine(1000, 0.2, -6);
    ASSERT_EQ(pipes.playback.push(tone.data(), tone.size()), tone.size());
    ASSERT_TRUE(output->start(pipes, &error));
    std::this_thread::sleep_for(500ms);
    output->stop();
    EXPECT_GT(pipes.playback_underruns.load(), 10u);  // the ring ran dry after 200 ms
    EXPECT_NEAR(pipes.speaker.read().hold_dbfs, -6.0, 0.5);
    output.reset();  // closes the file

    std::optional<sala::client::WavAudio> written = read_wav_48k_mono(dir.file("out.wav"), &error);
    ASSERT_TRUE(written) << error;
    const std::vector<int16_t>& s = written->samples;
    ASSERT_GT(s.size(), tone.size() + 4800);
    EXPECT_EQ(s.size() % 480, 0u);
    EXPECT_TRUE(std::equal(tone.begin(), tone.end(), s.begin()));
    EXPECT_LT(rms_dbfs(s, tone.size(), s.size()), -89.0);
}

TEST(AudioDevices, NullOutputDrainsAndCountsUnderruns) {
    std::string error;
    auto output = make_audio_output("null", &error);
    ASSERT_TRUE(output) << error;
    AudioPipes pipes;
    const std::vector<int16_t> tone = sine(1000, 0.1, -20);
    pipes.playback.push(tone.data(), tone.size());
    ASSERT_TRUE(output->start(pipes, &error));
    std::this_thread::sleep_for(300ms);
    output->stop();
    EXPECT_EQ(pipes.playback.size(), 0u);
    EXPECT_GT(pipes.playback_underruns.load(), 5u);
    EXPECT_NEAR(pipes.speaker.read().hold_dbfs, -20.0, 0.5);
}

TEST(AudioDevices, WrongSpecsGiveOneLineErrors) {
    TempDir dir;
    std::string error;
    auto input_error = [&](const std::string& spec) {
        error.clear();
        EXPECT_EQ(make_audio_input(spec, &error), nullptr) << spec;
        EXPECT_FALSE(error.empty()) << spec;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
        return error;
    };
    EXPECT_NE(input_error(dir.file("missing.wav")).find("No such file"), std::string::npos);
    EXPECT_NE(input_error("tone:abc").find("tone"), std::string::npos);
    input_error("tone:0");
    input_error("tone:-5");
    input_error("tone:30000");
    input_error("tone:");
    input_error("tone");
    EXPECT_NE(input_error("sielnce").find("expected a WAV path"), std::string::npos);
    input_error("");

    EXPECT_EQ(make_audio_output("nul", &error), nullptr);
    EXPECT_NE(error.find("unknown audio output"), std::string::npos) << error;
    EXPECT_EQ(make_audio_output("/nonexistent-dir/out.wav", &error), nullptr);
    EXPECT_NE(error.find("/nonexistent-dir/out.wav"), std::string::npos) << error;

    auto tone = make_audio_input("tone:440.5", &error);
    ASSERT_TRUE(tone);
    EXPECT_NE(tone->description().find("440.5 Hz"), std::string::npos);
}

// No sound hardware is needed: an unknown device either fails cleanly now or at start().
TEST(AudioDevices, UnknownSoundDeviceFailsCleanly) {
    std::string error;
    auto input = make_audio_input("device:no-such-device-xyz", &error);
    if (!input) {
        EXPECT_NE(error.find("no audio input device"), std::string::npos) << error;
    } else {
        AudioPipes pipes;
        EXPECT_FALSE(input->start(pipes, &error));
        input->stop();
    }
    auto output = make_audio_output("device:no-such-device-xyz", &error);
    if (!output) {
        EXPECT_NE(error.find("no audio output device"), std::string::npos) << error;
    }
    // Listing works (possibly empty) without a sound server.
    for (const sala::client::AudioDeviceInfo& d : sala::client::list_audio_devices()) EXPECT_FALSE(d.name.empty());
}
