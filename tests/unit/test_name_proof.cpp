// Protocol v4's name proof: the signed bytes (docs/protocol.md, "Names that belong to their
// owner"), the hello fields' shape, and the server's check of a client's signature.
#include <gtest/gtest.h>

#include <numeric>

#include "engine/identity.hpp"
#include "name_proof_check.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"
#include "sala/protocol.hpp"

namespace {
using sala::client::Identity;
using sala::protocol::Json;
using sala::protocol::name_proof_message;
using sala::protocol::NameNonce;
using sala::protocol::NameProof;
using sala::server::proof_holds;

NameNonce counting_nonce(std::uint8_t first) {
    NameNonce nonce{};
    std::iota(nonce.begin(), nonce.end(), first);
    return nonce;
}

Identity seeded(std::uint8_t first) {
    std::array<std::uint8_t, 32> seed{};
    std::iota(seed.begin(), seed.end(), first);
    return Identity::from_seed(seed);
}

sala::protocol::ChannelBinding counting_binding(std::uint8_t first) {
    sala::protocol::ChannelBinding binding{};
    std::iota(binding.begin(), binding.end(), first);
    return binding;
}

NameProof prove(const Identity& identity, const NameNonce& nonce, std::string_view name,
                const std::optional<sala::protocol::ChannelBinding>& binding = std::nullopt) {
    return {identity.public_key(), identity.sign(name_proof_message(nonce, binding, name))};
}

TEST(NameProof, TheMessageIsTheContextTheNonceAndTheName) {
    const auto message = name_proof_message(counting_nonce(0x80), std::nullopt, "Zoë");
    const std::string context = "sala name proof v1";
    ASSERT_EQ(message.size(), context.size() + 1 + 32 + 4);  // "Zoë" is 4 bytes of UTF-8
    EXPECT_EQ(std::string(message.begin(), message.begin() + 18), context);
    EXPECT_EQ(message[18], 0);
    EXPECT_EQ(message[19], 0x80);
    EXPECT_EQ(message[50], 0x9f);
    EXPECT_EQ(std::string(message.begin() + 51, message.end()), "Zoë");
}

// The worked example of docs/protocol.md: identity seed 00..1f, nonce 80..9f, name "alice".
TEST(NameProof, WorkedExample) {
    const Identity alice = seeded(0x00);
    const auto proof = prove(alice, counting_nonce(0x80), "alice");
    const std::string identity = sala::protocol::to_hex(proof.identity.data(), proof.identity.size());
    const std::string signature = sala::protocol::to_hex(proof.signature.data(), proof.signature.size());
    std::printf("identity %s\nproof %s\n", identity.c_str(), signature.c_str());
    EXPECT_EQ(identity, "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
    EXPECT_EQ(signature,
              "9bc8309b37bb8eef426927215459ccd91eb73b6ee19db4b129d55f17b2ff47dd"
              "92bbdedd9a364e2d7bfc41316a859c47c1446db75c983d3971407fe5f2244300");
    EXPECT_TRUE(proof_holds(counting_nonce(0x80), std::nullopt, "alice", proof));
}

TEST(NameProof, HoldsOnlyForItsNonceNameAndKey) {
    const Identity alice = seeded(0x00), mallory = seeded(0x20);
    const NameNonce nonce = counting_nonce(1);
    const NameProof proof = prove(alice, nonce, "alice");
    EXPECT_TRUE(proof_holds(nonce, std::nullopt, "alice", proof));
    EXPECT_FALSE(proof_holds(counting_nonce(2), std::nullopt, "alice", proof));  // another connection's nonce: a replay
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "Alice", proof));              // signed as sent: case matters here
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "alicf", proof));
    NameProof claimed = proof;
    claimed.identity = mallory.public_key();  // someone else's key beside alice's signature
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "alice", claimed));
    NameProof flipped = proof;
    flipped.signature[10] ^= 1;
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "alice", flipped));
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "alice", NameProof{}));  // all zeros
}

