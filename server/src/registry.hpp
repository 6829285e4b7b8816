#pragma once
// Protocol v4 (and v1 to v3) without sockets: registered names and whose key they are, presence,
// calls and their signalling.
// The server feeds it lines and disconnections; it answers through an Outbox.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "call_table.hpp"
#include "name_book.hpp"
#include "sala/protocol.hpp"

namespace sala::server {

// One serialized message ending in '\n', shared by every recipient of a broadcast.
using SharedLine = std::shared_ptr<const std::string>;

// Where the registry's messages go: the server queues them on the client's session.
// Every client receives its messages in the order the registry produced them, directed
// and published alike.
class Outbox {
public:
    virtual ~Outbox() = default;
    // Replies and call signalling: written at once.
    virtual void send(ClientId to, const SharedLine& line) = 0;
    // Presence: to every subscribed client except `about`. The server may hold it back
    // briefly to write many changes to many clients at once.
    virtual void publish(ClientId about, std::string line) = 0;
    // `id` receives what is published from now on (it registered) / no longer (it left).
    virtual void subscribe(ClientId id) = 0;
    virtual void unsubscribe(ClientId id) = 0;
    // Something expires at `deadline` (an invite, a lingering session): call Registry::expire then.
    virtual void deadline(Clock::time_point deadline) = 0;
    // Closes `id`'s connection without a word: a resumed session took over from it.
    virtual void drop(ClientId id) = 0;
    // Closes `id`'s connection once what was sent to it is written (Registry::disconnected
    // follows, as for any closed connection).
    virtual void finish(ClientId id) { drop(id); }
};

// What presence about a user of another node of a cluster is published "about": no client here
// (0 is taken: the presence passes read "everyone" as "everyone except client 0").
inline constexpr ClientId kRemoteUser = ~ClientId{0};

// Told of every change to this server's own users: in a cluster it tells the other nodes.
class RegistryWatcher {
public:
    virtual ~RegistryWatcher() = default;
    virtual void joined(const std::string& name, protocol::Status status) = 0;
    virtual void status(const std::string& name, protocol::Status status) = 0;
    virtual void left(const std::string& name) = 0;
};

// Who judges that a name is free when the registry is one node of a cluster: a claim goes to Redis
// and its answer comes back later, on the io thread.
enum class ClaimResult { claimed, taken, owned, unavailable };
class NameClaims {
public:
    virtual ~NameClaims() = default;
    // Claims `name` for a new registration; `identity` (64 hex digits, or empty) is what hello
    // proved, and binds the name when it is not bound yet. `done` gets the answer.
    virtual void claim(const std::string& name, const std::string& identity, std::function<void(ClaimResult)> done) = 0;
};

// Calls between users of two nodes: the callee's node judges them (registry_cluster.cpp). The
// caller's node forwards its user's call lines there, where a stand-in client for the caller sends
// them into that registry, and what that registry says to the stand-in comes back to the caller.
class CallRouter {
public:
    virtual ~CallRouter() = default;
    // Our user `caller`'s line for the node holding `callee`; false when no node is known to.
    virtual bool to_callee_node(const std::string& callee, const std::string& caller, const std::string& host,
                                std::uint16_t media_port, std::string line) = 0;
    // A line of ours for `user`, a caller on `node`.
    virtual void to_user(const std::string& node, const std::string& user, std::string line) = 0;
};

struct RegistryLimits {
    std::size_t max_clients = 1000;  // registered users at once
    Clock::duration invite_timeout = std::chrono::seconds(30);
    // How long a resumable session outlives a connection lost without bye; zero: not at all.
    Clock::duration resume_grace = std::chrono::seconds(protocol::kDefaultResumeGraceSeconds);
};

enum class AfterLine { keep_open, close };

class Registry {
public:
    Registry(Outbox& outbox, RegistryLimits limits);

