// Names that belong to their owner (protocol v4), against the real sala-server: a name bound to
// one identity key is refused to another (name_owned) and to a hello that proves none; bindings
// survive a restart with the same --data-dir; --release-name frees one; a proof captured on one
// connection is refused on the next; an unused name is freed after the expiry.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "cli_peer.hpp"
#include "engine/identity.hpp"
#include "keyed_hello.hpp"
#include "line_client.hpp"
#include "program_path.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"
#include "server_process.hpp"
#include "temp_dir.hpp"

namespace {
using sala::client::Identity;
using sala::test::bin;
using sala::test::CliPeer;
using sala::test::Json;
using sala::test::keyed_hello;
using sala::test::LineClient;
using sala::test::Process;
using sala::test::reply_to;
using sala::test::ServerProcess;
using sala::test::TempDir;
using namespace std::chrono_literals;

std::string registers(std::uint16_t port, const Identity& identity, const std::string& name) {
    LineClient client(port);
    return reply_to(client, keyed_hello(client, identity, name));
}

std::vector<std::string> cli_args(const TempDir& config) {
    return {"--config-dir", config.file("cfg"), "--audio-in", "silence", "--audio-out", "null"};
}

void stop(ServerProcess& server) {
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(5000ms), 0) << server.process().stderr_text();
}

// Protocol v5: over TLS the proof signs the connection's tls-exporter value too. A proof without
// it, or with another connection's, is refused; a server that relayed a victim's challenge could
// not use the victim's proof on its own connection.
TEST(ServerNames, OverTlsTheProofSignsTheConnectionsChannelBinding) {
    ServerProcess server({}, /*plaintext_too=*/false);
    const Identity alice = Identity::generate();
    {
        auto client = LineClient::tls(server.port());
        EXPECT_EQ(reply_to(client, keyed_hello(client, alice, "alice")), "welcome");
    }
    auto unbound = LineClient::tls(server.port());
    EXPECT_EQ(reply_to(unbound, keyed_hello(unbound, alice, "alice", std::vector<std::uint8_t>{})), "bad_proof");
    auto mine = LineClient::tls(server.port()), other = LineClient::tls(server.port());
    ASSERT_NE(mine.channel_binding(), other.channel_binding());
    EXPECT_EQ(reply_to(mine, keyed_hello(mine, alice, "alice", other.channel_binding())), "bad_proof");
    auto right = LineClient::tls(server.port());
    EXPECT_EQ(reply_to(right, keyed_hello(right, alice, "alice")), "welcome");
}

// A client typing plain lines at a server without --insecure-plaintext is told, in one plain
// line, that TLS is needed, and the connection closes.
TEST(ServerNames, PlainLinesOnATlsOnlyServerAreToldToUseTls) {
    ServerProcess server({}, /*plaintext_too=*/false);
    LineClient plain(server.port());
    ASSERT_TRUE(plain.send(Json{{"type", "challenge"}}));
    auto reply = plain.read();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->value("code", ""), "tls_required") << *reply;
    EXPECT_NE(reply->value("message", "").find("openssl s_client"), std::string::npos) << *reply;
    EXPECT_TRUE(plain.wait_closed());
}

TEST(ServerNames, AnotherKeyGetsNameOwnedAndTheOwnerStillRegisters) {
    ServerProcess server;
    const Identity owner = Identity::generate(), thief = Identity::generate();
    EXPECT_EQ(registers(server.port(), owner, "alice"), "welcome");  // bound, then gone (closed)
    EXPECT_EQ(registers(server.port(), thief, "ALICE"), "name_owned");
    LineClient old(server.port());  // a hello without a key (any version) cannot take a bound name
    EXPECT_EQ(reply_to(old, Json{{"type", "hello"}, {"version", 3}, {"name", "alice"}, {"media_port", 4}}),
              "name_owned");
    EXPECT_EQ(registers(server.port(), owner, "Alice"), "welcome");
    EXPECT_EQ(registers(server.port(), thief, "bob"), "welcome");  // a key may own several names
    LineClient unbound(server.port());  // ... and a name nobody has bound stays free to old clients
    EXPECT_TRUE(unbound.hello("carol"));
}

// Two sala-cli with their own config directories (identity keys): the second, taking the first's
// name, exits 1 with a sentence; the owner registers again afterwards.
TEST(ServerNames, SalaCliWithAnotherIdentityCannotTakeTheName) {
    ServerProcess server;
    TempDir owner_dir, thief_dir;
    {
        CliPeer owner(server.port(), "alice", cli_args(owner_dir));
        ASSERT_TRUE(owner.wait_for("registered"));
        owner.command("quit");
        EXPECT_EQ(owner.process().wait(5000ms), 0);
    }
    CliPeer thief(server.port(), "Alice", cli_args(thief_dir));
    auto error = thief.wait_for("error");
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "name_owned");
    EXPECT_EQ(thief.process().wait(5000ms), 1);
    const std::string said = thief.process().stderr_text();
    EXPECT_NE(said.find("belongs to someone else"), std::string::npos) << said;

    CliPeer owner(server.port(), "alice", cli_args(owner_dir));
    EXPECT_TRUE(owner.wait_for("registered"));
}

