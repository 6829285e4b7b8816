// sala-server, robustness: parties vanishing mid-call, bad bytes, huge lines, clients that
// never read, and shutdown with clients connected.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <random>

#include "line_client.hpp"
#include "server_process.hpp"

namespace {
using namespace sala::test;
using Clock = std::chrono::steady_clock;

// Resident memory of a process in KiB, from /proc/PID/status.
long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(4096, '\n');
    }
    return -1;
}

// The next error's code, skipping nothing.
std::string error_code(LineClient& client) {
    auto m = client.read();
    if (!m || (*m)["type"] != "error") return "no error: " + (m ? m->dump() : "nothing");
    EXPECT_FALSE(m->value("message", "").empty());
    return m->value("code", "");
}

void expect_pong(LineClient& client) {
    ASSERT_TRUE(client.send(Json{{"type", "ping"}}));
    EXPECT_EQ(client.read(), (Json{{"type", "pong"}}));
}

struct Vanish {
    bool answered;
    bool abrupt;  // RST (a killed process) rather than an orderly close
    bool caller_leaves;
};

class ServerPartyLeaves : public ::testing::TestWithParam<Vanish> {};

TEST_P(ServerPartyLeaves, TheOtherSideGetsPeerLeftOnce) {
    const Vanish v = GetParam();
    ServerProcess server;
    auto alice = std::make_unique<LineClient>(server.port());
    auto bob = std::make_unique<LineClient>(server.port());
    LineClient carol(server.port());
    ASSERT_TRUE(carol.hello("carol"));
    ASSERT_TRUE(alice->hello("alice"));
    ASSERT_TRUE(bob->hello("bob"));
    ASSERT_TRUE(alice->send(Json{{"type", "call"}, {"to", "bob"}}));
    auto invite = bob->wait_for("invite");
    ASSERT_TRUE(invite);
    std::string id = (*invite)["call_id"];
    if (v.answered) {
        ASSERT_TRUE(bob->send(Json{{"type", "accept"}, {"call_id", id}}));
        ASSERT_TRUE(alice->wait_for("call_started"));
    }
    auto& leaver = v.caller_leaves ? alice : bob;
    auto& stayer = v.caller_leaves ? bob : alice;
    std::string gone = v.caller_leaves ? "alice" : "bob";
    std::string left = v.caller_leaves ? "bob" : "alice";
    if (v.abrupt)
        leaver->reset();
    else
        leaver->close();
    auto ended = stayer->wait_for("call_ended");
    ASSERT_TRUE(ended);
    EXPECT_EQ(*ended, (Json{{"type", "call_ended"}, {"call_id", id}, {"reason", "peer_left"}, {"by", gone}}));
    // The third client sees the stayer become available and the leaver leave.
    bool saw_available = false, saw_left = false;
    while (!(saw_available && saw_left)) {
        auto m = carol.read();
        ASSERT_TRUE(m);
        if (*m == Json{{"type", "user_status"}, {"name", left}, {"status", "available"}}) saw_available = true;
        if (*m == Json{{"type", "user_left"}, {"name", gone}}) saw_left = true;
    }
    ASSERT_TRUE(stayer->send(Json{{"type", "ping"}}));
    for (;;) {
        auto m = stayer->read();
        ASSERT_TRUE(m);
        if ((*m)["type"] == "pong") break;
        EXPECT_NE((*m)["type"], "call_ended") << *m;
    }
    ASSERT_TRUE(stayer->send(Json{{"type", "call"}, {"to", "carol"}}));
    EXPECT_TRUE(stayer->wait_for("calling"));
}

INSTANTIATE_TEST_SUITE_P(Cases, ServerPartyLeaves,
                         ::testing::Values(Vanish{false, false, true}, Vanish{false, true, false},
                                           Vanish{true, false, false}, Vanish{true, true, true},
                                           Vanish{true, true, false}, Vanish{false, true, true}));

