// The per-call key agreement of docs/protocol.md ("End-to-end encrypted media"): both sides
// derive mirrored keys; bad signatures, a wrong call id and swapped keys are refused. The
// worked example in docs/protocol.md is printed by WorkedExample (run it with
// --gtest_filter=CallKeys.WorkedExample) and checked here byte for byte.

#include "engine/call_keys.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <iostream>
#include <vector>

#include "engine/known_peers.hpp"
#include "temp_dir.hpp"

namespace {
using namespace sala::client;
using sala::protocol::KeyOffer;
using sala::protocol::to_hex;

const std::string kCallId = "197caf8750fd530895d48a26138a04d6";

std::array<std::uint8_t, 32> seed(std::uint8_t first) {
    std::array<std::uint8_t, 32> s{};
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::uint8_t>(first + i);
    return s;
}

std::string hex(std::span<const std::uint8_t> b) { return to_hex(b.data(), b.size()); }

struct Call {
    Identity alice_id = Identity::from_seed(seed(0x00));
    Identity bob_id = Identity::from_seed(seed(0x20));
    CallKeys alice{alice_id, SrtpSuite::aes_cm_128_hmac_sha1_80, seed(0x40)};
    CallKeys bob{bob_id, SrtpSuite::aes_cm_128_hmac_sha1_80, seed(0x60)};
};

TEST(CallKeys, BothSidesDeriveMirroredKeys) {
    for (auto suite : {SrtpSuite::aes_cm_128_hmac_sha1_80, SrtpSuite::aead_aes_128_gcm}) {
        const Identity alice_id = Identity::generate(), bob_id = Identity::generate();
        CallKeys alice(alice_id, suite), bob(bob_id, suite);
        const KeyOffer offer = alice.offer();
        EXPECT_FALSE(CallKeys::offer_problem(offer));
        const KeyOffer answer = bob.answer(kCallId, offer);
        std::string problem;
        auto a = alice.agree_as_caller(kCallId, answer, &problem);
        ASSERT_TRUE(a) << problem;
        auto b = bob.agree_as_callee(kCallId, offer, &problem);
        ASSERT_TRUE(b) << problem;
        EXPECT_EQ(a->send.hex(), b->receive.hex());
        EXPECT_EQ(a->receive.hex(), b->send.hex());
        EXPECT_NE(a->send.hex(), a->receive.hex());
        EXPECT_EQ(a->send.hex().size(), 2 * (16 + srtp_master_salt_bytes(suite)));
        EXPECT_EQ(a->safety_code, b->safety_code);
        EXPECT_EQ(a->safety_code.size(), 6u);
        EXPECT_EQ(a->peer_identity, bob_id.public_key());
        EXPECT_EQ(b->peer_identity, alice_id.public_key());
    }
}

TEST(CallKeys, EveryCallHasItsOwnKeysAndCode) {
    const Identity alice_id = Identity::generate(), bob_id = Identity::generate();
    std::string codes, problem;
    std::vector<std::string> keys;
    for (int i = 0; i < 2; ++i) {
        CallKeys alice(alice_id, SrtpSuite::aes_cm_128_hmac_sha1_80), bob(bob_id, SrtpSuite::aes_cm_128_hmac_sha1_80);
        auto a = alice.agree_as_caller(kCallId, bob.answer(kCallId, alice.offer()), &problem);
        ASSERT_TRUE(a);
        keys.push_back(a->send.hex());
    }
    EXPECT_NE(keys[0], keys[1]);
}

TEST(CallKeys, RefusesABadSignature) {
    Call c;
    KeyOffer offer = c.alice.offer();
    offer.signature[5] ^= 1;
    EXPECT_TRUE(CallKeys::offer_problem(offer));
    std::string problem;
    EXPECT_FALSE(c.bob.agree_as_callee(kCallId, offer, &problem));
    EXPECT_NE(problem.find("signed"), std::string::npos) << problem;

    KeyOffer answer = c.bob.answer(kCallId, c.alice.offer());
    answer.signature[63] ^= 0x80;
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, answer, &problem));
}

TEST(CallKeys, RefusesAnAnswerForAnotherCall) {
    Call c;
    const KeyOffer answer = c.bob.answer("00000000000000000000000000000000", c.alice.offer());
    std::string problem;
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, answer, &problem));
    EXPECT_NE(problem.find("for this call"), std::string::npos) << problem;
}

