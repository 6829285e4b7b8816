// Call flows between real sala-cli processes through a real sala-server on 127.0.0.1.
#include <csignal>

#include <gtest/gtest.h>

#include "cli_peer.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using namespace std::chrono_literals;
using sala::test::CliPeer;
using sala::test::ServerProcess;

// Tone in, nothing out: calls need no sound card and no files.
std::vector<std::string> quiet(std::vector<std::string> args) {
    args.insert(args.end(), {"--audio-in", "tone:440", "--audio-out", "null"});
    return args;
}

void expect_ended(CliPeer& peer, const std::string& reason, const std::string& by,
                  std::chrono::milliseconds timeout = 8000ms) {
    auto ended = peer.wait_for("call_ended", timeout);
    ASSERT_TRUE(ended) << peer.name() << " saw no call_ended";
    EXPECT_EQ((*ended)["reason"], reason) << ended->dump();
    if (!by.empty()) {
        EXPECT_EQ((*ended)["by"], by) << ended->dump();
    }
}

TEST(CliCalls, CallerHangsUpAfterDurationAndBothExitCleanly) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "accept", "--calls", "1"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob", "--duration", "1.5"}));
    auto started = alice.wait_for("call_started");
    ASSERT_TRUE(started);
    EXPECT_EQ((*started)["peer"], "bob");
    EXPECT_EQ((*started)["media"]["host"], "127.0.0.1");
    ASSERT_TRUE(bob.wait_for("call_started"));
    for (CliPeer* peer : {&alice, &bob}) {
        auto first = peer->wait_for("first_audio", 3000ms);
        ASSERT_TRUE(first) << peer->name() << " played nothing of the peer";
        EXPECT_GT((*first)["after_call_started_ms"].get<double>(), 0.0);
        EXPECT_LT((*first)["after_call_started_ms"].get<double>(), 1000.0);
    }
    auto stats = alice.wait_for("stats", 3000ms);
    ASSERT_TRUE(stats);
    EXPECT_GT((*stats)["packets_received"].get<int>(), 20);
    expect_ended(alice, "hangup", "alice");
    expect_ended(bob, "hangup", "alice");
    EXPECT_EQ(alice.process().wait(), 0) << alice.process().stderr_text();
    EXPECT_EQ(bob.process().wait(), 0) << bob.process().stderr_text();
}

TEST(CliCalls, CalleeHangsUp) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "accept", "--calls", "1", "--duration", "1"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    expect_ended(alice, "hangup", "bob");
    expect_ended(bob, "hangup", "bob");
    EXPECT_EQ(alice.process().wait(), 0) << alice.process().stderr_text();
    EXPECT_EQ(bob.process().wait(), 0) << bob.process().stderr_text();
}

TEST(CliCalls, RejectedCallFailsTheCallerWithAReason) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "reject", "--calls", "1"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    ASSERT_TRUE(bob.wait_for("invite"));
    expect_ended(alice, "rejected", "bob");
    EXPECT_EQ(alice.process().wait(), 1);
    EXPECT_EQ(alice.process().stderr_text(), "sala-cli: bob rejected the call\n");
    EXPECT_EQ(bob.process().wait(), 0) << bob.process().stderr_text();  // it did what it was asked
}

TEST(CliCalls, BusyCalleeAnswersBusy) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "accept"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer carol(server.port(), "carol", quiet({"--call", "bob"}));
    ASSERT_TRUE(carol.wait_for("call_started"));
    CliPeer dave(server.port(), "dave", quiet({"--call", "bob"}));
    auto failed = dave.wait_for("call_failed");
    ASSERT_TRUE(failed);
    EXPECT_EQ((*failed)["reason"], "busy");
    EXPECT_EQ(dave.process().wait(), 1);
    EXPECT_EQ(dave.process().stderr_text(), "sala-cli: busy\n");
}

