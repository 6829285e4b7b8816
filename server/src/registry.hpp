#pragma once
// Protocol v2 (and v1) without sockets: registered names, presence, calls and their signalling.
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

#include "call_table.hpp"
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
    // An invite waits for an answer until `deadline`: call Registry::expire_invites then.
    virtual void invite_deadline(Clock::time_point deadline) = 0;
};

struct RegistryLimits {
    std::size_t max_clients = 1000;  // registered users at once
    Clock::duration invite_timeout = std::chrono::seconds(30);
};

enum class AfterLine { keep_open, close };

class Registry {
public:
    Registry(Outbox& outbox, RegistryLimits limits);

    // A TCP connection from `host` (the IP its peers will send media to).
    void connected(ClientId id, std::string host);
    // One received line without its '\n'. `close` after a bye.
    AfterLine receive(ClientId id, std::string_view line, Clock::time_point now);
    // The client sent a line longer than protocol::kMaxLineBytes.
    void line_too_long(ClientId id);
    // The connection is gone (closed, reset, idle, too slow): frees the name, ends its call.
    void disconnected(ClientId id, std::string_view why);
    // Ends the invites that were not answered in time (reason no_answer).
    void expire_invites(Clock::time_point now);
    std::optional<Clock::time_point> next_invite_deadline() const { return calls_.next_deadline(); }
    // Forgets everyone without telling anyone (the server is shutting down).
    void clear();

    // TURN (turn/relay.hpp's PeerRule): may user `name`'s relay allocation send to `ip` (inet_ntop
    // text)? Only while the user is in a call, ringing or active, and only to the peer's TCP
    // connection IP or an IP the peer listed (allow_relay_address).
    bool relay_allowed(std::string_view name, std::string_view ip) const;
    // An IP client `id` listed among its ICE candidates: its call peer's relay may send to it
    // until the call ends.
    void allow_relay_address(ClientId id, std::string ip);
    // The "turn" object of welcome, as JSON text (empty: no "turn"), made for each registration.
    using TurnOffer = std::function<std::string(ClientId id, std::string_view name)>;
    void set_turn_offer(TurnOffer offer) { turn_offer_ = std::move(offer); }

    std::size_t connections() const { return clients_.size(); }
    std::size_t registered() const { return by_key_.size(); }
    std::size_t calls() const { return calls_.size(); }

private:
    struct Client {
        std::string host;
        std::string name;         // empty until registered
        std::string quoted_name;  // name as a JSON string, for building welcome quickly
        std::uint16_t media_port = 0;
        std::string call_id;                                 // empty when not in a call or invite
        std::set<std::string, std::less<>> relay_addresses;  // its candidates' IPs, for the peer's relay
        bool registered() const { return !name.empty(); }
        bool busy() const { return !call_id.empty(); }
        protocol::Status status() const { return busy() ? protocol::Status::busy : protocol::Status::available; }
    };
    using Json = protocol::Json;

    void send(ClientId to, const Json& message);
    void send_error(ClientId to, protocol::ErrorCode code, std::string_view message);
    void publish(ClientId about, const Json& message);
    void status_changed(ClientId id, const Client& client);

    void on_hello(ClientId id, Client& client, const Json& message);
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
    std::string welcome_line(ClientId id, const Client& client) const;

    Outbox& outbox_;
    RegistryLimits limits_;
    std::unordered_map<ClientId, Client> clients_;  // every connection
    std::map<std::string, ClientId> by_key_;        // registered ones, by protocol::name_key
    CallTable calls_;
    TurnOffer turn_offer_;
};

}  // namespace sala::server
