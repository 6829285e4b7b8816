// The client Engine built in this process against a real sala-server on 127.0.0.1: commands
// posted, snapshots and events observed, every wait bounded by a deadline.
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "sala/client/engine.hpp"
#include "server_process.hpp"

namespace {
using namespace std::chrono_literals;
using namespace sala::client;
using nlohmann::json;
using sala::test::ServerProcess;
using Clock = std::chrono::steady_clock;

// Tone or silence in, nothing out, media on loopback: calls need no sound card.
EngineOptions quiet(const std::string& audio_in, std::chrono::milliseconds media_timeout = 5000ms) {
    EngineOptions options;
    options.audio_in = audio_in;
    options.audio_out = "null";
    options.bind_address = "127.0.0.1";
    options.meter_interval = 50ms;
    options.media.timeout = media_timeout;
    return options;
}

// An Engine in the test process whose events are kept in order, with waits on its events and
// snapshots that end at a deadline.
class ObservedEngine {
public:
    struct Received {
        json fields;
        Clock::time_point at;
    };

    explicit ObservedEngine(std::string name, EngineOptions options = quiet("tone:440"))
        : name_(std::move(name)), engine_(std::make_unique<Engine>(std::move(options))) {
        // Both run on the engine thread.
        engine_->on_event([this](const Event& event) {
            std::lock_guard lock(mutex_);
            events_.push_back({event.fields, Clock::now()});
            changed_.notify_all();
        });
        engine_->on_publish([this] {
            std::lock_guard lock(mutex_);
            changed_.notify_all();
        });
    }
    ~ObservedEngine() { destroy(); }
    ObservedEngine(const ObservedEngine&) = delete;
    ObservedEngine& operator=(const ObservedEngine&) = delete;

    const std::string& name() const { return name_; }
    unsigned short media_port() const { return engine_->media_port(); }
    void post(Command command) { engine_->post(std::move(command)); }
    void connect(std::uint16_t port) { post(ConnectCommand{"127.0.0.1", port, name_, {}}); }
    SnapshotPtr snapshot() const { return engine_->snapshot(); }
    // Destroys the engine (it hangs up, says bye and joins its thread); its events stay here.
    void destroy() { engine_.reset(); }

