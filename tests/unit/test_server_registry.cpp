// The registry: protocol v1 semantics (names, presence, calls) without sockets.
#include "registry.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>

namespace {
using namespace sala::server;
using sala::protocol::Json;
using namespace std::chrono_literals;

// Records what the registry sends, per client, parsed back from the lines.
class FakeOutbox : public Outbox {
public:
    void send(ClientId to, const SharedLine& line) override {
        ASSERT_FALSE(line->empty());
        EXPECT_EQ(line->back(), '\n');
        inbox[to].push_back(Json::parse(*line));
    }
    // What the server does over time, at once: to every subscriber but the subject.
    void publish(ClientId about, std::string line) override {
        for (ClientId id : subscribers)
            if (id != about) send(id, std::make_shared<const std::string>(line));
    }
    void subscribe(ClientId id) override { subscribers.insert(id); }
    void unsubscribe(ClientId id) override { subscribers.erase(id); }
    void deadline(Clock::time_point deadline) override { deadlines.push_back(deadline); }
    void drop(ClientId id) override { dropped.push_back(id); }

    std::map<ClientId, std::deque<Json>> inbox;
    std::vector<Clock::time_point> deadlines;
    std::vector<ClientId> dropped;
    std::set<ClientId> subscribers;
};

class RegistryTest : public ::testing::Test {
protected:
    static constexpr auto kInvite = 30s;
    RegistryTest() : registry(outbox, RegistryLimits{4, kInvite}) {}

    void connect(ClientId id) { registry.connected(id, "10.0.0." + std::to_string(id)); }
    AfterLine say(ClientId id, const Json& message) { return registry.receive(id, message.dump(), t0); }
    void hello(ClientId id, const std::string& name, int port = 4000) {
        connect(id);
        say(id, Json{{"type", "hello"}, {"version", 1}, {"name", name}, {"media_port", port}});
        ASSERT_EQ(next(id)["type"], "welcome");
    }
    // The next message for `id`, or null if there is none.
    Json next(ClientId id) {
        auto& box = outbox.inbox[id];
        if (box.empty()) return nullptr;
        Json message = box.front();
        box.pop_front();
        return message;
    }
    bool quiet(ClientId id) { return outbox.inbox[id].empty(); }
    void drain() { outbox.inbox.clear(); }
    std::string error_code(ClientId id) {
        Json m = next(id);
        EXPECT_EQ(m["type"], "error") << m;
        EXPECT_TRUE(m["message"].is_string() && !m["message"].get<std::string>().empty()) << m;
        return m.value("code", "");
    }
    // alice (1) calls bob (2); carol (3) watches. Returns the call id.
    std::string ring() {
        hello(1, "alice", 4001);
        hello(2, "bob", 4002);
        hello(3, "carol", 4003);
        drain();
        say(1, Json{{"type", "call"}, {"to", "bob"}});
        Json calling = next(1);
        EXPECT_EQ(calling["type"], "calling");
        EXPECT_EQ(calling["peer"], "bob");
        Json invite = next(2);
        EXPECT_EQ(invite["type"], "invite");
        EXPECT_EQ(invite["from"], "alice");
        EXPECT_EQ(invite["call_id"], calling["call_id"]);
        drain();
        return calling["call_id"];
    }
    void expect_ended(ClientId id, const std::string& call_id, const std::string& reason, const std::string& by) {
        Json m = next(id);
        EXPECT_EQ(m["type"], "call_ended") << m;
        EXPECT_EQ(m["call_id"], call_id);
        EXPECT_EQ(m["reason"], reason);
        EXPECT_EQ(m["by"], by);
    }
    std::vector<Json> of_type(ClientId id, const std::string& type) {
        std::vector<Json> found;
        for (auto& m : outbox.inbox[id])
            if (m["type"] == type) found.push_back(m);
        return found;
    }

