#include "cluster/node_message.hpp"

#include "sala/protocol.hpp"

namespace sala::server::cluster {
namespace {
constexpr std::size_t kMaxForwardedLine = 1 << 20;  // a relayed invite can pass the 4096 bytes of a client's line
}

std::string node_channel(std::string_view node) { return "sala:node:" + std::string(node); }

std::string encode(const NodeMessage& message) {
    protocol::Json json{{"from", message.from},
                        {"kind", message.kind == NodeMessage::Kind::to_user ? "to_user" : "to_callee_node"},
                        {"user", message.user},
                        {"line", message.line}};
    if (message.kind == NodeMessage::Kind::to_callee_node) {
        json["host"] = message.host;
        json["media_port"] = message.media_port;
    }
    return json.dump();
}

std::optional<NodeMessage> decode_node_message(std::string_view payload) {
    protocol::Json json = protocol::Json::parse(payload, nullptr, false);
    if (!json.is_object()) return std::nullopt;
    auto text = [&](const char* field) -> std::optional<std::string> {
        auto it = json.find(field);
        if (it == json.end() || !it->is_string()) return std::nullopt;
        return it->get<std::string>();
    };
    auto from = text("from"), kind = text("kind"), user = text("user"), line = text("line");
    if (!from || !kind || !user || !line || from->empty() || line->size() > kMaxForwardedLine ||
        protocol::name_problem(*user))
        return std::nullopt;
    NodeMessage message{NodeMessage::Kind::to_user, *from, *user, "", 0, *line};
    if (*kind == "to_user") return message;
    if (*kind != "to_callee_node") return std::nullopt;
    message.kind = NodeMessage::Kind::to_callee_node;
    auto host = text("host");
    auto port = json.find("media_port");
    if (!host || port == json.end() || !port->is_number_integer() || *port < 1 || *port > 65535) return std::nullopt;
    message.host = *host;
    message.media_port = port->get<std::uint16_t>();
    return message;
}

}  // namespace sala::server::cluster