    // Waits until a published snapshot satisfies `holds`; false at the deadline.
    bool wait_until(const std::function<bool(const Snapshot&)>& holds, std::chrono::milliseconds timeout = 5000ms) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, Clock::now() + timeout, [&] { return holds(*engine_->snapshot()); });
    }

    // The next event of this kind not returned before (each kind is read in its own order);
    // nullopt at the deadline.
    std::optional<json> wait_for(const std::string& kind, std::chrono::milliseconds timeout = 5000ms) {
        std::unique_lock lock(mutex_);
        std::optional<json> found;
        changed_.wait_until(lock, Clock::now() + timeout, [&] {
            std::size_t seen = 0;
            for (const auto& e : events_) {
                if (e.fields.value("event", "") != kind) continue;
                if (seen++ == returned_[kind]) {
                    found = e.fields;
                    ++returned_[kind];
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    std::vector<Received> events_of(const std::string& kind) const {
        std::lock_guard lock(mutex_);
        std::vector<Received> out;
        for (const auto& e : events_)
            if (e.fields.value("event", "") == kind) out.push_back(e);
        return out;
    }

    // The state and the events so far (without statistics), for failure messages.
    std::string describe() const {
        std::ostringstream out;
        out << name_;
        if (engine_) {
            auto s = snapshot();
            out << ": " << to_string(s->connection) << ", " << to_string(s->call) << ", peer '" << s->peer
                << "', error '" << s->connect_error << "'";
        }
        std::lock_guard lock(mutex_);
        out << "; events:";
        for (const auto& e : events_)
            if (e.fields.value("event", "") != "stats") out << "\n  " << e.fields.dump();
        return out.str();
    }

private:
    std::string name_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;  // a snapshot was published or an event arrived
    std::vector<Received> events_;
    std::map<std::string, std::size_t> returned_;
    std::unique_ptr<Engine> engine_;  // last: its handlers use the members above
};

std::vector<std::string> user_names(const Snapshot& s) {
    std::vector<std::string> names;
    for (const auto& u : *s.users) names.push_back(u.name);
    return names;
}

bool is_registered(const Snapshot& s) { return s.connection == ConnectionState::registered; }
bool is_idle(const Snapshot& s) { return s.call == CallState::idle; }
bool is_in_call(const Snapshot& s) { return s.call == CallState::in_call; }

testing::AssertionResult registers(ObservedEngine& peer, const ServerProcess& server) {
    peer.connect(server.port());
    if (peer.wait_until(is_registered) && peer.wait_for("registered")) return testing::AssertionSuccess();
    return testing::AssertionFailure() << peer.describe();
}

// The caller calls, the callee accepts; both end up in the call.
testing::AssertionResult call_accepted(ObservedEngine& caller, ObservedEngine& callee) {
    caller.post(CallCommand{callee.name()});
    if (!callee.wait_for("invite")) return testing::AssertionFailure() << "no invite; " << callee.describe();
    callee.post(AcceptCommand{});
    for (auto* peer : {&caller, &callee})
        if (!peer->wait_until(is_in_call) || !peer->wait_for("call_started"))
            return testing::AssertionFailure() << "not in the call; " << peer->describe();
    return testing::AssertionSuccess();
}

testing::AssertionResult ended(ObservedEngine& peer, const std::string& reason, const std::string& by,
                               std::chrono::milliseconds timeout = 5000ms) {
    auto event = peer.wait_for("call_ended", timeout);
    if (!event) return testing::AssertionFailure() << "no call_ended; " << peer.describe();
    if ((*event)["reason"] != reason || (*event)["by"] != by)
        return testing::AssertionFailure() << "expected " << reason << " by " << by << ", got " << event->dump();
    if (!peer.wait_until(is_idle, 1000ms)) return testing::AssertionFailure() << "not idle; " << peer.describe();
    return testing::AssertionSuccess();
}

// Waits until both packet counters have grown past those of `before`.
bool packets_flow(ObservedEngine& peer, std::chrono::milliseconds timeout = 3000ms) {
    auto before = peer.snapshot()->stats;
    return peer.wait_until(
        [&](const Snapshot& s) {
            return s.stats.packets_sent > before.packets_sent && s.stats.packets_received > before.packets_received;
        },
        timeout);
}

// This process's TCP connections to 127.0.0.1:port (the engines' directory connections, and
// TURN-over-TCP ones during a call).
std::set<int> connections_to(std::uint16_t port) {
    std::set<int> fds;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        const int fd = std::stoi(entry.path().filename().string());
        int type = 0;
        socklen_t type_size = sizeof type;
        sockaddr_in peer{};
        socklen_t peer_size = sizeof peer;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) != 0 || type != SOCK_STREAM) continue;
        if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0 || peer.sin_family != AF_INET)
            continue;
        if (ntohs(peer.sin_port) == port) fds.insert(fd);
    }
    return fds;
}

// A port on 127.0.0.1 where nothing listens: a server's, after it has stopped.
std::uint16_t closed_port() {
    ServerProcess server;
    server.process().signal(SIGTERM);
    EXPECT_EQ(server.process().wait(), 0);
    return server.port();
}

TEST(EngineCalls, BothRegisterAndSeeEachOther) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(registers(bob, server));

    auto welcome_users = json::array({{{"name", "alice"}, {"status", "available"}}});
    EXPECT_EQ(bob.events_of("registered").at(0).fields["users"], welcome_users);
    EXPECT_EQ(bob.events_of("registered").at(0).fields["name"], "bob");
    auto joined = alice.wait_for("user_joined");
    ASSERT_TRUE(joined) << alice.describe();
    EXPECT_EQ((*joined)["name"], "bob");

    ASSERT_TRUE(alice.wait_until([](const Snapshot& s) { return user_names(s) == std::vector<std::string>{"bob"}; }))
        << alice.describe();
    ASSERT_TRUE(bob.wait_until([](const Snapshot& s) { return user_names(s) == std::vector<std::string>{"alice"}; }))
        << bob.describe();
    auto s = alice.snapshot();
    EXPECT_EQ(s->name, "alice");
    EXPECT_EQ(s->server, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_TRUE(s->connect_error.empty());
    EXPECT_FALSE(s->users->at(0).busy);
    EXPECT_EQ(s->call, CallState::idle);

    bob.post(DisconnectCommand{});
    ASSERT_TRUE(bob.wait_for("disconnected")) << bob.describe();
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.connection == ConnectionState::disconnected; }));
    auto left = alice.wait_for("user_left");
    ASSERT_TRUE(left) << alice.describe();
    EXPECT_EQ((*left)["name"], "bob");
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return s.users->empty(); }));
}