    Clock::time_point t0 = Clock::now();
    FakeOutbox outbox;
    Registry registry;
};

TEST_F(RegistryTest, WelcomeListsTheOthersAndEveryoneElseHearsTheJoin) {
    hello(1, "alice");
    hello(2, "bob");
    connect(3);
    Json joined = next(1);
    EXPECT_EQ(joined, (Json{{"type", "user_joined"}, {"name", "bob"}, {"status", "available"}}));
    EXPECT_TRUE(quiet(2));
    EXPECT_TRUE(quiet(3));  // not registered: no presence
    say(3, Json{{"type", "hello"}, {"version", 1}, {"name", "Zoë"}, {"media_port", 1}});
    Json welcome = next(3);
    EXPECT_EQ(welcome["name"], "Zoë");
    EXPECT_EQ(
        welcome["users"],
        (Json::array({{{"name", "alice"}, {"status", "available"}}, {{"name", "bob"}, {"status", "available"}}})));
    EXPECT_EQ(registry.registered(), 3u);
}

TEST_F(RegistryTest, NamesAreUniqueRegardlessOfAsciiCaseAndFreedOnLeave) {
    hello(1, "alice");
    connect(2);
    say(2, Json{{"type", "hello"}, {"version", 1}, {"name", "ALICE"}, {"media_port", 5}});
    EXPECT_EQ(error_code(2), "name_taken");
    registry.disconnected(1, "test");
    say(2, Json{{"type", "hello"}, {"version", 1}, {"name", "ALICE"}, {"media_port", 5}});
    EXPECT_EQ(next(2)["type"], "welcome");
}

TEST_F(RegistryTest, HelloProblemsGetTheirCodeAndTheConnectionStaysUsable) {
    connect(1);
    say(1, Json{{"type", "hello"}, {"version", 6}, {"name", "a"}, {"media_port", 5}});
    EXPECT_EQ(error_code(1), "unsupported_version");
    say(1, Json{{"type", "hello"}, {"version", 1}, {"name", " bad"}, {"media_port", 5}});
    Json m = next(1);
    EXPECT_EQ(m["code"], "invalid_name");
    EXPECT_EQ(m["message"], "A name cannot start or end with a space.");
    say(1, Json{{"type", "hello"}, {"version", "1"}, {"name", "a"}, {"media_port", 5}});
    EXPECT_EQ(error_code(1), "bad_request");
    say(1, Json{{"type", "hello"}, {"version", 1}, {"name", 7}, {"media_port", 5}});
    EXPECT_EQ(error_code(1), "bad_request");
    for (int port : {0, 65536}) {
        say(1, Json{{"type", "hello"}, {"version", 1}, {"name", "a"}, {"media_port", port}});
        EXPECT_EQ(error_code(1), "bad_request");
    }
    say(1, Json{{"type", "hello"}, {"version", 1}, {"name", "a"}, {"media_port", 65535}});
    EXPECT_EQ(next(1)["type"], "welcome");
    say(1, Json{{"type", "hello"}, {"version", 1}, {"name", "b"}, {"media_port", 5}});
    EXPECT_EQ(error_code(1), "already_registered");
}

TEST_F(RegistryTest, ServerFullAtTheLimit) {
    hello(1, "a");
    hello(2, "b");
    hello(3, "c");
    hello(4, "d");
    connect(5);
    say(5, Json{{"type", "hello"}, {"version", 1}, {"name", "e"}, {"media_port", 5}});
    EXPECT_EQ(error_code(5), "server_full");
}

TEST_F(RegistryTest, BeforeHelloOnlyPingAndByeWork) {
    connect(1);
    say(1, Json{{"type", "ping"}});
    EXPECT_EQ(next(1), (Json{{"type", "pong"}}));
    say(1, Json{{"type", "call"}, {"to", "bob"}});
    Json failed = next(1);
    EXPECT_EQ(failed["type"], "call_failed");
    EXPECT_EQ(failed["reason"], "not_registered");
    for (const char* kind : {"accept", "reject", "hangup"}) {
        say(1, Json{{"type", kind}, {"call_id", "x"}});
        EXPECT_EQ(error_code(1), "not_registered") << kind;
    }
    EXPECT_EQ(say(1, Json{{"type", "bye"}}), AfterLine::close);
    EXPECT_EQ(registry.connections(), 0u);
}

TEST_F(RegistryTest, MalformedLinesAndUnknownTypes) {
    connect(1);
    registry.receive(1, "{not json", t0);
    EXPECT_EQ(error_code(1), "bad_request");
    registry.receive(1, "[1,2]", t0);
    EXPECT_EQ(error_code(1), "bad_request");
    registry.receive(1, R"({"type":5})", t0);
    EXPECT_EQ(error_code(1), "bad_request");
    registry.receive(1, "\xff\xfe", t0);
    EXPECT_EQ(error_code(1), "bad_request");
    registry.receive(1, R"({"type":"dance"})", t0);
    EXPECT_EQ(error_code(1), "unknown_type");
    registry.receive(1, "\r", t0);  // a blank line is ignored
    EXPECT_TRUE(quiet(1));
    registry.line_too_long(1);
    EXPECT_EQ(error_code(1), "too_long");
}

TEST_F(RegistryTest, AcceptedCallGivesEachSideTheOthersMediaAddress) {
    std::string id = ring();
    say(2, Json{{"type", "accept"}, {"call_id", id}});
    Json a = next(1), b = next(2);
    EXPECT_EQ(a, (Json{{"type", "call_started"},
                       {"call_id", id},
                       {"peer", "bob"},
                       {"media", {{"host", "10.0.0.2"}, {"port", 4002}}}}));
    EXPECT_EQ(b, (Json{{"type", "call_started"},
                       {"call_id", id},
                       {"peer", "alice"},
                       {"media", {{"host", "10.0.0.1"}, {"port", 4001}}}}));
    EXPECT_TRUE(quiet(3));
    say(2, Json{{"type", "hangup"}, {"call_id", id}});
    expect_ended(1, id, "hangup", "bob");
    expect_ended(2, id, "hangup", "bob");
    EXPECT_EQ(of_type(3, "user_status").size(), 2u);
    EXPECT_EQ(registry.calls(), 0u);
}

TEST_F(RegistryTest, StatusChangesReachEveryoneElse) {
    hello(1, "alice");
    hello(2, "bob");
    hello(3, "carol");
    drain();
    say(1, Json{{"type", "call"}, {"to", "bob"}});
    auto seen = of_type(3, "user_status");
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0], (Json{{"type", "user_status"}, {"name", "alice"}, {"status", "busy"}}));
    EXPECT_EQ(seen[1], (Json{{"type", "user_status"}, {"name", "bob"}, {"status", "busy"}}));
    EXPECT_EQ(of_type(1, "user_status").size(), 1u);  // bob's, not its own
    connect(4);
    say(4, Json{{"type", "hello"}, {"version", 1}, {"name", "dan"}, {"media_port", 5}});
    EXPECT_EQ(next(4)["users"][0], (Json{{"name", "alice"}, {"status", "busy"}}));
}

