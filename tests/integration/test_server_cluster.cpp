// sala-server --redis: three real nodes sharing a real redis-server; clients spread over them.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <memory>
#include <thread>

#include "cli_peer.hpp"
#include "keyed_hello.hpp"
#include "line_client.hpp"
#include "redis_process.hpp"
#include "server_process.hpp"

namespace {
using namespace sala::test;

struct Cluster {
    RedisProcess redis;
    std::vector<std::unique_ptr<ServerProcess>> nodes;
    explicit Cluster(int count = 3) {
        for (int i = 0; i < count; ++i)
            nodes.push_back(std::make_unique<ServerProcess>(std::vector<std::string>{"--redis", redis.url()}));
    }
    std::uint16_t port(int node) const { return nodes.at(node)->port(); }
};

Json joined(const std::string& name, const std::string& status = "available") {
    return Json{{"type", "user_joined"}, {"name", name}, {"status", status}};
}
Json left(const std::string& name) { return Json{{"type", "user_left"}, {"name", name}}; }
Json status(const std::string& name, const std::string& status) {
    return Json{{"type", "user_status"}, {"name", name}, {"status", status}};
}

std::vector<std::string> names_in(const Json& welcome) {
    std::vector<std::string> names;
    for (const auto& user : welcome["users"]) names.push_back(user["name"]);
    std::sort(names.begin(), names.end());
    return names;
}

// A welcome from one node may not list a user who just registered on another (presence crosses
// nodes through Redis): such a user's user_joined is the client's next message instead.
void expect_knows(LineClient& client, const std::optional<Json>& welcome, std::vector<std::string> expected) {
    ASSERT_TRUE(welcome);
    std::vector<std::string> known = names_in(*welcome);
    for (const auto& name : known) std::erase(expected, name);
    while (!expected.empty()) {
        auto next = client.read();
        ASSERT_TRUE(next) << "still unknown: " << expected.front();
        ASSERT_EQ((*next)["type"], "user_joined") << next->dump();
        ASSERT_EQ(std::erase(expected, (*next)["name"].get<std::string>()), 1u) << next->dump();
    }
}

// Whether redis-cli answers `answer` to `command` within 5 s (asked every 50 ms).
bool eventually(const RedisProcess& redis, const std::vector<std::string>& command, const std::string& answer) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (redis.cli(command) != answer) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

TEST(ServerCluster, RedisUnreachableAtStartIsAClearErrorAndStatus1) {
    Process server({bin("sala-server"), "--bind", "127.0.0.1", "--port", "0", "--data-dir", "/tmp/sala-cluster-none",
                    "--redis", "redis://127.0.0.1:" + std::to_string(free_tcp_port())});
    EXPECT_EQ(server.wait(10000ms), 1);
    const std::string errors = server.stderr_text();
    EXPECT_NE(errors.find("cannot use Redis at redis://127.0.0.1:"), std::string::npos) << errors;
    EXPECT_NE(errors.find("not starting"), std::string::npos) << errors;
}

TEST(ServerCluster, ABadRedisAddressIsRefusedWithStatus2) {
    Process server({bin("sala-server"), "--redis", "http://127.0.0.1:6379"});
    EXPECT_EQ(server.wait(), 2);
    EXPECT_NE(server.stderr_text().find("--redis"), std::string::npos);
}

TEST(ServerCluster, PresenceCrossesNodes) {
    Cluster cluster;
    LineClient carol(cluster.port(0)), alice(cluster.port(1)), bob(cluster.port(2));
    ASSERT_TRUE(carol.hello("carol"));
    expect_knows(alice, alice.hello("alice"), {"carol"});
    EXPECT_EQ(carol.read(), joined("alice"));
    expect_knows(bob, bob.hello("bob"), {"alice", "carol"});
    EXPECT_EQ(carol.read(), joined("bob"));
    EXPECT_EQ(alice.read(), joined("bob"));

    // A call between two users of node 0 is seen as busy on the others.
    LineClient dave(cluster.port(0));
    expect_knows(dave, dave.hello("dave"), {"alice", "bob", "carol"});
    EXPECT_EQ(bob.read(), joined("dave"));
    ASSERT_TRUE(carol.send(Json{{"type", "call"}, {"to", "dave"}}));
    EXPECT_EQ(bob.read(), status("carol", "busy"));
    EXPECT_EQ(bob.read(), status("dave", "busy"));
    auto invite = dave.wait_for("invite");
    ASSERT_TRUE(invite);
    ASSERT_TRUE(dave.send(Json{{"type", "reject"}, {"call_id", (*invite)["call_id"]}}));
    EXPECT_EQ(alice.wait_for("user_status"), status("carol", "busy"));
    EXPECT_EQ(alice.read(), status("dave", "busy"));
    EXPECT_EQ(alice.read(), status("carol", "available"));
    EXPECT_EQ(alice.read(), status("dave", "available"));

    alice.close();
    EXPECT_EQ(bob.wait_for("user_left"), left("alice"));
    EXPECT_EQ(carol.wait_for("user_left"), left("alice"));
    bob.reset();
    EXPECT_EQ(carol.wait_for("user_left"), left("bob"));
}

TEST(ServerCluster, ANameTakenOnOneNodeIsTakenOnTheOthers) {
    Cluster cluster(2);
    LineClient alice(cluster.port(0)), watcher(cluster.port(1));
    ASSERT_TRUE(watcher.hello("watcher"));
    ASSERT_TRUE(alice.hello("alice"));
    EXPECT_EQ(watcher.read(), joined("alice"));
    LineClient other(cluster.port(1));
    ASSERT_TRUE(other.send(Json{{"type", "hello"}, {"version", 5}, {"name", "ALICE"}, {"media_port", 40000}}));
    auto reply = other.read();
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["type"], "error");
    EXPECT_EQ((*reply)["code"], "name_taken");
}