    // A TCP connection from `host` (the IP its peers will send media to).
    void connected(ClientId id, std::string host);
    // The connection finished its TLS handshake: name proofs on it sign this channel binding.
    void secured(ClientId id, const protocol::ChannelBinding& binding);
    // One received line without its '\n'. `close` after a bye.
    AfterLine receive(ClientId id, std::string_view line, Clock::time_point now);
    // The client sent a line longer than protocol::kMaxLineBytes.
    void line_too_long(ClientId id);
    // The connection is gone (closed, reset, idle, too slow). A resumable session lingers for the
    // resume grace, name, status and call kept, and nobody is told; otherwise, or when the grace
    // runs out, the user leaves: the name is freed and its call ends.
    void disconnected(ClientId id, std::string_view why, Clock::time_point now = Clock::now());
    // Ends the invites that were not answered in time (reason no_answer).
    void expire_invites(Clock::time_point now);
    std::optional<Clock::time_point> next_invite_deadline() const { return calls_.next_deadline(); }
    // Ends the lingering sessions whose grace has run out.
    void expire_lingering(Clock::time_point now);
    // Both of the above, and when next to call it.
    void expire(Clock::time_point now);
    std::optional<Clock::time_point> next_deadline() const;
    // Forgets everyone without telling anyone (the server is shutting down).
    void clear();

    // TURN (turn/relay.hpp's CallPeerLookup): the other side of user `name`'s current call, ringing
    // or active: its name and the IP of its TCP connection; nullopt when `name` is in no call.
    struct RelayPeer {
        std::string name;
        std::string host;
    };
    std::optional<RelayPeer> relay_peer(std::string_view name) const;
    // The "turn" object of welcome, as JSON text (empty: no "turn"), made for each registration.
    using TurnOffer = std::function<std::string(ClientId id, std::string_view name)>;
    void set_turn_offer(TurnOffer offer) { turn_offer_ = std::move(offer); }
    // Names bound to identity keys (protocol v4); without a book every name is free to all.
    void set_names(NameBook* names) { names_ = names; }
    // Frees the bound names last used before `cutoff` (Unix seconds) whose user is not online;
    // returns their keys.
    std::vector<std::string> expire_names(std::int64_t cutoff);

    // Cluster (registry_cluster.cpp): users registered on the other nodes. Their clients see them as
    // they see this server's users (welcome's list, presence), and their names are taken here.
    void set_watcher(RegistryWatcher* watcher) { watcher_ = watcher; }
    // Names claimed across the cluster: hello waits for the claim (and NameBook is not used).
    void set_claims(NameClaims* claims) { claims_ = claims; }
    // A user of another node registered, or changed status.
    void remote_joined(const std::string& name, protocol::Status status);
    void remote_left(const std::string& name);
    // This node lost its cluster (up false) or is back in it: every registered client is told
    // (`cluster`, in order with presence), with `message` in plain words.
    void cluster_state(bool up, const std::string& message);
    // Another node holds this name key now: its user here gets name_taken and is disconnected.
    void name_lost(const std::string& key);
    std::size_t remote_users() const { return remote_.size(); }
    void set_router(CallRouter* router) { router_ = router; }
    // A caller's line from its node, for a user of ours.
    void from_caller_node(const std::string& node, const std::string& caller, const std::string& host,
                          std::uint16_t media_port, std::string_view line, Clock::time_point now);
    // The callee's node's line for our user `user`, the caller.
    void to_local_user(const std::string& user, std::string_view line);

    std::size_t connections() const { return clients_.size(); }
    std::size_t registered() const { return by_key_.size(); }
    std::size_t calls() const { return calls_.size(); }
    std::size_t lingering() const { return lingering_.size(); }

private:
    struct Client {
        std::string host;
        std::string name;         // empty until registered
        std::string quoted_name;  // name as a JSON string, for building welcome quickly
        std::uint16_t media_port = 0;
        std::string call_id;                                      // empty when not in a call or invite
        std::string resume_token;                                 // from registration on; never logged
        bool resumable = false;                                   // hello asked to linger after a drop
        std::optional<Clock::time_point> lingering_until;         // its connection is gone; it may come back
        std::optional<protocol::NameNonce> nonce;                 // this connection's challenge, once asked
        std::optional<protocol::ChannelBinding> channel_binding;  // tls-exporter; none without TLS
        bool claiming = false;                                    // its hello waits for the cluster's answer
        std::string proxy_node;     // a stand-in for a caller on this node of the cluster (never registered here)
        std::string remote_callee;  // its call is judged on the node of this user (call_id: pending until named)
        std::string remote_host;    // that callee's IP, from call_started (the relay lets the caller reach it)
        bool registered() const { return !name.empty(); }
        void forget_remote_call() {
            call_id.clear();
            remote_callee.clear();
            remote_host.clear();
        }
        bool busy() const { return !call_id.empty(); }
        protocol::Status status() const { return busy() ? protocol::Status::busy : protocol::Status::available; }
    };
    using Json = protocol::Json;