TEST(CallKeys, RefusesSwappedKeys) {
    Call c;
    const Identity mallory_id = Identity::from_seed(seed(0x80));
    CallKeys mallory(mallory_id, SrtpSuite::aes_cm_128_hmac_sha1_80, seed(0xa0));
    std::string problem;
    // The server puts its own ephemeral key under alice's signature, or under bob's.
    KeyOffer offer = c.alice.offer();
    offer.ephemeral = mallory.offer().ephemeral;
    EXPECT_FALSE(c.bob.agree_as_callee(kCallId, offer, &problem));
    KeyOffer answer = c.bob.answer(kCallId, c.alice.offer());
    answer.ephemeral = mallory.offer().ephemeral;
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, answer, &problem));
    // Or claims the signed key belongs to another identity.
    answer = c.bob.answer(kCallId, c.alice.offer());
    answer.identity = mallory_id.public_key();
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, answer, &problem));
    // Or answers alice with bob's answer to mallory's offer (signed over another caller key).
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, c.bob.answer(kCallId, mallory.offer()), &problem));
    // An all-zero (small-order) ephemeral key, however signed, gives no keys.
    CallKeys zero(mallory_id, SrtpSuite::aes_cm_128_hmac_sha1_80, seed(0xa0));
    KeyOffer weak = mallory.offer();
    weak.ephemeral.fill(0);
    weak.signature = mallory_id.sign(std::vector<std::uint8_t>{});  // irrelevant: refused either way
    EXPECT_FALSE(c.bob.agree_as_callee(kCallId, weak, &problem));
    // A suite the caller did not ask for.
    answer = c.bob.answer(kCallId, c.alice.offer());
    answer.suite = "AEAD_AES_128_GCM";
    EXPECT_FALSE(c.alice.agree_as_caller(kCallId, answer, &problem));
}

// The derivation spelled out with libsodium's primitives, as docs/protocol.md writes it: an
// independent implementation must get the same bytes.
TEST(CallKeys, MatchesTheDocumentedDerivation) {
    Call c;
    const KeyOffer offer = c.alice.offer(), answer = c.bob.answer(kCallId, offer);
    std::string problem;
    auto a = c.alice.agree_as_caller(kCallId, answer, &problem);
    ASSERT_TRUE(a);
    // X25519 secret from bob's side: scalar from the seed as crypto_kx_seed_keypair makes it.
    std::array<std::uint8_t, 32> bob_secret{}, q{};
    crypto_generichash(bob_secret.data(), 32, seed(0x60).data(), 32, nullptr, 0);
    ASSERT_EQ(crypto_scalarmult(q.data(), bob_secret.data(), offer.ephemeral.data()), 0);
    std::vector<std::uint8_t> in(q.begin(), q.end());
    in.insert(in.end(), offer.ephemeral.begin(), offer.ephemeral.end());
    in.insert(in.end(), answer.ephemeral.begin(), answer.ephemeral.end());
    std::array<std::uint8_t, 64> h{};
    crypto_generichash(h.data(), 64, in.data(), in.size(), nullptr, 0);
    const std::uint8_t* k_caller = h.data() + 32;  // caller to callee
    const std::uint8_t* k_callee = h.data();       // callee to caller
    std::vector<std::uint8_t> ctx(kCallId.begin(), kCallId.end());
    for (const auto* key : {&offer.identity, &answer.identity, &offer.ephemeral, &answer.ephemeral})
        ctx.insert(ctx.end(), key->begin(), key->end());
    auto labelled = [&](std::initializer_list<std::string> strings) {
        std::vector<std::uint8_t> m;
        for (const auto& s : strings) {
            m.insert(m.end(), s.begin(), s.end());
            m.push_back(0);
        }
        m.insert(m.end(), ctx.begin(), ctx.end());
        return m;
    };
    auto m = labelled({"sala srtp v1", "caller", "AES_CM_128_HMAC_SHA1_80"});
    std::array<std::uint8_t, 32> out{};
    crypto_generichash(out.data(), 32, m.data(), m.size(), k_caller, 32);
    EXPECT_EQ(a->send.hex(), hex(std::span(out.data(), 30)));
    m = labelled({"sala srtp v1", "callee", "AES_CM_128_HMAC_SHA1_80"});
    crypto_generichash(out.data(), 32, m.data(), m.size(), k_callee, 32);
    EXPECT_EQ(a->receive.hex(), hex(std::span(out.data(), 30)));
    std::array<std::uint8_t, 64> both{};
    std::copy_n(k_caller, 32, both.begin());
    std::copy_n(k_callee, 32, both.begin() + 32);
    m = labelled({"sala safety code v1"});
    crypto_generichash(out.data(), 32, m.data(), m.size(), both.data(), 64);
    const unsigned value =
        (unsigned{out[0]} << 24 | unsigned{out[1]} << 16 | unsigned{out[2]} << 8 | out[3]) % 1000000u;
    char code[8];
    std::snprintf(code, sizeof code, "%06u", value);
    EXPECT_EQ(a->safety_code, code);
    // The signed messages.
    std::vector<std::uint8_t> signed_offer;
    for (std::string s : {"sala call offer v1", "AES_CM_128_HMAC_SHA1_80"}) {
        signed_offer.insert(signed_offer.end(), s.begin(), s.end());
        signed_offer.push_back(0);
    }
    signed_offer.insert(signed_offer.end(), offer.ephemeral.begin(), offer.ephemeral.end());
    EXPECT_EQ(crypto_sign_verify_detached(offer.signature.data(), signed_offer.data(), signed_offer.size(),
                                          offer.identity.data()),
              0);
    std::vector<std::uint8_t> signed_answer;
    for (const std::string& s : {std::string("sala call answer v1"), kCallId, std::string("AES_CM_128_HMAC_SHA1_80")}) {
        signed_answer.insert(signed_answer.end(), s.begin(), s.end());
        signed_answer.push_back(0);
    }
    for (const auto* key : {&answer.ephemeral, &offer.ephemeral, &offer.identity})
        signed_answer.insert(signed_answer.end(), key->begin(), key->end());
    EXPECT_EQ(crypto_sign_verify_detached(answer.signature.data(), signed_answer.data(), signed_answer.size(),
                                          answer.identity.data()),
              0);
}