TEST_F(RegistryTest, RejectEndsTheCallForBoth) {
    std::string id = ring();
    say(2, Json{{"type", "reject"}, {"call_id", id}});
    expect_ended(1, id, "rejected", "bob");
    expect_ended(2, id, "rejected", "bob");
    EXPECT_TRUE(of_type(1, "call_ended").empty());
}

TEST_F(RegistryTest, HangupBeforeTheAnswerCancels) {
    std::string id = ring();
    say(1, Json{{"type", "hangup"}, {"call_id", id}});
    expect_ended(1, id, "cancelled", "alice");
    expect_ended(2, id, "cancelled", "alice");
    drain();
    say(2, Json{{"type", "accept"}, {"call_id", id}});
    EXPECT_EQ(error_code(2), "unknown_call");
}

TEST_F(RegistryTest, CallFailures) {
    hello(1, "alice");
    hello(2, "bob");
    hello(3, "carol");
    drain();
    auto fails = [&](ClientId from, const std::string& to, const std::string& reason) {
        say(from, Json{{"type", "call"}, {"to", to}});
        Json m = next(from);
        EXPECT_EQ(m["type"], "call_failed") << m;
        EXPECT_EQ(m["reason"], reason) << to;
        EXPECT_EQ(m["peer"].is_string(), true);
        drain();
    };
    fails(1, "nobody", "unknown_user");
    fails(1, "ALICE", "self_call");
    say(1, Json{{"type", "call"}, {"to", "BOB"}});
    EXPECT_EQ(next(1)["peer"], "bob");
    drain();
    fails(3, "alice", "busy");
    fails(3, "bob", "busy");
    fails(1, "carol", "already_in_call");
    say(1, Json{{"type", "call"}, {"to", 3}});
    EXPECT_EQ(error_code(1), "bad_request");
}

