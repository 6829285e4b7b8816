#include "cluster/cluster_node.hpp"

#include <utility>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "call_id.hpp"
#include "sala/log.hpp"

namespace sala::server::cluster {
namespace {
using Kind = PresenceMessage::Kind;
using Clock = std::chrono::steady_clock;

std::string user_key(const std::string& key) { return "sala:user:" + key; }
std::string binding_key(const std::string& key) { return "sala:name:" + key; }

// KEYS: the user's key, the name's binding. ARGV: node id, TTL (ms), proved identity or "", binding
// expiry (s). One script, so that Redis alone judges, once, whether a name is free.
constexpr const char* kClaimScript = R"(
local bound = redis.call('GET', KEYS[2])
if bound and bound ~= ARGV[3] then return 'owned' end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'taken' end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4]) end
return 'claimed')";
// Our user's key lives on; after a Redis restart (keys gone) it is claimed again, unless someone
// else was quicker.
constexpr const char* kRefreshScript = R"(
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1)";
constexpr const char* kReleaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end";
std::string ttl_text() { return std::to_string(kNodeSilence.count()); }

}  // namespace

class ClusterNode::Timers {
public:
    explicit Timers(asio::io_context& io) : heartbeat(io), reconnect(io), stop(io) {}
    void cancel() {
        heartbeat.cancel();
        reconnect.cancel();
        stop.cancel();
    }
    asio::steady_timer heartbeat, reconnect, stop;
};

ClusterNode::ClusterNode(asio::io_context& io, RedisAddress address, std::string password)
    : io_(io),
      address_(std::move(address)),
      password_(std::move(password)),
      id_(new_call_id().substr(0, 16)),
      timers_(std::make_unique<Timers>(io)) {}

ClusterNode::~ClusterNode() = default;

PresenceMessage ClusterNode::message(Kind kind) const {
    PresenceMessage out;
    out.kind = kind;
    out.node = id_;
    return out;
}

void ClusterNode::start(std::function<void(std::string)> done) {
    log::info("cluster", "node " + id_ + " joins the cluster at " + address_.text());
    connect(std::move(done));
    timers_->heartbeat.expires_after(kHeartbeat);
    timers_->heartbeat.async_wait([this](std::error_code ec) {
        if (!ec) beat();
    });
}

// Two connections: one subscribed to the presence channel and this node's own, one for the rest.
void ClusterNode::connect(std::function<void(std::string)> done) {
    commands_ = std::make_unique<RedisConnection>(io_, address_, password_);
    subscriber_ = std::make_unique<RedisConnection>(io_, address_, password_);
    auto opened = std::make_shared<int>(0);
    auto failed = std::make_shared<bool>(false);
    auto on_open = [this, opened, failed, done](std::string error) {
        if (*failed) return;
        if (!error.empty()) {
            *failed = true;
            commands_->close();
            subscriber_->close();
            if (done) done(error);
            return;
        }
        if (++*opened < 2) return;
        subscriber_->subscribe(
            {std::string(kPresenceChannel), node_channel(id_)},
            [this](const std::string& channel, std::string payload) {
                if (channel == kPresenceChannel)
                    heard(std::move(payload));
                else
                    heard_directed(std::move(payload));
            },
            [this, done] {
                connected();
                if (done) done("");
            });
    };
    auto on_lost = [this](std::string why) { lost(why); };
    commands_->open(kConnectTimeout, on_open, on_lost);
    subscriber_->open(kConnectTimeout, on_open, on_lost);
}

// Subscribed: claim our users' keys again (Redis may have restarted empty), say hello (everyone
// answers with its roster) and tell our own roster.
void ClusterNode::connected() {
    const bool came_back = !up_ && ever_up_;
    up_ = ever_up_ = true;
    for (const auto& [key, user] : local_) claim_key(key);
    publish(message(Kind::hello));
    PresenceMessage roster = message(Kind::roster);
    for (const auto& [key, user] : local_) roster.roster.push_back(user);
    publish(roster);
    if (came_back && events_) events_->redis_state(true, "");
}

void ClusterNode::lost(const std::string& why) {
    if (stopping_) return;
    if (up_) {
        log::warn("cluster", why + "; reconnecting every " + std::to_string(kReconnectDelay.count()) + " ms");
        if (events_) events_->redis_state(false, why);
    }
    up_ = false;
    commands_->close();
    subscriber_->close();
    for (auto& [id, done] : std::exchange(claims_in_flight_, {})) done(Claim::unavailable);
    timers_->reconnect.expires_after(kReconnectDelay);
    timers_->reconnect.async_wait([this](std::error_code ec) {
        if (ec || stopping_) return;
        connect([this](std::string error) {
            if (error.empty()) {
                log::info("cluster", "Redis is back at " + address_.text());
            } else {
                log::debug("cluster", error);
                lost(error);
            }
        });
    });
}

