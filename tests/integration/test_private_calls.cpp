// End-to-end encrypted calls between real sala-cli processes (docs/protocol.md, "End-to-end
// encrypted media"): the safety code, a peer whose identity key changed, peers that send no
// keys, and forged and replayed SRTP aimed at a client during a call.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "audio_similarity.hpp"
#include "cli_peer.hpp"
#include "line_client.hpp"
#include "program_path.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace std::chrono_literals;
using nlohmann::json;
using sala::test::CliPeer;
using sala::test::LineClient;
using sala::test::Process;
using sala::test::ServerProcess;
using sala::test::TempDir;

std::vector<json> all(const CliPeer& peer, const std::string& kind) {
    std::vector<json> found;
    for (const auto& event : peer.events())
        if (event.value("event", "") == kind) found.push_back(event);
    return found;
}

json last_stats(const CliPeer& peer) {
    auto stats = all(peer, "stats");
    return stats.empty() ? json() : stats.back();
}

// Waits for the peer to exit with `status`, then reads the events it printed last.
void wait_exit(CliPeer& peer, int status) {
    EXPECT_EQ(peer.process().wait(15s), status) << peer.name() << ": " << peer.process().stderr_text();
    while (peer.wait_for("(every remaining event)", 100ms)) {
    }
}

class PrivateCalls : public ::testing::Test {
protected:
    std::vector<std::string> bob_args(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--answer",    "accept", "--audio-in",   "tone:440",
                                      "--audio-out", "null",   "--config-dir", bob_dir_};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    std::vector<std::string> alice_args(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--call",   "bob",         "--duration", "1.5",          "--audio-in",
                                      "tone:330", "--audio-out", "null",       "--config-dir", alice_dir_};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    // One call (or `calls` calls) from alice to bob; both end normally.
    std::pair<std::vector<json>, std::vector<json>> calls(ServerProcess& server, int n) {
        CliPeer bob(server.port(), "bob", bob_args({"--calls", std::to_string(n)}));
        EXPECT_TRUE(bob.wait_for("registered"));
        CliPeer alice(server.port(), "alice", alice_args({"--calls", std::to_string(n)}));
        wait_exit(alice, 0);
        wait_exit(bob, 0);
        for (const CliPeer* peer : {&alice, &bob}) {
            const auto stats = last_stats(*peer);
            EXPECT_GT(stats.value("packets_received", 0), 20) << peer->name() << " heard nothing: " << stats.dump();
            EXPECT_EQ(stats.value("rejected_packets", -1), 0) << stats.dump();
        }
        return {all(alice, "call_started"), all(bob, "call_started")};
    }

    TempDir dir_;
    std::string alice_dir_ = dir_.file("alice-config"), bob_dir_ = dir_.file("bob-config");
};

TEST_F(PrivateCalls, BothSidesShowTheSameSafetyCodeANewOneEachCall) {
    ServerProcess server;
    auto [alice, bob] = calls(server, 2);
    ASSERT_EQ(alice.size(), 2u);
    ASSERT_EQ(bob.size(), 2u);
    for (int i = 0; i < 2; ++i) {
        std::cout << "[ codes    ] call " << i + 1 << ": alice " << alice[i]["safety_code"] << ", bob "
                  << bob[i]["safety_code"] << "\n";
        for (const auto* e : {&alice[i], &bob[i]}) {
            EXPECT_EQ((*e)["encrypted"], true) << e->dump();
            EXPECT_EQ((*e)["srtp_suite"], "AES_CM_128_HMAC_SHA1_80");
            EXPECT_EQ((*e)["peer_key_changed"], false);
            EXPECT_EQ((*e)["safety_code"].get<std::string>().size(), 6u);
        }
        EXPECT_EQ(alice[i]["safety_code"], bob[i]["safety_code"]);
        EXPECT_EQ(alice[i]["call_id"], bob[i]["call_id"]);
    }
    EXPECT_NE(alice[0]["safety_code"], alice[1]["safety_code"]);
    EXPECT_EQ(alice[0]["peer_identity"], alice[1]["peer_identity"]) << "bob keeps his identity";
    EXPECT_NE(alice[0]["peer_identity"], bob[0]["peer_identity"]);
    for (const auto& dir : {alice_dir_, bob_dir_})
        EXPECT_EQ(std::filesystem::status(dir + "/identity_ed25519").permissions() & std::filesystem::perms::all,
                  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PrivateCalls, TheGcmSuiteWorksToo) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", bob_args({"--calls", "1"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", alice_args({"--srtp", "AEAD_AES_128_GCM"}));
    wait_exit(alice, 0);
    wait_exit(bob, 0);
    auto started = all(bob, "call_started");
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0]["srtp_suite"], "AEAD_AES_128_GCM");
    EXPECT_EQ(started[0]["safety_code"], all(alice, "call_started").at(0)["safety_code"]);
    EXPECT_GT(last_stats(bob).value("packets_received", 0), 20);
}

