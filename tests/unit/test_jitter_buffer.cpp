#include "media/jitter_buffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <numbers>
#include <random>
#include <vector>

namespace {
using namespace sala::client;
using Clock = std::chrono::steady_clock;

constexpr std::uint16_t kFirstSeq = 65400;  // every stream crosses the 16-bit wrap
constexpr std::uint32_t kFirstTs = 0xfff00000u;

Clock::time_point at_ms(double ms) {
    return Clock::time_point{} +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms + 1000.0));
}

// Packets of a speech-like tone (harmonics of a gliding pitch), encoded once per frame length;
// packet i of a longer stream is packet i modulo their count.
const std::vector<std::vector<std::uint8_t>>& stream(int frame_ms) {
    static std::map<int, std::vector<std::vector<std::uint8_t>>> cache;
    auto& packets = cache[frame_ms];
    if (!packets.empty()) return packets;
    VoiceEncoder encoder(frame_ms, 24000);
    const int frame = encoder.frame_samples();
    std::vector<std::int16_t> pcm(static_cast<std::size_t>(frame));
    double phase = 0;
    long n = 0;
    for (int i = 0; i < 10'000 / frame_ms; ++i) {  // 10 s, repeated for longer streams
        for (auto& s : pcm) {
            const double f0 = 185 + 75 * std::sin(2 * std::numbers::pi * 1.3 * n++ / kVoiceSampleRate);
            phase += 2 * std::numbers::pi * f0 / kVoiceSampleRate;
            double v = 0;
            for (int h = 1; h <= 10; ++h) v += std::sin(h * phase) / h;
            s = static_cast<std::int16_t>(5000 * v);
        }
        std::vector<std::uint8_t> packet(kMaxVoicePacketBytes);
        packet.resize(encoder.encode(pcm.data(), packet));
        packets.push_back(std::move(packet));
    }
    return packets;
}

struct Arrival {
    int index;  // packet number in the stream
    double ms;  // arrival time
};

struct Playout {
    std::vector<FrameKind> kinds;
    std::vector<std::int16_t> audio;
    std::vector<JitterBufferStats> stats;  // after every pop
    std::size_t count(FrameKind k) const { return static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), k)); }
};

// Delivers the arrivals in time order and pops one frame every frame_ms from pop_start_ms until
// end_ms (arrivals at the same instant as a pop come first).
Playout simulate(JitterBuffer& jb, int packet_ms, std::vector<Arrival> arrivals, double end_ms,
                 double pop_start_ms = 0.0) {
    const auto& packets = stream(packet_ms);
    const std::uint32_t ticks = static_cast<std::uint32_t>(packet_ms * 48);
    std::stable_sort(arrivals.begin(), arrivals.end(), [](const Arrival& a, const Arrival& b) { return a.ms < b.ms; });
    Playout run;
    std::vector<std::int16_t> frame(static_cast<std::size_t>(jb.frame_samples()));
    const double period = jb.frame_samples() / 48.0;
    std::size_t next = 0;
    for (double t = pop_start_ms; t < end_ms; t += period) {
        for (; next < arrivals.size() && arrivals[next].ms <= t; ++next) {
            const int i = arrivals[next].index;
            jb.push(static_cast<std::uint16_t>(kFirstSeq + i), kFirstTs + ticks * static_cast<std::uint32_t>(i),
                    packets[static_cast<std::size_t>(i) % packets.size()], at_ms(arrivals[next].ms));
        }
        run.kinds.push_back(jb.pop(frame.data(), at_ms(t)));
        run.audio.insert(run.audio.end(), frame.begin(), frame.end());
        run.stats.push_back(jb.stats());
    }
    return run;
}

// Packet i sent at i * packet_ms and arriving after 5 ms plus delay(i); skip(i) drops it.
std::vector<Arrival> arrivals(int packet_ms, int count, const std::function<double(int)>& delay = {},
                              const std::function<bool(int)>& skip = {}) {
    std::vector<Arrival> out;
    for (int i = 0; i < count; ++i)
        if (!skip || !skip(i)) out.push_back({i, i * packet_ms + 5.0 + (delay ? delay(i) : 0.0)});
    return out;
}

std::vector<std::int16_t> clean_decode(int packet_ms, int count) {
    VoiceDecoder decoder;
    std::vector<std::int16_t> out;
    std::vector<std::int16_t> frame(kMaxVoicePacketSamples);
    for (int i = 0; i < count; ++i) {
        const auto& packets = stream(packet_ms);
        const int n =
            decoder.decode(packets[static_cast<std::size_t>(i) % packets.size()], frame.data(), kMaxVoicePacketSamples);
        out.insert(out.end(), frame.begin(), frame.begin() + n);
    }
    return out;
}