// Hellos for one name on two nodes at the same moment: Redis judges, exactly one registers.
TEST(ServerCluster, OneOfTwoSimultaneousHellosForANameWins) {
    Cluster cluster(2);
    for (int round = 0; round < 20; ++round) {
        const std::string name = "name" + std::to_string(round);
        LineClient first(cluster.port(0)), second(cluster.port(1));
        const Json hello{{"type", "hello"}, {"version", 5}, {"name", name}, {"media_port", 40000}};
        Json upper = hello;
        upper["name"] = "NAME" + std::to_string(round);
        ASSERT_TRUE(first.send(hello));
        ASSERT_TRUE(second.send(upper));
        auto a = first.read(), b = second.read();
        ASSERT_TRUE(a && b);
        std::vector<std::string> replies{(*a)["type"], (*b)["type"]};
        std::sort(replies.begin(), replies.end());
        EXPECT_EQ(replies, (std::vector<std::string>{"error", "welcome"})) << *a << " " << *b;
        EXPECT_EQ(((*a)["type"] == "error" ? *a : *b)["code"], "name_taken");
    }
}

// A name bound to a key on one node belongs to that key on every node, and after its user left.
TEST(ServerCluster, ANameBoundOnOneNodeBelongsToItsKeyOnEveryNode) {
    Cluster cluster(2);
    const auto alice = sala::client::Identity::generate(), mallory = sala::client::Identity::generate();
    {
        LineClient first(cluster.port(0));
        EXPECT_EQ(reply_to(first, keyed_hello(first, alice, "alice")), "welcome");
    }
    EXPECT_EQ(cluster.redis.cli({"EXISTS", "sala:name:alice"}), "1");
    EXPECT_TRUE(eventually(cluster.redis, {"EXISTS", "sala:user:alice"}, "0"));  // alice's leave reached Redis
    LineClient thief(cluster.port(1)), anonymous(cluster.port(1)), owner(cluster.port(1));
    EXPECT_EQ(reply_to(thief, keyed_hello(thief, mallory, "Alice")), "name_owned");
    EXPECT_EQ(reply_to(anonymous, Json{{"type", "hello"}, {"version", 5}, {"name", "alice"}, {"media_port", 1}}),
              "name_owned");
    EXPECT_EQ(reply_to(owner, keyed_hello(owner, alice, "alice")), "welcome");
}

