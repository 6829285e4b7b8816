#pragma once
// Protocol v4: proving a name's identity key. The server hands each connection a random nonce
// (`challenge`); hello carries the client's Ed25519 public key ("identity") and its signature
// ("proof") of the message below, so a proof made for one connection is worthless on another.
// Shapes and the signed bytes only: the client signs (client/core/src/engine), the server checks
// (server/src/name_proof_check). See docs/protocol.md, "Names that belong to their owner".

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sala::protocol {

inline constexpr std::size_t kNonceBytes = 32;
using NameNonce = std::array<std::uint8_t, kNonceBytes>;
// The signed message starts with these bytes and a 0x00: v2 over TLS (the message carries the
// connection's channel binding), v1 on a plaintext connection (--insecure-plaintext).
inline constexpr std::string_view kNameProofContext = "sala name proof v1";
inline constexpr std::string_view kBoundNameProofContext = "sala name proof v2";
// RFC 9266 tls-exporter: 32 bytes exported with the label "EXPORTER-Channel-Binding", no context.
using ChannelBinding = std::array<std::uint8_t, 32>;

struct NameProof {
    std::array<std::uint8_t, 32> identity;   // the client's Ed25519 public key
    std::array<std::uint8_t, 64> signature;  // over name_proof_message(nonce, name)
};

// hello's "identity" and "proof": nullopt with *problem empty when both are absent; nullopt with
// a sentence in *problem when either is there but malformed (or only one of them is).
std::optional<NameProof> parse_name_proof(const nlohmann::json& hello, std::string* problem);
// challenge's "nonce": nullopt unless 64 hex digits.
std::optional<NameNonce> parse_nonce(const nlohmann::json& challenge);
// Over TLS: "sala name proof v2" || 0x00 || nonce (32 bytes) || channel binding (32 bytes) || name
// (its bytes exactly as in hello); so a proof made on one TLS connection is worthless on any
// other, even one a malicious server opens elsewhere with the same nonce. Without TLS:
// "sala name proof v1" || 0x00 || nonce || name.
std::vector<std::uint8_t> name_proof_message(const NameNonce& nonce, const std::optional<ChannelBinding>& binding,
                                             std::string_view name);

}  // namespace sala::protocol