TEST_F(RegistryTest, OnlyTheCalleeAnswersAndOnlyWhileRinging) {
    std::string id = ring();
    say(1, Json{{"type", "accept"}, {"call_id", id}});
    EXPECT_EQ(error_code(1), "wrong_state");
    say(2, Json{{"type", "accept"}, {"call_id", id}});
    drain();
    say(2, Json{{"type", "accept"}, {"call_id", id}});
    EXPECT_EQ(error_code(2), "wrong_state");
    say(2, Json{{"type", "reject"}, {"call_id", id}});
    EXPECT_EQ(error_code(2), "wrong_state");
    EXPECT_EQ(registry.calls(), 1u);
}

TEST_F(RegistryTest, StrangersAndUnknownIdsGetUnknownCallAndChangeNothing) {
    std::string id = ring();
    for (const char* kind : {"accept", "reject", "hangup"}) {
        say(3, Json{{"type", kind}, {"call_id", id}});
        EXPECT_EQ(error_code(3), "unknown_call") << kind;
        say(2, Json{{"type", kind}, {"call_id", "0123456789abcdef0123456789abcdef"}});
        EXPECT_EQ(error_code(2), "unknown_call") << kind;
    }
    say(2, Json{{"type", "hangup"}, {"call_id", 12}});
    EXPECT_EQ(error_code(2), "bad_request");
    EXPECT_TRUE(quiet(1));
    EXPECT_EQ(registry.calls(), 1u);
}

TEST_F(RegistryTest, UnansweredInviteEndsWithNoAnswer) {
    std::string id = ring();
    ASSERT_EQ(outbox.deadlines.size(), 1u);
    EXPECT_EQ(outbox.deadlines[0], t0 + kInvite);
    EXPECT_EQ(registry.next_invite_deadline(), t0 + kInvite);
    registry.expire_invites(t0 + kInvite - 1ms);
    EXPECT_TRUE(quiet(1));
    registry.expire_invites(t0 + kInvite);
    expect_ended(1, id, "no_answer", "bob");
    expect_ended(2, id, "no_answer", "bob");
    EXPECT_EQ(registry.next_invite_deadline(), std::nullopt);
}

TEST_F(RegistryTest, AnsweredCallsDoNotExpire) {
    std::string id = ring();
    say(2, Json{{"type", "accept"}, {"call_id", id}});
    EXPECT_EQ(registry.next_invite_deadline(), std::nullopt);
    drain();
    registry.expire_invites(t0 + 1h);
    EXPECT_TRUE(quiet(1));
    EXPECT_EQ(registry.calls(), 1u);
}