TEST(ServerRobustness, GarbageBytesGetBadRequestAndTheConnectionStaysUsable) {
    ServerProcess server;
    LineClient client(server.port());
    std::mt19937 random(7);
    std::string garbage;
    for (int i = 0; i < 3000; ++i) garbage.push_back(static_cast<char>(random() % 256));
    garbage += "\n";
    ASSERT_TRUE(client.send_raw(garbage));
    ASSERT_TRUE(client.send(Json{{"type", "ping"}}));
    int errors = 0;
    for (;;) {
        auto m = client.read();
        ASSERT_TRUE(m) << "no pong after garbage";
        if ((*m)["type"] == "pong") break;
        EXPECT_EQ((*m)["type"], "error");
        EXPECT_EQ((*m)["code"], "bad_request");
        ++errors;
    }
    EXPECT_GT(errors, 0);
    for (const char* line : {"{\"type\":\"ping\"", "[]", "{\"type\":1}", "{}", "null", "{\"type\":\"dance\"}"}) {
        ASSERT_TRUE(client.send_raw(std::string(line) + "\n"));
        EXPECT_EQ(error_code(client), line == std::string("{\"type\":\"dance\"}") ? "unknown_type" : "bad_request")
            << line;
    }
    EXPECT_TRUE(client.hello("survivor"));
}

TEST(ServerRobustness, InvalidUtf8IsABadRequest) {
    ServerProcess server;
    LineClient client(server.port());
    ASSERT_TRUE(client.send_raw("{\"type\":\"hello\",\"version\":1,\"name\":\"a\xff\xfe\",\"media_port\":5}\n"));
    EXPECT_EQ(error_code(client), "bad_request");
    ASSERT_TRUE(client.send_raw("{\"type\":\"ping\xc3\"}\n"));
    EXPECT_EQ(error_code(client), "bad_request");
    expect_pong(client);
}

TEST(ServerRobustness, AMegabyteLineIsRefusedOnceAndSkipped) {
    ServerProcess server;
    LineClient client(server.port());
    ASSERT_TRUE(client.hello("big"));
    std::string huge(1 << 20, 'a');
    huge[0] = '{';
    ASSERT_TRUE(client.send_raw(huge));
    ASSERT_TRUE(client.send_raw("\n"));
    EXPECT_EQ(error_code(client), "too_long");
    expect_pong(client);
    // The limit is 4096 bytes including the newline.
    std::string exact = R"({"type":"ping","pad":")";
    exact += std::string(4096 - exact.size() - 3, 'p') + "\"}\n";
    ASSERT_EQ(exact.size(), 4096u);
    ASSERT_TRUE(client.send_raw(exact));
    EXPECT_EQ(client.read(), (Json{{"type", "pong"}}));
    exact.insert(exact.begin() + 30, 'p');
    ASSERT_TRUE(client.send_raw(exact));
    EXPECT_EQ(error_code(client), "too_long");
    expect_pong(client);
    EXPECT_TRUE(client.quiet_for(50ms));
}

TEST(ServerRobustness, AClientThatNeverReadsIsDroppedAndOthersAreServed) {
    ServerProcess server;
    LineClient other(server.port());
    ASSERT_TRUE(other.hello("other"));
    LineClient sink(server.port(), 4096);
    ASSERT_TRUE(sink.hello("sink"));
    ASSERT_TRUE(other.wait_for("user_joined"));
    std::string pings;
    for (int i = 0; i < 4096; ++i) pings += "{\"type\":\"ping\"}\n";
    long peak_rss = 0;
    auto start = Clock::now();
    int rounds = 0;
    bool sink_left = false;
    // The sink keeps asking for pongs it never reads until the server gives up on it.
    while (Clock::now() - start < 20s) {
        if (!sink.send_raw(pings, 2000ms)) break;
        if (++rounds % 8 == 0) {
            auto asked = Clock::now();
            ASSERT_TRUE(other.send(Json{{"type", "ping"}}));
            for (;;) {
                auto reply = other.read(2000ms);
                ASSERT_TRUE(reply) << "the server stopped answering others";
                if ((*reply)["type"] == "pong") break;
                if (*reply == Json{{"type", "user_left"}, {"name", "sink"}}) sink_left = true;
            }
            EXPECT_LT(Clock::now() - asked, 1000ms);
            peak_rss = std::max(peak_rss, rss_kib(server.process().pid()));
        }
    }
    EXPECT_TRUE(sink.wait_closed(5000ms));
    if (!sink_left) {
        auto left = other.wait_for("user_left");
        ASSERT_TRUE(left);
        EXPECT_EQ((*left)["name"], "sink");
    }
    EXPECT_GT(peak_rss, 0);
#ifndef __SANITIZE_ADDRESS__  // AddressSanitizer's shadow and quarantine are not the server's memory
    EXPECT_LT(peak_rss, 64 * 1024) << "server memory grew with the unread queue";
#endif
    RecordProperty("rounds", rounds);
    RecordProperty("peak_rss_kib", static_cast<int>(peak_rss));
    EXPECT_NE(server.process().stderr_text().find("does not read"), std::string::npos);
    expect_pong(other);
}

