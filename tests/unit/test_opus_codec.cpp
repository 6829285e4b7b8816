#include "media/opus_codec.hpp"

#include <gtest/gtest.h>
#include <opus/opus.h>

#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

namespace {
using namespace sala::client;

std::vector<std::int16_t> sine(double hz, double amplitude, int samples) {
    std::vector<std::int16_t> out(static_cast<std::size_t>(samples));
    for (int i = 0; i < samples; ++i)
        out[static_cast<std::size_t>(i)] =
            static_cast<std::int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * i / kVoiceSampleRate));
    return out;
}

// A voiced, speech-like sound: 15 harmonics of a pitch gliding up and down between 110 and
// 260 Hz, so that concealment (which repeats the last pitch period) cannot simply guess it.
std::vector<std::int16_t> gliding_vowel(int samples) {
    std::vector<std::int16_t> out(static_cast<std::size_t>(samples));
    double phase = 0;
    for (int i = 0; i < samples; ++i) {
        const double t = static_cast<double>(i) / kVoiceSampleRate;
        const double f0 = 185 + 75 * std::sin(2 * std::numbers::pi * 1.7 * t);
        phase += 2 * std::numbers::pi * f0 / kVoiceSampleRate;
        double v = 0;
        for (int h = 1; h <= 15; ++h) v += std::sin(h * phase) / h;
        out[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(4000 * v);
    }
    return out;
}

double rms(const std::int16_t* x, std::size_t n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += double(x[i]) * x[i];
    return std::sqrt(sum / static_cast<double>(n));
}

// Power of x at one frequency (Goertzel), as a fraction of x's total power.
double tone_share(const std::int16_t* x, std::size_t n, double hz) {
    const double w = 2 * std::numbers::pi * hz / kVoiceSampleRate;
    double s1 = 0, s2 = 0, total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = x[i] + 2 * std::cos(w) * s1 - s2;
        s2 = s1;
        s1 = s;
        total += double(x[i]) * x[i];
    }
    const double power = s1 * s1 + s2 * s2 - 2 * std::cos(w) * s1 * s2;
    return 2 * power / (static_cast<double>(n) * total);
}

double correlation(const std::int16_t* a, const std::int16_t* b, std::size_t n) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        ab += double(a[i]) * b[i];
        aa += double(a[i]) * a[i];
        bb += double(b[i]) * b[i];
    }
    return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

std::vector<std::vector<std::uint8_t>> encode_all(VoiceEncoder& encoder, const std::vector<std::int16_t>& pcm) {
    std::vector<std::vector<std::uint8_t>> packets;
    const auto frame = static_cast<std::size_t>(encoder.frame_samples());
    for (std::size_t at = 0; at + frame <= pcm.size(); at += frame) {
        std::vector<std::uint8_t> packet(kMaxVoicePacketBytes);
        const std::size_t size = encoder.encode(pcm.data() + at, packet);
        EXPECT_GT(size, 0u);
        packet.resize(size);
        packets.push_back(std::move(packet));
    }
    return packets;
}

TEST(OpusCodec, FrameSizesAndBadArguments) {
    EXPECT_EQ(VoiceEncoder(20).frame_samples(), 960);
    EXPECT_EQ(VoiceEncoder(10).frame_samples(), 480);
    EXPECT_THROW(VoiceEncoder(15), std::invalid_argument);
    EXPECT_THROW(VoiceEncoder(20, -5), std::runtime_error);
}

TEST(OpusCodec, SineSurvivesWithItsFrequencyEnergyAndBitrate) {
    for (int frame_ms : {10, 20}) {
        VoiceEncoder encoder(frame_ms, 24000);
        VoiceDecoder decoder;
        const auto input = sine(1000, 8000, kVoiceSampleRate * 2);
        const auto packets = encode_all(encoder, input);
        std::size_t bytes = 0;
        std::vector<std::int16_t> output;
        for (const auto& packet : packets) {
            bytes += packet.size();
            EXPECT_EQ(VoiceDecoder::packet_samples(packet), encoder.frame_samples());
            std::vector<std::int16_t> frame(kMaxVoicePacketSamples);
            const int n = decoder.decode(packet, frame.data(), kMaxVoicePacketSamples);
            ASSERT_EQ(n, encoder.frame_samples());
            output.insert(output.end(), frame.begin(), frame.begin() + n);
        }
        ASSERT_EQ(output.size(), input.size());
        // Skip the first 200 ms (codec delay and start-up), then compare.
        const std::size_t skip = kVoiceSampleRate / 5, n = output.size() - skip;
        EXPECT_GT(tone_share(output.data() + skip, n, 1000), 0.95) << frame_ms;
        const double in_rms = rms(input.data() + skip, n), out_rms = rms(output.data() + skip, n);
        EXPECT_NEAR(20 * std::log10(out_rms / in_rms), 0.0, 1.0) << frame_ms;
        const double kbps = bytes * 8.0 / 2.0 / 1000.0;
        EXPECT_GT(kbps, 24 * 0.5) << frame_ms;
        EXPECT_LT(kbps, 24 * 1.25) << frame_ms;
    }
}

TEST(OpusCodec, BitrateFollowsTheSetting) {
    const auto input = gliding_vowel(kVoiceSampleRate * 2);
    double previous = 0;
    for (int bitrate : {12000, 24000, 40000}) {
        VoiceEncoder encoder(20, bitrate);
        std::size_t bytes = 0;
        for (const auto& packet : encode_all(encoder, input)) bytes += packet.size();
        const double bps = bytes * 8.0 / 2.0;
        EXPECT_GT(bps, bitrate * 0.7) << bitrate;
        EXPECT_LT(bps, bitrate * 1.2) << bitrate;
        EXPECT_GT(bps, previous);
        previous = bps;
    }
    VoiceEncoder encoder(20, 40000);
    encoder.set_bitrate(12000);
    encoder.set_expected_loss(0);
    std::size_t bytes = 0;
    for (const auto& packet : encode_all(encoder, input)) bytes += packet.size();
    EXPECT_LT(bytes * 8.0 / 2.0, 12000 * 1.2);
}