TEST(ServerCluster, ReleaseNameFreesABindingInRedis) {
    RedisProcess redis;
    ASSERT_EQ(redis.cli({"SET", "sala:name:alice", "00"}), "OK");
    auto release = [&] {
        Process tool({bin("sala-server"), "--release-name", "ALICE", "--redis", redis.url()});
        return tool.wait(5000ms).value_or(-1);
    };
    EXPECT_EQ(release(), 0);
    EXPECT_EQ(redis.cli({"EXISTS", "sala:name:alice"}), "0");
    EXPECT_EQ(release(), 1);  // not bound
}

// Cut off from Redis, a node keeps serving its users but registers nobody new: it could not make
// sure that the name is not taken on another node.
TEST(ServerCluster, ANodeCutOffFromRedisRegistersNobodyNew) {
    Cluster cluster(1);
    LineClient carol(cluster.port(0));
    ASSERT_TRUE(carol.hello("carol"));
    cluster.redis.stop();
    std::string reply;
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        LineClient late(cluster.port(0));
        reply = reply_to(late, Json{{"type", "hello"}, {"version", 5}, {"name", "dave"}, {"media_port", 1}});
        if (reply != "welcome") break;
        std::this_thread::sleep_for(100ms);  // the node has not noticed yet; dave's claim held
    }
    EXPECT_EQ(reply, "server_full");
    // carol was told, is still served, and is told again when Redis is back.
    auto cut = carol.wait_for("cluster", 5s);
    ASSERT_TRUE(cut) << "no cluster line";
    ASSERT_TRUE(carol.send(Json{{"type", "ping"}}));
    EXPECT_EQ(carol.wait_for("pong")->value("type", ""), "pong");
    EXPECT_EQ(cut->value("status", ""), "cut_off") << cut->dump();
    EXPECT_NE(cut->value("message", "").find("only users of this server"), std::string::npos) << cut->dump();
    cluster.redis.restart();
    auto back = carol.wait_for("cluster", 10s);
    ASSERT_TRUE(back) << "no cluster line after Redis came back";
    EXPECT_EQ(back->value("status", ""), "joined") << back->dump();
}

// sala-cli says so in plain words when its server's node is cut off from the cluster.
TEST(ServerCluster, SalaCliShowsWhenItsNodeIsCutOff) {
    Cluster cluster(1);
    CliPeer erin(cluster.port(0), "erin", {"--audio-in", "silence", "--audio-out", "null"});
    ASSERT_TRUE(erin.wait_for("registered", 10s)) << erin.process().stderr_text();
    cluster.redis.stop();
    auto cut = erin.wait_for("server_cluster", 10s);
    ASSERT_TRUE(cut) << erin.process().stderr_text();
    EXPECT_EQ(cut->value("status", ""), "cut_off") << cut->dump();
    cluster.redis.restart();
    auto back = erin.wait_for("server_cluster", 10s);
    ASSERT_TRUE(back) << erin.process().stderr_text();
    EXPECT_EQ(back->value("status", ""), "joined") << back->dump();
}

