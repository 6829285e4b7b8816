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

}  // namespace sala::server
