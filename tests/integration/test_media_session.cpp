// Two MediaSessions in the test process, each with its own socket on 127.0.0.1 and paced
// devices (tone in, null out), talking real RTP/RTCP with real Opus: what one sends the other
// hears, statistics move, strangers' datagrams are counted and dropped, silence ends the call.
#include "media/media_session.hpp"

#include "media/direct_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "audio/device_factory.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "udp_peer.hpp"

namespace {
using namespace sala::client;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

// One end of a call: devices on their pipes, a socket, and (once started) a session.
struct Side {
    Side(asio::io_context& io, const std::string& input)
        : socket(std::make_unique<MediaSocket>(io, kLoopback)), port(socket->port()) {
        std::string error;
        if (!input.empty()) {
            in = make_audio_input(input, &error);
            EXPECT_TRUE(in && in->start(pipes, &error)) << error;
        }
        out = make_audio_output("null", &error);
        EXPECT_TRUE(out && out->start(pipes, &error)) << error;
    }
    ~Side() {
        if (in) in->stop();
        if (out) out->stop();
    }

    void call(asio::io_context& io, unsigned short peer_port, MediaOptions options = {}) {
        auto transport = std::make_unique<DirectTransport>(*socket, asio::ip::udp::endpoint(kLoopback, peer_port));
        session = std::make_unique<MediaSession>(io, std::move(transport), options, pipes, [this] { ++timeouts; });
    }
    CallStatistics stats() const { return session->statistics(); }
    float heard_dbfs() const { return pipes.speaker.read().rms_dbfs; }

    AudioPipes pipes;
    std::unique_ptr<AudioInput> in;
    std::unique_ptr<AudioOutput> out;
    std::unique_ptr<MediaSocket> socket;
    unsigned short port;
    std::unique_ptr<MediaSession> session;
    int timeouts = 0;
};

// Runs the io_context on this thread until `done` holds or the time is up.
bool run_until(asio::io_context& io, const std::function<bool()>& done, Clock::duration limit = 5s) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
        if (Clock::now() >= deadline) return false;
        io.restart();
        io.run_for(10ms);
    }
    return true;
}

TEST(MediaSession, EachSideHearsTheOtherAndTheFiguresMove) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "tone:880");
    alice.call(io, bob.port);
    bob.call(io, alice.port);
    ASSERT_TRUE(run_until(io,
                          [&] {
                              return alice.stats().packets_received >= 50 && bob.stats().packets_received >= 50 &&
                                     alice.stats().rtt_ms >= 0 && bob.stats().rtt_ms >= 0;
                          }))
        << "alice got " << alice.stats().packets_received << ", bob got " << bob.stats().packets_received;
    for (const Side* side : {&alice, &bob}) {
        const CallStatistics s = side->stats();
        EXPECT_GT(s.packets_sent, 40u);
        EXPECT_EQ(s.packets_lost, 0u);
        EXPECT_EQ(s.foreign_packets, 0u);
        EXPECT_GT(s.send_kbps, 20.0);
        EXPECT_LT(s.send_kbps, 60.0);
        EXPECT_GT(s.receive_kbps, 20.0);
        EXPECT_GT(s.jitter_buffer_ms, 0);
        EXPECT_LT(s.rtt_ms, 50.0);
        EXPECT_GE(s.remote_loss_percent, 0.0) << "the peer's receiver report arrived";
        EXPECT_GT(side->heard_dbfs(), -30.0f) << "a tone at full scale arrives loud";
        // Paced devices report no delay of their own: the rings only. The engine tops the
        // playback ring up to a frame (20 ms) at each wake-up; the paced clock hands over the
        // capture a frame at a time, which the engine encodes at once.
        EXPECT_GT(s.output_latency_ms, 5.0);
        EXPECT_LT(s.output_latency_ms, 40.0);
        EXPECT_GE(s.input_latency_ms, 0.0);
        EXPECT_LT(s.input_latency_ms, 25.0);
    }
    EXPECT_EQ(alice.timeouts + bob.timeouts, 0);
}

// Only bob talks: alice's output device takes the first frame decoded from bob's packets, and
// take_first_audio() tells it once; bob, who hears nothing, has nothing to tell.
TEST(MediaSession, FirstAudioIsTheFirstFrameOfThePeerPlayed) {
    asio::io_context io;
    Side alice(io, ""), bob(io, "tone:880");
    const auto start = Clock::now();
    alice.call(io, bob.port);
    bob.call(io, alice.port);
    std::optional<Clock::time_point> played;
    ASSERT_TRUE(run_until(io, [&] { return (played = alice.session->take_first_audio()).has_value(); }));
    EXPECT_GT(*played, start);
    EXPECT_LT(*played - start, 1s);
    EXPECT_GE(alice.stats().packets_received, 1u);
    run_until(
        io, [] { return false; }, 100ms);
    EXPECT_FALSE(alice.session->take_first_audio()) << "told once";
    EXPECT_FALSE(bob.session->take_first_audio()) << "bob heard nothing";
}