TEST_F(RegistryTest, LeavingMidInviteOrCallEndsItWithPeerLeft) {
    for (bool answered : {false, true}) {
        registry.clear();
        outbox.subscribers.clear();  // the server drops its sessions along with the registry
        drain();
        std::string id = ring();
        if (answered) say(2, Json{{"type", "accept"}, {"call_id", id}});
        drain();
        registry.disconnected(1, "test");
        expect_ended(2, id, "peer_left", "alice");
        EXPECT_TRUE(quiet(2) || next(2)["type"] == "user_left");
        auto left = of_type(3, "user_left");
        ASSERT_EQ(left.size(), 1u);
        EXPECT_EQ(left[0]["name"], "alice");
        EXPECT_EQ(of_type(3, "user_status").size(), 1u);  // bob is available again
        EXPECT_EQ(registry.calls(), 0u);
    }
}

TEST_F(RegistryTest, ByeLeavesAndClosesTheConnection) {
    hello(1, "alice");
    hello(2, "bob");
    drain();
    EXPECT_EQ(say(2, Json{{"type", "bye"}}), AfterLine::close);
    EXPECT_EQ(next(1), (Json{{"type", "user_left"}, {"name", "bob"}}));
    EXPECT_EQ(registry.registered(), 1u);
}

}  // namespace

namespace {
const char* kCandA = "candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host";
const char* kCandB = "candidate:2 1 udp 1694498815 203.0.113.5 41000 typ srflx raddr 192.0.2.10 rport 40000";

Json ice(const std::string& ufrag, std::vector<std::string> candidates) {
    return Json{{"ufrag", ufrag}, {"pwd", "abcdefghijklmnopqrstuv"}, {"candidates", candidates}};
}
}  // namespace

TEST_F(RegistryTest, Version2IceDescriptionsTravelWithTheCallAndCandidatesTrickle) {
    hello(1, "alice", 4001);
    hello(2, "bob", 4002);
    drain();
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", ice("AAAA", {kCandA})}});
    const std::string id = next(1)["call_id"];
    Json invite = next(2);
    EXPECT_EQ(invite["ice"], ice("AAAA", {kCandA}));
    drain();  // presence
    // The caller trickles while it rings; the callee gets it in order.
    say(1, Json{{"type", "candidate"}, {"call_id", id}, {"candidate", kCandB}});
    EXPECT_EQ(next(2), (Json{{"type", "candidate"}, {"call_id", id}, {"candidate", kCandB}}));
    drain();
    say(2, Json{{"type", "accept"}, {"call_id", id}, {"ice", ice("BBBB", {})}});
    Json to_caller = next(1), to_callee = next(2);
    EXPECT_EQ(to_caller["type"], "call_started");
    EXPECT_EQ(to_caller["ice"], ice("BBBB", {}));
    EXPECT_EQ(to_callee["ice"], ice("AAAA", {kCandA}));
    EXPECT_EQ(to_callee["media"]["port"], 4001) << "v1's media address stays, for a peer without ICE";
    say(2, Json{{"type", "candidate"}, {"call_id", id}, {"end_of_candidates", true}});
    EXPECT_EQ(next(1), (Json{{"type", "candidate"}, {"call_id", id}, {"end_of_candidates", true}}));
}