TEST(ServerNames, BindingsSurviveARestartAndReleaseNameFreesOne) {
    TempDir data;
    const std::string dir = data.file("server-data");
    const Identity owner = Identity::generate(), other = Identity::generate();
    {
        ServerProcess server({"--data-dir", dir});
        EXPECT_EQ(registers(server.port(), owner, "dave"), "welcome");
        stop(server);
    }
    {
        ServerProcess server({"--data-dir", dir});
        EXPECT_EQ(registers(server.port(), other, "Dave"), "name_owned");
        // The offline tool will not touch a database a server holds.
        Process busy({bin("sala-server"), "--release-name", "dave", "--data-dir", dir});
        EXPECT_EQ(busy.wait(5000ms), 1);
        EXPECT_NE(busy.stderr_text().find("held by a running sala-server"), std::string::npos) << busy.stderr_text();
        // Nor does a second server start on it.
        Process second({bin("sala-server"), "--bind", "127.0.0.1", "--port", "0", "--data-dir", dir});
        EXPECT_EQ(second.wait(5000ms), 1);
        stop(server);
    }
    Process release({bin("sala-server"), "--release-name", "DAVE", "--data-dir", dir});
    EXPECT_EQ(release.wait(5000ms), 0) << release.stderr_text();
    Process again({bin("sala-server"), "--release-name", "dave", "--data-dir", dir});
    EXPECT_EQ(again.wait(5000ms), 1);
    EXPECT_NE(again.stderr_text().find("not bound"), std::string::npos) << again.stderr_text();

    ServerProcess server({"--data-dir", dir});
    EXPECT_EQ(registers(server.port(), other, "dave"), "welcome");  // now other's
    EXPECT_EQ(registers(server.port(), owner, "dave"), "name_owned");
}

TEST(ServerNames, AProofIsGoodForItsOwnConnectionOnly) {
    ServerProcess server;
    const Identity owner = Identity::generate();
    Json captured;
    {
        LineClient first(server.port());
        captured = keyed_hello(first, owner, "erin");
        EXPECT_EQ(reply_to(first, captured), "welcome");
        first.send(Json{{"type", "bye"}});
        EXPECT_TRUE(first.wait_closed());
    }
    // The captured hello, word for word, on a new connection: after its own challenge, and without.
    LineClient replay(server.port());
    ASSERT_TRUE(replay.send(Json{{"type", "challenge"}}));
    ASSERT_TRUE(replay.wait_for("challenge"));
    EXPECT_EQ(reply_to(replay, captured), "bad_proof");
    LineClient blind(server.port());
    EXPECT_EQ(reply_to(blind, captured), "bad_proof");
    // A proof for another name does not hold either.
    LineClient renamed(server.port());
    Json hello = keyed_hello(renamed, owner, "erin");
    hello["name"] = "Erin";
    EXPECT_EQ(reply_to(renamed, hello), "bad_proof");
    EXPECT_EQ(registers(server.port(), owner, "erin"), "welcome");
}

// A resumed session proves the key too; the token alone does not take a bound name over.
TEST(ServerNames, ResumingABoundNameNeedsTheKey) {
    ServerProcess server({"--resume-grace", "30"});
    const Identity owner = Identity::generate();
    LineClient first(server.port());
    Json hello = keyed_hello(first, owner, "fay");
    hello["resumable"] = true;
    ASSERT_TRUE(first.send(hello));
    auto welcome = first.wait_for("welcome");
    ASSERT_TRUE(welcome);
    const std::string token = (*welcome)["resume_token"];
    first.reset();

    LineClient tokened(server.port());
    EXPECT_EQ(
        reply_to(tokened,
                 Json{{"type", "hello"}, {"version", 3}, {"name", "fay"}, {"media_port", 4}, {"resume_token", token}}),
        "name_owned");
    LineClient back(server.port());
    Json resume = keyed_hello(back, owner, "fay");
    resume["resume_token"] = token;
    ASSERT_TRUE(back.send(resume));
    auto resumed = back.wait_for("welcome");
    ASSERT_TRUE(resumed);
    EXPECT_EQ((*resumed).value("resumed", false), true);
}

TEST(ServerNames, AnUnusedNameIsFreedAfterTheExpiry) {
    ServerProcess server({"--name-expiry-seconds", "2"});
    const Identity owner = Identity::generate(), other = Identity::generate();
    {
        LineClient online(server.port());
        ASSERT_EQ(reply_to(online, keyed_hello(online, owner, "gus")), "welcome");
        // Online for longer than the expiry: a name in use is never freed.
        std::this_thread::sleep_for(3500ms);
        EXPECT_EQ(registers(server.port(), other, "gus"), "name_owned");
    }
    // Unused from its user's leaving on: freed within the expiry plus a sweep (1 s).
    EXPECT_EQ(registers(server.port(), other, "gus"), "name_owned");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string reply;
    while (std::chrono::steady_clock::now() < deadline && (reply = registers(server.port(), other, "gus")) != "welcome")
        std::this_thread::sleep_for(250ms);
    EXPECT_EQ(reply, "welcome");
}

}  // namespace
