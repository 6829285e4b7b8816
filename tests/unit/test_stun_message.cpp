// STUN messages (RFC 8489): the RFC 5769 test vectors, build/parse round trips, and every
// malformed form the parser must refuse.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "rfc5769_vectors.hpp"
#include "stun/crc32.hpp"
#include "stun/stun_message.hpp"

namespace {
using namespace sala::server::stun;
using sala::test::Bytes;
using sala::test::hex;

std::string text(std::span<const std::uint8_t> value) { return std::string(value.begin(), value.end()); }

const TransactionId kVectorTransaction{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
const TransportAddress kVectorIpv4 = TransportAddress::v4({192, 0, 2, 1}, 32853);
const TransportAddress kVectorIpv6 = TransportAddress::v6(
    {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}, 32853);
const TransactionId kTransaction{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// The message views `bytes`: they must outlive it.
Message parsed(std::span<const std::uint8_t> bytes) {
    auto result = parse(bytes);
    if (auto* error = std::get_if<ParseError>(&result)) {
        ADD_FAILURE() << "parse failed: " << static_cast<int>(*error);
        return {};
    }
    return std::get<Message>(result);
}

ParseError parse_error(const Bytes& bytes) {
    auto result = parse(bytes);
    EXPECT_TRUE(std::holds_alternative<ParseError>(result)) << "parsed, but should not have";
    return std::holds_alternative<ParseError>(result) ? std::get<ParseError>(result) : ParseError{};
}

// A bare header: `length` bytes of attributes announced, none written.
Bytes header(std::uint16_t type, std::uint16_t length = 0) {
    Bytes b(kHeaderSize);
    b[0] = static_cast<std::uint8_t>(type >> 8);
    b[1] = static_cast<std::uint8_t>(type);
    b[2] = static_cast<std::uint8_t>(length >> 8);
    b[3] = static_cast<std::uint8_t>(length);
    b[4] = 0x21;
    b[5] = 0x12;
    b[6] = 0xa4;
    b[7] = 0x42;
    std::copy(kTransaction.begin(), kTransaction.end(), b.begin() + 8);
    return b;
}

// Appends an attribute with zero padding and fixes the header's length.
void append(Bytes& message, std::uint16_t type, const Bytes& value) {
    message.push_back(static_cast<std::uint8_t>(type >> 8));
    message.push_back(static_cast<std::uint8_t>(type));
    message.push_back(static_cast<std::uint8_t>(value.size() >> 8));
    message.push_back(static_cast<std::uint8_t>(value.size()));
    message.insert(message.end(), value.begin(), value.end());
    while (message.size() % 4) message.push_back(0);
    std::size_t length = message.size() - kHeaderSize;
    message[2] = static_cast<std::uint8_t>(length >> 8);
    message[3] = static_cast<std::uint8_t>(length);
}

TEST(StunCrc32, MatchesTheStandardCheckValue) {
    std::string check = "123456789";
    EXPECT_EQ(crc32(std::span(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())), 0xCBF43926u);
    EXPECT_EQ(crc32({}), 0u);
}

TEST(StunMessageType, InterleavesTheClassBitsIntoTheMethod) {
    EXPECT_EQ(message_type(method::binding, Class::request), 0x0001);
    EXPECT_EQ(message_type(method::binding, Class::indication), 0x0011);
    EXPECT_EQ(message_type(method::binding, Class::success_response), 0x0101);
    EXPECT_EQ(message_type(method::binding, Class::error_response), 0x0111);
    EXPECT_EQ(message_type(0x003, Class::request), 0x0003);  // TURN Allocate
    EXPECT_EQ(message_type(0x0FFF, Class::error_response), 0x3FFF);
}

TEST(StunMessageType, EveryMethodAndClassSurvivesTheHeader) {
    for (std::uint16_t m = 0; m <= 0x0FFF; ++m) {
        for (Class c : {Class::request, Class::indication, Class::success_response, Class::error_response}) {
            Bytes b = header(message_type(m, c));
            auto h = parse_header(b);
            ASSERT_TRUE(h);
            EXPECT_EQ(h->method, m);
            EXPECT_EQ(h->message_class, c);
        }
    }
}

TEST(StunRfc5769, SampleRequestParsesWithItsFingerprint) {
    Message m = parsed(sala::test::kRfc5769Request);
    EXPECT_EQ(m.header().method, method::binding);
    EXPECT_EQ(m.header().message_class, Class::request);
    EXPECT_EQ(m.header().length, 0x58);
    EXPECT_EQ(m.header().transaction, kVectorTransaction);
    EXPECT_TRUE(m.has_fingerprint());
    ASSERT_EQ(m.attributes().size(), 6u);
    std::vector<std::uint16_t> types;
    for (const auto& a : m.attributes()) types.push_back(a.type);
    EXPECT_EQ(types, (std::vector<std::uint16_t>{attribute::software, 0x0024, 0x8029, attribute::username,
                                                 attribute::message_integrity, attribute::fingerprint}));
    EXPECT_EQ(text(m.find(attribute::software)->value), "STUN test client");
    EXPECT_EQ(text(m.find(attribute::username)->value), "evtj:h6vY");  // without its padding
    const Attribute* integrity = m.find(attribute::message_integrity);
    ASSERT_NE(integrity, nullptr);
    EXPECT_EQ(integrity->offset, 0x58 + kHeaderSize - 8 - 24);  // where an HMAC check will stop
    EXPECT_EQ(integrity->value.size(), 20u);
    // PRIORITY (an ICE attribute) is comprehension-required and not RFC 8489's.
    auto unknown = unknown_comprehension_required(m);
    EXPECT_EQ(std::vector<std::uint16_t>(unknown.types().begin(), unknown.types().end()),
              std::vector<std::uint16_t>{0x0024});
}

TEST(StunRfc5769, Ipv4ResponseGivesItsMappedAddress) {
    Message m = parsed(sala::test::kRfc5769Ipv4Response);
    EXPECT_EQ(m.header().message_class, Class::success_response);
    EXPECT_EQ(m.header().transaction, kVectorTransaction);
    EXPECT_TRUE(m.has_fingerprint());
    EXPECT_EQ(text(m.find(attribute::software)->value), "test vector");
    const Attribute* mapped = m.find(attribute::xor_mapped_address);
    ASSERT_NE(mapped, nullptr);
    EXPECT_EQ(decode_xor_address(mapped->value, m.header().transaction), kVectorIpv4);
}

TEST(StunRfc5769, Ipv6ResponseGivesItsMappedAddress) {
    Message m = parsed(sala::test::kRfc5769Ipv6Response);
    EXPECT_TRUE(m.has_fingerprint());
    const Attribute* mapped = m.find(attribute::xor_mapped_address);
    ASSERT_NE(mapped, nullptr);
    EXPECT_EQ(decode_xor_address(mapped->value, m.header().transaction), kVectorIpv6);
}

TEST(StunRfc5769, BuilderWritesTheVectorsXorMappedAddresses) {
    for (auto [vector, address, at, size] : {std::tuple{&sala::test::kRfc5769Ipv4Response, kVectorIpv4, 36u, 12u},
                                             std::tuple{&sala::test::kRfc5769Ipv6Response, kVectorIpv6, 36u, 24u}}) {
        std::array<std::uint8_t, 64> buffer{};
        auto built = MessageBuilder(buffer, method::binding, Class::success_response, kVectorTransaction)
                         .add_xor_address(attribute::xor_mapped_address, address)
                         .finish();
        ASSERT_TRUE(built);
        ASSERT_EQ(built->size(), kHeaderSize + size);
        EXPECT_EQ(Bytes(built->begin() + kHeaderSize, built->end()),
                  Bytes(vector->begin() + at, vector->begin() + at + size));
    }
}

TEST(StunRfc5769, EveryChangedByteBreaksTheFingerprint) {
    for (const Bytes* vector :
         {&sala::test::kRfc5769Request, &sala::test::kRfc5769Ipv4Response, &sala::test::kRfc5769Ipv6Response}) {
        std::size_t fingerprint_type = vector->size() - 8;
        for (std::size_t i = kHeaderSize; i < vector->size(); ++i) {
            // Another type there makes it an attribute like any other, and no fingerprint to check.
            if (i == fingerprint_type || i == fingerprint_type + 1) continue;
            Bytes changed = *vector;
            changed[i] ^= 0x01;
            auto result = parse(changed);
            // A change inside an attribute's header may break the walk before the fingerprint is reached.
            ASSERT_TRUE(std::holds_alternative<ParseError>(result)) << "byte " << i;
        }
    }
}

TEST(StunRoundTrip, SuccessResponseWithEverything) {
    for (const TransportAddress& address :
         {TransportAddress::v4({203, 0, 113, 7}, 65535), kVectorIpv6, TransportAddress::v4({0, 0, 0, 0}, 0)}) {
        std::array<std::uint8_t, 256> buffer{};
        auto built = MessageBuilder(buffer, method::binding, Class::success_response, kTransaction)
                         .add_xor_address(attribute::xor_mapped_address, address)
                         .add_address(attribute::mapped_address, address)
                         .add_software("sala-server")
                         .add_fingerprint()
                         .finish();
        ASSERT_TRUE(built);
        EXPECT_EQ(built->size() % 4, 0u);
        Message m = parsed(*built);
        EXPECT_EQ(m.header().method, method::binding);
        EXPECT_EQ(m.header().message_class, Class::success_response);
        EXPECT_EQ(m.header().transaction, kTransaction);
        EXPECT_TRUE(m.has_fingerprint());
        EXPECT_EQ(decode_xor_address(m.find(attribute::xor_mapped_address)->value, kTransaction), address);
        EXPECT_EQ(decode_address(m.find(attribute::mapped_address)->value), address);
        EXPECT_EQ(text(m.find(attribute::software)->value), "sala-server");
    }
}

TEST(StunRoundTrip, ErrorResponseWithUnknownAttributes) {
    AttributeTypes unknown;
    unknown.add(0x0024);
    unknown.add(0x0003);
    unknown.add(0x7FFF);
    std::array<std::uint8_t, 128> buffer{};
    auto built = MessageBuilder(buffer, method::binding, Class::error_response, kTransaction)
                     .add_error_code(error::unknown_attribute)
                     .add_unknown_attributes(unknown)
                     .finish();
    ASSERT_TRUE(built);
    Message m = parsed(*built);
    EXPECT_EQ(m.header().message_class, Class::error_response);
    EXPECT_FALSE(m.has_fingerprint());
    auto code = decode_error_code(m.find(attribute::error_code)->value);
    ASSERT_TRUE(code);
    EXPECT_EQ(code->code, 420);
    EXPECT_EQ(code->reason, "Unknown Attribute");
    auto listed = decode_unknown_attributes(m.find(attribute::unknown_attributes)->value);
    ASSERT_TRUE(listed);
    EXPECT_EQ(std::vector<std::uint16_t>(listed->types().begin(), listed->types().end()),
              (std::vector<std::uint16_t>{0x0024, 0x0003, 0x7FFF}));
    // Three types are 6 bytes, padded to 8 with zeros.
    const Attribute* a = m.find(attribute::unknown_attributes);
    EXPECT_EQ(a->value.size(), 6u);
    EXPECT_EQ(built->size(), a->offset + 4u + 8u);
    EXPECT_EQ((*built)[a->offset + 4 + 6], 0);
    EXPECT_EQ((*built)[a->offset + 4 + 7], 0);
}

TEST(StunRoundTrip, BadRequestCode) {
    std::array<std::uint8_t, 64> buffer{};
    auto built = MessageBuilder(buffer, method::binding, Class::error_response, kTransaction)
                     .add_error_code(error::bad_request)
                     .add_fingerprint()
                     .finish();
    ASSERT_TRUE(built);
    auto code = decode_error_code(parsed(*built).find(attribute::error_code)->value);
    ASSERT_TRUE(code);
    EXPECT_EQ(code->code, 400);
    EXPECT_EQ(code->reason, "Bad Request");
}

TEST(StunRoundTrip, AnEmptyRequest) {
    std::array<std::uint8_t, kHeaderSize> buffer{};
    auto built = MessageBuilder(buffer, method::binding, Class::request, kTransaction).finish();
    ASSERT_TRUE(built);
    EXPECT_EQ(Bytes(built->begin(), built->end()), header(0x0001));
    Bytes empty = header(0x0001);
    Message m = parsed(empty);
    EXPECT_TRUE(m.attributes().empty());
    EXPECT_FALSE(m.has_fingerprint());
}

TEST(StunBuilder, FailsWhenItDoesNotFitOrBreaksARule) {
    std::array<std::uint8_t, 40> buffer{};
    auto small = [&] {
        return MessageBuilder(std::span(buffer).first(kHeaderSize + 12), 1, Class::request, kTransaction);
    };
    EXPECT_FALSE(small().add_xor_address(attribute::xor_mapped_address, kVectorIpv6).finish());
    EXPECT_TRUE(small().add_xor_address(attribute::xor_mapped_address, TransportAddress::v4({1, 2, 3, 4}, 5)).finish());
    EXPECT_FALSE(MessageBuilder(std::span(buffer).first(19), 1, Class::request, kTransaction).finish());
    EXPECT_FALSE(MessageBuilder(buffer, 0x1000, Class::request, kTransaction).finish());
    EXPECT_FALSE(MessageBuilder(buffer, 1, Class::request, kTransaction).add_fingerprint().add_software("x").finish());
    EXPECT_FALSE(MessageBuilder(buffer, 1, Class::error_response, kTransaction).add_error_code({299, "x"}).finish());
    EXPECT_FALSE(MessageBuilder(buffer, 1, Class::error_response, kTransaction).add_error_code({700, "x"}).finish());
    std::string long_reason(kMaxReasonBytes + 1, 'x');
    std::array<std::uint8_t, 1024> big{};
    EXPECT_FALSE(
        MessageBuilder(big, 1, Class::error_response, kTransaction).add_error_code({400, long_reason}).finish());
    EXPECT_FALSE(MessageBuilder(big, 1, Class::request, kTransaction)
                     .add_software(std::string(kMaxSoftwareBytes + 1, 'x'))
                     .finish());
}

TEST(StunMalformed, ShortHeadersAreNotStun) {
    Bytes full = header(0x0001);
    for (std::size_t size = 0; size < kHeaderSize; ++size) {
        Bytes cut(full.begin(), full.begin() + size);
        EXPECT_FALSE(parse_header(cut)) << size;
        EXPECT_EQ(parse_error(cut), ParseError::not_stun) << size;
    }
}

TEST(StunMalformed, TopBitsOrCookieWrongIsNotStun) {
    for (std::uint8_t top : {0x40, 0x80, 0xC0}) {
        Bytes b = header(0x0001);
        b[0] |= top;
        EXPECT_EQ(parse_error(b), ParseError::not_stun);
    }
    for (std::size_t i = 4; i < 8; ++i) {
        Bytes b = header(0x0001);
        b[i] ^= 0xFF;
        EXPECT_EQ(parse_error(b), ParseError::not_stun);
    }
    Bytes rtp{0x80, 0x6f, 0x00, 0x01, 0x00, 0x00, 0x03, 0xc0, 0x12, 0x34,
              0x56, 0x78, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};  // an RTP packet
    EXPECT_EQ(parse_error(rtp), ParseError::not_stun);
}

TEST(StunMalformed, LengthThatIsNotAMultipleOfFourOrDoesNotMatch) {
    for (std::uint16_t length : {1, 2, 3, 5, 6, 7}) {
        Bytes b = header(0x0001, length);
        b.resize(kHeaderSize + length);
        EXPECT_EQ(parse_error(b), ParseError::not_stun) << length;
    }
    Bytes longer = header(0x0001, 8);
    longer.resize(kHeaderSize + 4);  // says 8, carries 4
    EXPECT_EQ(parse_error(longer), ParseError::not_stun);
    Bytes shorter = header(0x0001, 4);
    shorter.resize(kHeaderSize + 8);  // says 4, carries 8
    EXPECT_EQ(parse_error(shorter), ParseError::not_stun);
    Bytes huge = header(0x0001, 0xFFFC);
    EXPECT_EQ(parse_error(huge), ParseError::not_stun);
}

TEST(StunMalformed, AttributeRunningPastTheEnd) {
    Bytes b = header(0x0001);
    append(b, attribute::software, hex("61 62 63 64"));
    b[kHeaderSize + 3] = 5;  // SOFTWARE says 5 bytes (8 with padding) where 4 are left
    EXPECT_EQ(parse_error(b), ParseError::bad_attributes);
    b[kHeaderSize + 2] = 0xFF;  // 0xFF05 bytes
    EXPECT_EQ(parse_error(b), ParseError::bad_attributes);
    // The same at the second attribute.
    Bytes second = header(0x0001);
    append(second, attribute::software, hex("61"));
    append(second, attribute::username, hex("61 62"));
    second[second.size() - 5] = 9;
    EXPECT_EQ(parse_error(second), ParseError::bad_attributes);
}

TEST(StunMalformed, TooManyAttributes) {
    Bytes most = header(0x0001);
    for (std::size_t i = 0; i < kMaxAttributes; ++i) append(most, 0x8000 + static_cast<std::uint16_t>(i), {});
    EXPECT_EQ(parsed(most).attributes().size(), kMaxAttributes);
    Bytes more = most;
    append(more, 0x8100, {});
    EXPECT_EQ(parse_error(more), ParseError::bad_attributes);
    Bytes lots = header(0x0001);
    for (int i = 0; i < 16000; ++i) append(lots, attribute::software, {});  // 64,000 bytes of empty attributes
    EXPECT_EQ(parse_error(lots), ParseError::bad_attributes);
}

TEST(StunMalformed, BadFingerprints) {
    Bytes good = header(0x0001);
    append(good, attribute::software, hex("61 62 63"));
    std::array<std::uint8_t, 64> buffer{};
    auto built = MessageBuilder(buffer, method::binding, Class::request, kTransaction)
                     .add_software("abc")
                     .add_fingerprint()
                     .finish();
    ASSERT_TRUE(built);
    Bytes with(built->begin(), built->end());
    EXPECT_TRUE(parsed(with).has_fingerprint());

    Bytes wrong = with;
    wrong.back() ^= 0x80;
    EXPECT_EQ(parse_error(wrong), ParseError::bad_fingerprint);
    Bytes body = with;
    body[kHeaderSize + 4] = 'x';
    EXPECT_EQ(parse_error(body), ParseError::bad_fingerprint);
    Bytes transaction = with;
    transaction[19] ^= 1;
    EXPECT_EQ(parse_error(transaction), ParseError::bad_fingerprint);

    Bytes not_last = with;
    append(not_last, attribute::software, hex("61"));
    EXPECT_EQ(parse_error(not_last), ParseError::bad_fingerprint);

    Bytes wrong_size = good;
    append(wrong_size, attribute::fingerprint, hex("01 02 03 04 05 06 07 08"));
    EXPECT_EQ(parse_error(wrong_size), ParseError::bad_fingerprint);
    Bytes empty = good;
    append(empty, attribute::fingerprint, {});
    EXPECT_EQ(parse_error(empty), ParseError::bad_fingerprint);
}

TEST(StunMalformed, AddressValues) {
    const Bytes v4 = hex("00 01 a1 47 e1 12 a6 43");
    EXPECT_EQ(decode_xor_address(v4, kVectorTransaction), kVectorIpv4);
    for (std::size_t size = 0; size < v4.size(); ++size)
        EXPECT_FALSE(decode_xor_address(std::span(v4).first(size), kVectorTransaction)) << size;
    Bytes padded_v4 = v4;
    padded_v4.resize(20);  // IPv4 family with an IPv6-sized value
    EXPECT_FALSE(decode_xor_address(padded_v4, kVectorTransaction));
    Bytes v6_short = hex("00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9");
    EXPECT_FALSE(decode_xor_address(v6_short, kVectorTransaction));
    for (std::uint8_t family : {0, 3, 0xFF}) {
        Bytes b = v4;
        b[1] = family;
        EXPECT_FALSE(decode_address(b));
    }
    Bytes reserved = v4;
    reserved[0] = 0xAA;  // the first byte is ignored
    EXPECT_EQ(decode_xor_address(reserved, kVectorTransaction), kVectorIpv4);
}

TEST(StunMalformed, ErrorCodeAndUnknownAttributesValues) {
    EXPECT_FALSE(decode_error_code(hex("00 00 04")));
    EXPECT_FALSE(decode_error_code(hex("00 00 02 63")));  // 299
    EXPECT_FALSE(decode_error_code(hex("00 00 07 00")));  // 700
    EXPECT_FALSE(decode_error_code(hex("00 00 04 64")));  // 4 and 100
    EXPECT_EQ(decode_error_code(hex("00 00 06 63"))->code, 699);
    EXPECT_EQ(decode_error_code(hex("ff ff fb 00"))->code, 300);  // reserved bits ignored
    EXPECT_FALSE(decode_unknown_attributes(hex("00 24 00")));
    EXPECT_TRUE(decode_unknown_attributes({}));
    Bytes too_many(2 * (kMaxAttributes + 1), 0x11);
    EXPECT_FALSE(decode_unknown_attributes(too_many));
}

TEST(StunUnknownAttributes, ListsEachRequiredUnknownTypeOnce) {
    Bytes b = header(0x0001);
    append(b, 0x0024, hex("01 02 03 04"));              // PRIORITY: required, unknown
    append(b, 0x8029, hex("01 02 03 04 05 06 07 08"));  // ICE-CONTROLLED: optional, ignored
    append(b, attribute::username, hex("61"));          // known
    append(b, 0x0003, hex("00 00 00 06"));              // CHANGE-REQUEST (RFC 5780): required, unknown
    append(b, 0x0024, hex("01 02 03 04"));              // again
    append(b, 0xC057, hex("00 01 00 0a"));              // optional, unknown
    auto unknown = unknown_comprehension_required(parsed(b));
    EXPECT_EQ(std::vector<std::uint16_t>(unknown.types().begin(), unknown.types().end()),
              (std::vector<std::uint16_t>{0x0024, 0x0003}));
}

}  // namespace
