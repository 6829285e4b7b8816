#include "engine/call_keys.hpp"

#include <sodium.h>
#include <algorithm>
#include <cstdio>
#include <vector>

namespace sala::client {
namespace {
using Bytes = std::vector<std::uint8_t>;

// The labels of docs/protocol.md; every string below is followed by one zero byte.
constexpr const char* kOfferLabel = "sala call offer v1";
constexpr const char* kAnswerLabel = "sala call answer v1";
constexpr const char* kSrtpLabel = "sala srtp v1";
constexpr const char* kSafetyLabel = "sala safety code v1";

void put(Bytes& out, const std::string& text) {
    out.insert(out.end(), text.begin(), text.end());
    out.push_back(0);
}
void put(Bytes& out, std::span<const std::uint8_t> bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

Bytes offer_message(const std::string& suite, const PublicKey& caller_ephemeral) {
    Bytes m;
    put(m, kOfferLabel);
    put(m, suite);
    put(m, caller_ephemeral);
    return m;
}

Bytes answer_message(const std::string& call_id, const std::string& suite, const PublicKey& callee_ephemeral,
                     const PublicKey& caller_ephemeral, const PublicKey& caller_identity) {
    Bytes m;
    put(m, kAnswerLabel);
    put(m, call_id);
    put(m, suite);
    put(m, callee_ephemeral);
    put(m, caller_ephemeral);
    put(m, caller_identity);
    return m;
}

struct Sides {
    const PublicKey& caller_identity;
    const PublicKey& callee_identity;
    const PublicKey& caller_ephemeral;
    const PublicKey& callee_ephemeral;
};

// call_id, then the caller's and the callee's identity keys, then their ephemeral keys.
Bytes context(const std::string& call_id, const Sides& s) {
    Bytes c(call_id.begin(), call_id.end());
    put(c, s.caller_identity);
    put(c, s.callee_identity);
    put(c, s.caller_ephemeral);
    put(c, s.callee_ephemeral);
    return c;
}

SrtpMasterKey master_key(const std::uint8_t* direction_key, const char* sender, SrtpSuite suite, const Bytes& ctx) {
    Bytes m;
    put(m, kSrtpLabel);
    put(m, sender);
    put(m, to_string(suite));
    put(m, ctx);
    std::array<std::uint8_t, 32> out{};
    crypto_generichash(out.data(), out.size(), m.data(), m.size(), direction_key, 32);
    SrtpMasterKey key;
    key.suite = suite;
    std::copy_n(out.begin(), key.key.size(), key.key.begin());
    std::copy_n(out.begin() + 16, srtp_master_salt_bytes(suite), key.salt.begin());
    sodium_memzero(out.data(), out.size());
    return key;
}

// k: the caller-to-callee key, then the callee-to-caller key (64 bytes).
std::string safety_code(const std::uint8_t* k, const Bytes& ctx) {
    Bytes m;
    put(m, kSafetyLabel);
    put(m, ctx);
    std::array<std::uint8_t, 32> out{};
    crypto_generichash(out.data(), out.size(), m.data(), m.size(), k, 64);
    const std::uint32_t value = static_cast<std::uint32_t>(out[0]) << 24 | static_cast<std::uint32_t>(out[1]) << 16 |
                                static_cast<std::uint32_t>(out[2]) << 8 | out[3];
    char text[8];
    std::snprintf(text, sizeof text, "%06u", value % 1000000u);
    return text;
}

bool is_low_order(const PublicKey& key) {
    // X25519 with a small-order point gives an all-zero secret; libsodium refuses it (-1).
    return std::all_of(key.begin(), key.end(), [](std::uint8_t b) { return b == 0; });
}
}  // namespace

CallKeys::CallKeys(const Identity& me, SrtpSuite suite) : me_(me), suite_(suite) {
    crypto_kx_keypair(ephemeral_public_.data(), ephemeral_secret_.data());
}

CallKeys::CallKeys(const Identity& me, SrtpSuite suite, std::span<const std::uint8_t, 32> seed)
    : me_(me), suite_(suite) {
    crypto_kx_seed_keypair(ephemeral_public_.data(), ephemeral_secret_.data(), seed.data());
}

CallKeys::~CallKeys() { sodium_memzero(ephemeral_secret_.data(), ephemeral_secret_.size()); }

protocol::KeyOffer CallKeys::offer() const {
    protocol::KeyOffer o;
    o.suite = to_string(suite_);
    o.identity = me_.public_key();
    o.ephemeral = ephemeral_public_;
    o.signature = me_.sign(offer_message(o.suite, ephemeral_public_));
    return o;
}

std::optional<std::string> CallKeys::offer_problem(const protocol::KeyOffer& offer) {
    if (!parse_srtp_suite(offer.suite))
        return "the caller asks for an SRTP suite this client does not speak (" + offer.suite + ")";
    if (!verify_signature(offer.identity, offer_message(offer.suite, offer.ephemeral), offer.signature))
        return "the caller's key is not signed by its identity key";
    return std::nullopt;
}

protocol::KeyOffer CallKeys::answer(const std::string& call_id, const protocol::KeyOffer& offer) const {
    protocol::KeyOffer a;
    a.suite = to_string(suite_);
    a.identity = me_.public_key();
    a.ephemeral = ephemeral_public_;
    a.signature = me_.sign(answer_message(call_id, a.suite, ephemeral_public_, offer.ephemeral, offer.identity));
    return a;
}

std::optional<AgreedKeys> CallKeys::agree_as_caller(const std::string& call_id, const protocol::KeyOffer& answer,
                                                    std::string* problem) const {
    if (answer.suite != to_string(suite_)) {
        *problem = "the peer answered with another SRTP suite (" + answer.suite + ")";
        return std::nullopt;
    }
    if (!verify_signature(answer.identity,
                          answer_message(call_id, answer.suite, answer.ephemeral, ephemeral_public_, me_.public_key()),
                          answer.signature)) {
        *problem = "the peer's key is not signed by its identity key for this call";
        return std::nullopt;
    }
    // crypto_kx: the caller is the "client"; its tx key protects caller-to-callee.
    std::array<std::uint8_t, 64> k{};  // caller-to-callee, then callee-to-caller
    if (is_low_order(answer.ephemeral) ||
        crypto_kx_client_session_keys(k.data() + 32, k.data(), ephemeral_public_.data(), ephemeral_secret_.data(),
                                      answer.ephemeral.data()) != 0) {
        *problem = "the peer's ephemeral key is unusable";
        return std::nullopt;
    }
    const Bytes ctx = context(call_id, Sides{me_.public_key(), answer.identity, ephemeral_public_, answer.ephemeral});
    AgreedKeys keys;
    keys.send = master_key(k.data(), "caller", suite_, ctx);
    keys.receive = master_key(k.data() + 32, "callee", suite_, ctx);
    keys.safety_code = safety_code(k.data(), ctx);
    keys.peer_identity = answer.identity;
    sodium_memzero(k.data(), k.size());
    return keys;
}

std::optional<AgreedKeys> CallKeys::agree_as_callee(const std::string& call_id, const protocol::KeyOffer& offer,
                                                    std::string* problem) const {
    if (auto why = offer_problem(offer)) {
        *problem = *why;
        return std::nullopt;
    }
    if (offer.suite != to_string(suite_)) {
        *problem = "the caller asked for another SRTP suite (" + offer.suite + ")";
        return std::nullopt;
    }
    // crypto_kx: the callee is the "server"; its rx key is the caller's tx.
    std::array<std::uint8_t, 64> k{};  // caller-to-callee, then callee-to-caller
    if (is_low_order(offer.ephemeral) ||
        crypto_kx_server_session_keys(k.data(), k.data() + 32, ephemeral_public_.data(), ephemeral_secret_.data(),
                                      offer.ephemeral.data()) != 0) {
        *problem = "the caller's ephemeral key is unusable";
        return std::nullopt;
    }
    const Bytes ctx = context(call_id, Sides{offer.identity, me_.public_key(), offer.ephemeral, ephemeral_public_});
    AgreedKeys keys;
    keys.send = master_key(k.data() + 32, "callee", suite_, ctx);
    keys.receive = master_key(k.data(), "caller", suite_, ctx);
    keys.safety_code = safety_code(k.data(), ctx);
    keys.peer_identity = offer.identity;
    sodium_memzero(k.data(), k.size());
    return keys;
}

}  // namespace sala::client
