#pragma once
// This server as one node of a cluster sharing a Redis: its users are announced to the other nodes
// (and kept as keys with a TTL that its heartbeat refreshes), and the other nodes' users are
// reported to it. Runs on the server's io_context; reconnects to Redis by itself.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "cluster/node_message.hpp"
#include "cluster/presence_message.hpp"
#include "cluster/redis_address.hpp"
#include "cluster/redis_connection.hpp"

namespace asio {
class io_context;
}

namespace sala::server::cluster {

// Heartbeats go out this often; a node not heard from for kNodeSilence is gone, and so are its
// users (their keys' TTL is the same, so Redis forgets them by then too).
inline constexpr std::chrono::milliseconds kHeartbeat{1000};
inline constexpr std::chrono::milliseconds kNodeSilence{6000};
// Users' keys are renewed every this many beats (each renewal is one command per user): well
// within their TTL (kNodeSilence), so one late renewal loses nothing.
inline constexpr int kBeatsPerKeyRenewal = 3;
inline constexpr std::chrono::milliseconds kConnectTimeout{3000};
inline constexpr std::chrono::milliseconds kReconnectDelay{1000};
// Call lines for another node held while they cannot reach it (Redis away, or that node not
// subscribed again yet after a Redis restart): sent when it is heard from again. At most this many
// per node (the oldest dropped first).
inline constexpr std::size_t kMaxHeldLines = 10'000;

// What the cluster tells this server about users of the other nodes.
class ClusterEvents {
public:
    virtual ~ClusterEvents() = default;
    virtual void remote_joined(const ClusterUser& user) = 0;  // also: a known user's status changed
    virtual void remote_left(const std::string& name) = 0;
    // A line about a call, from another node (node_message.hpp).
    virtual void from_node(const NodeMessage& message) = 0;
    // Redis was lost (`up` false, with the reason) or is back.
    virtual void redis_state(bool up, const std::string& why) = 0;
    // Another node holds the name key of one of our users (it registered that name while Redis
    // was away and came back empty): our user must go, so that no two users hold one name.
    virtual void name_lost(const std::string& key) = 0;
};

class ClusterNode {
public:
    ClusterNode(asio::io_context& io, RedisAddress address, std::string password);
    ~ClusterNode();
    ClusterNode(const ClusterNode&) = delete;
    ClusterNode& operator=(const ClusterNode&) = delete;

    void set_events(ClusterEvents* events) { events_ = events; }
    // Connects to Redis; `done` gets "" once this node is part of the cluster, else the reason.
    void start(std::function<void(std::string error)> done);
    // Says goodbye (the others drop this node's users at once) and closes, within half a second.
    void stop();
    const std::string& id() const { return id_; }

    // Names are claimed in Redis, whatever node asks: a user's key (sala:user:KEY, the node's id)
    // is set only if nobody holds it, and a name bound to an identity key (sala:name:KEY, the key in
    // hex, expiring after `binding_expiry` unused) only by a hello that proved that key.
    enum class Claim { claimed, taken, owned, unavailable };
    void claim(const std::string& name, const std::string& identity, std::function<void(Claim)> done);
    void set_binding_expiry(std::chrono::seconds expiry) { binding_expiry_ = expiry; }

    // Calls between nodes: a line of our user (the caller) to the node of `callee`, false when no node
    // is known to hold that user; a line for a caller on `node`, from our registry.
    bool to_callee_node(const std::string& callee, NodeMessage message);
    void to_user(const std::string& node, NodeMessage message);

    // This node's own users (claimed first); user_left also gives up a claim that was not used.
    void user_joined(const ClusterUser& user);
    void user_status(const ClusterUser& user);
    void user_left(const std::string& name);

private:
    struct Node {
        std::chrono::steady_clock::time_point heard;
        std::map<std::string, ClusterUser> users;  // by protocol::name_key
    };

    void connect(std::function<void(std::string)> done);
    void connected();
    void lost(const std::string& why);
    void heard(std::string payload);
    void heard_directed(std::string payload);
    void publish_to_node(const std::string& node, const NodeMessage& message);
    void send_to_node(const std::string& node, std::string payload);
    void release_held(const std::string& node);
    void publish(const PresenceMessage& message);
    void claim_key(const std::string& key);
    void release_key(const std::string& key);
    void beat();
    void forget(const std::string& node_id, Node& node);
    void add_remote(const std::string& node_id, Node& node, const ClusterUser& user);
    void remove_remote(Node& node, std::string key);  // by value: it may be the key of the entry it erases
    PresenceMessage message(PresenceMessage::Kind kind) const;

    class Timers;
    asio::io_context& io_;
    RedisAddress address_;
    std::string password_;  // never logged
    std::string id_;
    std::unique_ptr<RedisConnection> commands_, subscriber_;
    std::unique_ptr<Timers> timers_;
    ClusterEvents* events_ = nullptr;
    // Name claims waiting for Redis: answered `unavailable` when Redis is lost (a closed
    // connection drops its pending replies, and a hello must not wait for ever).
    std::map<std::uint64_t, std::function<void(Claim)>> claims_in_flight_;
    std::uint64_t next_claim_ = 0;
    std::map<std::string, ClusterUser> local_;             // this node's users, by name key
    std::map<std::string, Node> nodes_;                    // the other nodes heard from
    std::map<std::string, std::string> owner_;             // a remote user's name key -> its node
    std::map<std::string, std::deque<std::string>> held_;  // node -> payloads that could not reach it yet
    std::chrono::seconds binding_expiry_{std::chrono::days(180)};
    bool up_ = false;
    bool ever_up_ = false;
    int beats_ = 0;
    bool stopping_ = false;
};

}  // namespace sala::server::cluster
