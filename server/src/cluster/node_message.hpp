#pragma once
// What one node sends another about a call between their users, on the receiving node's own
// channel (sala:node:ID). The callee's node judges the call: the caller's node forwards its
// user's lines to it (`to_callee_node`), and it sends back what its registry says to that user
// (`to_user`). Pure code; a message of another shape is nullopt and is ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sala::server::cluster {

// The channel a node with this id subscribes to.
std::string node_channel(std::string_view node);

struct NodeMessage {
    enum class Kind { to_callee_node, to_user };
    Kind kind = Kind::to_callee_node;
    std::string from;  // the sending node's id
    std::string user;  // the caller's name (its node's user)
    std::string host;  // to_callee_node: the caller's IP as its node sees it (the media address)
    std::uint16_t media_port = 0;
    std::string line;  // one protocol line, without '\n'
};

std::string encode(const NodeMessage& message);
std::optional<NodeMessage> decode_node_message(std::string_view payload);

}  // namespace sala::server::cluster