TEST_F(PrivateCalls, APeerWhoseIdentityKeyChangedIsFlagged) {
    ServerProcess server;
    auto first = calls(server, 1);
    ASSERT_EQ(first.first.size(), 1u);
    EXPECT_EQ(first.first[0]["peer_key_changed"], false);
    std::filesystem::remove_all(bob_dir_);  // bob sets Sala up again: a new identity key
    // On this server the name bob is bound to bob's old key (name_owned): they meet on another.
    ServerProcess other;

    CliPeer bob(other.port(), "bob", bob_args({"--calls", "1"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(other.port(), "alice", alice_args());
    auto started = alice.wait_for("call_started", 10s);
    ASSERT_TRUE(started);
    EXPECT_EQ((*started)["peer_key_changed"], true) << started->dump();
    EXPECT_NE((*started)["peer_identity"], first.first[0]["peer_identity"]);
    auto warning = alice.wait_for("warning");
    ASSERT_TRUE(warning);
    EXPECT_EQ((*warning)["code"], "peer_key_changed");
    wait_exit(alice, 0);
    wait_exit(bob, 0);
    EXPECT_EQ(all(bob, "call_started").at(0)["peer_key_changed"], false) << "alice's key did not change";
}

// A version 2 peer (a raw protocol client here) sends no keys: the call is not made private,
// so it does not happen, unless the user allowed it.
TEST_F(PrivateCalls, APeerWithoutKeysIsRefusedUnlessAllowed) {
    ServerProcess server;
    {
        LineClient bob(server.port());
        ASSERT_TRUE(bob.send(json{{"type", "hello"}, {"version", 2}, {"name", "bob"}, {"media_port", 40000}}));
        ASSERT_TRUE(bob.wait_for("welcome"));
        CliPeer alice(server.port(), "alice", alice_args());
        auto invite = bob.wait_for("invite");
        ASSERT_TRUE(invite);
        EXPECT_TRUE(invite->contains("keys")) << "the caller's key offer is relayed";
        ASSERT_TRUE(bob.send(json{{"type", "accept"}, {"call_id", (*invite)["call_id"]}}));
        auto refused = alice.wait_for("error");
        ASSERT_TRUE(refused);
        EXPECT_EQ((*refused)["code"], "not_private");
        auto ended = alice.wait_for("call_ended");
        ASSERT_TRUE(ended);
        EXPECT_EQ((*ended)["reason"], "not_private");
        EXPECT_TRUE(all(alice, "call_started").empty()) << "no call started without keys";
        EXPECT_EQ(alice.process().wait(10s), 1);
        EXPECT_NE(alice.process().stderr_text().find("could not be made private"), std::string::npos)
            << alice.process().stderr_text();
        auto bob_ended = bob.wait_for("call_ended");
        ASSERT_TRUE(bob_ended);
        EXPECT_EQ((*bob_ended)["reason"], "hangup");
        ASSERT_TRUE(bob.send(json{{"type", "bye"}}));  // the name is free again before the next bob
        EXPECT_TRUE(bob.wait_closed());
    }
    for (bool allowed : {false, true}) {
        // A new name each time: a sala-cli stopped by a signal keeps its name held for resumption.
        const std::string callee = allowed ? "bob-allowing" : "bob-refusing";
        CliPeer bob(server.port(), callee,
                    bob_args(allowed ? std::vector<std::string>{"--allow-unencrypted"} : std::vector<std::string>{}));
        ASSERT_TRUE(bob.wait_for("registered")) << bob.process().stderr_text();
        // Not "alice": the sala-cli alice above bound that name to its identity key (protocol v4).
        LineClient alice(server.port());
        ASSERT_TRUE(alice.send(json{{"type", "hello"}, {"version", 2}, {"name", "old alice"}, {"media_port", 40000}}));
        ASSERT_TRUE(alice.wait_for("welcome"));
        ASSERT_TRUE(alice.send(json{{"type", "call"}, {"to", callee}}));
        if (!allowed) {
            auto ended = bob.wait_for("call_ended");
            ASSERT_TRUE(ended);
            EXPECT_EQ((*ended)["reason"], "not_private");
            EXPECT_EQ(alice.wait_for("call_ended").value_or(json())["reason"], "rejected");
        } else {
            auto started = bob.wait_for("call_started");
            ASSERT_TRUE(started);
            EXPECT_EQ((*started)["encrypted"], false);
            EXPECT_FALSE(started->contains("safety_code"));
            auto warning = bob.wait_for("warning");
            ASSERT_TRUE(warning);
            EXPECT_EQ((*warning)["code"], "not_encrypted");
            auto to_alice = alice.wait_for("call_started");
            ASSERT_TRUE(to_alice);
            EXPECT_FALSE(to_alice->contains("keys"));
            ASSERT_TRUE(alice.send(json{{"type", "hangup"}, {"call_id", (*to_alice)["call_id"]}}));
            EXPECT_TRUE(bob.wait_for("call_ended"));
        }
        ASSERT_TRUE(alice.send(json{{"type", "bye"}}));
        EXPECT_TRUE(alice.wait_closed());
        bob.process().signal(SIGTERM);
        EXPECT_TRUE(bob.process().wait(5s));
    }
}

// ---- forged and replayed SRTP ------------------------------------------------------------

// Reads the UDP datagrams that cross the loopback interface (a packet socket: root only).
class LoopbackTap {
public:
    LoopbackTap() : fd_(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP))) {
        if (fd_ < 0) return;
        sockaddr_ll at{};
        at.sll_family = AF_PACKET;
        at.sll_protocol = htons(ETH_P_IP);
        at.sll_ifindex = static_cast<int>(::if_nametoindex("lo"));
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~LoopbackTap() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    // The payloads of the datagrams from port `from` to port `to` seen so far.
    std::vector<std::vector<std::uint8_t>> take(std::uint16_t from, std::uint16_t to) {
        std::vector<std::vector<std::uint8_t>> found;
        std::uint8_t packet[2048];
        sockaddr_ll source{};
        socklen_t size = sizeof source;
        ssize_t n;
        while ((n = ::recvfrom(fd_, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&source), &size)) > 0) {
            if (source.sll_pkttype == PACKET_OUTGOING || n < 28 || packet[9] != IPPROTO_UDP) continue;
            const std::size_t ihl = (packet[0] & 15u) * 4;
            const std::uint8_t* udp = packet + ihl;
            if (ihl + 8 > static_cast<std::size_t>(n) || (udp[0] << 8 | udp[1]) != from || (udp[2] << 8 | udp[3]) != to)
                continue;
            found.emplace_back(udp + 8, static_cast<const std::uint8_t*>(packet) + n);
        }
        return found;
    }

private:
    int fd_;
};

// Sends UDP datagrams on loopback from any source port, as an attacker who can forge the
// peer's address would (a raw socket: root only).
class SpoofingSender {
public:
    SpoofingSender() : fd_(::socket(AF_INET, SOCK_RAW, IPPROTO_UDP)) {}
    ~SpoofingSender() {
        if (fd_ >= 0) ::close(fd_);
    }
    bool ok() const { return fd_ >= 0; }
    bool send(std::uint16_t from, std::uint16_t to, const std::vector<std::uint8_t>& payload) {
        std::vector<std::uint8_t> datagram(8 + payload.size());
        datagram[0] = static_cast<std::uint8_t>(from >> 8);
        datagram[1] = static_cast<std::uint8_t>(from);
        datagram[2] = static_cast<std::uint8_t>(to >> 8);
        datagram[3] = static_cast<std::uint8_t>(to);
        datagram[4] = static_cast<std::uint8_t>(datagram.size() >> 8);
        datagram[5] = static_cast<std::uint8_t>(datagram.size());  // checksum 0: none (IPv4)
        std::copy(payload.begin(), payload.end(), datagram.begin() + 8);
        sockaddr_in dest{};
        dest.sin_family = AF_INET;
        dest.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&dest), sizeof dest) ==
               static_cast<ssize_t>(datagram.size());
    }