TEST(EngineCalls, TakenNameIsRefusedAndTheEngineStaysDisconnected) {
    ServerProcess server;
    ObservedEngine alice("alice"), other("Alice");
    ASSERT_TRUE(registers(alice, server));

    other.connect(server.port());
    auto error = other.wait_for("error");
    ASSERT_TRUE(error) << other.describe();
    // Each engine has its own identity key, and alice's registration bound the name to hers.
    EXPECT_EQ((*error)["code"], "name_owned");
    EXPECT_EQ((*error)["registration"], true);
    EXPECT_TRUE(other.wait_until([](const Snapshot& s) {
        return s.connection == ConnectionState::disconnected && !s.connect_error.empty();
    })) << other.describe();

    // Commands run in order: once a later one is answered the engine has settled, and it has
    // not retried the name.
    other.post(CallCommand{"alice"});
    auto refused = other.wait_for("error");
    ASSERT_TRUE(refused) << other.describe();
    EXPECT_EQ((*refused)["code"], "refused");
    EXPECT_EQ((*refused)["message"], "You are not registered with a server.");
    EXPECT_EQ(other.snapshot()->connection, ConnectionState::disconnected);
    EXPECT_TRUE(other.events_of("registered").empty());
    EXPECT_TRUE(alice.events_of("user_joined").empty());

    // Another name then works.
    other.post(ConnectCommand{"127.0.0.1", server.port(), "alice2", {}});
    EXPECT_TRUE(other.wait_until(is_registered)) << other.describe();
    EXPECT_EQ(other.snapshot()->name, "alice2");
}

TEST(EngineCalls, InvalidNameIsRefusedWithoutContactingTheServer) {
    ServerProcess server;
    ObservedEngine bob("bob/2");
    bob.connect(server.port());
    auto error = bob.wait_for("error");
    ASSERT_TRUE(error) << bob.describe();
    EXPECT_EQ((*error)["code"], "invalid_name");
    EXPECT_EQ((*error)["registration"], true);
    EXPECT_EQ((*error)["message"], "A name may hold only letters, digits, spaces and the characters _ - .");
    ASSERT_TRUE(bob.wait_until([](const Snapshot& s) { return !s.connect_error.empty(); })) << bob.describe();
    auto s = bob.snapshot();
    EXPECT_EQ(s->connection, ConnectionState::disconnected);
    EXPECT_EQ(s->connect_error, (*error)["message"]);
    EXPECT_EQ(s->server, "");  // the engine never took this server as its target

    bob.post(CallCommand{"alice"});
    auto refused = bob.wait_for("error");
    ASSERT_TRUE(refused) << bob.describe();
    EXPECT_EQ((*refused)["code"], "refused");
    EXPECT_EQ(bob.snapshot()->connection, ConnectionState::disconnected);
    EXPECT_EQ(bob.snapshot()->server, "");
}

TEST(EngineCalls, AcceptedCallCarriesTheTonesAndMovingStatistics) {
    ServerProcess server;
    ObservedEngine alice("alice", quiet("tone:440")), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));

    alice.post(CallCommand{"bob"});
    auto calling = alice.wait_for("calling");
    ASSERT_TRUE(calling) << alice.describe();
    EXPECT_EQ((*calling)["peer"], "bob");
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return s.call == CallState::calling && s.peer == "bob"; }));
    auto invite = bob.wait_for("invite");
    ASSERT_TRUE(invite) << bob.describe();
    EXPECT_EQ((*invite)["from"], "alice");
    const std::string call_id = (*invite)["call_id"];
    EXPECT_FALSE(call_id.empty());
    EXPECT_TRUE(bob.wait_until([&](const Snapshot& s) {
        return s.call == CallState::ringing && s.peer == "alice" && s.call_id == call_id;
    })) << bob.describe();

    bob.post(AcceptCommand{});
    for (auto [peer, other] : {std::pair{&alice, &bob}, std::pair{&bob, &alice}}) {
        auto started = peer->wait_for("call_started");
        ASSERT_TRUE(started) << peer->describe();
        EXPECT_EQ((*started)["peer"], other->name());
        EXPECT_EQ((*started)["call_id"], call_id);
        EXPECT_EQ((*started)["media"]["host"], "127.0.0.1");
        EXPECT_EQ((*started)["media"]["port"], other->media_port());
        EXPECT_TRUE(peer->wait_until([&](const Snapshot& s) {
            return s.call == CallState::in_call && s.call_id == call_id && s.peer == other->name();
        })) << peer->describe();
    }

    EXPECT_TRUE(packets_flow(alice)) << alice.describe();
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
    for (auto* peer : {&alice, &bob}) {
        EXPECT_TRUE(peer->wait_until([](const Snapshot& s) { return s.stats.receive_kbps > 0; }));
        EXPECT_TRUE(peer->wait_until([](const Snapshot& s) { return s.stats.rtt_ms >= 0; }))
            << peer->name() << " measured no round trip";
        EXPECT_LT(peer->snapshot()->stats.rtt_ms, 200.0);
    }
    // Bob hears alice's tone (-12 dBFS peak); alice hears bob's silence.
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.speaker.rms_dbfs > -40; }))
        << bob.snapshot()->speaker.rms_dbfs;
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return s.mic.rms_dbfs > -40; }));
    EXPECT_LT(alice.snapshot()->speaker.rms_dbfs, -60);
    EXPECT_LT(bob.snapshot()->mic.rms_dbfs, -60);
    auto s = bob.snapshot()->stats;
    EXPECT_EQ(s.packets_lost, 0u);
    EXPECT_EQ(s.foreign_packets, 0u);
    EXPECT_GT(s.receive_kbps, 20.0);
    EXPECT_LT(s.receive_kbps, 60.0);

    // One "stats" event per second of the call.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(bob.wait_for("stats", 2000ms)) << "stats " << i << ": " << bob.describe();
    auto stats = bob.events_of("stats");
    ASSERT_GE(stats.size(), 3u);
    for (std::size_t i = 0; i < stats.size(); ++i) {
        EXPECT_EQ(stats[i].fields["seconds"], i + 1);
        EXPECT_EQ(stats[i].fields["peer"], "alice");
        if (i == 0) continue;
        auto gap = stats[i].at - stats[i - 1].at;
        EXPECT_GT(gap, 600ms) << i;
        EXPECT_LT(gap, 1400ms) << i;
        EXPECT_GT(stats[i].fields["packets_received"], stats[i - 1].fields["packets_received"]);
    }
}

