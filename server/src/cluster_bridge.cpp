#include "cluster_bridge.hpp"

#include "sala/log.hpp"

namespace sala::server {

ClusterBridge::ClusterBridge(Registry& registry, cluster::ClusterNode& node) : registry_(registry), node_(node) {
    registry_.set_watcher(this);
    registry_.set_claims(this);
    registry_.set_router(this);
    node_.set_events(this);
}

void ClusterBridge::joined(const std::string& name, protocol::Status status) { node_.user_joined({name, status}); }
void ClusterBridge::status(const std::string& name, protocol::Status status) { node_.user_status({name, status}); }
void ClusterBridge::left(const std::string& name) { node_.user_left(name); }

void ClusterBridge::claim(const std::string& name, const std::string& identity, std::function<void(ClaimResult)> done) {
    node_.claim(name, identity, [done = std::move(done)](cluster::ClusterNode::Claim claim) {
        using Claim = cluster::ClusterNode::Claim;
        done(claim == Claim::claimed ? ClaimResult::claimed
             : claim == Claim::taken ? ClaimResult::taken
             : claim == Claim::owned ? ClaimResult::owned
                                     : ClaimResult::unavailable);
    });
}

bool ClusterBridge::to_callee_node(const std::string& callee, const std::string& caller, const std::string& host,
                                   std::uint16_t media_port, std::string line) {
    cluster::NodeMessage message;
    message.user = caller;
    message.host = host;
    message.media_port = media_port;
    message.line = std::move(line);
    return node_.to_callee_node(callee, std::move(message));
}

void ClusterBridge::to_user(const std::string& node, const std::string& user, std::string line) {
    cluster::NodeMessage message;
    message.user = user;
    message.line = std::move(line);
    node_.to_user(node, std::move(message));
}

void ClusterBridge::from_node(const cluster::NodeMessage& message) {
    if (message.kind == cluster::NodeMessage::Kind::to_callee_node)
        registry_.from_caller_node(message.from, message.user, message.host, message.media_port, message.line,
                                   Clock::now());
    else
        registry_.to_local_user(message.user, message.line);
}

void ClusterBridge::remote_joined(const cluster::ClusterUser& user) { registry_.remote_joined(user.name, user.status); }
void ClusterBridge::remote_left(const std::string& name) { registry_.remote_left(name); }

void ClusterBridge::redis_state(bool up, const std::string& why) {
    if (up) {
        log::info("cluster", "back in the cluster");
        registry_.cluster_state(true, "This server is back in its cluster: every user can be reached again.");
    } else {
        log::warn("cluster", "cut off from the cluster (" + why + "): serving this node's users only");
        registry_.cluster_state(false,
                                "This server lost touch with the rest of its cluster: only users of this server "
                                "can be reached, and nobody new can register here until it is back.");
    }
}

void ClusterBridge::name_lost(const std::string& key) { registry_.name_lost(key); }

}  // namespace sala::server