// The played audio from its first non-zero sample.
std::vector<std::int16_t> from_first_sound(const std::vector<std::int16_t>& audio) {
    auto first = std::find_if(audio.begin(), audio.end(), [](std::int16_t s) { return s != 0; });
    return {first, audio.end()};
}

TEST(JitterBuffer, StartsSilentThenPlaysAnInOrderStreamBitExactly) {
    JitterBuffer jb;
    EXPECT_EQ(jb.frame_samples(), 960);
    const Playout run = simulate(jb, 20, arrivals(20, 250), 6000);
    EXPECT_EQ(run.kinds[0], FrameKind::silence);
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.received, 250u);
    EXPECT_EQ(s.decoded, 250u);
    EXPECT_EQ(s.lost + s.late + s.duplicate + s.fec_recovered + s.shrunk + s.stretched, 0u);
    EXPECT_EQ(s.target_delay_ms, 20);
    EXPECT_GE(run.stats[100].current_delay_ms, 20);
    EXPECT_LE(run.stats[100].current_delay_ms, 40);
    // After the last packet: a little concealment, then silence that stays silence.
    EXPECT_EQ(run.kinds.back(), FrameKind::silence);
    const auto clean = from_first_sound(clean_decode(20, 250));
    const auto played = from_first_sound(run.audio);
    ASSERT_GE(played.size(), clean.size());
    EXPECT_TRUE(std::equal(clean.begin(), clean.end(), played.begin()));
    EXPECT_TRUE(std::all_of(run.audio.end() - 960 * 10, run.audio.end(), [](std::int16_t v) { return v == 0; }));
}

// What the playout asks before it decides to wait for a packet (MediaSession::play_when_due):
// whether the next pop starts on a packet that has not come.
TEST(JitterBuffer, SaysWhenItsNextPopAwaitsAPacket) {
    JitterBuffer jb({.frame_ms = 5, .min_delay_ms = 10});
    const auto& packets = stream(20);
    std::vector<std::int16_t> frame(240);
    EXPECT_FALSE(jb.awaits_packet()) << "not playing yet";
    for (int i = 0; i < 2; ++i)
        jb.push(static_cast<std::uint16_t>(kFirstSeq + i), kFirstTs + 960u * static_cast<std::uint32_t>(i),
                packets[static_cast<std::size_t>(i)], at_ms(20.0 * i + 5));
    jb.pop(frame.data(), at_ms(45));  // starts on packet 0 or 1; a 20 ms packet gives four pops
    const bool first = jb.awaits_packet();
    int pops = 0;
    while (!jb.awaits_packet() && pops < 8) {
        jb.pop(frame.data(), at_ms(50 + 5.0 * pops));
        ++pops;
    }
    EXPECT_TRUE(jb.awaits_packet()) << "the stored packets run out";
    EXPECT_LE(pops, 7) << first;
    jb.push(static_cast<std::uint16_t>(kFirstSeq + 2), kFirstTs + 960u * 2, packets[2], at_ms(45 + 5.0 * pops));
    EXPECT_FALSE(jb.awaits_packet()) << "the packet it waited for came";
}

TEST(JitterBuffer, ReordersWithinTheDelay) {
    JitterBuffer jb({.min_delay_ms = 60});
    // Every 7th packet arrives after its successor.
    const Playout run = simulate(jb, 20, arrivals(20, 300, [](int i) { return i % 7 == 3 ? 30.0 : 0.0; }), 6500);
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.decoded, 300u);
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(s.late, 0u);
    EXPECT_EQ(run.stats[5900 / 20].concealed, 0u);  // none before the stream ends
}

TEST(JitterBuffer, DropsAndCountsDuplicates) {
    JitterBuffer jb;
    auto twice = arrivals(20, 200);
    for (int i = 0; i < 200; ++i) twice.push_back({i, i * 20 + 5.0 + (i % 2 ? 0.0 : 100.0)});  // some after playout
    const Playout run = simulate(jb, 20, twice, 4500);
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.duplicate, 200u);
    EXPECT_EQ(s.decoded, 200u);
    EXPECT_EQ(s.late, 0u);
    EXPECT_EQ(s.lost, 0u);
}