// Waits until `node`'s log says it lost Redis (or 5 s pass).
bool saw_redis_go(ServerProcess& node) {
    std::string log;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        log += node.process().stderr_text();
        if (log.find("lost Redis") != std::string::npos) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

// Registers `name` on a node and waits until `watcher` (on another node) knows of it.
LineClient joined_client(std::uint16_t port, const std::string& name, LineClient& watcher) {
    LineClient client(port);
    EXPECT_TRUE(client.hello(name));
    EXPECT_EQ(watcher.wait_for("user_joined"), joined(name));
    return client;
}

Json started_media(const Json& started) { return started["media"]; }

// A call between users of two nodes, judged by the callee's node: invite, answer, candidates both
// ways, hang-up; one call_ended each; a third node sees both busy, then available.
TEST(ServerCluster, ACallBetweenTwoNodes) {
    Cluster cluster;
    LineClient carol(cluster.port(2));
    ASSERT_TRUE(carol.hello("carol"));
    LineClient alice = joined_client(cluster.port(0), "alice", carol);
    LineClient bob = joined_client(cluster.port(1), "bob", carol);
    ASSERT_TRUE(alice.wait_for("user_joined", 2000ms));  // bob
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto calling = alice.wait_for("calling");
    ASSERT_TRUE(calling);
    EXPECT_EQ((*calling)["peer"], "bob");
    auto invite = bob.wait_for("invite");
    ASSERT_TRUE(invite);
    EXPECT_EQ((*invite)["from"], "alice");
    EXPECT_EQ((*invite)["call_id"], (*calling)["call_id"]);
    const Json call_id = (*calling)["call_id"];
    ASSERT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", call_id}}));
    auto alice_started = alice.wait_for("call_started"), bob_started = bob.wait_for("call_started");
    ASSERT_TRUE(alice_started && bob_started);
    EXPECT_EQ((*alice_started)["peer"], "bob");
    EXPECT_EQ((*bob_started)["peer"], "alice");
    EXPECT_EQ(started_media(*bob_started), (Json{{"host", "127.0.0.1"}, {"port", 40000}}));
    const std::string candidate = "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host";
    ASSERT_TRUE(alice.send(Json{{"type", "candidate"}, {"call_id", call_id}, {"candidate", candidate}}));
    EXPECT_EQ(bob.wait_for("candidate"), (Json{{"type", "candidate"}, {"call_id", call_id}, {"candidate", candidate}}));
    ASSERT_TRUE(bob.send(Json{{"type", "candidate"}, {"call_id", call_id}, {"candidate", candidate}}));
    EXPECT_EQ(alice.wait_for("candidate"),
              (Json{{"type", "candidate"}, {"call_id", call_id}, {"candidate", candidate}}));
    ASSERT_TRUE(alice.send(Json{{"type", "hangup"}, {"call_id", call_id}}));
    const Json ended{{"type", "call_ended"}, {"call_id", call_id}, {"reason", "hangup"}, {"by", "alice"}};
    EXPECT_EQ(alice.wait_for("call_ended"), ended);
    EXPECT_EQ(bob.wait_for("call_ended"), ended);
    EXPECT_FALSE(alice.wait_for("call_ended", 300ms));
    EXPECT_FALSE(bob.wait_for("call_ended", 1ms));
    std::vector<Json> seen;
    for (int i = 0; i < 4; ++i) seen.push_back(carol.wait_for("user_status").value_or(Json()));
    std::sort(seen.begin(), seen.end());
    std::vector<Json> expected{status("alice", "busy"), status("alice", "available"), status("bob", "busy"),
                               status("bob", "available")};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(seen, expected);
}

// Real sala-cli processes on two nodes: the call is set up across nodes and audio flows both ways.
TEST(ServerCluster, ACallWithAudioBetweenUsersOfTwoNodes) {
    Cluster cluster(2);
    const std::vector<std::string> tone{"--audio-in", "tone:440", "--audio-out", "null"};
    std::vector<std::string> callee = tone, caller = tone;
    callee.insert(callee.end(), {"--answer", "accept", "--calls", "1"});
    caller.insert(caller.end(), {"--call", "bob", "--duration", "1.5"});
    CliPeer bob(cluster.port(1), "bob", callee);
    ASSERT_TRUE(bob.wait_for("registered"));
    LineClient watcher(cluster.port(0));  // bob's arrival on node 0 is known before alice calls
    expect_knows(watcher, watcher.hello("watcher"), {"bob"});
    CliPeer alice(cluster.port(0), "alice", caller);
    auto started = alice.wait_for("call_started");
    ASSERT_TRUE(started) << alice.process().stderr_text();
    EXPECT_EQ((*started)["peer"], "bob");
    ASSERT_TRUE(bob.wait_for("call_started"));
    for (CliPeer* peer : {&alice, &bob}) {
        auto first = peer->wait_for("first_audio", 3000ms);
        ASSERT_TRUE(first) << peer->name() << " played nothing of the peer";
    }
    auto stats = alice.wait_for("stats", 3000ms);
    ASSERT_TRUE(stats);
    EXPECT_GT((*stats)["packets_received"].get<int>(), 20);
    for (CliPeer* peer : {&alice, &bob}) {
        auto ended = peer->wait_for("call_ended", 8000ms);
        ASSERT_TRUE(ended) << peer->name();
        EXPECT_EQ((*ended)["reason"], "hangup");
        EXPECT_EQ((*ended)["by"], "alice");
    }
    EXPECT_EQ(alice.process().wait(), 0) << alice.process().stderr_text();
    EXPECT_EQ(bob.process().wait(), 0) << bob.process().stderr_text();
}

// sala-cli given both nodes picks one; when that node dies it moves to the other and registers
// again (after the dead node's hold on its name runs out), and is seen there.
TEST(ServerCluster, AClientMovesToAnotherNodeWhenItsNodeDies) {
    Cluster cluster(2);
    const std::string servers =
        "127.0.0.1:" + std::to_string(cluster.port(0)) + ", 127.0.0.1:" + std::to_string(cluster.port(1));
    CliPeer bob(servers, "bob", {"--audio-in", "silence", "--audio-out", "null"});
    auto registered = bob.wait_for("registered");
    ASSERT_TRUE(registered);
    const int home = (*registered)["server"] == "127.0.0.1:" + std::to_string(cluster.port(0)) ? 0 : 1;
    LineClient alice(cluster.port(1 - home));
    expect_knows(alice, alice.hello("alice"), {"bob"});
    cluster.nodes[home]->process().signal(SIGKILL);
    EXPECT_EQ(alice.wait_for("user_left", 10000ms), left("bob"));
    auto again = bob.wait_for("reconnected", 20000ms);
    std::string seen;
    for (const auto& event : bob.events()) seen += event.dump() + "\n";
    ASSERT_TRUE(again) << seen << bob.process().stderr_text();
    EXPECT_EQ((*again)["server"], "127.0.0.1:" + std::to_string(cluster.port(1 - home)));
    EXPECT_EQ(alice.wait_for("user_joined", 5000ms), joined("bob"));
}

TEST(ServerCluster, BusyRejectAndCancelAcrossNodes) {
    Cluster cluster(2);
    LineClient watcher(cluster.port(0));
    ASSERT_TRUE(watcher.hello("watcher"));
    LineClient alice(cluster.port(0));
    ASSERT_TRUE(alice.hello("alice"));
    LineClient bob = joined_client(cluster.port(1), "bob", alice);
    LineClient dave = joined_client(cluster.port(1), "dave", alice);
    // Reject.
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto invite = bob.wait_for("invite");
    ASSERT_TRUE(invite);
    ASSERT_TRUE(bob.send(Json{{"type", "reject"}, {"call_id", (*invite)["call_id"]}}));
    EXPECT_EQ(alice.wait_for("call_ended").value_or(Json())["reason"], "rejected");
    EXPECT_EQ(bob.wait_for("call_ended").value_or(Json())["reason"], "rejected");
    // Cancel: the caller hangs up while it rings.
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto calling = alice.wait_for("calling");
    ASSERT_TRUE(calling);
    ASSERT_TRUE(bob.wait_for("invite"));
    ASSERT_TRUE(alice.send(Json{{"type", "hangup"}, {"call_id", (*calling)["call_id"]}}));
    EXPECT_EQ(alice.wait_for("call_ended").value_or(Json())["reason"], "cancelled");
    EXPECT_EQ(bob.wait_for("call_ended").value_or(Json())["reason"], "cancelled");
    // Busy: bob rings with dave's call (same node); alice's call gets busy from bob's node.
    ASSERT_TRUE(dave.send(Json{{"type", "call"}, {"to", "bob"}}));
    ASSERT_TRUE(bob.wait_for("invite"));
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto failed = alice.wait_for("call_failed");
    ASSERT_TRUE(failed);
    EXPECT_EQ((*failed)["reason"], "busy");
    // And the other way: alice, in an invite of her own, is busy for a call from bob's node.
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "watcher"}}));
    ASSERT_TRUE(alice.wait_for("calling"));
    LineClient erin(cluster.port(1));
    ASSERT_TRUE(erin.hello("erin"));
    ASSERT_TRUE(alice.wait_for("user_joined"));  // erin
    ASSERT_TRUE(erin.send(Json{{"type", "call"}, {"to", "alice"}}));
    EXPECT_EQ(erin.wait_for("call_failed").value_or(Json())["reason"], "busy");
}