TEST(OpusCodec, FecRecoversALostFrameBetterThanConcealment) {
    VoiceEncoder encoder(20, 24000);
    encoder.set_expected_loss(10);  // what a peer reporting 10 % loss makes the media session ask for
    const auto input = gliding_vowel(kVoiceSampleRate * 4);
    const auto packets = encode_all(encoder, input);
    const int frame = encoder.frame_samples();

    // The reference: every packet decoded.
    VoiceDecoder clean;
    std::vector<std::int16_t> reference(packets.size() * static_cast<std::size_t>(frame));
    for (std::size_t i = 0; i < packets.size(); ++i)
        ASSERT_EQ(clean.decode(packets[i], reference.data() + i * frame, frame), frame);

    // Lose every 10th packet; recover it once with FEC and once with PLC.
    double fec_sum = 0, plc_sum = 0;
    int losses = 0;
    VoiceDecoder with_fec, with_plc;
    std::vector<std::int16_t> a(static_cast<std::size_t>(frame)), b(static_cast<std::size_t>(frame));
    for (std::size_t i = 0; i + 1 < packets.size(); ++i) {
        if (i % 10 == 5) {
            ASSERT_EQ(with_fec.decode_fec(packets[i + 1], a.data(), frame), frame);
            ASSERT_EQ(with_plc.conceal(b.data(), frame), frame);
            const std::int16_t* expected = reference.data() + i * frame;
            fec_sum += correlation(a.data(), expected, a.size());
            plc_sum += correlation(b.data(), expected, b.size());
            ++losses;
        } else {
            ASSERT_EQ(with_fec.decode(packets[i], a.data(), frame), frame);
            ASSERT_EQ(with_plc.decode(packets[i], b.data(), frame), frame);
        }
    }
    const double fec = fec_sum / losses, plc = plc_sum / losses;
    RecordProperty("fec_correlation", std::to_string(fec));
    RecordProperty("plc_correlation", std::to_string(plc));
    std::printf("mean correlation with the clean decode: FEC %.3f, PLC %.3f over %d losses\n", fec, plc, losses);
    EXPECT_GT(fec, 0.8);
    EXPECT_GT(fec, plc + 0.1);
}

// Whether decoding packet i+1's FEC gives anything but plain concealment, for some i.
bool carries_fec(const std::vector<std::vector<std::uint8_t>>& packets, int frame) {
    std::vector<std::int16_t> a(static_cast<std::size_t>(frame)), b(static_cast<std::size_t>(frame));
    for (std::size_t lost = 20; lost + 1 < packets.size(); lost += 10) {
        VoiceDecoder with_fec, with_plc;
        for (std::size_t i = 0; i < lost; ++i) {
            with_fec.decode(packets[i], a.data(), frame);
            with_plc.decode(packets[i], b.data(), frame);
        }
        with_fec.decode_fec(packets[lost + 1], a.data(), frame);
        with_plc.conceal(b.data(), frame);
        if (a != b) return true;
    }
    return false;
}

TEST(OpusCodec, DefaultRateStaysWidebandAndSpendsOnFecOnlyWhenLossIsExpected) {
    const auto input = gliding_vowel(kVoiceSampleRate * 3);
    VoiceEncoder clean_network(20, 20000);
    const auto clean = encode_all(clean_network, input);
    for (const auto& packet : clean) EXPECT_LE(opus_packet_get_bandwidth(packet.data()), OPUS_BANDWIDTH_WIDEBAND);
    EXPECT_FALSE(carries_fec(clean, clean_network.frame_samples()));

    VoiceEncoder lossy_network(20, 20000);
    lossy_network.set_expected_loss(10);
    EXPECT_TRUE(carries_fec(encode_all(lossy_network, input), lossy_network.frame_samples()));
}

TEST(OpusCodec, RejectsGarbageWithoutCrashing) {
    VoiceDecoder decoder;
    std::vector<std::int16_t> out(kMaxVoicePacketSamples);
    EXPECT_EQ(decoder.decode({}, out.data(), kMaxVoicePacketSamples), 0);
    EXPECT_EQ(VoiceDecoder::packet_samples({}), 0);
    const std::uint8_t bad[] = {0xff, 0xff, 0xff};  // code 3 with an impossible frame count
    EXPECT_EQ(VoiceDecoder::packet_samples(bad), 0);
    EXPECT_EQ(decoder.decode(bad, out.data(), kMaxVoicePacketSamples), 0);
    EXPECT_EQ(decoder.conceal(out.data(), 960), 960);
}

TEST(OpusCodec, MovesOwnership) {
    VoiceEncoder a(20);
    VoiceEncoder b = std::move(a);
    EXPECT_EQ(b.frame_samples(), 960);
    std::vector<std::uint8_t> packet(kMaxVoicePacketBytes);
    const auto pcm = sine(440, 1000, 960);
    EXPECT_GT(b.encode(pcm.data(), packet), 0u);
    VoiceDecoder d1, d2;
    d2 = std::move(d1);
    std::vector<std::int16_t> out(960);
    packet.resize(b.encode(pcm.data(), packet));
    EXPECT_EQ(d2.decode(packet, out.data(), 960), 960);
}

}  // namespace
