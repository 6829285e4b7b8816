#pragma once
// The server's side of protocol v4's name proof: a fresh nonce per connection, and whether a
// hello's proof is the identity key's signature of this connection's nonce and the name.

#include <string_view>

#include "sala/name_proof.hpp"

namespace sala::server {

// 32 bytes from the kernel's CSPRNG.
protocol::NameNonce new_nonce();
// True when proof.signature is proof.identity's Ed25519 signature (libsodium,
// crypto_sign_verify_detached) of protocol::name_proof_message(nonce, name).
bool proof_holds(const protocol::NameNonce& nonce, const std::optional<protocol::ChannelBinding>& binding,
                 std::string_view name, const protocol::NameProof& proof);

}  // namespace sala::server