TEST(ServerCluster, AnInviteAcrossNodesTimesOutOnce) {
    RedisProcess redis;
    ServerProcess first({"--redis", redis.url(), "--invite-timeout", "1"}),
        second({"--redis", redis.url(), "--invite-timeout", "1"});
    LineClient alice(first.port());
    ASSERT_TRUE(alice.hello("alice"));
    LineClient bob = joined_client(second.port(), "bob", alice);
    ASSERT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto invite = bob.wait_for("invite");
    ASSERT_TRUE(invite);
    const Json ended{{"type", "call_ended"}, {"call_id", (*invite)["call_id"]}, {"reason", "no_answer"}, {"by", "bob"}};
    EXPECT_EQ(alice.wait_for("call_ended", 3000ms), ended);
    EXPECT_EQ(bob.wait_for("call_ended", 1000ms), ended);
    EXPECT_FALSE(alice.wait_for("call_ended", 500ms));
}

// Alice calls bob and he answers: the call's id once alice's call has started, null if a step
// failed (each failure reported here).
Json answered_call(LineClient& alice, LineClient& bob) {
    EXPECT_TRUE(alice.send(Json{{"type", "call"}, {"to", "bob"}}));
    auto invite = bob.wait_for("invite");
    if (!invite) {
        ADD_FAILURE() << "bob got no invite";
        return Json();
    }
    const Json call_id = (*invite)["call_id"];
    EXPECT_TRUE(bob.send(Json{{"type", "accept"}, {"call_id", call_id}}));
    if (!alice.wait_for("call_started")) {
        ADD_FAILURE() << "alice's call did not start";
        return Json();
    }
    return call_id;
}

