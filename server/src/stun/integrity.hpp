#pragma once
// MESSAGE-INTEGRITY (RFC 8489, 14.5): HMAC-SHA1 keyed by the short-term password or by the
// long-term key MD5(username ":" realm ":" password). Callers pass passwords already prepared
// (sala-server's own credentials are ASCII, which OpaqueString leaves as it is).

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "stun/stun_message.hpp"

namespace sala::server::stun {

using Sha1Digest = std::array<std::uint8_t, 20>;
using LongTermKey = std::array<std::uint8_t, 16>;

Sha1Digest hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);
// MD5(username ":" realm ":" password), the long-term credential key (RFC 8489, 9.2.2).
LongTermKey long_term_key(std::string_view username, std::string_view realm, std::string_view password);

inline std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The HMAC-SHA1 a MESSAGE-INTEGRITY at `offset` of `message` must carry: over the bytes before
// it, with the header's length counting up to the end of that attribute (RFC 8489, 14.5).
// nullopt if the message is larger than kMaxMessageSize or the offset is outside it.
std::optional<Sha1Digest> integrity_over(std::span<const std::uint8_t> message, std::size_t offset,
                                         std::span<const std::uint8_t> key);

enum class Integrity {
    missing,  // no MESSAGE-INTEGRITY
    bad,      // present but wrong (or malformed)
    ok,
};
// Checks a parsed message's MESSAGE-INTEGRITY with `key`, in constant time.
Integrity check_integrity(const Message& message, std::span<const std::uint8_t> key);

}  // namespace sala::server::stun