TEST(EngineCalls, CallerHangsUp) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("tone:880"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    ASSERT_TRUE(packets_flow(alice)) << alice.describe();

    alice.post(HangupCommand{});
    EXPECT_TRUE(ended(alice, "hangup", "alice"));
    EXPECT_TRUE(ended(bob, "hangup", "alice"));
    // The figures of the last call stay.
    EXPECT_GT(alice.snapshot()->stats.packets_sent, 0u);
    EXPECT_EQ(bob.snapshot()->call_id, "");
}

TEST(EngineCalls, CalleeHangsUp) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("tone:880"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    ASSERT_TRUE(packets_flow(bob)) << bob.describe();

    bob.post(HangupCommand{});
    EXPECT_TRUE(ended(bob, "hangup", "bob"));
    EXPECT_TRUE(ended(alice, "hangup", "bob"));

    // Both are free again: bob can call alice.
    bob.post(CallCommand{"alice"});
    auto invite = alice.wait_for("invite");
    ASSERT_TRUE(invite) << alice.describe();
    EXPECT_EQ((*invite)["from"], "bob");
}

TEST(EngineCalls, RejectedCallEndsForBoth) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    bob.post(RejectCommand{});
    EXPECT_TRUE(ended(alice, "rejected", "bob"));
    EXPECT_TRUE(ended(bob, "rejected", "bob"));
    EXPECT_TRUE(alice.events_of("call_started").empty());
}

TEST(EngineCalls, CallingSomeoneInACallFailsBusy) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence")), carol("carol", quiet("tone:880"));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(carol, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    // Carol's list shows both busy before she calls.
    EXPECT_TRUE(carol.wait_until([](const Snapshot& s) {
        return s.users->size() == 2 && s.users->at(0).busy && s.users->at(1).busy;
    })) << carol.describe();

    carol.post(CallCommand{"bob"});
    auto failed = carol.wait_for("call_failed");
    ASSERT_TRUE(failed) << carol.describe();
    EXPECT_EQ((*failed)["reason"], "busy");
    EXPECT_EQ((*failed)["peer"], "bob");
    EXPECT_TRUE(carol.wait_until(is_idle)) << carol.describe();
    EXPECT_EQ(bob.events_of("invite").size(), 1u);  // alice's only
    // The call goes on.
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
    EXPECT_EQ(alice.snapshot()->call, CallState::in_call);
}

TEST(EngineCalls, MutedSideIsHeardAsSilenceWhilePacketsKeepFlowing) {
    ServerProcess server;
    ObservedEngine alice("alice", quiet("tone:440")), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    auto hears_tone = [](const Snapshot& s) { return s.speaker.rms_dbfs > -40; };
    auto hears_silence = [](const Snapshot& s) { return s.speaker.rms_dbfs < -60; };
    ASSERT_TRUE(bob.wait_until(hears_tone)) << bob.snapshot()->speaker.rms_dbfs;

    alice.post(MuteCommand{true});
    ASSERT_TRUE(alice.wait_for("muted")) << alice.describe();
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return s.muted; }));
    EXPECT_TRUE(bob.wait_until(hears_silence, 2000ms)) << bob.snapshot()->speaker.rms_dbfs;
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
    EXPECT_TRUE(hears_silence(*bob.snapshot())) << bob.snapshot()->speaker.rms_dbfs;

    alice.post(MuteCommand{false});
    ASSERT_TRUE(alice.wait_for("unmuted")) << alice.describe();
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return !s.muted; }));
    EXPECT_TRUE(bob.wait_until(hears_tone, 2000ms)) << bob.snapshot()->speaker.rms_dbfs;
}