TEST(JitterBuffer, DropsLatePacketsAndConcealsTheirSlot) {
    JitterBuffer jb;
    // Packet 100 comes 300 ms late: the buffer must not wait that long.
    const Playout run = simulate(jb, 20, arrivals(20, 200, [](int i) { return i == 100 ? 300.0 : 0.0; }), 4500);
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.late, 1u);
    EXPECT_EQ(s.lost, 1u);
    EXPECT_EQ(s.decoded, 199u);
    EXPECT_GE(s.fec_recovered + s.concealed, 1u);
}

TEST(JitterBuffer, RecoversIsolatedLossWithFecAndConcealsBursts) {
    JitterBuffer jb({.min_delay_ms = 60});
    // Isolated losses (every 10th): the next packet is there, so FEC recovers each one.
    Playout run = simulate(jb, 20, arrivals(20, 500, {}, [](int i) { return i % 10 == 5; }), 10100);
    JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.lost, 50u);
    EXPECT_EQ(s.fec_recovered, 50u);
    EXPECT_EQ(s.decoded, 450u);
    EXPECT_EQ(run.stats[9000 / 20].concealed, 0u);
    EXPECT_EQ(run.count(FrameKind::fec), 50u);

    // Pairs lost: the first of each pair has no next packet (PLC), the second has (FEC).
    JitterBuffer pairs({.min_delay_ms = 60});
    run = simulate(pairs, 20, arrivals(20, 500, {}, [](int i) { return i % 10 == 5 || i % 10 == 6; }), 10100);
    s = run.stats.back();
    EXPECT_EQ(s.lost, 100u);
    EXPECT_EQ(s.fec_recovered, 50u);
    EXPECT_EQ(s.decoded, 400u);
    EXPECT_GE(run.count(FrameKind::concealed), 50u);
}