// A node killed mid-call: the other side's call ends with peer_left within 10 s, whichever side
// (caller or callee) was on the dead node.
TEST(ServerCluster, AKilledNodesCallsEndWithPeerLeft) {
    for (int dead : {0, 1}) {
        Cluster cluster(2);
        LineClient alice(cluster.port(0));
        ASSERT_TRUE(alice.hello("alice"));
        LineClient bob = joined_client(cluster.port(1), "bob", alice);
        const Json call_id = answered_call(alice, bob);
        ASSERT_FALSE(call_id.is_null());
        cluster.nodes[dead]->process().signal(SIGKILL);
        LineClient& survivor = dead == 0 ? bob : alice;
        const Json ended{
            {"type", "call_ended"}, {"call_id", call_id}, {"reason", "peer_left"}, {"by", dead == 0 ? "alice" : "bob"}};
        EXPECT_EQ(survivor.wait_for("call_ended", 10000ms), ended) << "dead node " << dead;
        EXPECT_EQ(survivor.wait_for("user_left", 1000ms), left(dead == 0 ? "alice" : "bob"));
    }
}

// A call goes on through a Redis restart, and a hang-up sent while Redis was away still ends it on
// both sides once it is back.
TEST(ServerCluster, ACallOutlivesARedisRestart) {
    Cluster cluster(2);
    LineClient alice(cluster.port(0));
    ASSERT_TRUE(alice.hello("alice"));
    LineClient bob = joined_client(cluster.port(1), "bob", alice);
    const Json call_id = answered_call(alice, bob);
    ASSERT_FALSE(call_id.is_null());
    cluster.redis.stop();
    ASSERT_TRUE(saw_redis_go(*cluster.nodes[0]));
    ASSERT_TRUE(alice.send(Json{{"type", "hangup"}, {"call_id", call_id}}));
    EXPECT_FALSE(bob.wait_for("call_ended", 300ms));  // nothing can reach bob's node meanwhile
    cluster.redis.restart();
    const Json ended{{"type", "call_ended"}, {"call_id", call_id}, {"reason", "hangup"}, {"by", "alice"}};
    EXPECT_EQ(bob.wait_for("call_ended", 5000ms), ended);
    EXPECT_EQ(alice.wait_for("call_ended", 2000ms), ended);
    EXPECT_FALSE(alice.wait_for("user_left", 500ms));  // nobody left meanwhile
}