TEST(EngineCalls, AudioCommandChangesWhatIsSentMidCall) {
    ServerProcess server;
    ObservedEngine alice("alice", quiet("silence")), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    ASSERT_TRUE(packets_flow(bob)) << bob.describe();
    EXPECT_LT(bob.snapshot()->speaker.rms_dbfs, -60);

    alice.post(AudioCommand{"tone:440", "null", std::nullopt});
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.speaker.rms_dbfs > -40; }, 2000ms))
        << bob.snapshot()->speaker.rms_dbfs;
    EXPECT_EQ(alice.snapshot()->audio_in, "tone:440");

    // An input that cannot be used is reported and replaced by silence; the call goes on.
    alice.post(AudioCommand{"tone:0", "null", std::nullopt});
    auto problem = alice.wait_for("error");
    ASSERT_TRUE(problem) << alice.describe();
    EXPECT_EQ((*problem)["code"], "audio_device");
    EXPECT_EQ((*problem)["device"], "microphone");
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return !s.audio_problem.empty(); })) << alice.describe();
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.speaker.rms_dbfs < -60; }, 2000ms))
        << bob.snapshot()->speaker.rms_dbfs;
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
    EXPECT_EQ(alice.snapshot()->call, CallState::in_call);
}

TEST(EngineCalls, ConsecutiveCallsEachCarryAudio) {
    ServerProcess server;
    ObservedEngine alice("alice", quiet("tone:440")), bob("bob", quiet("tone:880"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    std::vector<std::string> call_ids;
    for (int i = 0; i < 3; ++i) {
        auto& caller = i % 2 ? bob : alice;
        auto& callee = i % 2 ? alice : bob;
        ASSERT_TRUE(call_accepted(caller, callee)) << "call " << i;
        call_ids.push_back(caller.snapshot()->call_id);
        for (auto* peer : {&alice, &bob}) {
            EXPECT_TRUE(packets_flow(*peer)) << "call " << i << ": " << peer->describe();
            EXPECT_TRUE(peer->wait_until([](const Snapshot& s) { return s.speaker.rms_dbfs > -40; }))
                << "call " << i << ": " << peer->name() << " hears nothing";
        }
        // Each call counts afresh and drops nothing of its own.
        EXPECT_LT(callee.snapshot()->stats.packets_received, 200u) << "call " << i;
        EXPECT_EQ(callee.snapshot()->stats.foreign_packets, 0u) << "call " << i;
        callee.post(HangupCommand{});
        ASSERT_TRUE(ended(caller, "hangup", callee.name())) << "call " << i;
        ASSERT_TRUE(ended(callee, "hangup", callee.name())) << "call " << i;
    }
    EXPECT_NE(call_ids[0], call_ids[1]);
    EXPECT_NE(call_ids[1], call_ids[2]);
}

TEST(EngineCalls, DisconnectMidCallHangsUpFirst) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));

    bob.post(DisconnectCommand{});
    EXPECT_TRUE(ended(bob, "hangup", "bob"));
    EXPECT_TRUE(bob.wait_for("disconnected")) << bob.describe();
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.connection == ConnectionState::disconnected; }));
    EXPECT_TRUE(ended(alice, "hangup", "bob", 2000ms));
    EXPECT_TRUE(alice.wait_until([](const Snapshot& s) { return s.users->empty(); })) << alice.describe();
}

TEST(EngineCalls, CallerCancelsWhileRinging) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    alice.post(HangupCommand{});
    EXPECT_TRUE(ended(alice, "cancelled", "alice"));
    EXPECT_TRUE(ended(bob, "cancelled", "alice")) << bob.describe();
}

TEST(EngineCalls, CallerHangsUpBeforeTheServerNamesTheCall) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    // Both commands run before the server's answer can arrive: the engine ends the call the
    // server is about to name as soon as it does.
    alice.post(CallCommand{"bob"});
    alice.post(HangupCommand{});
    EXPECT_TRUE(ended(alice, "cancelled", "alice"));
    // The server invites bob all the same, then ends the call it named.
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    EXPECT_TRUE(ended(bob, "cancelled", "alice"));
    EXPECT_EQ(alice.events_of("call_ended").size(), 1u);

    // Nothing is left over: a new call rings and connects.
    ASSERT_TRUE(call_accepted(alice, bob));
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
}

