#pragma once
// What the nodes of a cluster tell each other on the presence channel: one JSON object per Redis
// message, always with the sending node's id. Pure code (no Redis), parsed defensively: a message
// of another shape or size is nullopt and is ignored.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sala/protocol.hpp"

namespace sala::server::cluster {

// The channel every node publishes on and subscribes to.
inline constexpr std::string_view kPresenceChannel = "sala:presence";
// A roster lists at most this many users (a node's whole population).
inline constexpr std::size_t kMaxRosterUsers = 1'000'000;

struct ClusterUser {
    std::string name;
    protocol::Status status = protocol::Status::available;
};

struct PresenceMessage {
    enum class Kind {
        beat,    // the node is alive (every heartbeat)
        hello,   // a node (re)joined: everyone answers with its roster
        roster,  // every user of the node, replacing what was known of it
        joined,  // a user registered on the node
        status,  // a user of the node changed status
        left,    // a user of the node left
        bye,     // the node stops: its users are gone
    };
    Kind kind = Kind::beat;
    std::string node;
    ClusterUser user;                 // joined, status, left (status unused)
    std::vector<ClusterUser> roster;  // roster
};

std::string encode(const PresenceMessage& message);
std::optional<PresenceMessage> decode_presence(std::string_view payload);

}  // namespace sala::server::cluster
