#pragma once
// One call's key agreement (docs/protocol.md, "End-to-end encrypted media"): each side's
// ephemeral X25519 key, signed with its identity key, the SRTP master keys of both directions
// derived from the X25519 secret, the call id and all four public keys, and the safety code
// both people can read to each other. Pure: no I/O; every secret is erased with its object.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "engine/identity.hpp"
#include "media/srtp/srtp_keys.hpp"
#include "sala/key_offer.hpp"

namespace sala::client {

// What both sides agreed on; `send` is the other side's `receive`.
struct AgreedKeys {
    SrtpMasterKey send, receive;
    std::string safety_code;  // six digits, the same on both sides
    PublicKey peer_identity;
};

class CallKeys {
public:
    // A fresh ephemeral key pair for one call (or one from a seed: tests and worked examples).
    CallKeys(const Identity& me, SrtpSuite suite);
    CallKeys(const Identity& me, SrtpSuite suite, std::span<const std::uint8_t, 32> ephemeral_seed);
    ~CallKeys();
    CallKeys(const CallKeys&) = delete;
    CallKeys& operator=(const CallKeys&) = delete;

    // The caller's signed offer, for `call`.
    protocol::KeyOffer offer() const;
    // Whether a caller's offer can be answered (a suite we speak, a valid signature); nullopt
    // when it can, else why not in plain words. The callee's CallKeys must use the offer's suite.
    static std::optional<std::string> offer_problem(const protocol::KeyOffer& offer);
    // The callee's signed answer to `offer`, bound to the call id, for `accept`.
    protocol::KeyOffer answer(const std::string& call_id, const protocol::KeyOffer& offer) const;

    // The keys, once the other side's signed key is known; nullopt and *problem when its
    // signature, suite or key does not hold.
    std::optional<AgreedKeys> agree_as_caller(const std::string& call_id, const protocol::KeyOffer& answer,
                                              std::string* problem) const;
    std::optional<AgreedKeys> agree_as_callee(const std::string& call_id, const protocol::KeyOffer& offer,
                                              std::string* problem) const;

    SrtpSuite suite() const { return suite_; }

private:
    const Identity& me_;
    SrtpSuite suite_;
    PublicKey ephemeral_public_{};
    std::array<std::uint8_t, 32> ephemeral_secret_{};
};

}  // namespace sala::client