TEST(JitterBuffer, KeepsALookaheadForFecWhenLossIsFrequent) {
    JitterBuffer jb;  // min 20 ms: no lookahead until loss is seen
    std::mt19937 rng(3);
    std::bernoulli_distribution lose(0.1);
    std::vector<bool> lost(1500);
    for (auto&& l : lost) l = lose(rng);
    const Playout run = simulate(
        jb, 20, arrivals(20, 1500, {}, [&](int i) { return i > 10 && lost[static_cast<std::size_t>(i)]; }), 30'100);
    const JitterBufferStats s = run.stats.back();
    EXPECT_GT(s.lost, 100u);
    EXPECT_GT(s.fec_recovered, s.lost * 7 / 10) << "lost " << s.lost;
    EXPECT_GE(s.target_delay_ms, 40);
}

TEST(JitterBuffer, TargetGrowsWithJitterAndShrinksWhenItFalls) {
    JitterBuffer jb;
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> spread(0.0, 80.0);
    std::vector<double> jitter(3000, 0.0);
    for (int i = 500; i < 1500; ++i) jitter[static_cast<std::size_t>(i)] = spread(rng);  // 10 s to 30 s
    const Playout run =
        simulate(jb, 20, arrivals(20, 3000, [&](int i) { return jitter[static_cast<std::size_t>(i)]; }), 60'000);
    auto at = [&](double ms) { return run.stats.at(static_cast<std::size_t>(ms / 20)); };
    EXPECT_EQ(at(9'000).target_delay_ms, 20);
    EXPECT_LE(at(9'000).current_delay_ms, 40);
    const auto before_late = at(12'000).late;
    // Within a few seconds of jitter the target covers it, and few packets come late after that.
    EXPECT_GE(at(12'000).target_delay_ms, 80);
    EXPECT_LE(at(12'000).target_delay_ms, 200);
    EXPECT_GE(at(29'000).current_delay_ms, 80);
    EXPECT_LT(at(29'000).late - before_late, 30u);  // of 850 packets
    // Jitter gone at 30 s: the delay comes back down, slowly but surely.
    EXPECT_GE(at(31'000).target_delay_ms, 60);
    EXPECT_EQ(at(50'000).target_delay_ms, 20);
    EXPECT_LE(at(55'000).current_delay_ms, 40);
    EXPECT_GT(at(55'000).shrunk, 0u);
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.lost, s.late);
    for (double ms : {9'000.0, 10'500.0, 12'000.0, 29'000.0, 31'000.0, 40'000.0, 50'000.0, 55'000.0})
        std::printf("%6.1f s: target %3d ms, delay %3d ms, late %3llu, shrunk %llu\n", ms / 1000,
                    at(ms).target_delay_ms, at(ms).current_delay_ms, static_cast<unsigned long long>(at(ms).late),
                    static_cast<unsigned long long>(at(ms).shrunk));
}

// A sender whose sound card clock runs 0.14 % fast (as PulseAudio's null sinks do against the
// steady clock here): its packets come steadily earlier, 2.8 ms over the 2 s window, with no
// jitter at all. That drift is not spread: the target stays at the packet.
TEST(JitterBuffer, AClockDriftIsNotTakenForJitter) {
    JitterBuffer jb({.frame_ms = 5, .min_delay_ms = 10});
    const Playout run = simulate(jb, 20, arrivals(20, 1500, [](int i) { return -0.0014 * 20 * i; }), 29'000);
    for (double ms : {5'000.0, 15'000.0, 28'000.0}) {
        const JitterBufferStats& s = run.stats.at(static_cast<std::size_t>(ms / 5));
        std::printf("%5.1f s: target %d ms, delay %d ms\n", ms / 1000, s.target_delay_ms, s.current_delay_ms);
        EXPECT_LE(s.target_delay_ms, 21) << "at " << ms << " ms";
    }
    EXPECT_EQ(run.stats.back().late, 0u);
}

TEST(JitterBuffer, TargetStaysWithinBounds) {
    JitterBuffer jb({.min_delay_ms = 40, .max_delay_ms = 100});
    std::mt19937 rng(9);
    std::uniform_real_distribution<double> spread(0.0, 300.0);
    const Playout run = simulate(jb, 20, arrivals(20, 1000, [&](int) { return spread(rng); }), 20'000);
    int lowest_target = 1000, highest_target = 0, highest_delay = 0;
    for (const auto& s : run.stats) {
        lowest_target = std::min(lowest_target, s.target_delay_ms);
        highest_target = std::max(highest_target, s.target_delay_ms);
        highest_delay = std::max(highest_delay, s.current_delay_ms);
    }
    EXPECT_EQ(lowest_target, 40);
    EXPECT_EQ(highest_target, 100);
    EXPECT_LE(highest_delay, 100 + 20);
    EXPECT_EQ(run.stats.back().target_delay_ms, 100);
    EXPECT_GT(run.stats.back().late, 100u);
}

TEST(JitterBuffer, SurvivesAFloodOfFarFutureSequenceNumbers) {
    JitterBuffer jb;
    const auto& packets = stream(20);
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> far(1000, 30000);
    std::vector<std::int16_t> frame(960);
    std::size_t played = 0;
    for (int i = 0; i < 500; ++i) {
        const double t = i * 20.0;
        jb.push(static_cast<std::uint16_t>(kFirstSeq + i), kFirstTs + 960u * static_cast<std::uint32_t>(i),
                packets[static_cast<std::size_t>(i)], at_ms(t + 5));
        for (int k = 0; k < 50; ++k)  // 50 strays per real packet, random sequence and timestamp
            jb.push(static_cast<std::uint16_t>(kFirstSeq + i + far(rng)), static_cast<std::uint32_t>(rng()),
                    packets[static_cast<std::size_t>(i)], at_ms(t + 6));
        if (jb.pop(frame.data(), at_ms(t + 10)) == FrameKind::decoded) ++played;
    }
    const JitterBufferStats s = jb.stats();
    EXPECT_EQ(s.received, 500u * 51);
    EXPECT_GT(s.dropped, 500u * 45);
    EXPECT_GT(played, 450u);
    EXPECT_LE(s.current_delay_ms, 200);
}

TEST(JitterBuffer, RestartsCleanlyOnASequenceAndTimestampJump) {
    JitterBuffer jb;
    const auto& packets = stream(20);
    std::vector<std::int16_t> frame(960);
    std::vector<FrameKind> kinds;
    for (int i = 0; i < 400; ++i) {
        const double t = i * 20.0;
        // The sender restarts at packet 200 with new random sequence and timestamp origins.
        const auto seq = static_cast<std::uint16_t>(i < 200 ? 100 + i : 40000 + i);
        const auto ts = static_cast<std::uint32_t>(i < 200 ? 5000 + 960 * i
                                                           : 3'000'000'000u + 960u * static_cast<std::uint32_t>(i));
        jb.push(seq, ts, packets[static_cast<std::size_t>(i)], at_ms(t + 5));
        kinds.push_back(jb.pop(frame.data(), at_ms(t + 10)));
    }
    const JitterBufferStats s = jb.stats();
    EXPECT_EQ(s.restarts, 1u);
    EXPECT_GE(s.decoded, 395u);
    EXPECT_EQ(s.late, 0u);
    EXPECT_TRUE(std::all_of(kinds.begin() + 210, kinds.end(), [](FrameKind k) { return k == FrameKind::decoded; }));
}

TEST(JitterBuffer, GoesSilentWhenTheStreamStopsAndResumesWhenItReturns) {
    JitterBuffer jb;
    // 2 s of packets, nothing for 3 s, then the same stream continues (sequence numbers go on).
    auto plan = arrivals(20, 250);
    plan.erase(
        std::remove_if(plan.begin(), plan.end(), [](const Arrival& a) { return a.index >= 100 && a.index < 250; }),
        plan.end());
    for (int i = 100; i < 150; ++i) plan.push_back({i, 5000 + (i - 100) * 20.0});
    const Playout run = simulate(jb, 20, plan, 7000);
    const std::size_t stop = 2000 / 20;
    std::size_t concealed_after_stop = 0;
    for (std::size_t j = stop; j < stop + 20; ++j) concealed_after_stop += run.kinds[j] == FrameKind::concealed;
    EXPECT_GT(concealed_after_stop, 0u);
    EXPECT_LE(concealed_after_stop, 10u);
    for (std::size_t j = stop + 20; j < 5000 / 20; ++j) {
        ASSERT_EQ(run.kinds[j], FrameKind::silence) << j;
        ASSERT_TRUE(std::all_of(run.audio.begin() + static_cast<std::ptrdiff_t>(j * 960),
                                run.audio.begin() + static_cast<std::ptrdiff_t>((j + 1) * 960),
                                [](std::int16_t v) { return v == 0; }));
    }
    EXPECT_EQ(run.kinds[5100 / 20], FrameKind::decoded);
    EXPECT_EQ(run.stats.back().decoded, 150u);
    EXPECT_EQ(run.stats.back().late, 0u);
}

// Every packet decoded, none lost or concealed before the stream ends at end_ms, and the audio
// bit-exact with a plain decode of the whole stream.
void expect_every_packet_played(const Playout& run, int packet_ms, int count, double end_ms, double frame_ms) {
    const JitterBufferStats s = run.stats.back();
    EXPECT_EQ(s.decoded, static_cast<std::uint64_t>(count));
    EXPECT_EQ(s.lost, 0u);
    EXPECT_EQ(run.stats[static_cast<std::size_t>(end_ms / frame_ms)].concealed, 0u);
    EXPECT_EQ(s.target_delay_ms, 20);
    const auto clean = from_first_sound(clean_decode(packet_ms, count));
    const auto played = from_first_sound(run.audio);
    ASSERT_GE(played.size(), clean.size());
    EXPECT_TRUE(std::equal(clean.begin(), clean.end(), played.begin()));
}

TEST(JitterBuffer, PlaysTenMillisecondPacketsInTwentyMillisecondFramesAndViceVersa) {
    JitterBuffer twenty({.frame_ms = 20});
    expect_every_packet_played(simulate(twenty, 10, arrivals(10, 500), 5100), 10, 500, 4900, 20);
    JitterBuffer ten({.frame_ms = 10, .min_delay_ms = 10});
    EXPECT_EQ(ten.frame_samples(), 480);
    const Playout run = simulate(ten, 20, arrivals(20, 250), 5100);
    expect_every_packet_played(run, 20, 250, 4900, 10);
    EXPECT_EQ(run.count(FrameKind::decoded), 500u);
}

TEST(JitterBuffer, ResetForgetsEverything) {
    JitterBuffer jb;
    simulate(jb, 20, arrivals(20, 50), 1200);
    EXPECT_GT(jb.stats().decoded, 0u);
    jb.reset();
    EXPECT_EQ(jb.stats().received, 0u);
    std::vector<std::int16_t> frame(960, 1);
    EXPECT_EQ(jb.pop(frame.data(), at_ms(5000)), FrameKind::silence);
    EXPECT_TRUE(std::all_of(frame.begin(), frame.end(), [](std::int16_t v) { return v == 0; }));
    EXPECT_THROW(JitterBuffer({.frame_ms = 7}), std::invalid_argument);
    EXPECT_THROW(JitterBuffer({.min_delay_ms = 100, .max_delay_ms = 50}), std::invalid_argument);
}

}  // namespace
