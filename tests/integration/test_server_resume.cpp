// sala-server, session resumption: a client whose connection died takes its session (and its
// call) back with the token from its welcome, and nobody else notices; without it, after the
// grace, it leaves as before.
#include <gtest/gtest.h>

#include <string>

#include "line_client.hpp"
#include "server_process.hpp"

namespace {
using namespace sala::test;
using Clock = std::chrono::steady_clock;

Json hello_message(const std::string& name, const std::string& token = "") {
    Json hello{{"type", "hello"}, {"version", 2}, {"name", name}, {"media_port", 40000}, {"resumable", true}};
    if (!token.empty()) hello["resume_token"] = token;
    return hello;
}

// Registers resumably; returns the welcome (null if something else came).
Json hello_resumable(LineClient& client, const std::string& name, const std::string& token = "") {
    if (!client.send(hello_message(name, token))) return nullptr;
    auto welcome = client.read();
    return welcome && (*welcome)["type"] == "welcome" ? *welcome : Json(nullptr);
}

// alice (resumable) calls bob, who accepts; carol watches. Returns the call id.
struct AnsweredCall {
    explicit AnsweredCall(ServerProcess& server) : carol(server.port()), alice(server.port()), bob(server.port()) {
        EXPECT_TRUE(carol.hello("carol"));
        welcome = hello_resumable(alice, "alice");
        EXPECT_TRUE(welcome.is_object());
        EXPECT_TRUE(bob.hello("bob"));
        EXPECT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
        auto invite = bob.wait_for("invite");
        EXPECT_TRUE(invite);
        call_id = invite ? (*invite)["call_id"].get<std::string>() : "";
        EXPECT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", call_id}}));
        EXPECT_TRUE(alice.wait_for("call_started"));
        EXPECT_TRUE(bob.wait_for("call_started"));
        // carol has seen both join and go busy.
        for (int i = 0; i < 2; ++i) EXPECT_TRUE(carol.wait_for("user_status"));
    }
    std::string token() const { return welcome.value("resume_token", ""); }

