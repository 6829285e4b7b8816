#pragma once
// Joins the registry and the cluster node: this server's users go out to the other nodes, theirs
// come into the registry.

#include "cluster/cluster_node.hpp"
#include "registry.hpp"

namespace sala::server {

class ClusterBridge final : public RegistryWatcher,
                            public NameClaims,
                            public CallRouter,
                            public cluster::ClusterEvents {
public:
    ClusterBridge(Registry& registry, cluster::ClusterNode& node);

    // RegistryWatcher
    void joined(const std::string& name, protocol::Status status) override;
    void status(const std::string& name, protocol::Status status) override;
    void left(const std::string& name) override;
    // NameClaims
    void claim(const std::string& name, const std::string& identity, std::function<void(ClaimResult)> done) override;
    // CallRouter
    bool to_callee_node(const std::string& callee, const std::string& caller, const std::string& host,
                        std::uint16_t media_port, std::string line) override;
    void to_user(const std::string& node, const std::string& user, std::string line) override;
    // cluster::ClusterEvents
    void from_node(const cluster::NodeMessage& message) override;
    void remote_joined(const cluster::ClusterUser& user) override;
    void remote_left(const std::string& name) override;
    void redis_state(bool up, const std::string& why) override;
    void name_lost(const std::string& key) override;

private:
    Registry& registry_;
    cluster::ClusterNode& node_;
};

}  // namespace sala::server