// Two nodes, carol on the first and alice on the second, each knowing of the other.
struct TwoNodes : Cluster {
    LineClient carol, alice;
    TwoNodes() : Cluster(2), carol(port(0)), alice(port(1)) {
        EXPECT_TRUE(carol.hello("carol"));
        expect_knows(alice, alice.hello("alice"), {"carol"});
        EXPECT_EQ(carol.read(), joined("alice"));
    }
};

// Another node holds alice's name key (as when it registered "alice" while Redis was away and
// came back empty): alice's node sees it at its next renewal and lets her go with name_taken, so
// no two users hold one name; carol sees her leave.
TEST(ServerCluster, AUserWhoseNameAnotherNodeHoldsIsToldAndLeaves) {
    TwoNodes cluster;
    EXPECT_EQ(cluster.redis.cli({"SET", "sala:user:alice", "0123456789abcdef"}), "OK");
    auto error = cluster.alice.wait_for("error", 10s);
    ASSERT_TRUE(error) << "alice was not told";
    EXPECT_EQ(error->value("code", ""), "name_taken") << error->dump();
    EXPECT_TRUE(cluster.alice.wait_closed(5s)) << "alice's connection stayed open";
    EXPECT_EQ(cluster.carol.wait_for("user_left", 5s), left("alice"));
}

TEST(ServerCluster, AKilledNodesUsersLeaveEveryonesListWithin10Seconds) {
    TwoNodes cluster;
    LineClient& carol = cluster.carol;
    cluster.nodes[1]->process().signal(SIGKILL);
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(carol.read(10500ms), left("alice"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    // The name is free again on the surviving node.
    LineClient again(cluster.port(0));
    EXPECT_TRUE(again.hello("alice"));
}

TEST(ServerCluster, AStoppedNodesUsersLeaveAtOnce) {
    TwoNodes cluster;
    LineClient& carol = cluster.carol;
    cluster.nodes[1]->process().signal(SIGTERM);
    EXPECT_EQ(cluster.nodes[1]->process().wait(), 0);
    EXPECT_EQ(carol.read(2000ms), left("alice"));
}

TEST(ServerCluster, NodesComeBackAfterARedisRestart) {
    TwoNodes cluster;
    LineClient& carol = cluster.carol;
    EXPECT_EQ(cluster.redis.cli({"GET", "sala:user:alice"}).size(), 16u);  // the id of alice's node
    cluster.redis.restart();  // empty: the nodes reconnect and put their users back
    EXPECT_EQ(cluster.redis.cli({"EXISTS", "sala:user:alice"}), "0");
    EXPECT_TRUE(eventually(cluster.redis, {"EXISTS", "sala:user:alice"}, "1"));
    EXPECT_TRUE(eventually(cluster.redis, {"EXISTS", "sala:user:carol"}, "1"));
    // Presence crosses nodes again, and nobody left meanwhile (the next line carol reads, after
    // what her node said of its cluster, is dave).
    LineClient dave(cluster.port(1));
    expect_knows(dave, dave.hello("dave"), {"alice", "carol"});
    for (LineClient* client : {&carol, &cluster.alice}) {
        std::optional<Json> line = client->read(5000ms);
        while (line && line->value("type", "") == "cluster") line = client->read(5000ms);
        EXPECT_EQ(line, joined("dave"));
    }
}

}  // namespace