void ClusterNode::stop() {
    if (stopping_) return;
    stopping_ = true;
    timers_->heartbeat.cancel();
    timers_->reconnect.cancel();
    auto close = [this] {
        timers_->stop.cancel();
        if (commands_) commands_->close();
        if (subscriber_) subscriber_->close();
    };
    if (!up_ || !commands_) return close();
    for (const auto& [key, user] : local_) release_key(key);
    commands_->command({"PUBLISH", std::string(kPresenceChannel), encode(message(Kind::bye))},
                       [close](auto) { close(); });
    timers_->stop.expires_after(std::chrono::milliseconds(500));
    timers_->stop.async_wait([close](std::error_code ec) {
        if (!ec) close();
    });
}

void ClusterNode::publish(const PresenceMessage& message) {
    if (up_ && commands_) commands_->command({"PUBLISH", std::string(kPresenceChannel), encode(message)});
}

void ClusterNode::claim_key(const std::string& key) {
    if (!up_ || !commands_) return;
    commands_->command({"EVAL", kRefreshScript, "1", user_key(key), id_, ttl_text()},
                       [this, key](std::optional<RedisReply> reply) {
                           if (!reply || reply->kind != RedisReply::Kind::integer || reply->integer != 0) return;
                           log::warn("cluster", "the name key " + key + " is held by another node: our user goes");
                           if (local_.count(key) && events_) events_->name_lost(key);
                       });
}

void ClusterNode::claim(const std::string& name, const std::string& identity, std::function<void(Claim)> done) {
    if (!up_ || !commands_) return done(Claim::unavailable);
    const std::string key = protocol::name_key(name);
    const std::uint64_t id = ++next_claim_;
    claims_in_flight_.emplace(id, std::move(done));
    commands_->command({"EVAL", kClaimScript, "2", user_key(key), binding_key(key), id_, ttl_text(), identity,
                        std::to_string(binding_expiry_.count())},
                       [this, id](std::optional<RedisReply> reply) {
                           auto waiting = claims_in_flight_.find(id);
                           if (waiting == claims_in_flight_.end()) return;  // answered when Redis was lost
                           auto done = std::move(waiting->second);
                           claims_in_flight_.erase(waiting);
                           if (!reply || reply->is_error()) return done(Claim::unavailable);
                           if (reply->text == "claimed") return done(Claim::claimed);
                           done(reply->text == "owned" ? Claim::owned : Claim::taken);
                       });
}

// Deletes a user's key if it is still ours (another node may hold the name by now).
void ClusterNode::release_key(const std::string& key) {
    if (up_ && commands_) commands_->command({"EVAL", kReleaseScript, "1", user_key(key), id_});
}

void ClusterNode::user_joined(const ClusterUser& user) {
    const std::string key = protocol::name_key(user.name);
    local_[key] = user;
    claim_key(key);
    PresenceMessage out = message(Kind::joined);
    out.user = user;
    publish(out);
}

void ClusterNode::user_status(const ClusterUser& user) {
    auto it = local_.find(protocol::name_key(user.name));
    if (it == local_.end()) return;
    it->second.status = user.status;
    PresenceMessage out = message(Kind::status);
    out.user = user;
    publish(out);
}

void ClusterNode::user_left(const std::string& name) {
    const std::string key = protocol::name_key(name);
    release_key(key);
    if (!local_.erase(key)) return;
    if (up_ && commands_) commands_->command({"EXPIRE", binding_key(key), std::to_string(binding_expiry_.count())});
    PresenceMessage out = message(Kind::left);
    out.user.name = name;
    publish(out);
}

// Every heartbeat: we are alive, our users' keys live on, and nodes silent too long are gone.
void ClusterNode::beat() {
    if (stopping_) return;
    if (up_) {
        publish(message(Kind::beat));
        if (++beats_ % kBeatsPerKeyRenewal == 0)
            for (const auto& [key, user] : local_) claim_key(key);
    }
    const auto now = Clock::now();
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (now - it->second.heard < kNodeSilence) {
            ++it;
            continue;
        }
        log::warn("cluster", "node " + it->first + " went silent: its " + std::to_string(it->second.users.size()) +
                                 " users are gone");
        forget(it->first, it->second);
        it = nodes_.erase(it);
    }
    timers_->heartbeat.expires_after(kHeartbeat);
    timers_->heartbeat.async_wait([this](std::error_code ec) {
        if (!ec) beat();
    });
}

void ClusterNode::forget(const std::string& node_id, Node& node) {
    held_.erase(node_id);
    for (auto it = node.users.begin(); it != node.users.end();) {
        auto next = std::next(it);
        if (auto owner = owner_.find(it->first); owner != owner_.end() && owner->second == node_id)
            remove_remote(node, it->first);
        else
            node.users.erase(it);
        it = next;
    }
}