TEST_F(RegistryTest, BadIceAndCandidatesAreRefusedAndBounded) {
    hello(1, "alice", 4001);
    hello(2, "bob", 4002);
    hello(3, "carol", 4003);
    drain();
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", Json{{"ufrag", "AAAA"}}}});
    EXPECT_EQ(error_code(1), "bad_request");
    EXPECT_TRUE(quiet(2)) << "no call was made";
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", ice("A A!", {})}});
    EXPECT_EQ(error_code(1), "bad_request");
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", ice("AAAA", {"candidate:x"})}});
    EXPECT_EQ(error_code(1), "bad_request");
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", ice("AAAA", {})}});
    const std::string id = next(1)["call_id"];
    drain();
    say(1, Json{{"type", "candidate"}, {"call_id", id}, {"candidate", "typ host"}});
    EXPECT_EQ(error_code(1), "bad_request");
    say(1, Json{{"type", "candidate"}, {"call_id", id}});
    EXPECT_EQ(error_code(1), "bad_request");
    say(3, Json{{"type", "candidate"}, {"call_id", id}, {"candidate", kCandA}});
    EXPECT_EQ(error_code(3), "unknown_call") << "only the call's two sides trickle";
    drain();
    for (std::size_t i = 0; i < sala::protocol::kMaxCandidates; ++i)
        say(1, Json{{"type", "candidate"}, {"call_id", id}, {"candidate", kCandA}});
    EXPECT_EQ(outbox.inbox[2].size(), sala::protocol::kMaxCandidates);
    say(1, Json{{"type", "candidate"}, {"call_id", id}, {"candidate", kCandA}});
    EXPECT_EQ(error_code(1), "bad_request");
    EXPECT_EQ(outbox.inbox[2].size(), sala::protocol::kMaxCandidates);
    drain();
    say(2, Json{{"type", "accept"}, {"call_id", id}, {"ice", 7}});
    EXPECT_EQ(error_code(2), "bad_request");
    EXPECT_EQ(registry.calls(), 1u) << "a bad accept leaves the call ringing";
}

TEST_F(RegistryTest, IceRestartsGoToTheOtherSideOfAnAnsweredCallOnly) {
    hello(1, "alice", 4001);
    hello(2, "bob", 4002);
    drain();
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"ice", ice("AAAA", {})}});
    const std::string id = next(1)["call_id"];
    drain();
    say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("CCCC", {})}});
    EXPECT_EQ(error_code(1), "wrong_state") << "not while it rings";
    say(2, Json{{"type", "accept"}, {"call_id", id}, {"ice", ice("BBBB", {})}});
    drain();
    say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("CCCC", {kCandA})}});
    EXPECT_EQ(next(2), (Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("CCCC", {kCandA})}}));
    say(2, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("DDDD", {})}});
    EXPECT_EQ(next(1)["ice"]["ufrag"], "DDDD");
    say(1, Json{{"type", "restart"}, {"call_id", id}});
    EXPECT_EQ(error_code(1), "bad_request") << "a restart carries a description";
    for (std::size_t i = 1; i < sala::protocol::kMaxRestarts; ++i)
        say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("EEE" + std::string(1, char('a' + i)), {})}});
    drain();
    say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("FFFF", {})}});
    EXPECT_EQ(error_code(1), "bad_request") << "bounded per side";
    EXPECT_TRUE(quiet(2));
    // The last restart said again (after a resumed session) is relayed without counting, as often.
    for (std::size_t i = 0; i < sala::protocol::kMaxRestarts; ++i)
        say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("EEEp", {kCandA})}});
    EXPECT_EQ(of_type(2, "restart").size(), sala::protocol::kMaxRestarts);
    drain();
    say(1, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("EEEp", {})}});
    EXPECT_EQ(error_code(1), "bad_request") << "repeats are bounded too";
    EXPECT_TRUE(quiet(2));
}

// Session resumption: a resumable client's session outlives its connection for the grace, and a
// new connection with the session's token takes it over, call and all, without a word to anyone.
class ResumeTest : public RegistryTest {
protected:
    // Registers a resumable client; returns its token.
    std::string resumable_hello(ClientId id, const std::string& name, int port) {
        connect(id);
        say(id, Json{{"type", "hello"}, {"version", 2}, {"name", name}, {"media_port", port}, {"resumable", true}});
        Json welcome = next(id);
        EXPECT_EQ(welcome["type"], "welcome") << welcome;
        EXPECT_FALSE(welcome.contains("resumed"));
        return welcome.value("resume_token", "");
    }
    Json resume(ClientId id, const std::string& name, const std::string& token, int port = 5001) {
        connect(id);
        say(id, Json{{"type", "hello"},
                     {"version", 2},
                     {"name", name},
                     {"media_port", port},
                     {"resumable", true},
                     {"resume_token", token}});
        return next(id);
    }
    // alice (1, resumable) and bob (2) in an answered call, carol (3) watching.
    std::string answered() {
        token = resumable_hello(1, "alice", 4001);
        hello(2, "bob", 4002);
        hello(3, "carol", 4003);
        drain();
        say(1, Json{{"type", "call"}, {"to", "bob"}});
        const std::string id = next(1)["call_id"];
        say(2, Json{{"type", "accept"}, {"call_id", id}});
        drain();
        return id;
    }
    std::string token;
};

