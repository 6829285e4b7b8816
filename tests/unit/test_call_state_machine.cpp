#include "engine/call_state_machine.hpp"

#include <gtest/gtest.h>

namespace {
using sala::client::CallState;
using sala::client::CallStateMachine;
using Json = sala::protocol::Json;

Json msg(std::initializer_list<std::pair<const std::string, Json>> fields) { return Json(Json::object_t(fields)); }

TEST(CallStateMachine, OutgoingCallAcceptedThenHungUp) {
    CallStateMachine m("alice");
    auto t = m.call("bob");
    EXPECT_EQ(m.state(), CallState::calling);
    ASSERT_EQ(t.send.size(), 1u);
    EXPECT_EQ(t.send[0], (msg({{"type", "call"}, {"to", "bob"}})));
    m.on_server_message(msg({{"type", "calling"}, {"call_id", "c1"}, {"peer", "bob"}}));
    EXPECT_EQ(m.call_id(), "c1");
    t = m.on_server_message(msg({{"type", "call_started"},
                                 {"call_id", "c1"},
                                 {"peer", "bob"},
                                 {"media", {{"host", "127.0.0.1"}, {"port", 40000}}}}));
    EXPECT_TRUE(t.started);
    EXPECT_EQ(m.state(), CallState::in_call);
    EXPECT_EQ(m.media().host, "127.0.0.1");
    EXPECT_EQ(m.media().port, 40000);
    t = m.hangup();
    EXPECT_EQ(m.state(), CallState::idle);
    EXPECT_EQ(t.ended_reason, "hangup");
    EXPECT_EQ(t.ended_by, "alice");
    ASSERT_EQ(t.send.size(), 1u);
    EXPECT_EQ(t.send[0], (msg({{"type", "hangup"}, {"call_id", "c1"}})));
    // The server's own call_ended for the same call changes nothing.
    t = m.on_server_message(msg({{"type", "call_ended"}, {"call_id", "c1"}, {"reason", "hangup"}, {"by", "alice"}}));
    EXPECT_FALSE(t.ended_reason);
}

TEST(CallStateMachine, IncomingInviteAcceptRejectAndCancel) {
    CallStateMachine m("bob");
    auto t = m.on_server_message(msg({{"type", "invite"}, {"call_id", "c2"}, {"from", "alice"}}));
    EXPECT_TRUE(t.invited);
    EXPECT_EQ(m.state(), CallState::ringing);
    EXPECT_EQ(m.peer(), "alice");
    t = m.accept();
    EXPECT_EQ(t.send.at(0), (msg({{"type", "accept"}, {"call_id", "c2"}})));
    EXPECT_FALSE(m.accept().refusal.empty());  // twice makes no sense
    t = m.on_server_message(msg({{"type", "call_ended"}, {"call_id", "c2"}, {"reason", "cancelled"}, {"by", "alice"}}));
    EXPECT_EQ(t.ended_reason, "cancelled");
    EXPECT_EQ(m.state(), CallState::idle);

    m.on_server_message(msg({{"type", "invite"}, {"call_id", "c3"}, {"from", "carol"}}));
    t = m.reject();
    EXPECT_EQ(t.send.at(0), (msg({{"type", "reject"}, {"call_id", "c3"}})));
    EXPECT_EQ(t.ended_reason, "rejected");
    EXPECT_EQ(t.ended_by, "bob");
}

TEST(CallStateMachine, HangingUpAnAcceptedInviteBeforeTheCallStartsIsAHangup) {
    CallStateMachine m("bob");
    m.on_server_message(msg({{"type", "invite"}, {"call_id", "c4"}, {"from", "alice"}}));
    m.accept();
    EXPECT_FALSE(m.reject().refusal.empty()) << "the server has answered the call: nothing to reject";
    EXPECT_EQ(m.state(), CallState::ringing);
    auto t = m.hangup();
    EXPECT_EQ(t.send.at(0), (msg({{"type", "hangup"}, {"call_id", "c4"}})));
    EXPECT_EQ(t.ended_reason, "hangup");
    EXPECT_EQ(t.ended_by, "bob");
    EXPECT_EQ(m.state(), CallState::idle);
}

TEST(CallStateMachine, SecondInviteWhileBusyIsRejected) {
    CallStateMachine m("bob");
    m.on_server_message(msg({{"type", "invite"}, {"call_id", "c1"}, {"from", "alice"}}));
    auto t = m.on_server_message(msg({{"type", "invite"}, {"call_id", "c9"}, {"from", "mallory"}}));
    EXPECT_FALSE(t.invited);
    EXPECT_EQ(t.send.at(0), (msg({{"type", "reject"}, {"call_id", "c9"}})));
    EXPECT_EQ(m.peer(), "alice");
}

TEST(CallStateMachine, HangupBeforeTheServerNamedTheCallCancelsLater) {
    CallStateMachine m("alice");
    m.call("bob");
    auto t = m.hangup();
    EXPECT_TRUE(t.send.empty());
    EXPECT_EQ(t.ended_reason, "cancelled");
    t = m.on_server_message(msg({{"type", "calling"}, {"call_id", "c4"}, {"peer", "bob"}}));
    EXPECT_EQ(t.send.at(0), (msg({{"type", "hangup"}, {"call_id", "c4"}})));
    EXPECT_EQ(m.state(), CallState::idle);
}

TEST(CallStateMachine, FailuresAndRefusals) {
    CallStateMachine m("alice");
    EXPECT_FALSE(m.hangup().refusal.empty());
    EXPECT_FALSE(m.accept().refusal.empty());
    m.call("bob");
    EXPECT_FALSE(m.call("carol").refusal.empty());
    auto t = m.on_server_message(msg({{"type", "call_failed"}, {"peer", "bob"}, {"reason", "busy"}}));
    EXPECT_EQ(t.failed, "busy");
    EXPECT_EQ(m.state(), CallState::idle);
    // Messages about calls we are not part of change nothing.
    t = m.on_server_message(msg({{"type", "call_started"}, {"call_id", "zz"}, {"peer", "x"}}));
    EXPECT_FALSE(t.started);
    t = m.on_server_message(msg({{"type", "call_ended"}, {"call_id", "zz"}, {"reason", "hangup"}}));
    EXPECT_FALSE(t.ended_reason);
}

TEST(CallStateMachine, ConnectionLossEndsInvitesButNotCalls) {
    CallStateMachine m("alice");
    m.call("bob");
    EXPECT_EQ(m.connection_lost().ended_reason, "connection_lost");
    m.on_server_message(msg({{"type", "invite"}, {"call_id", "c5"}, {"from", "bob"}}));
    m.accept();
    m.on_server_message(msg({{"type", "call_started"},
                             {"call_id", "c5"},
                             {"peer", "bob"},
                             {"media", {{"host", "127.0.0.1"}, {"port", 1}}}}));
    EXPECT_FALSE(m.connection_lost().ended_reason);
    EXPECT_EQ(m.state(), CallState::in_call);
    auto t = m.media_timeout();
    EXPECT_EQ(t.ended_reason, "media_timeout");
    EXPECT_EQ(t.ended_by, "bob");
}

}  // namespace