void ClusterNode::add_remote(const std::string& node_id, Node& node, const ClusterUser& user) {
    const std::string key = protocol::name_key(user.name);
    if (local_.count(key)) {
        log::warn("cluster", "node " + node_id + " says \"" + user.name + "\" is its user, but it is ours");
        return;
    }
    auto& owner = owner_[key];
    if (!owner.empty() && owner != node_id)
        if (auto previous = nodes_.find(owner); previous != nodes_.end()) previous->second.users.erase(key);
    owner = node_id;
    auto known = node.users.find(key);
    if (known != node.users.end() && known->second.status == user.status) return;
    node.users[key] = user;
    if (events_) events_->remote_joined(user);
}

void ClusterNode::remove_remote(Node& node, std::string key) {
    auto it = node.users.find(key);
    if (it == node.users.end()) return;
    const std::string name = it->second.name;
    node.users.erase(it);
    owner_.erase(key);
    if (events_) events_->remote_left(name);
}

void ClusterNode::heard(std::string payload) {
    auto decoded = decode_presence(payload);
    if (!decoded || decoded->node == id_) return;
    PresenceMessage& in = *decoded;
    if (in.kind == Kind::bye) {
        if (auto it = nodes_.find(in.node); it != nodes_.end()) {
            log::info("cluster", "node " + in.node + " left the cluster");
            forget(it->first, it->second);
            nodes_.erase(it);
        }
        return;
    }
    auto [it, fresh] = nodes_.try_emplace(in.node);
    Node& node = it->second;
    node.heard = Clock::now();
    release_held(in.node);
    if (fresh) log::info("cluster", "node " + in.node + " is in the cluster");
    switch (in.kind) {
        case Kind::hello: {
            PresenceMessage roster = message(Kind::roster);
            for (const auto& [key, user] : local_) roster.roster.push_back(user);
            publish(roster);
            break;
        }
        case Kind::roster: {
            std::map<std::string, bool> listed;
            for (const auto& user : in.roster) {
                listed[protocol::name_key(user.name)] = true;
                add_remote(in.node, node, user);
            }
            std::vector<std::string> gone;
            for (const auto& [key, user] : node.users)
                if (!listed.count(key)) gone.push_back(key);
            for (const auto& key : gone) remove_remote(node, key);
            break;
        }
        case Kind::joined:
        case Kind::status:
            add_remote(in.node, node, in.user);
            break;
        case Kind::left:
            remove_remote(node, protocol::name_key(in.user.name));
            break;
        default:
            break;
    }
}

}  // namespace sala::server::cluster

namespace sala::server::cluster {

bool ClusterNode::to_callee_node(const std::string& callee, NodeMessage message) {
    auto owner = owner_.find(protocol::name_key(callee));
    if (owner == owner_.end()) return false;
    message.kind = NodeMessage::Kind::to_callee_node;
    publish_to_node(owner->second, message);
    return true;
}

void ClusterNode::to_user(const std::string& node, NodeMessage message) {
    message.kind = NodeMessage::Kind::to_user;
    publish_to_node(node, message);
}

// A line that cannot reach its node now waits for it, behind the lines held before it: a hang-up
// sent during a Redis restart still ends the call. PUBLISH says how many subscribers got it; none
// means that node has not subscribed again yet.
void ClusterNode::publish_to_node(const std::string& node, const NodeMessage& message) {
    NodeMessage sent = message;
    sent.from = id_;
    auto held = held_.find(node);
    if (up_ && commands_ && (held == held_.end() || held->second.empty())) return send_to_node(node, encode(sent));
    auto& queue = held_[node];
    if (queue.size() >= kMaxHeldLines) queue.pop_front();
    queue.push_back(encode(sent));
}

void ClusterNode::send_to_node(const std::string& node, std::string payload) {
    commands_->command({"PUBLISH", node_channel(node), payload},
                       [this, node, payload](std::optional<RedisReply> reply) mutable {
                           if (reply && reply->kind == RedisReply::Kind::integer && reply->integer > 0) return;
                           if (!nodes_.count(node)) return;  // gone meanwhile
                           auto& queue = held_[node];
                           if (queue.size() < kMaxHeldLines) queue.push_back(std::move(payload));
                       });
}

// `node` was heard from: it is subscribed, and what waited for it goes now, in order.
void ClusterNode::release_held(const std::string& node) {
    auto held = held_.find(node);
    if (held == held_.end() || !up_ || !commands_) return;
    std::deque<std::string> queue = std::move(held->second);
    held_.erase(held);
    for (auto& payload : queue) send_to_node(node, std::move(payload));
}

void ClusterNode::heard_directed(std::string payload) {
    auto message = decode_node_message(payload);
    if (!message || !events_) return;
    if (auto it = nodes_.find(message->from); it != nodes_.end()) it->second.heard = Clock::now();
    events_->from_node(*message);
}

}  // namespace sala::server::cluster
