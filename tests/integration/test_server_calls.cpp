// sala-server, calls: accepted, rejected, busy, cancelled, unanswered, hung up, unknown ids.
#include <gtest/gtest.h>

#include <memory>

#include "line_client.hpp"
#include "server_process.hpp"

namespace {
using namespace sala::test;

class ServerCalls : public ::testing::Test {
protected:
    explicit ServerCalls(std::vector<std::string> args = {}) : server(std::move(args)) {
        EXPECT_TRUE(alice.hello("alice", 41000));
        EXPECT_TRUE(bob.hello("bob", 42000));
        EXPECT_TRUE(alice.wait_for("user_joined"));
    }
    // alice calls bob; returns the call id after calling and invite arrived.
    std::string ring() {
        EXPECT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
        auto calling = alice.wait_for("calling");
        auto invite = bob.wait_for("invite");
        if (!calling || !invite) {
            ADD_FAILURE() << "no calling/invite";
            return "";
        }
        EXPECT_EQ((*calling)["peer"], "bob");
        EXPECT_EQ((*invite)["from"], "alice");
        EXPECT_EQ((*calling)["call_id"], (*invite)["call_id"]);
        EXPECT_EQ((*calling)["call_id"].get<std::string>().size(), 32u);
        return (*calling)["call_id"];
    }
    void answer(const std::string& id) {
        ASSERT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", id}}));
        ASSERT_TRUE(alice.wait_for("call_started"));
        ASSERT_TRUE(bob.wait_for("call_started"));
    }
    // Exactly one call_ended, with this reason and author, and nothing more about it.
    void expect_ended(LineClient& client, const std::string& id, const std::string& reason, const std::string& by) {
        auto ended = client.wait_for("call_ended");
        ASSERT_TRUE(ended);
        EXPECT_EQ(*ended, (Json{{"type", "call_ended"}, {"call_id", id}, {"reason", reason}, {"by", by}}));
    }
    void expect_no_second_end(LineClient& client) {
        ASSERT_TRUE(client.send(Json{{"type", "ping"}}));
        for (;;) {
            auto m = client.read();
            ASSERT_TRUE(m);
            if ((*m)["type"] == "pong") return;
            EXPECT_NE((*m)["type"], "call_ended") << *m;
        }
    }

    ServerProcess server;
    LineClient alice{server.port()};
    LineClient bob{server.port()};
};

TEST_F(ServerCalls, AcceptedCallGivesEachTheOthersMediaAddress) {
    std::string id = ring();
    ASSERT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", id}}));
    auto a = alice.wait_for("call_started"), b = bob.wait_for("call_started");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, (Json{{"type", "call_started"},
                        {"call_id", id},
                        {"peer", "bob"},
                        {"media", {{"host", "127.0.0.1"}, {"port", 42000}}}}));
    EXPECT_EQ(*b, (Json{{"type", "call_started"},
                        {"call_id", id},
                        {"peer", "alice"},
                        {"media", {{"host", "127.0.0.1"}, {"port", 41000}}}}));
}

TEST_F(ServerCalls, Rejected) {
    std::string id = ring();
    ASSERT_TRUE(bob.send(Json{{"type", "reject"}, {"call_id", id}}));
    expect_ended(alice, id, "rejected", "bob");
    expect_ended(bob, id, "rejected", "bob");
    expect_no_second_end(alice);
    // Both are free again.
    ASSERT_TRUE(bob.send(Json{{"type", "call"}, {"to", "alice"}}));
    EXPECT_TRUE(bob.wait_for("calling"));
}

TEST_F(ServerCalls, BusySelfUnknownAndAlreadyInCall) {
    LineClient carol(server.port());
    ASSERT_TRUE(carol.hello("carol"));
    std::string id = ring();
    auto fails = [](LineClient& from, const std::string& to, const std::string& reason) {
        ASSERT_TRUE(from.send(Json{{"type", "call"}, {"to", to}}));
        auto failed = from.wait_for("call_failed");
        ASSERT_TRUE(failed);
        EXPECT_EQ((*failed)["reason"], reason) << to;
    };
    fails(carol, "alice", "busy");
    fails(carol, "bob", "busy");
    fails(carol, "carol", "self_call");
    fails(carol, "nobody", "unknown_user");
    fails(alice, "carol", "already_in_call");
    answer(id);
    fails(carol, "bob", "busy");
}

TEST_F(ServerCalls, CallerHangsUpBeforeTheAnswer) {
    std::string id = ring();
    ASSERT_TRUE(alice.send(Json{{"type", "hangup"}, {"call_id", id}}));
    expect_ended(alice, id, "cancelled", "alice");
    expect_ended(bob, id, "cancelled", "alice");
    ASSERT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", id}}));
    auto error = bob.wait_for("error");
    ASSERT_TRUE(error);
    EXPECT_EQ((*error)["code"], "unknown_call");
}

TEST_F(ServerCalls, EitherSideHangsUp) {
    for (bool by_caller : {true, false}) {
        std::string id = ring();
        answer(id);
        LineClient& who = by_caller ? alice : bob;
        ASSERT_TRUE(who.send(Json{{"type", "hangup"}, {"call_id", id}}));
        std::string name = by_caller ? "alice" : "bob";
        expect_ended(alice, id, "hangup", name);
        expect_ended(bob, id, "hangup", name);
        expect_no_second_end(alice);
        expect_no_second_end(bob);
    }
}

TEST_F(ServerCalls, UnknownCallIdsChangeNothing) {
    LineClient carol(server.port());
    ASSERT_TRUE(carol.hello("carol"));
    std::string id = ring();
    for (const char* kind : {"accept", "reject", "hangup"}) {
        ASSERT_TRUE(carol.send(Json{{"type", kind}, {"call_id", id}}));
        auto error = carol.wait_for("error");
        ASSERT_TRUE(error);
        EXPECT_EQ((*error)["code"], "unknown_call");
        ASSERT_TRUE(bob.send(Json{{"type", kind}, {"call_id", "ffffffffffffffffffffffffffffffff"}}));
        error = bob.wait_for("error");
        ASSERT_TRUE(error);
        EXPECT_EQ((*error)["code"], "unknown_call");
    }
    answer(id);  // the call still rings and can be answered
}

class ServerShortInvites : public ServerCalls {
protected:
    ServerShortInvites() : ServerCalls({"--invite-timeout", "1"}) {}
};

TEST_F(ServerShortInvites, UnansweredInviteEndsWithNoAnswer) {
    auto start = std::chrono::steady_clock::now();
    std::string id = ring();
    expect_ended(alice, id, "no_answer", "bob");
    expect_ended(bob, id, "no_answer", "bob");
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 900ms);
    EXPECT_LT(elapsed, 3s);
}

TEST_F(ServerShortInvites, AnsweredCallOutlivesTheInviteTimeout) {
    std::string id = ring();
    answer(id);
    EXPECT_TRUE(alice.quiet_for(1500ms));
    ASSERT_TRUE(alice.send(Json{{"type", "hangup"}, {"call_id", id}}));
    expect_ended(bob, id, "hangup", "alice");
}

}  // namespace
