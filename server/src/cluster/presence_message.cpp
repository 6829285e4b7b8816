#include "cluster/presence_message.hpp"

#include <array>

namespace sala::server::cluster {
namespace {
using Kind = PresenceMessage::Kind;
using protocol::Json;

constexpr std::array<std::pair<Kind, std::string_view>, 7> kKinds{{{Kind::beat, "beat"},
                                                                   {Kind::hello, "hello"},
                                                                   {Kind::roster, "roster"},
                                                                   {Kind::joined, "joined"},
                                                                   {Kind::status, "status"},
                                                                   {Kind::left, "left"},
                                                                   {Kind::bye, "bye"}}};

std::string_view kind_text(Kind kind) {
    for (auto [k, text] : kKinds)
        if (k == kind) return text;
    return "beat";
}

std::optional<Kind> kind_of(const std::string& text) {
    for (auto [k, t] : kKinds)
        if (t == text) return k;
    return std::nullopt;
}

std::optional<ClusterUser> user_of(const Json& json) {
    if (!json.is_object()) return std::nullopt;
    auto name = json.find("name");
    if (name == json.end() || !name->is_string() || protocol::name_problem(name->get_ref<const std::string&>()))
        return std::nullopt;
    ClusterUser user{name->get<std::string>(), protocol::Status::available};
    if (auto status = json.find("status"); status != json.end() && *status == to_string(protocol::Status::busy))
        user.status = protocol::Status::busy;
    return user;
}

Json user_json(const ClusterUser& user) { return Json{{"name", user.name}, {"status", to_string(user.status)}}; }

}  // namespace

std::string encode(const PresenceMessage& message) {
    Json json{{"node", message.node}, {"kind", kind_text(message.kind)}};
    if (message.kind == Kind::joined || message.kind == Kind::status || message.kind == Kind::left)
        json["user"] = user_json(message.user);
    if (message.kind == Kind::roster) {
        Json users = Json::array();
        for (const auto& user : message.roster) users.push_back(user_json(user));
        json["users"] = std::move(users);
    }
    return json.dump();
}

std::optional<PresenceMessage> decode_presence(std::string_view payload) {
    Json json = Json::parse(payload, nullptr, false);
    if (!json.is_object()) return std::nullopt;
    auto node = json.find("node");
    auto kind = json.find("kind");
    if (node == json.end() || !node->is_string() || kind == json.end() || !kind->is_string()) return std::nullopt;
    PresenceMessage message;
    message.node = node->get<std::string>();
    if (message.node.empty() || message.node.size() > 64) return std::nullopt;
    auto parsed_kind = kind_of(kind->get<std::string>());
    if (!parsed_kind) return std::nullopt;
    message.kind = *parsed_kind;
    if (message.kind == Kind::joined || message.kind == Kind::status || message.kind == Kind::left) {
        auto user = json.find("user");
        auto parsed = user == json.end() ? std::nullopt : user_of(*user);
        if (!parsed) return std::nullopt;
        message.user = std::move(*parsed);
    }
    if (message.kind == Kind::roster) {
        auto users = json.find("users");
        if (users == json.end() || !users->is_array() || users->size() > kMaxRosterUsers) return std::nullopt;
        for (const auto& entry : *users)
            if (auto user = user_of(entry)) message.roster.push_back(std::move(*user));
    }
    return message;
}

}  // namespace sala::server::cluster