    LineClient carol, alice, bob;
    Json welcome;
    std::string call_id;
};

TEST(ServerResume, TheRightTokenKeepsTheCallAndPresenceQuiet) {
    ServerProcess server;
    AnsweredCall c(server);
    ASSERT_EQ(c.token().size(), 32u) << c.welcome;

    LineClient again(server.port());
    Json welcome = hello_resumable(again, "alice", c.token());
    ASSERT_TRUE(welcome.is_object());
    EXPECT_EQ(welcome["resumed"], true) << welcome;
    EXPECT_EQ(welcome["call_id"], c.call_id);
    EXPECT_NE(welcome["resume_token"], c.token()) << "rotated";
    EXPECT_TRUE(c.alice.wait_closed()) << "the old connection is closed";
    EXPECT_TRUE(c.carol.quiet_for(300ms)) << "no user_left, no status change";
    EXPECT_TRUE(c.bob.quiet_for(0ms)) << "no call_ended";

    // The call is the new connection's: signalling crosses it both ways.
    Json ice{{"ufrag", "Qx2b"}, {"pwd", "Vb0v4mJmWvYxT4Kq1r8sPq"}, {"candidates", Json::array()}};
    ASSERT_TRUE(c.bob.send(Json{{"type", "restart"}, {"call_id", c.call_id}, {"ice", ice}}));
    auto restart = again.wait_for("restart");
    ASSERT_TRUE(restart);
    EXPECT_EQ((*restart)["ice"]["ufrag"], "Qx2b");
    ASSERT_TRUE(again.send(Json{{"type", "hangup"}, {"call_id", c.call_id}}));
    auto ended = c.bob.wait_for("call_ended");
    ASSERT_TRUE(ended);
    EXPECT_EQ((*ended)["reason"], "hangup");
    EXPECT_EQ((*ended)["by"], "alice");

    // The old token is spent.
    LineClient thief(server.port());
    ASSERT_TRUE(thief.send(hello_message("alice", c.token())));
    auto refused = thief.read();
    ASSERT_TRUE(refused);
    EXPECT_EQ((*refused)["code"], "name_taken");
}

TEST(ServerResume, AWrongTokenForATakenNameIsNameTaken) {
    ServerProcess server;
    AnsweredCall c(server);
    LineClient other(server.port());
    std::string wrong = c.token();
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    for (const Json& hello : {hello_message("alice", wrong), hello_message("ALICE"), hello_message("alice", "x")}) {
        ASSERT_TRUE(other.send(hello));
        auto refused = other.read();
        ASSERT_TRUE(refused);
        EXPECT_EQ((*refused)["code"], "name_taken") << hello;
    }
    EXPECT_TRUE(c.alice.quiet_for(200ms)) << "the session stays where it is";
    EXPECT_FALSE(c.alice.closed());
    EXPECT_TRUE(c.carol.quiet_for(0ms));
    EXPECT_TRUE(c.bob.quiet_for(0ms));
}

TEST(ServerResume, ADroppedConnectionComesBackWithinTheGrace) {
    ServerProcess server;
    AnsweredCall c(server);
    c.alice.reset();
    EXPECT_TRUE(c.carol.quiet_for(500ms)) << "held, not gone";
    LineClient again(server.port());
    Json welcome = hello_resumable(again, "alice", c.token());
    ASSERT_TRUE(welcome.is_object());
    EXPECT_EQ(welcome["resumed"], true);
    EXPECT_EQ(welcome["call_id"], c.call_id);
    EXPECT_EQ(welcome["users"].size(), 2u) << welcome;
    EXPECT_TRUE(c.carol.quiet_for(300ms));
    EXPECT_TRUE(c.bob.quiet_for(0ms));
}

TEST(ServerResume, NoResumeWithinTheGraceMeansUserLeftAndTheCallEnds) {
    ServerProcess server({"--resume-grace", "1"});
    AnsweredCall c(server);
    const auto dropped = Clock::now();
    c.alice.reset();
    auto ended = c.bob.wait_for("call_ended", 3000ms);
    ASSERT_TRUE(ended);
    EXPECT_GE(Clock::now() - dropped, 900ms) << "not before the grace";
    EXPECT_EQ(*ended, (Json{{"type", "call_ended"}, {"call_id", c.call_id}, {"reason", "peer_left"}, {"by", "alice"}}));
    auto left = c.carol.wait_for("user_left");
    ASSERT_TRUE(left);
    EXPECT_EQ((*left)["name"], "alice");
    // The name is free again; the old token starts nothing.
    LineClient late(server.port());
    Json welcome = hello_resumable(late, "alice", c.token());
    ASSERT_TRUE(welcome.is_object());
    EXPECT_FALSE(welcome.contains("resumed")) << welcome;
}

TEST(ServerResume, ByeLeavesAtOnce) {
    ServerProcess server;  // the default grace, 10 s
    AnsweredCall c(server);
    const auto bye = Clock::now();
    ASSERT_TRUE(c.alice.send(Json{{"type", "bye"}}));
    auto ended = c.bob.wait_for("call_ended", 1000ms);
    ASSERT_TRUE(ended);
    EXPECT_EQ((*ended)["reason"], "peer_left");
    ASSERT_TRUE(c.carol.wait_for("user_left", 1000ms));
    EXPECT_LT(Clock::now() - bye, 1000ms);
    LineClient late(server.port());
    Json welcome = hello_resumable(late, "alice", c.token());
    ASSERT_TRUE(welcome.is_object());
    EXPECT_FALSE(welcome.contains("resumed"));
}

TEST(ServerResume, AClientThatDidNotAskToBeResumableLeavesAtOnce) {
    ServerProcess server;
    LineClient watcher(server.port()), plain(server.port());
    ASSERT_TRUE(watcher.hello("watcher"));
    auto welcome = plain.hello("plain");
    ASSERT_TRUE(welcome);
    EXPECT_EQ((*welcome)["resume_token"].get<std::string>().size(), 32u) << "every welcome has one";
    ASSERT_TRUE(watcher.wait_for("user_joined"));
    plain.reset();
    EXPECT_TRUE(watcher.wait_for("user_left", 1000ms));
}

}  // namespace
