#pragma once
// One side's signed ephemeral key as protocol v3 carries it in call, invite, accept and
// call_started: {"suite": ..., "identity": HEX, "ephemeral": HEX, "signature": HEX}. Checked
// for shape here, for the server (which relays it and cannot use it) and the client alike; the
// signature is checked by the client (client/core/src/engine/call_keys). See docs/protocol.md,
// "End-to-end encrypted media".

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sala::protocol {

inline constexpr std::size_t kMaxSuiteChars = 64;

struct KeyOffer {
    std::string suite;                       // the SRTP protection profile, e.g. "AES_CM_128_HMAC_SHA1_80"
    std::array<std::uint8_t, 32> identity;   // the sender's Ed25519 public key
    std::array<std::uint8_t, 32> ephemeral;  // the sender's X25519 public key for this call
    std::array<std::uint8_t, 64> signature;  // Ed25519, over what docs/protocol.md says
};

// A key offer from a message field; nullopt with a sentence in *problem when it is not one.
std::optional<KeyOffer> parse_key_offer(const nlohmann::json& value, std::string* problem);
nlohmann::json to_json(const KeyOffer& offer);

// Lower-case hex of bytes, and back (nullopt unless exactly 2 * out.size() hex digits).
std::string to_hex(const std::uint8_t* bytes, std::size_t size);
bool from_hex(std::string_view text, std::uint8_t* out, std::size_t size);

}  // namespace sala::protocol
