#include "name_proof_check.hpp"

#include <sodium.h>

#include <stdexcept>

namespace sala::server {

protocol::NameNonce new_nonce() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
    protocol::NameNonce nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    return nonce;
}

bool proof_holds(const protocol::NameNonce& nonce, const std::optional<protocol::ChannelBinding>& binding,
                 std::string_view name, const protocol::NameProof& proof) {
    static const bool ready = sodium_init() >= 0;
    if (!ready) return false;
    const auto message = protocol::name_proof_message(nonce, binding, name);
    return crypto_sign_verify_detached(proof.signature.data(), message.data(), message.size(), proof.identity.data()) ==
           0;
}

}  // namespace sala::server
