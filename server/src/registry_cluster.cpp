// Registry: the users of the other nodes of a cluster, as this node's clients see them.
#include "registry.hpp"
#include "sala/log.hpp"
#include "sala/protocol_words.hpp"

namespace sala::server {

// Published about kRemoteUser: every registered client of this node gets it.
void Registry::remote_joined(const std::string& name, protocol::Status status) {
    const std::string key = protocol::name_key(name);
    if (by_key_.count(key)) {
        log::warn("cluster", log::cat("another node says \"", name, "\" is its user, but it is registered here"));
        return;
    }
    auto [it, fresh] = remote_.try_emplace(key);
    if (!fresh && it->second.status == status) return;
    it->second.status = status;
    if (fresh) {
        it->second.quoted_name = protocol::Json(name).dump();
        publish(kRemoteUser,
                protocol::Json{{"type", protocol::type::user_joined}, {"name", name}, {"status", to_string(status)}});
    } else {
        publish(kRemoteUser,
                protocol::Json{{"type", protocol::type::user_status}, {"name", name}, {"status", to_string(status)}});
    }
}

// A remote user left (or its node is gone): its calls end here too, with peer_left.
void Registry::remote_left(const std::string& name) {
    const std::string key = protocol::name_key(name);
    if (auto proxy = proxies_.find(key); proxy != proxies_.end()) leave(proxy->second, "its node says it left");
    for (auto& [id, client] : clients_)
        if (!client.remote_callee.empty() && protocol::name_key(client.remote_callee) == key)
            end_remote_call(id, client, name);
    if (!remote_.erase(key)) return;
    publish(kRemoteUser, protocol::Json{{"type", protocol::type::user_left}, {"name", name}});
}

void Registry::cluster_state(bool up, const std::string& message) {
    publish(
        kRemoteUser,
        protocol::Json{{"type", protocol::type::cluster}, {"status", up ? "joined" : "cut_off"}, {"message", message}});
}

void Registry::name_lost(const std::string& key) {
    auto found = by_key_.find(key);
    if (found == by_key_.end()) return;
    const ClientId id = found->second;
    const std::string& name = clients_.at(id).name;
    log::warn("server", log::cat(clients_.at(id).quoted_name,
                                 " goes: another node holds its name (registered there while the cluster was apart)"));
    outbox_.send(id, std::make_shared<const std::string>(protocol::to_line(protocol::error(
                         protocol::ErrorCode::name_taken,
                         "While this server was cut off from its cluster, someone registered \"" + name +
                             "\" on another server of the cluster; register again, with another name."))));
    outbox_.finish(id);  // it leaves when its connection closes
}

namespace {
constexpr std::string_view kPendingRemoteCall = "pending";  // not yet named by the callee's node

bool is_call_line(const std::string& kind) {
    namespace type = protocol::type;
    return kind == type::accept || kind == type::reject || kind == type::hangup || kind == type::candidate ||
           kind == type::restart;
}
}  // namespace

void Registry::deliver(ClientId to, const SharedLine& line) {
    auto it = clients_.find(to);
    if (it == clients_.end() || it->second.proxy_node.empty() || !router_) return outbox_.send(to, line);
    std::string text = *line;
    if (!text.empty() && text.back() == '\n') text.pop_back();
    router_->to_user(it->second.proxy_node, it->second.name, std::move(text));
}

bool Registry::forward_to_callee_node(ClientId id, Client& client, const std::string& kind, const Json& message,
                                      std::string_view line) {
    if (!router_ || !client.registered() || !client.proxy_node.empty() || client.lingering_until) return false;
    if (kind == protocol::type::call) {
        auto to = protocol::get_string(message, "to");
        if (!to) return false;
        const std::string key = protocol::name_key(*to);
        auto remote = remote_.find(key);
        if (by_key_.count(key) || remote == remote_.end()) return false;
        if (client.busy()) {
            call_failed(id, *to, protocol::FailReason::already_in_call, "Hang up your current call or invite first.");
            return true;
        }
        const std::string callee = Json::parse(remote->second.quoted_name).get<std::string>();
        if (!router_->to_callee_node(callee, client.name, client.host, client.media_port, std::string(line))) {
            call_failed(id, callee, protocol::FailReason::unknown_user, "Nobody by that name is online.");
            return true;
        }
        client.call_id = kPendingRemoteCall;  // busy for local invites from now on
        client.remote_callee = callee;
        return true;
    }
    if (client.remote_callee.empty() || !is_call_line(kind)) return false;
    auto call_id = protocol::get_string(message, "call_id");
    if (!call_id || *call_id != client.call_id) return false;
    router_->to_callee_node(client.remote_callee, client.name, client.host, client.media_port, std::string(line));
    return true;
}

// The callee's node is gone, or the callee left: what it would have said, said here.
void Registry::end_remote_call(ClientId id, Client& client, std::string_view callee) {
    const bool named = client.call_id != kPendingRemoteCall;
    if (named)
        send(id, Json{{"type", protocol::type::call_ended},
                      {"call_id", client.call_id},
                      {"reason", to_string(protocol::EndReason::peer_left)},
                      {"by", callee}});
    else
        call_failed(id, callee, protocol::FailReason::unknown_user, "Nobody by that name is online.");
    client.forget_remote_call();
    if (named) status_changed(id, client);
}

void Registry::from_caller_node(const std::string& node, const std::string& caller, const std::string& host,
                                std::uint16_t media_port, std::string_view line, Clock::time_point now) {
    const std::string key = protocol::name_key(caller);
    if (by_key_.count(key)) return;  // one of ours: no stand-in for it
    auto [proxy, fresh] = proxies_.try_emplace(key, next_proxy_);
    if (fresh) {
        ++next_proxy_;
        Client& stand_in = clients_[proxy->second];
        stand_in.name = caller;
        stand_in.quoted_name = Json(caller).dump();
    }
    Client& stand_in = clients_.at(proxy->second);
    stand_in.proxy_node = node;
    stand_in.host = host;
    stand_in.media_port = media_port;
    receive(proxy->second, line, now);
}

void Registry::to_local_user(const std::string& user, std::string_view line) {
    auto found = by_key_.find(protocol::name_key(user));
    if (found == by_key_.end()) return;
    Client& client = clients_.at(found->second);
    Json message = Json::parse(line, nullptr, false);
    if (!message.is_object() || client.remote_callee.empty()) return;
    const std::string kind = message.value("type", "");
    const std::string call_id = message.value("call_id", "");
    bool ended = false;
    if (kind == protocol::type::calling && client.call_id == kPendingRemoteCall) {
        client.call_id = call_id;
    } else if (kind == protocol::type::call_started && call_id == client.call_id) {
        auto media = message.find("media");
        if (media != message.end() && media->is_object()) client.remote_host = media->value("host", "");
    } else if (kind == protocol::type::call_failed && client.call_id == kPendingRemoteCall) {
        client.forget_remote_call();
    } else if (kind == protocol::type::call_ended && call_id == client.call_id) {
        ended = true;
    } else if (kind != protocol::type::error && call_id != client.call_id) {
        return;  // about a call that is over here
    }
    outbox_.send(found->second, std::make_shared<const std::string>(std::string(line) + "\n"));
    if (kind == protocol::type::calling) status_changed(found->second, client);
    if (ended) {
        client.forget_remote_call();
        status_changed(found->second, client);
    }
}

// The cluster answered a hello's claim. A client that left meanwhile leaves its claim behind: the
// name's key is released by the watcher (the node never announced it, so nobody else hears).
void Registry::claimed(ClientId id, const std::string& name, std::string key, std::uint16_t port, bool resumable,
                       ClaimResult result) {
    auto it = clients_.find(id);
    if (it == clients_.end() || !it->second.claiming) {
        if (result == ClaimResult::claimed && watcher_) watcher_->left(name);
        return;
    }
    Client& client = it->second;
    client.claiming = false;
    using protocol::ErrorCode;
    switch (result) {
        case ClaimResult::claimed:
            if (by_key_.size() < limits_.max_clients && !by_key_.count(key) && !remote_.count(key))
                return admit(id, client, name, std::move(key), port, resumable);
            if (watcher_) watcher_->left(name);
            return name_taken(id, name);
        case ClaimResult::taken:
            return name_taken(id, name);
        case ClaimResult::owned:
            return send_error(id, ErrorCode::name_owned,
                              log::cat("The name \"", name,
                                       "\" belongs to someone else on this server (another identity key, or this hello "
                                       "proves none); choose another name."));
        case ClaimResult::unavailable:
            return send_error(id, ErrorCode::server_full,
                              "This server cannot reach the rest of its cluster at the moment, so it cannot make sure "
                              "the name is yours alone; try again later.");
    }
}

}  // namespace sala::server
