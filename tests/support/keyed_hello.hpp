#pragma once
// Header only (it uses the client core's Identity, which the support library does not link): a
// hello that proves an identity key for a name (protocol v4), and what the server answers to one.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "engine/identity.hpp"
#include "line_client.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"

namespace sala::test {

// Asks the connection's challenge and returns the hello that proves `identity` for `name`, signing
// `binding` as the channel binding (by default the connection's own: none in plain lines).
inline Json keyed_hello(LineClient& client, const client::Identity& identity, const std::string& name,
                        std::optional<std::vector<std::uint8_t>> binding = std::nullopt) {
    if (!binding) binding = client.channel_binding();
    std::optional<sala::protocol::ChannelBinding> bound;
    if (binding->size() == 32) std::copy(binding->begin(), binding->end(), bound.emplace().begin());
    EXPECT_TRUE(client.send(Json{{"type", "challenge"}}));
    auto challenge = client.wait_for("challenge");
    EXPECT_TRUE(challenge);
    auto nonce = challenge ? sala::protocol::parse_nonce(*challenge) : std::nullopt;
    EXPECT_TRUE(nonce) << (challenge ? challenge->dump() : "no challenge");
    if (!nonce) return {};
    const auto signature = identity.sign(sala::protocol::name_proof_message(*nonce, bound, name));
    const auto& key = identity.public_key();
    return Json{{"type", "hello"},
                {"version", 4},
                {"name", name},
                {"media_port", 40000},
                {"identity", sala::protocol::to_hex(key.data(), key.size())},
                {"proof", sala::protocol::to_hex(signature.data(), signature.size())}};
}

// The type of the reply to `hello`, and the error code if it is one ("welcome" or a code).
inline std::string reply_to(LineClient& client, const Json& hello) {
    if (!client.send(hello)) return "not sent";
    auto reply = client.read();
    if (!reply) return "no reply";
    if (reply->value("type", "") == "error") {
        EXPECT_FALSE(reply->value("message", "").empty()) << *reply;
        return reply->value("code", "");
    }
    return reply->value("type", "");
}

}  // namespace sala::test