TEST_F(ResumeTest, WelcomeCarriesAFreshUnguessableTokenEachTime) {
    const std::string a = resumable_hello(1, "alice", 4001);
    hello(2, "bob");
    EXPECT_EQ(a.size(), sala::protocol::kResumeTokenChars);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    Json again = resume(5, "alice", a);
    EXPECT_EQ(again["resumed"], true);
    EXPECT_NE(again["resume_token"], a) << "rotated";
    EXPECT_EQ(again["users"], (Json::array({{{"name", "bob"}, {"status", "available"}}})));
}

TEST_F(ResumeTest, TheRightTokenTakesOverALiveSessionQuietlyAndKeepsTheCall) {
    const std::string id = answered();
    Json welcome = resume(5, "alice", token);
    EXPECT_EQ(welcome["resumed"], true) << welcome;
    EXPECT_EQ(welcome["call_id"], id);
    EXPECT_EQ(outbox.dropped, std::vector<ClientId>{1});
    EXPECT_TRUE(quiet(2) && quiet(3)) << "no presence, no call_ended";
    // The call is the new connection's now: signalling reaches it, and its hangup counts.
    say(2, Json{{"type", "restart"}, {"call_id", id}, {"ice", ice("BBBB", {})}});
    EXPECT_EQ(next(5)["type"], "restart");
    say(5, Json{{"type", "hangup"}, {"call_id", id}});
    expect_ended(5, id, "hangup", "alice");
    expect_ended(2, id, "hangup", "alice");
    EXPECT_FALSE(registry.relay_peer("bob")) << "the call is over";
}

TEST_F(ResumeTest, TheNewConnectionsAddressIsThePeersRelayTarget) {
    answered();
    resume(5, "alice", token);
    auto peer = registry.relay_peer("bob");
    ASSERT_TRUE(peer);
    EXPECT_EQ(peer->name, "alice");
    EXPECT_EQ(peer->host, "10.0.0.5");
}

TEST_F(ResumeTest, AWrongOrMissingTokenForATakenNameIsNameTaken) {
    answered();
    connect(5);
    say(5, Json{{"type", "hello"}, {"version", 2}, {"name", "ALICE"}, {"media_port", 1}, {"resume_token", "0"}});
    EXPECT_EQ(error_code(5), "name_taken");
    say(5, Json{{"type", "hello"}, {"version", 2}, {"name", "alice"}, {"media_port", 1}});
    EXPECT_EQ(error_code(5), "name_taken");
    say(5, Json{{"type", "hello"}, {"version", 2}, {"name", "bob"}, {"media_port", 1}, {"resume_token", token}});
    EXPECT_EQ(error_code(5), "name_taken") << "a token is good for its own session only";
    say(5, Json{{"type", "hello"}, {"version", 2}, {"name", "x"}, {"media_port", 1}, {"resume_token", 7}});
    EXPECT_EQ(error_code(5), "bad_request");
    say(5, Json{{"type", "hello"}, {"version", 2}, {"name", "x"}, {"media_port", 1}, {"resumable", "yes"}});
    EXPECT_EQ(error_code(5), "bad_request");
    EXPECT_TRUE(outbox.dropped.empty());
    EXPECT_TRUE(quiet(2) && quiet(3));
}