namespace {
// Protocol v3: our keys go out with call and accept, the peer's come back, and a call that
// cannot be private ends with not_private: a ringing invite is rejected, a call hung up.
TEST(CallStateMachine, KeysTravelAndACallThatCannotBePrivateEnds) {
    const Json keys{{"suite", "AES_CM_128_HMAC_SHA1_80"}};
    CallStateMachine alice("alice"), bob("bob");
    auto t = alice.call("bob", std::nullopt, keys);
    EXPECT_EQ(t.send.at(0)["keys"], keys);
    alice.on_server_message(msg({{"type", "calling"}, {"call_id", "c1"}, {"peer", "bob"}}));
    t = bob.on_server_message(msg({{"type", "invite"}, {"call_id", "c1"}, {"from", "alice"}, {"keys", keys}}));
    ASSERT_TRUE(t.remote_keys);
    EXPECT_EQ(*t.remote_keys, keys);
    t = bob.accept(std::nullopt, Json{{"suite", "B"}});
    EXPECT_EQ(t.send.at(0)["keys"]["suite"], "B");
    t = alice.on_server_message(msg({{"type", "call_started"}, {"call_id", "c1"}, {"peer", "bob"}}));
    EXPECT_TRUE(t.started);
    EXPECT_FALSE(t.remote_keys) << "bob's answer had none here";
    t = alice.not_private();
    EXPECT_EQ(t.ended_reason, "not_private");
    EXPECT_EQ(t.ended_by, "bob");
    EXPECT_EQ(t.send.at(0), (msg({{"type", "hangup"}, {"call_id", "c1"}})));

    CallStateMachine carol("carol");
    carol.on_server_message(msg({{"type", "invite"}, {"call_id", "c2"}, {"from", "dave"}}));
    t = carol.not_private();
    EXPECT_EQ(t.send.at(0), (msg({{"type", "reject"}, {"call_id", "c2"}})));
    EXPECT_EQ(carol.state(), CallState::idle);
    EXPECT_FALSE(carol.not_private().ended_reason) << "nothing left to end";
}
}  // namespace