TEST(MediaSession, DatagramsFromStrangersAreCountedAndDropped) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "tone:880");
    alice.call(io, bob.port);
    bob.call(io, alice.port);
    ASSERT_TRUE(run_until(io, [&] { return alice.stats().packets_received >= 10; }));
    // Well-formed RTP from the wrong address, garbage, and one datagram too long to read whole.
    sala::test::UdpPeer stranger;  // not in the call
    std::vector<std::uint8_t> rtp(200);
    RtpHeader header;
    header.ssrc = 1234;
    rtp.resize(write_rtp(header, std::vector<std::uint8_t>(40, 0xfc), rtp));
    for (int i = 0; i < 20; ++i) stranger.send(rtp, alice.port);
    for (int i = 0; i < 20; ++i)
        stranger.send(std::vector<std::uint8_t>(static_cast<std::size_t>(i + 1), 0xab), alice.port);
    stranger.send(std::vector<std::uint8_t>(3000, 0x80), alice.port);
    const auto before = alice.stats().packets_received;
    ASSERT_TRUE(run_until(io, [&] { return alice.stats().foreign_packets >= 41; }))
        << alice.stats().foreign_packets << " counted";
    ASSERT_TRUE(run_until(io, [&] { return alice.stats().packets_received >= before + 25; }));
    EXPECT_EQ(alice.stats().foreign_packets, 41u);
    EXPECT_EQ(alice.stats().packets_lost, 0u);
    EXPECT_EQ(bob.stats().foreign_packets, 0u);
}

TEST(MediaSession, SilenceFromThePeerEndsTheCallOnce) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "tone:880");
    MediaOptions quick;
    quick.timeout = 600ms;
    alice.call(io, bob.port, quick);
    bob.call(io, alice.port);
    ASSERT_TRUE(run_until(io, [&] { return alice.stats().packets_received >= 10; }));
    bob.session->finish();
    const auto stopped = Clock::now();
    ASSERT_TRUE(run_until(io, [&] { return alice.timeouts > 0; }));
    const auto waited = Clock::now() - stopped;
    EXPECT_GE(waited, 500ms);
    EXPECT_LT(waited, 1500ms);
    io.restart();
    io.run_for(300ms);
    EXPECT_EQ(alice.timeouts, 1) << "reported once";
    const auto sent = alice.stats().packets_sent;
    io.restart();
    io.run_for(100ms);
    EXPECT_EQ(alice.stats().packets_sent, sent) << "a timed-out session sends nothing more";
}

TEST(MediaSession, AMutedSideSendsSilenceButKeepsSending) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "tone:880");
    alice.call(io, bob.port);
    bob.call(io, alice.port);
    alice.session->set_muted(true);
    ASSERT_TRUE(run_until(io, [&] { return bob.stats().packets_received >= 60; }));
    EXPECT_LT(bob.heard_dbfs(), -60.0f);
    EXPECT_GT(alice.heard_dbfs(), -30.0f);
    alice.session->set_muted(false);
    ASSERT_TRUE(run_until(io, [&] { return bob.heard_dbfs() > -30.0f; }));
}

TEST(MediaSession, EchoSendsBackWhatItHears) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "");
    MediaOptions echo;
    echo.echo = true;
    alice.call(io, bob.port);
    bob.call(io, alice.port, echo);
    ASSERT_TRUE(run_until(io, [&] { return alice.heard_dbfs() > -30.0f; })) << alice.heard_dbfs();
}

TEST(MediaSession, ImpairedReceptionLosesWhatItIsToldTo) {
    asio::io_context io;
    Side alice(io, "tone:440"), bob(io, "tone:880");
    MediaOptions deaf;
    deaf.impair.loss_percent = 100;
    MediaOptions jittery;
    jittery.impair.jitter_ms = 30;
    alice.call(io, bob.port, deaf);
    bob.call(io, alice.port, jittery);
    ASSERT_TRUE(run_until(io, [&] { return bob.stats().packets_received >= 100; }));
    EXPECT_EQ(alice.stats().packets_received, 0u);
    EXPECT_GT(bob.stats().jitter_ms, 3.0) << "held back up to 30 ms";
    EXPECT_GT(bob.heard_dbfs(), -30.0f);
    // Held back up to 30 ms, a packet may still be on its way behind a later one (counted lost
    // until it comes, as RFC 3550 counts): alice stops, and bob's impairment lets the rest go.
    alice.session->finish();
    run_until(
        io, [] { return false; }, 200ms);
    EXPECT_EQ(bob.stats().packets_lost, 0u) << "delayed, not lost";
}

}  // namespace