TEST(EngineCalls, CallingEachOtherAtOnceLeavesBothFree) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(alice.wait_until([](const Snapshot& s) { return !s.users->empty(); }));
    alice.post(CallCommand{"bob"});
    bob.post(CallCommand{"alice"});
    // Commands run in order: once these are answered, both calls have been made.
    alice.post(MuteCommand{false});
    bob.post(MuteCommand{false});
    ASSERT_TRUE(alice.wait_for("unmuted")) << alice.describe();
    ASSERT_TRUE(bob.wait_for("unmuted")) << bob.describe();
    // Usually the calls cross: each engine turns the other's invite away and its own call
    // fails. Should alice's invite reach bob before his command runs, he is simply rung.
    const auto deadline = Clock::now() + 5000ms;
    auto settled = [&] {
        auto a = alice.snapshot(), b = bob.snapshot();
        return (is_idle(*a) && is_idle(*b)) || (a->call == CallState::calling && b->call == CallState::ringing);
    };
    while (!settled() && Clock::now() < deadline) alice.wait_until(is_idle, 20ms);
    ASSERT_TRUE(settled()) << alice.describe() << "\n" << bob.describe();
    if (bob.snapshot()->call == CallState::ringing) bob.post(RejectCommand{});
    EXPECT_TRUE(alice.wait_until(is_idle)) << alice.describe();
    EXPECT_TRUE(bob.wait_until(is_idle)) << bob.describe();
    EXPECT_TRUE(alice.events_of("call_started").empty());
    EXPECT_TRUE(bob.events_of("call_started").empty());

    ASSERT_TRUE(call_accepted(alice, bob)) << alice.describe();
    EXPECT_TRUE(packets_flow(bob)) << bob.describe();
}

// Bob accepts and hangs up before the server's call_started comes back.
void accept_and_hang_up_at_once(ObservedEngine& alice, ObservedEngine& bob) {
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    bob.post(AcceptCommand{});
    bob.post(HangupCommand{});
    auto ended = alice.wait_for("call_ended");
    ASSERT_TRUE(ended) << alice.describe();
    EXPECT_EQ((*ended)["by"], "bob");
    EXPECT_TRUE(bob.wait_for("call_ended")) << bob.describe();
    EXPECT_TRUE(alice.wait_until(is_idle)) << alice.describe();
    EXPECT_TRUE(bob.wait_until(is_idle)) << bob.describe();
    // Both are free: a later call rings.
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
}

TEST(EngineCalls, CalleeHangingUpRightAfterAcceptingEndsTheCallForBoth) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    accept_and_hang_up_at_once(alice, bob);
}

// A hang-up while still ringing but after "accept" went out is a hang-up, not a reject: the
// server has answered the call by then and would refuse a reject (wrong_state), and both
// sides' call_ended say the same.
TEST(EngineCalls, CalleeHangingUpRightAfterAcceptingSendsNothingTheServerRefuses) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    accept_and_hang_up_at_once(alice, bob);
    EXPECT_TRUE(bob.events_of("error").empty()) << bob.describe();
    EXPECT_EQ(bob.events_of("call_ended").at(0).fields["reason"], alice.events_of("call_ended").at(0).fields["reason"]);
}

// A call refused because one is already under way emits the refusal and nothing else.
TEST(EngineCalls, SecondCallWhileCallingIsRefusedAndNothingElse) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence")), carol("carol", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(carol, server));
    ASSERT_TRUE(registers(alice, server));
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    alice.post(CallCommand{"carol"});
    auto refused = alice.wait_for("error");
    ASSERT_TRUE(refused) << alice.describe();
    EXPECT_EQ((*refused)["message"], "You are already in a call.");
    alice.post(MuteCommand{false});  // answered after the call command: nothing more comes of it
    ASSERT_TRUE(alice.wait_for("unmuted")) << alice.describe();
    EXPECT_EQ(alice.events_of("calling").size(), 1u) << alice.describe();
    EXPECT_EQ(alice.snapshot()->peer, "bob");
    EXPECT_TRUE(carol.events_of("invite").empty());
}