namespace {
// alice in an answered call c1 with bob.
CallStateMachine in_call() {
    CallStateMachine m("alice");
    m.call("bob");
    m.on_server_message(msg({{"type", "calling"}, {"call_id", "c1"}, {"peer", "bob"}}));
    m.on_server_message(msg({{"type", "call_started"},
                             {"call_id", "c1"},
                             {"peer", "bob"},
                             {"media", {{"host", "127.0.0.1"}, {"port", 40000}}}}));
    EXPECT_EQ(m.state(), CallState::in_call);
    return m;
}
}  // namespace

TEST(CallStateMachine, AResumedSessionKeepsTheCallTheServerStillHolds) {
    CallStateMachine m = in_call();
    m.connection_lost();
    auto t = m.registered_again(msg({{"type", "welcome"}, {"resume_token", "t"}, {"resumed", true}, {"call_id", "c1"}}),
                                true);
    EXPECT_FALSE(t.ended_reason);
    EXPECT_TRUE(t.send.empty());
    EXPECT_EQ(m.state(), CallState::in_call);
}

TEST(CallStateMachine, ACallThatEndedWhileAwayEndsOnResumption) {
    for (const Json& welcome :
         {msg({{"type", "welcome"}, {"resume_token", "t"}, {"resumed", true}}),
          msg({{"type", "welcome"}, {"resume_token", "t"}, {"resumed", true}, {"call_id", "c9"}})}) {
        CallStateMachine m = in_call();
        auto t = m.registered_again(welcome, true);
        EXPECT_EQ(t.ended_reason, "connection_lost") << welcome;
        EXPECT_EQ(t.ended_by, "alice");
        EXPECT_TRUE(t.send.empty());
        EXPECT_EQ(m.state(), CallState::idle);
    }
}

TEST(CallStateMachine, AnInviteEndedLocallyIsHungUpOnTheServerAfterResumption) {
    CallStateMachine m("bob");
    m.on_server_message(msg({{"type", "invite"}, {"call_id", "c2"}, {"from", "alice"}}));
    EXPECT_EQ(m.connection_lost().ended_reason, "connection_lost");
    auto t = m.registered_again(msg({{"type", "welcome"}, {"resume_token", "t"}, {"resumed", true}, {"call_id", "c2"}}),
                                true);
    ASSERT_EQ(t.send.size(), 1u);
    EXPECT_EQ(t.send[0], (msg({{"type", "hangup"}, {"call_id", "c2"}})));
}

TEST(CallStateMachine, ANewSessionEndsTheCallOnlyWhenTheServerResumesSessions) {
    CallStateMachine old_server = in_call();
    EXPECT_FALSE(old_server.registered_again(msg({{"type", "welcome"}}), false).ended_reason);
    EXPECT_EQ(old_server.state(), CallState::in_call) << "the media may still flow: it ends by its own timeout";
    CallStateMachine m = in_call();
    EXPECT_EQ(m.registered_again(msg({{"type", "welcome"}, {"resume_token", "t"}}), false).ended_reason,
              "connection_lost");
}