TEST(ServerRobustness, SigtermTellsEveryClientAndExitsZero) {
    ServerProcess server;
    LineClient alice(server.port()), bob(server.port()), stranger(server.port());
    ASSERT_TRUE(alice.hello("alice"));
    ASSERT_TRUE(bob.hello("bob"));
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    ASSERT_TRUE(bob.wait_for("invite"));
    expect_pong(stranger);
    server.process().signal(SIGTERM);
    for (LineClient* c : {&alice, &bob, &stranger}) {
        auto m = c->wait_for("shutdown");
        ASSERT_TRUE(m);
        EXPECT_EQ(*m, (Json{{"type", "shutdown"}}));
        EXPECT_TRUE(c->wait_closed());
    }
    EXPECT_EQ(server.process().wait(), 0);
}

TEST(ServerRobustness, SigintWithNoClientsExitsZero) {
    ServerProcess server;
    server.process().signal(SIGINT);
    EXPECT_EQ(server.process().wait(), 0);
}

// TLS garbage: a handshake record header and then noise, a handshake that never finishes, and a
// client that closes mid-handshake each end only their own connection; the server goes on
// registering TLS clients. The stalled handshake is dropped at the idle timeout.
TEST(ServerRobustness, BrokenTlsHandshakesCloseOnlyTheirConnections) {
    ServerProcess server({"--idle-timeout", "1"}, /*plaintext_too=*/false);
    std::mt19937 random(11);
    std::string noise = "\x16\x03\x01\x02\x00";
    for (int i = 0; i < 512; ++i) noise.push_back(static_cast<char>(random() % 256));
    LineClient garbage(server.port());
    ASSERT_TRUE(garbage.send_raw(noise));
    EXPECT_TRUE(garbage.wait_closed(3000ms));
    LineClient stalled(server.port());
    ASSERT_TRUE(stalled.send_raw("\x16\x03\x01"));  // the start of a record header, then nothing
    {
        LineClient quitter(server.port());
        ASSERT_TRUE(quitter.send_raw("\x16\x03\x01\x00\x40"));
        quitter.reset();
    }
    EXPECT_TRUE(stalled.wait_closed(4000ms)) << "a handshake that never finishes must not hold its connection";
    auto fine = LineClient::tls(server.port());
    EXPECT_TRUE(fine.hello("survivor"));
    EXPECT_TRUE(fine.send(Json{{"type", "ping"}}));
    EXPECT_TRUE(fine.wait_for("pong"));
}

TEST(ServerRobustness, BadFlagValuesAreRefused) {
    for (auto args : std::vector<std::vector<std::string>>{{"--port", "70000"},
                                                           {"--idle-timeout", "0"},
                                                           {"--max-clients", "x"},
                                                           {"--relay-ports", "50000"},
                                                           {"--relay-ports", "50010-50000"},
                                                           {"--relay-ports", "80-90"},
                                                           {"--insecure-plaintext"},  // not on a loopback bind
                                                           {"--bind", "0.0.0.0", "--insecure-plaintext"},
                                                           {"--cert", "/nonexistent.pem", "--key", "/nonexistent.pem"},
                                                           {"--cert", "/etc/hostname"}}) {
        args.insert(args.begin(), bin("sala-server"));
        Process p(args);
        EXPECT_EQ(p.wait(), 2) << args[1];
        EXPECT_NE(p.stderr_text().find("sala-server: --"), std::string::npos);
    }
}

}  // namespace