TEST_F(ResumeTest, ADroppedResumableSessionLingersQuietlyThenLeaves) {
    const std::string id = answered();
    registry.disconnected(1, "reset", t0);
    EXPECT_EQ(registry.lingering(), 1u);
    EXPECT_TRUE(quiet(2) && quiet(3));
    EXPECT_EQ(registry.next_deadline(), t0 + std::chrono::seconds(sala::protocol::kDefaultResumeGraceSeconds));
    registry.expire(t0 + 1s);
    EXPECT_TRUE(quiet(2) && quiet(3));
    registry.expire(*registry.next_deadline());
    expect_ended(2, id, "peer_left", "alice");
    EXPECT_EQ(of_type(3, "user_left").size(), 1u);
    EXPECT_EQ(registry.registered(), 2u);
    EXPECT_EQ(registry.lingering(), 0u);
}

TEST_F(ResumeTest, ALingeringSessionIsResumedWithoutDroppingAnything) {
    const std::string id = answered();
    registry.disconnected(1, "reset", t0);
    Json welcome = resume(5, "alice", token);
    EXPECT_EQ(welcome["call_id"], id);
    EXPECT_TRUE(outbox.dropped.empty()) << "nothing left to drop";
    EXPECT_EQ(registry.lingering(), 0u);
    EXPECT_EQ(registry.next_deadline(), std::nullopt);
    EXPECT_TRUE(quiet(2) && quiet(3));
}

TEST_F(ResumeTest, ByeAndUnresumableSessionsLeaveAtOnce) {
    token = resumable_hello(1, "alice", 4001);
    hello(2, "bob", 4002);  // not resumable
    drain();
    registry.disconnected(2, "reset", t0);
    EXPECT_EQ(of_type(1, "user_left").size(), 1u);
    drain();
    EXPECT_EQ(say(1, Json{{"type", "bye"}}), AfterLine::close);
    EXPECT_EQ(registry.registered(), 0u);
    EXPECT_EQ(registry.lingering(), 0u);
    Json late = resume(5, "alice", token);
    EXPECT_EQ(late["type"], "welcome");
    EXPECT_FALSE(late.contains("resumed")) << "a new session: the old one is gone";
}

TEST_F(ResumeTest, AGraceOfZeroMeansLeavingAtOnce) {
    Registry strict(outbox, RegistryLimits{4, kInvite, Clock::duration::zero()});
    strict.connected(1, "10.0.0.1");
    strict.connected(2, "10.0.0.2");
    strict.receive(1, R"({"type":"hello","version":2,"name":"a","media_port":1,"resumable":true})", t0);
    strict.receive(2, R"({"type":"hello","version":2,"name":"b","media_port":1})", t0);
    drain();
    strict.disconnected(1, "reset", t0);
    EXPECT_EQ(of_type(2, "user_left").size(), 1u);
    EXPECT_EQ(strict.lingering(), 0u);
}

namespace {
Json keys(char fill) {
    return Json{{"suite", "AES_CM_128_HMAC_SHA1_80"},
                {"identity", std::string(64, fill)},
                {"ephemeral", std::string(64, fill)},
                {"signature", std::string(128, fill)}};
}
}  // namespace

TEST_F(RegistryTest, Version3KeysAreRelayedUnreadAndMalformedOnesRefused) {
    hello(1, "alice", 4001);
    hello(2, "bob", 4002);
    drain();
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"keys", Json{{"suite", "X"}, {"identity", "00"}}}});
    EXPECT_EQ(error_code(1), "bad_request");
    EXPECT_TRUE(quiet(2)) << "no call was made";
    say(1, Json{{"type", "call"}, {"to", "bob"}, {"keys", keys('a')}});
    const std::string id = next(1)["call_id"];
    EXPECT_EQ(next(2)["keys"], keys('a'));
    drain();
    say(2, Json{{"type", "accept"}, {"call_id", id}, {"keys", "nope"}});
    EXPECT_EQ(error_code(2), "bad_request");
    say(2, Json{{"type", "accept"}, {"call_id", id}, {"keys", keys('b')}});
    EXPECT_EQ(next(1)["keys"], keys('b'));
    EXPECT_EQ(next(2)["keys"], keys('a'));
}