// The worked example of docs/protocol.md: identities and ephemeral keys from fixed seeds
// (Ed25519 signatures are deterministic), so these bytes never change.
TEST(CallKeys, WorkedExample) {
    Call c;
    const KeyOffer offer = c.alice.offer(), answer = c.bob.answer(kCallId, offer);
    std::string problem;
    auto a = c.alice.agree_as_caller(kCallId, answer, &problem);
    ASSERT_TRUE(a);
    std::cout << "call keys: " << to_json(offer).dump() << "\naccept keys: " << to_json(answer).dump()
              << "\ncaller to callee: " << a->send.hex() << "\ncallee to caller: " << a->receive.hex()
              << "\nsafety code: " << a->safety_code << "\n";
    EXPECT_EQ(hex(offer.identity), "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
    EXPECT_EQ(hex(offer.ephemeral), "20243c2fa724ef40cdd0a518dd546e05b914cad065b4e8a3958079080aac6607");
    EXPECT_EQ(hex(offer.signature),
              "5b6cd3d82fba2fecb6f2c09775df9074a8c14caf102e702d812ae698c920f077"
              "0d4c2718bbec049bd7a3b63f8b9df479882f2b72ae05ebd15ebb1e6868b4330b");
    EXPECT_EQ(hex(answer.identity), "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7");
    EXPECT_EQ(hex(answer.ephemeral), "a7e09d2129568e8aa5cf96ea7fd9e0f881a5d78bf592269562963f7b6f689050");
    EXPECT_EQ(hex(answer.signature),
              "970b72bd570d330624ac0676d2c350e083a63b38be4a46e13daff152fba78c54"
              "6fc3036a3a9f9b58fcb02a10fdfb876de1d291368999e952786d9290a0bbf104");
    EXPECT_EQ(a->send.hex(), "554f64d7d62600f08907cbd8174349ba15661e51539587bdac6aecd73cd8");
    EXPECT_EQ(a->receive.hex(), "c800de2f810a759ea380f02fd2ecbfc840cfd58f739b1c0fbf7f28ade969");
    EXPECT_EQ(a->safety_code, "822885");
}

TEST(Identity, MadeOnceKeptPrivateAndReloaded) {
    sala::test::TempDir dir;
    const auto config = dir.path() / "sala";
    const PublicKey first = Identity::load_or_create(config).public_key();
    EXPECT_EQ(Identity::load_or_create(config).public_key(), first);
    EXPECT_EQ(std::filesystem::status(config / "identity_ed25519").permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::permissions(config / "identity_ed25519", std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    EXPECT_THROW(Identity::load_or_create(config), std::runtime_error);
    std::filesystem::remove(config / "identity_ed25519");
    EXPECT_NE(Identity::load_or_create(config).public_key(), first);
}

TEST(KnownPeers, FirstSeenKnownChanged) {
    sala::test::TempDir dir;
    KnownPeers peers(dir.file("known_peers"));
    const PublicKey one = Identity::generate().public_key(), two = Identity::generate().public_key();
    EXPECT_EQ(peers.check_and_remember("Bob Smith", one), PeerKey::first_seen);
    EXPECT_EQ(peers.check_and_remember("bob smith", one), PeerKey::known);
    EXPECT_EQ(peers.check_and_remember("carol", two), PeerKey::first_seen);
    EXPECT_EQ(peers.check_and_remember("BOB SMITH", two), PeerKey::changed);
    EXPECT_EQ(peers.check_and_remember("Bob Smith", two), PeerKey::known);
    EXPECT_EQ(KnownPeers(dir.file("known_peers")).check_and_remember("carol", two), PeerKey::known);
    EXPECT_EQ(KnownPeers().check_and_remember("carol", two), PeerKey::first_seen);
}

}  // namespace
