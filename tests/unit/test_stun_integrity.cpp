// MESSAGE-INTEGRITY (RFC 8489, 14.5): the RFC 5769 vectors that carry it, short-term (2.1 to 2.3)
// and long-term (2.4), building and checking, and the attributes TURN adds to the builder.
#include <gtest/gtest.h>

#include <cctype>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "rfc5769_vectors.hpp"
#include "stun/integrity.hpp"
#include "stun/stun_message.hpp"

namespace {
using namespace sala::server::stun;
using sala::test::Bytes;
using sala::test::hex;

// RFC 5769, 2.4: long-term credentials. The username is six katakana (UTF-8 below, unchanged by
// SASLprep); the password "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep, which
// the test passes already prepared (sala-server's own passwords are ASCII).
const Bytes kLongTermRequest = hex(R"(
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66)");

Message parsed(std::span<const std::uint8_t> bytes) {
    auto result = parse(bytes);
    EXPECT_TRUE(std::holds_alternative<Message>(result));
    return std::holds_alternative<Message>(result) ? std::get<Message>(result) : Message{};
}

TEST(StunIntegrity, HmacSha1MatchesRfc2202) {
    // RFC 2202, test case 2: key "Jefe".
    auto digest = hmac_sha1(bytes_of("Jefe"), bytes_of("what do ya want for nothing?"));
    EXPECT_EQ(Bytes(digest.begin(), digest.end()), hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
}

TEST(StunIntegrity, HmacSha1UsesEachCallsOwnKey) {
    // Each thread keeps one HMAC context for every call: no key may stay behind for the next, the
    // empty one and one longer than SHA-1's block included (RFC 2202 cases 1 and 6; HMAC("", "")).
    auto mac = [](std::span<const std::uint8_t> key, std::string_view data) {
        auto digest = hmac_sha1(key, bytes_of(data));
        return Bytes(digest.begin(), digest.end());
    };
    const Bytes case_1_key(20, 0x0b), case_6_key(80, 0xaa);
    auto all_right = [&] {
        for (int round = 0; round < 2; ++round) {
            EXPECT_EQ(mac(case_6_key, "Test Using Larger Than Block-Size Key - Hash Key First"),
                      hex("aa4ae5e15272d00e95705637ce8a3b55ed402112"));
            EXPECT_EQ(mac({}, ""), hex("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"));
            EXPECT_EQ(mac(case_1_key, "Hi There"), hex("b617318655057264e28bc0b6fb378c8ef146be00"));
        }
    };
    all_right();
    std::thread other(all_right);
    other.join();
}

TEST(StunIntegrity, ShortTermVectorsCheck) {
    for (const Bytes* vector :
         {&sala::test::kRfc5769Request, &sala::test::kRfc5769Ipv4Response, &sala::test::kRfc5769Ipv6Response}) {
        Message m = parsed(*vector);
        EXPECT_EQ(check_integrity(m, bytes_of(sala::test::kRfc5769ShortTermPassword)), Integrity::ok);
        EXPECT_EQ(check_integrity(m, bytes_of("VOkJxbRl1RmTxUk/WvJxBT")), Integrity::bad);
    }
}

TEST(StunIntegrity, LongTermVectorChecks) {
    Message m = parsed(kLongTermRequest);
    EXPECT_EQ(m.text(attribute::realm), "example.org");
    EXPECT_EQ(m.text(attribute::nonce), "f//499k954d6OL34oL9FSTvy64sA");
    auto key = long_term_key(m.text(attribute::username), "example.org", "TheMatrIX");
    EXPECT_EQ(check_integrity(m, key), Integrity::ok);
    EXPECT_EQ(check_integrity(m, long_term_key(m.text(attribute::username), "example.org", "TheMatrix")),
              Integrity::bad);
}

TEST(StunIntegrity, EveryChangedByteBeforeItBreaksIt) {
    for (std::size_t i = 20; i < kLongTermRequest.size() - 24; ++i) {
        Bytes changed = kLongTermRequest;
        changed[i] ^= 0x01;
        auto result = parse(changed);
        if (!std::holds_alternative<Message>(result)) continue;
        const Message& m = std::get<Message>(result);
        auto key = long_term_key(parsed(kLongTermRequest).text(attribute::username), "example.org", "TheMatrIX");
        EXPECT_NE(check_integrity(m, key), Integrity::ok) << "byte " << i;
    }
}

TEST(StunIntegrity, BuilderReproducesTheLongTermVector) {
    Message vector = parsed(kLongTermRequest);
    TransactionId id{};
    std::copy_n(kLongTermRequest.begin() + 8, 12, id.begin());
    std::array<std::uint8_t, 256> buffer{};
    MessageBuilder out(buffer, method::binding, Class::request, id);
    out.add_text(attribute::username, vector.text(attribute::username))
        .add_text(attribute::nonce, vector.text(attribute::nonce))
        .add_text(attribute::realm, "example.org")
        .add_message_integrity(long_term_key(vector.text(attribute::username), "example.org", "TheMatrIX"));
    auto bytes = out.finish();
    ASSERT_TRUE(bytes);
    EXPECT_EQ(Bytes(bytes->begin(), bytes->end()), kLongTermRequest);
}

TEST(StunIntegrity, BuiltWithFingerprintChecksAndNothingElseMayFollow) {
    TransactionId id{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    std::array<std::uint8_t, 256> buffer{};
    MessageBuilder out(buffer, method::allocate, Class::success_response, id);
    out.add_xor_address(attribute::xor_relayed_address, TransportAddress::v4({192, 0, 2, 15}, 50000))
        .add_u32(attribute::lifetime, 600)
        .add_message_integrity(bytes_of("key"))
        .add_fingerprint();
    auto bytes = out.finish();
    ASSERT_TRUE(bytes);
    Message m = parsed(*bytes);
    EXPECT_TRUE(m.has_fingerprint());
    EXPECT_EQ(check_integrity(m, bytes_of("key")), Integrity::ok);
    EXPECT_EQ(m.find(attribute::lifetime)->value.size(), 4u);

    MessageBuilder late(buffer, method::allocate, Class::success_response, id);
    late.add_message_integrity(bytes_of("key")).add_u32(attribute::lifetime, 1);
    EXPECT_FALSE(late.finish());
}

TEST(StunIntegrity, MissingOrMalformed) {
    TransactionId id{};
    std::array<std::uint8_t, 64> buffer{};
    MessageBuilder none(buffer, method::binding, Class::request, id);
    auto bytes = none.finish();
    ASSERT_TRUE(bytes);
    Bytes plain(bytes->begin(), bytes->end());
    EXPECT_EQ(check_integrity(parsed(plain), bytes_of("k")), Integrity::missing);

    MessageBuilder shortened(buffer, method::binding, Class::request, id);
    std::array<std::uint8_t, 19> nineteen{};
    shortened.add(attribute::message_integrity, nineteen);
    bytes = shortened.finish();
    Bytes bad(bytes->begin(), bytes->end());
    EXPECT_EQ(check_integrity(parsed(bad), bytes_of("k")), Integrity::bad);
}

}  // namespace