TEST(CliCalls, UnknownUserAndSelfCallFail) {
    ServerProcess server;
    CliPeer alice(server.port(), "alice", quiet({"--call", "nobody"}));
    auto failed = alice.wait_for("call_failed");
    ASSERT_TRUE(failed);
    EXPECT_EQ((*failed)["reason"], "unknown_user");
    EXPECT_EQ(alice.process().wait(), 1);
    EXPECT_EQ(alice.process().stderr_text(), "sala-cli: there is no such user\n");

    CliPeer narcissus(server.port(), "narcissus", quiet({}));
    ASSERT_TRUE(narcissus.wait_for("registered"));
    narcissus.command("call Narcissus");
    auto refused = narcissus.wait_for("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["message"], "You cannot call yourself.");
}

TEST(CliCalls, CallerCancelsBeforeAnswer) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "ignore"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({}));
    ASSERT_TRUE(alice.wait_for("registered"));
    alice.command("call bob");
    ASSERT_TRUE(bob.wait_for("invite"));
    alice.command("hangup");
    expect_ended(alice, "cancelled", "alice");
    expect_ended(bob, "cancelled", "alice");
    // Both are free again: bob can now call alice.
    bob.command("call alice");
    ASSERT_TRUE(alice.wait_for("invite"));
}

