// Registry: the users of the other nodes of a cluster, as this node's clients see them.
#include "registry.hpp"
#include "sala/log.hpp"

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

void Registry::remote_left(const std::string& name) {
    if (!remote_.erase(protocol::name_key(name))) return;
    publish(kRemoteUser, protocol::Json{{"type", protocol::type::user_left}, {"name", name}});
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