TEST(EngineCalls, CallsThatCannotBeMadeAreRefusedOrFail) {
    ServerProcess server;
    ObservedEngine alice("alice");
    alice.post(CallCommand{"bob"});
    auto refused = alice.wait_for("error");
    ASSERT_TRUE(refused) << alice.describe();
    EXPECT_EQ((*refused)["code"], "refused");
    EXPECT_EQ((*refused)["message"], "You are not registered with a server.");

    ASSERT_TRUE(registers(alice, server));
    alice.post(CallCommand{"ALICE"});
    refused = alice.wait_for("error");
    ASSERT_TRUE(refused) << alice.describe();
    EXPECT_EQ((*refused)["message"], "You cannot call yourself.");

    alice.post(CallCommand{"nobody"});
    auto failed = alice.wait_for("call_failed");
    ASSERT_TRUE(failed) << alice.describe();
    EXPECT_EQ((*failed)["reason"], "unknown_user");
    EXPECT_EQ((*failed)["peer"], "nobody");
    EXPECT_TRUE(alice.wait_until(is_idle));

    alice.post(HangupCommand{});
    refused = alice.wait_for("error");
    ASSERT_TRUE(refused) << alice.describe();
    EXPECT_EQ((*refused)["message"], "There is no call to hang up.");
    alice.post(AcceptCommand{});
    refused = alice.wait_for("error");
    ASSERT_TRUE(refused) << alice.describe();
    EXPECT_EQ((*refused)["message"], "There is no invite to accept.");
}

TEST(EngineCalls, ServerThatStopsIsLostAndFoundAgainWhenItReturns) {
    auto server = std::make_unique<ServerProcess>();
    const auto port = server->port();
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(alice, *server));
    ASSERT_TRUE(registers(bob, *server));
    ASSERT_TRUE(alice.wait_until([](const Snapshot& s) { return !s.users->empty(); }));

    server->process().signal(SIGTERM);
    for (auto* peer : {&alice, &bob}) {
        EXPECT_TRUE(peer->wait_for("server_shutdown")) << peer->describe();
        auto lost = peer->wait_for("connection_lost");
        ASSERT_TRUE(lost) << peer->describe();
        EXPECT_FALSE((*lost)["reason"].get<std::string>().empty());
        EXPECT_TRUE(peer->wait_until([](const Snapshot& s) {
            return s.connection == ConnectionState::reconnecting && s.users->empty();
        })) << peer->describe();
    }
    ASSERT_EQ(server->process().wait(), 0);

    // A server on the same port again: both come back on their own.
    server = std::make_unique<ServerProcess>(std::vector<std::string>{"--port", std::to_string(port)});
    ASSERT_EQ(server->port(), port);
    for (auto [peer, other] : {std::pair{&alice, &bob}, std::pair{&bob, &alice}}) {
        auto back = peer->wait_for("reconnected", 8000ms);
        ASSERT_TRUE(back) << peer->describe();
        EXPECT_EQ((*back)["name"], peer->name());
        EXPECT_TRUE(peer->wait_until([&](const Snapshot& s) {
            return is_registered(s) && user_names(s) == std::vector<std::string>{other->name()};
        })) << peer->describe();
    }
    EXPECT_EQ(alice.events_of("connection_lost").size(), 1u);
}

TEST(EngineCalls, ServerLostMidCallLeavesTheCallRunningUntilItsMediaStops) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("tone:880", 1000ms));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    // Media must have found its path first: trickled candidates cross the server, and a call whose checks
    // have not finished when the server dies has nothing left to connect with.
    for (auto* peer : {&alice, &bob}) ASSERT_TRUE(packets_flow(*peer)) << peer->describe();

    server.process().signal(SIGKILL);
    for (auto* peer : {&alice, &bob}) {
        ASSERT_TRUE(peer->wait_for("connection_lost")) << peer->describe();
        EXPECT_TRUE(peer->wait_until([](const Snapshot& s) { return s.connection == ConnectionState::reconnecting; }));
        EXPECT_EQ(peer->snapshot()->call, CallState::in_call);
        EXPECT_TRUE(packets_flow(*peer)) << peer->describe();
    }

    // Alice hangs up with no server to tell; bob stops hearing her and ends it himself.
    alice.post(HangupCommand{});
    EXPECT_TRUE(ended(alice, "hangup", "alice"));
    EXPECT_TRUE(ended(bob, "media_timeout", "alice", 3000ms));
}

TEST(EngineCalls, UnreachableServerIsReported) {
    const auto port = closed_port();
    ObservedEngine alice("alice");
    alice.connect(port);
    auto error = alice.wait_for("error");
    ASSERT_TRUE(error) << alice.describe();
    EXPECT_EQ((*error)["code"], "server_unreachable");
    EXPECT_EQ((*error)["registration"], true);
    ASSERT_TRUE(alice.wait_until([](const Snapshot& s) {
        return s.connection == ConnectionState::disconnected && !s.connect_error.empty();
    })) << alice.describe();
    const std::string where = "127.0.0.1:" + std::to_string(port);
    EXPECT_NE(alice.snapshot()->connect_error.find(where), std::string::npos) << alice.snapshot()->connect_error;
    EXPECT_TRUE(alice.events_of("connection_lost").empty());
}