TEST(CliCalls, UnansweredInviteTimesOut) {
    ServerProcess server({"--invite-timeout", "1"});
    CliPeer bob(server.port(), "bob", quiet({"--answer", "ignore"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    expect_ended(alice, "no_answer", "", 5000ms);
    expect_ended(bob, "no_answer", "", 1000ms);
    EXPECT_EQ(alice.process().wait(), 1);
    EXPECT_EQ(alice.process().stderr_text(), "sala-cli: no answer\n");
}

TEST(CliCalls, InteractiveAcceptAndHangupOnStdin) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    ASSERT_TRUE(bob.wait_for("invite"));
    bob.command("accept");
    ASSERT_TRUE(bob.wait_for("call_started"));
    bob.command("mute");
    ASSERT_TRUE(bob.wait_for("muted"));
    bob.command("hangup");
    expect_ended(alice, "hangup", "bob");
    EXPECT_EQ(alice.process().wait(), 0);
    bob.command("quit");
    EXPECT_EQ(bob.process().wait(), 0);
}

TEST(CliCalls, KilledPeerEndsTheCallForTheOtherSide) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "accept"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    ASSERT_TRUE(alice.wait_for("call_started"));
    ASSERT_TRUE(alice.wait_for("stats", 3000ms));
    bob.process().signal(SIGKILL);
    // The media timeout (5 s) ends it first; the server's peer_left comes only once bob's session
    // is no longer held for resumption (10 s).
    auto ended = alice.wait_for("call_ended", 12000ms);
    ASSERT_TRUE(ended) << "no call_ended within 12 s of the peer being killed";
    EXPECT_TRUE((*ended)["reason"] == "peer_left" || (*ended)["reason"] == "media_timeout") << ended->dump();
    EXPECT_EQ(alice.process().wait(), 1);
}

// SIGTERM (and SIGINT) mid-call: sala-cli hangs up, says bye and exits 0, so the peer hears
// "hangup" at once and the name is free at once (not held for resumption as after a crash).
TEST(CliCalls, TerminatedPeerHangsUpSaysByeAndExitsZero) {
    ServerProcess server;
    CliPeer bob(server.port(), "bob", quiet({"--answer", "accept"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(server.port(), "alice", quiet({"--call", "bob"}));
    ASSERT_TRUE(alice.wait_for("call_started"));
    ASSERT_TRUE(bob.wait_for("call_started"));
    bob.process().signal(SIGTERM);
    EXPECT_EQ(bob.process().wait(), 0) << bob.process().stderr_text();
    auto ended = alice.wait_for("call_ended", 3000ms);
    ASSERT_TRUE(ended);
    EXPECT_EQ((*ended)["reason"], "hangup") << ended->dump();
    EXPECT_EQ((*ended)["by"], "bob") << ended->dump();
    CliPeer again(server.port(), "bob", quiet({}));
    EXPECT_TRUE(again.wait_for("registered")) << "the name was not free at once";
}

TEST(CliCalls, ServerKilledMidCallMediaContinuesAndClientReconnects) {
    auto server = std::make_unique<ServerProcess>();
    const auto port = server->port();
    CliPeer bob(port, "bob", quiet({"--answer", "accept"}));
    ASSERT_TRUE(bob.wait_for("registered"));
    CliPeer alice(port, "alice", quiet({"--call", "bob"}));
    ASSERT_TRUE(alice.wait_for("call_started"));
    ASSERT_TRUE(alice.wait_for("stats", 3000ms));

    server->process().signal(SIGKILL);
    server->process().wait();
    auto lost = alice.wait_for("connection_lost");
    ASSERT_TRUE(lost);
    // The call goes on without the server: packets keep arriving.
    auto before = alice.wait_for("stats", 3000ms);
    auto after = alice.wait_for("stats", 3000ms);
    ASSERT_TRUE(before && after);
    EXPECT_GT((*after)["packets_received"].get<int>(), (*before)["packets_received"].get<int>() + 30);
    for (const auto& e : alice.events()) EXPECT_NE(e.value("event", ""), "call_ended") << e.dump();

    // The server comes back on the same port with its data directory (so its certificate: one
    // made anew would be refused as changed); the client registers again by itself.
    sala::test::Process again({sala::test::bin("sala-server"), "--bind", "127.0.0.1", "--port", std::to_string(port),
                               "--data-dir", server->data_dir()});
    ASSERT_TRUE(again.wait_for_line("listening on", 5000ms));
    ASSERT_TRUE(alice.wait_for("reconnected", 15000ms));
    alice.command("hangup");
    ASSERT_TRUE(alice.wait_for("call_ended"));
}

TEST(CliCalls, RegistrationProblemsExitWithOneLine) {
    ServerProcess server;
    CliPeer first(server.port(), "Alice", quiet({}));
    ASSERT_TRUE(first.wait_for("registered"));
    CliPeer second(server.port(), "alice", quiet({}));
    EXPECT_EQ(second.process().wait(), 1);
    auto text = second.process().stderr_text();
    EXPECT_NE(text.find("sala-cli: "), std::string::npos);
    EXPECT_NE(text.find("alice"), std::string::npos) << text;

    sala::test::Process bad({sala::test::bin("sala-cli"), "--server", "127.0.0.1:" + std::to_string(server.port()),
                             "--name", "a/b", "--audio-in", "silence", "--audio-out", "null"});
    EXPECT_EQ(bad.wait(), 1);
    EXPECT_EQ(bad.stderr_text(), "sala-cli: A name may hold only letters, digits, spaces and the characters _ - .\n");
}

TEST(CliCalls, UnreachableServerExitsWithOneLine) {
    sala::test::Process cli({sala::test::bin("sala-cli"), "--server", "127.0.0.1:1", "--name", "alice", "--audio-in",
                             "silence", "--audio-out", "null"});
    EXPECT_EQ(cli.wait(8000ms), 1);
    auto text = cli.stderr_text();
    EXPECT_EQ(text.rfind("sala-cli: server unreachable: Cannot reach the server 127.0.0.1:1", 0), 0u) << text;
}

TEST(CliCalls, BadFlagsAreRefusedBeforeConnecting) {
    auto run = [](std::vector<std::string> args) {
        args.insert(args.begin(), sala::test::bin("sala-cli"));
        sala::test::Process p(args);
        auto status = p.wait();
        return std::make_pair(status.value_or(-1), p.stderr_text());
    };
    EXPECT_EQ(run({"--name", "x"}),
              std::make_pair(2, std::string("sala-cli: --server HOST[:PORT] is required (try --help)\n")));
    EXPECT_EQ(run({"--server", "h:99999", "--name", "x"}).second,
              "sala-cli: bad server address 'h:99999': the port must be 1 to 65535\n");
    EXPECT_EQ(run({"--server", "h", "--name", "x", "--frame-ms", "15"}).second,
              "sala-cli: --frame-ms takes 10 or 20, not '15'\n");
    EXPECT_EQ(run({"--server", "h", "--name", "x", "--impair", "loss=200"}).second,
              "sala-cli: --impair loss takes a percentage 0 to 100, not '200'\n");
    EXPECT_EQ(run({"--server", "h", "--name", "x", "--ice", "maybe"}).second,
              "sala-cli: --ice takes on, off or relay, not 'maybe'\n");
    auto missing = run({"--server", "h", "--name", "x", "--audio-in", "/no/such.wav"});
    EXPECT_EQ(missing.first, 2);
    EXPECT_EQ(missing.second.rfind("sala-cli: --audio-in: ", 0), 0u) << missing.second;
}

}  // namespace