private:
    int fd_;
};

// Protocol v1's direct path (--ice off), where the media ports are the ones call_started
// names. Packets come from alice's very address and port, so only SRTP can tell them apart.
TEST_F(PrivateCalls, ForgedAndReplayedSrtpFromThePeersAddressIsRejectedAndSpeechStillArrives) {
    LoopbackTap tap;
    SpoofingSender spoof;
    if (!tap.ok() || !spoof.ok()) GTEST_SKIP() << "needs root: a packet socket and a raw socket on loopback";
    auto espeak = sala::test::find_on_path("espeak-ng");
    if (!espeak) GTEST_SKIP() << "espeak-ng is not installed";
    const std::string says = dir_.file("alice_says.wav"), heard = dir_.file("bob_heard.wav");
    Process speak({*espeak, "-v", "en+m3", "-w", says,
                   "The quick brown fox jumps over the lazy dog, then runs far away into the forest."});
    ASSERT_EQ(speak.wait(10s), 0);

    ServerProcess server;
    CliPeer bob(server.port(), "bob",
                {"--answer", "accept", "--calls", "1", "--audio-in", "silence", "--audio-out", heard, "--config-dir",
                 bob_dir_, "--ice", "off"});
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice",
                  {"--call", "bob", "--duration", "5.5", "--audio-in", says, "--audio-out", "null", "--config-dir",
                   alice_dir_, "--ice", "off"});
    auto alice_started = alice.wait_for("call_started");
    auto bob_started = bob.wait_for("call_started");
    ASSERT_TRUE(alice_started && bob_started);
    const auto bob_port = (*alice_started)["media"]["port"].get<std::uint16_t>();
    const auto alice_port = (*bob_started)["media"]["port"].get<std::uint16_t>();

    // Half a second of alice's genuine packets, then: each one again (replays), each one with
    // a bit flipped in its payload or tag (forgeries), and made-up SRTP under other SSRCs.
    std::vector<std::vector<std::uint8_t>> genuine;
    const auto until = std::chrono::steady_clock::now() + 3s;
    while (genuine.size() < 25 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(100ms);
        for (auto& p : tap.take(alice_port, bob_port)) genuine.push_back(std::move(p));
    }
    ASSERT_GE(genuine.size(), 25u) << "saw too few of alice's packets on lo";
    int sent = 0;
    std::mt19937 rng(12);
    for (const auto& p : genuine) {
        sent += spoof.send(alice_port, bob_port, p);
        auto flipped = p;
        flipped[12 + rng() % (flipped.size() - 12)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        sent += spoof.send(alice_port, bob_port, flipped);
        auto made_up = p;
        for (std::size_t i = 2; i < made_up.size(); ++i) made_up[i] = static_cast<std::uint8_t>(rng());
        sent += spoof.send(alice_port, bob_port, made_up);
    }
    const int expected = static_cast<int>(3 * genuine.size());
    ASSERT_EQ(sent, expected);

    bool counted = false;
    while (auto stats = bob.wait_for("stats", 3s))
        if ((counted = (*stats)["rejected_packets"].get<int>() >= expected)) break;
    EXPECT_TRUE(counted) << "bob's last stats: " << last_stats(bob).dump();
    wait_exit(alice, 0);
    wait_exit(bob, 0);
    EXPECT_EQ(last_stats(alice)["rejected_packets"], 0) << "alice was not targeted";
    EXPECT_EQ(last_stats(bob)["rejected_packets"].get<int>(), expected) << "every forgery, and nothing genuine";

    std::string error;
    auto r = sala::audio::compare_wav_files(says, heard, &error);
    ASSERT_TRUE(r) << error;
    std::cout << "[ measure  ] alice_says -> bob_heard: " << sala::audio::describe(*r) << "\n";
    EXPECT_GT(r->tracked_similarity, 0.5) << sala::audio::describe(*r);
    EXPECT_GT(r->speech_frames, 100u);
}

}  // namespace