TEST(EngineCalls, DestroyingAnEngineMidCallEndsTheCallForThePeer) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("tone:880"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    ASSERT_TRUE(call_accepted(alice, bob));
    ASSERT_TRUE(packets_flow(bob)) << bob.describe();

    const auto before = Clock::now();
    alice.destroy();
    EXPECT_LT(Clock::now() - before, 1000ms);
    EXPECT_EQ(alice.events_of("call_ended").size(), 1u);
    // Well before bob's media timeout (5 s): the server told him.
    EXPECT_TRUE(ended(bob, "hangup", "alice", 2000ms));
    auto left = bob.wait_for("user_left");
    ASSERT_TRUE(left) << bob.describe();
    EXPECT_EQ((*left)["name"], "alice");
    EXPECT_TRUE(bob.wait_until([](const Snapshot& s) { return s.users->empty() && is_registered(s); }));
}

TEST(EngineCalls, DestroyingACallingEngineCancelsTheInvite) {
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("silence"));
    ASSERT_TRUE(registers(bob, server));
    ASSERT_TRUE(registers(alice, server));
    alice.post(CallCommand{"bob"});
    ASSERT_TRUE(bob.wait_for("invite")) << bob.describe();
    ASSERT_TRUE(alice.wait_until([](const Snapshot& s) { return !s.call_id.empty(); })) << alice.describe();

    alice.destroy();
    EXPECT_TRUE(ended(bob, "cancelled", "alice", 2000ms));
}

}  // namespace

namespace {

// A network change cuts a client's directory connection mid-call (here: shutdown() of its socket,
// which the server sees as a close without bye). The client reconnects with its resume token, the
// server hands the session back, the call goes on, and nobody else hears of it.
class EngineResume : public testing::TestWithParam<bool> {};

TEST_P(EngineResume, ACutDirectoryConnectionIsResumedAndTheCallGoesOn) {
    const bool cut_caller = GetParam();
    ServerProcess server;
    ObservedEngine alice("alice"), bob("bob", quiet("tone:880")), carol("carol", quiet("silence"));
    ASSERT_TRUE(registers(carol, server));
    const auto before = connections_to(server.port());
    ASSERT_TRUE(registers(cut_caller ? alice : bob, server));
    std::set<int> cut;
    for (int fd : connections_to(server.port()))
        if (!before.count(fd)) cut.insert(fd);
    ASSERT_EQ(cut.size(), 1u);
    ASSERT_TRUE(registers(cut_caller ? bob : alice, server));
    ASSERT_TRUE(carol.wait_until([](const Snapshot& s) { return s.users->size() == 2; })) << carol.describe();
    ASSERT_TRUE(call_accepted(alice, bob));
    for (auto* peer : {&alice, &bob}) ASSERT_TRUE(packets_flow(*peer)) << peer->describe();

    ObservedEngine& moved = cut_caller ? alice : bob;
    ObservedEngine& other = cut_caller ? bob : alice;
    ::shutdown(*cut.begin(), SHUT_RDWR);
    ASSERT_TRUE(moved.wait_for("connection_lost")) << moved.describe();
    auto back = moved.wait_for("reconnected", 3000ms);
    ASSERT_TRUE(back) << moved.describe();
    EXPECT_EQ((*back)["resumed"], true) << back->dump();
    EXPECT_TRUE(moved.wait_until(is_registered));
    ASSERT_TRUE(moved.wait_until([](const Snapshot& s) { return s.users->size() == 2; })) << moved.describe();
    for (auto* peer : {&alice, &bob}) {
        EXPECT_EQ(peer->snapshot()->call, CallState::in_call) << peer->describe();
        EXPECT_TRUE(packets_flow(*peer)) << peer->describe();
    }
    EXPECT_TRUE(other.events_of("call_ended").empty()) << other.describe();
    EXPECT_TRUE(carol.events_of("user_left").empty()) << carol.describe();

    // The call is the new connection's on the server: a hang-up through it reaches the peer
    // at once (not by the peer's media timeout).
    moved.post(HangupCommand{});
    EXPECT_TRUE(ended(moved, "hangup", moved.name()));
    EXPECT_TRUE(ended(other, "hangup", moved.name(), 1500ms));
    EXPECT_TRUE(carol.events_of("user_left").empty()) << carol.describe();
}

INSTANTIATE_TEST_SUITE_P(Side, EngineResume, testing::Values(true, false),
                         [](const testing::TestParamInfo<bool>& info) { return info.param ? "Caller" : "Callee"; });

}  // namespace
