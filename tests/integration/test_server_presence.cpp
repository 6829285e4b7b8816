// sala-server, presence: joins, leaves (bye, close, reset, idle) and status seen by others.
#include <gtest/gtest.h>

#include <memory>

#include "line_client.hpp"
#include "server_process.hpp"

namespace {
using namespace sala::test;

TEST(ServerPresence, JoinStatusAndLeaveReachAThirdClient) {
    ServerProcess server;
    LineClient carol(server.port()), alice(server.port()), bob(server.port());
    ASSERT_TRUE(carol.hello("carol"));
    ASSERT_TRUE(alice.hello("alice"));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_joined"}, {"name", "alice"}, {"status", "available"}}));
    ASSERT_TRUE(bob.hello("bob"));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_joined"}, {"name", "bob"}, {"status", "available"}}));
    EXPECT_EQ(alice.read(), (Json{{"type", "user_joined"}, {"name", "bob"}, {"status", "available"}}));

    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "alice"}, {"status", "busy"}}));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "bob"}, {"status", "busy"}}));
    auto invite = bob.wait_for("invite");
    ASSERT_TRUE(invite);
    ASSERT_TRUE(bob.send(Json{{"type", "reject"}, {"call_id", (*invite)["call_id"]}}));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "alice"}, {"status", "available"}}));
    EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "bob"}, {"status", "available"}}));

    alice.close();
    EXPECT_EQ(carol.read(), (Json{{"type", "user_left"}, {"name", "alice"}}));
    bob.reset();
    EXPECT_EQ(carol.read(), (Json{{"type", "user_left"}, {"name", "bob"}}));
    EXPECT_TRUE(carol.quiet_for(100ms));
}

// Presence is written in timed passes and directed messages at once, yet a client still
// hears of a user joining before any message from that user reaches it.
TEST(ServerPresence, PresenceBeforeADirectedMessageArrivesBeforeIt) {
    ServerProcess server;
    LineClient alice(server.port()), carol(server.port());
    ASSERT_TRUE(alice.hello("alice"));
    ASSERT_TRUE(carol.hello("carol"));
    EXPECT_EQ(alice.read(), (Json{{"type", "user_joined"}, {"name", "carol"}, {"status", "available"}}));
    for (int round = 0; round < 5; ++round) {
        std::string name = "bob" + std::to_string(round);
        auto bob = std::make_unique<LineClient>(server.port());
        ASSERT_TRUE(bob->hello(name));
        ASSERT_TRUE(bob->send(Json{{"type", "call"}, {"to", "alice"}}));
        EXPECT_EQ(alice.read(), (Json{{"type", "user_joined"}, {"name", name}, {"status", "available"}}));
        auto invite = alice.read();
        ASSERT_TRUE(invite);
        EXPECT_EQ((*invite)["type"], "invite");
        EXPECT_EQ((*invite)["from"], name);
        EXPECT_EQ(alice.read(), (Json{{"type", "user_status"}, {"name", name}, {"status", "busy"}}));
        EXPECT_EQ(carol.read(), (Json{{"type", "user_joined"}, {"name", name}, {"status", "available"}}));
        EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", name}, {"status", "busy"}}));
        EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "alice"}, {"status", "busy"}}));
        ASSERT_TRUE(bob->wait_for("calling"));
        ASSERT_TRUE(bob->send(Json{{"type", "bye"}}));
        EXPECT_EQ(
            alice.read(),
            (Json{{"type", "call_ended"}, {"call_id", (*invite)["call_id"]}, {"reason", "peer_left"}, {"by", name}}));
        EXPECT_EQ(alice.read(), (Json{{"type", "user_left"}, {"name", name}}));
        EXPECT_EQ(carol.read(), (Json{{"type", "user_status"}, {"name", "alice"}, {"status", "available"}}));
        EXPECT_EQ(carol.read(), (Json{{"type", "user_left"}, {"name", name}}));
    }
    EXPECT_TRUE(alice.quiet_for(100ms));
    EXPECT_TRUE(carol.quiet_for(100ms));
}

TEST(ServerPresence, AResetConnectionFreesItsNameAtOnce) {
    ServerProcess server;
    LineClient watcher(server.port());
    ASSERT_TRUE(watcher.hello("watcher"));
    {
        LineClient crashed(server.port());
        ASSERT_TRUE(crashed.hello("crashed"));
        ASSERT_TRUE(watcher.wait_for("user_joined"));
        crashed.reset();
    }
    ASSERT_TRUE(watcher.wait_for("user_left"));
    LineClient again(server.port());
    EXPECT_TRUE(again.hello("crashed"));
}

TEST(ServerPresence, PingIsAnsweredAndCountsAsActivity) {
    ServerProcess server({"--idle-timeout", "1"});
    LineClient talker(server.port()), silent(server.port());
    ASSERT_TRUE(talker.hello("talker"));
    ASSERT_TRUE(silent.hello("silent"));
    ASSERT_TRUE(talker.wait_for("user_joined"));
    // talker pings every 300 ms; silent says nothing and is dropped after 1 s.
    using Clock = std::chrono::steady_clock;
    auto start = Clock::now();
    bool left = false;
    int pongs = 0;
    while (!left && Clock::now() - start < 5s) {
        ASSERT_TRUE(talker.send(Json{{"type", "ping"}}));
        auto round_end = Clock::now() + 300ms;
        while (Clock::now() < round_end) {
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(round_end - Clock::now());
            auto m = talker.read(wait);
            if (!m) break;
            if ((*m)["type"] == "pong")
                ++pongs;
            else if (*m == Json{{"type", "user_left"}, {"name", "silent"}})
                left = true;
            else
                ADD_FAILURE() << *m;
        }
    }
    EXPECT_GE(pongs, 3);
    EXPECT_TRUE(left);
    EXPECT_TRUE(silent.wait_closed(1000ms));
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 900ms);
    EXPECT_NE(server.process().stderr_text().find("idle timeout"), std::string::npos);
}

}  // namespace