    void send(ClientId to, const Json& message);
    void send_error(ClientId to, protocol::ErrorCode code, std::string_view message);
    void name_taken(ClientId to, std::string_view name);
    // A directed line: to the client's session, or to the node of a stand-in's caller.
    void deliver(ClientId to, const SharedLine& line);
    // A call line of a user of ours whose callee is on another node: sent there. False: not such a line.
    bool forward_to_callee_node(ClientId id, Client& client, const std::string& kind, const Json& message,
                                std::string_view line);
    void end_remote_call(ClientId id, Client& client, std::string_view callee);
    void publish(ClientId about, const Json& message);
    void status_changed(ClientId id, const Client& client);

    void on_hello(ClientId id, Client& client, const Json& message);
    void on_challenge(ClientId id, Client& client);
    // hello's identity proof against the name's binding: false after an error to `id`.
    bool owner_checked(ClientId id, const Client& client, const Json& message, const std::string& name,
                       std::optional<protocol::NameProof>* proof);
    // hello naming a taken name with that session's token: `id` takes the session over (old
    // connection closed silently, call kept, token rotated). False when the token is not the session's.
    bool take_over(ClientId id, Client& client, const std::string& key, std::string_view token,
                   std::uint16_t media_port, bool resumable);
    void leave(ClientId id, std::string_view why);
    // The name is this client's: it registers, is welcomed and announced.
    void admit(ClientId id, Client& client, const std::string& name, std::string key, std::uint16_t port,
               bool resumable);
    void claimed(ClientId id, const std::string& name, std::string key, std::uint16_t port, bool resumable,
                 ClaimResult result);
    void on_call(ClientId id, Client& client, const Json& message, Clock::time_point now);
    void on_call_message(ClientId id, Client& client, const Json& message, const std::string& type);
    void on_candidate(ClientId id, Client& client, const Json& message);
    void on_restart(ClientId id, Client& client, const Json& message);
    // The message's optional "ice" field: true with *out empty when absent; false (after an
    // error to `id`) when it is there but not a description.
    bool read_ice(ClientId id, const Json& message, std::optional<protocol::IceDescription>* out);
    bool read_keys(ClientId id, const Json& message, std::optional<protocol::KeyOffer>* out);
    void call_failed(ClientId id, std::string_view peer, protocol::FailReason reason, std::string_view message);
    void end_call(const Call& call, protocol::EndReason reason, std::string_view by, ClientId gone);
    std::string welcome_line(ClientId id, const Client& client, bool resumed) const;

    Outbox& outbox_;
    RegistryLimits limits_;
    std::unordered_map<ClientId, Client> clients_;  // every connection
    std::map<std::string, ClientId> by_key_;        // registered ones, by protocol::name_key
    CallTable calls_;
    std::set<std::pair<Clock::time_point, ClientId>> lingering_;  // by the end of their grace
    TurnOffer turn_offer_;
    NameBook* names_ = nullptr;

    struct RemoteUser {
        std::string quoted_name;  // as a JSON string
        protocol::Status status = protocol::Status::available;
    };
    std::map<std::string, RemoteUser> remote_;  // by protocol::name_key
    RegistryWatcher* watcher_ = nullptr;
    NameClaims* claims_ = nullptr;
    CallRouter* router_ = nullptr;
    std::map<std::string, ClientId> proxies_;  // stand-ins for callers on other nodes, by name key
    ClientId next_proxy_ = ClientId{1} << 62;  // far above every connection's id
};

}  // namespace sala::server