// Over TLS the proof also signs the connection's tls-exporter value (RFC 9266): a malicious
// server that relays another server's nonce to a victim cannot reuse the victim's proof there,
// because the victim's TLS connection (to the malicious server) exports other bytes.
TEST(NameProof, OverTlsTheMessageCarriesTheChannelBinding) {
    const auto message = name_proof_message(counting_nonce(0x80), counting_binding(0x40), "bob");
    const std::string context = "sala name proof v2";
    ASSERT_EQ(message.size(), context.size() + 1 + 32 + 32 + 3);
    EXPECT_EQ(std::string(message.begin(), message.begin() + 18), context);
    EXPECT_EQ(message[18], 0);
    EXPECT_EQ(message[19], 0x80);
    EXPECT_EQ(message[51], 0x40);
    EXPECT_EQ(message[82], 0x5f);
    EXPECT_EQ(std::string(message.begin() + 83, message.end()), "bob");
}

TEST(NameProof, ABoundProofHoldsOnlyOnItsConnection) {
    const Identity alice = seeded(0x00);
    const NameNonce nonce = counting_nonce(1);
    const NameProof proof = prove(alice, nonce, "alice", counting_binding(0x40));
    EXPECT_TRUE(proof_holds(nonce, counting_binding(0x40), "alice", proof));
    EXPECT_FALSE(proof_holds(nonce, counting_binding(0x41), "alice", proof));  // the same nonce, another connection
    EXPECT_FALSE(proof_holds(nonce, std::nullopt, "alice", proof));
    EXPECT_FALSE(proof_holds(nonce, counting_binding(0x40), "alice", prove(alice, nonce, "alice")));  // unbound
}

// The worked example of docs/protocol.md for TLS: seed 00..1f, nonce 80..9f, binding 40..5f.
TEST(NameProof, WorkedExampleOverTls) {
    const auto proof = prove(seeded(0x00), counting_nonce(0x80), "alice", counting_binding(0x40));
    const std::string signature = sala::protocol::to_hex(proof.signature.data(), proof.signature.size());
    std::printf("proof %s\n", signature.c_str());
    EXPECT_EQ(signature,
              "ae7cf1f8c1c4430d3f11961fc1d2e25fd927006ad4b0b5c69c6b98b60febbb30"
              "6654289de523c6195ea7b66a79d22738eda26cad6778e10da5661ff3b944fe01");
    EXPECT_TRUE(proof_holds(counting_nonce(0x80), counting_binding(0x40), "alice", proof));
}

TEST(NameProof, FreshNoncesDiffer) { EXPECT_NE(sala::server::new_nonce(), sala::server::new_nonce()); }

TEST(NameProof, HelloFieldsAreCheckedForShape) {
    std::string problem;
    EXPECT_FALSE(sala::protocol::parse_name_proof(Json{{"name", "a"}}, &problem));
    EXPECT_TRUE(problem.empty());  // no key at all: an older client
    const std::string key(64, 'a'), signature(128, 'B');
    auto proof = sala::protocol::parse_name_proof(Json{{"identity", key}, {"proof", signature}}, &problem);
    ASSERT_TRUE(proof) << problem;
    EXPECT_EQ(proof->identity[0], 0xaa);
    EXPECT_EQ(proof->signature[63], 0xbb);
    for (const Json& bad :
         {Json{{"identity", key}}, Json{{"proof", signature}}, Json{{"identity", key.substr(1)}, {"proof", signature}},
          Json{{"identity", key}, {"proof", signature + "00"}}, Json{{"identity", 7}, {"proof", signature}},
          Json{{"identity", std::string(64, 'g')}, {"proof", signature}}}) {
        EXPECT_FALSE(sala::protocol::parse_name_proof(bad, &problem)) << bad;
        EXPECT_FALSE(problem.empty()) << bad;
    }
    EXPECT_TRUE(sala::protocol::parse_nonce(Json{{"nonce", key}}));
    EXPECT_FALSE(sala::protocol::parse_nonce(Json{{"nonce", key + "0"}}));
    EXPECT_FALSE(sala::protocol::parse_nonce(Json{{"type", "challenge"}}));
}

}  // namespace
