// What sala-server answers on its STUN port: Binding requests get the address they came from,
// malformed ones 400, unknown comprehension-required attributes 420, everything else silence.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "stun/binding_responder.hpp"

namespace {
using namespace sala::server::stun;
using Bytes = std::vector<std::uint8_t>;

const TransactionId kTransaction{0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac};
const TransportAddress kSource = TransportAddress::v4({198, 51, 100, 23}, 40123);
const TransportAddress kSource6 =
    TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42}, 5000);

// Builds a request of `method` and `message_class` with the given attributes (and a FINGERPRINT).
struct Request {
    std::uint16_t method = method::binding;
    Class message_class = Class::request;
    std::vector<std::pair<std::uint16_t, Bytes>> attributes{};
    bool fingerprint = false;

    Bytes bytes() const {
        std::array<std::uint8_t, 512> buffer{};
        MessageBuilder b(buffer, method, message_class, kTransaction);
        for (const auto& [type, value] : attributes) b.add(type, value);
        if (fingerprint) b.add_fingerprint();
        auto out = b.finish();
        EXPECT_TRUE(out);
        return out ? Bytes(out->begin(), out->end()) : Bytes{};
    }
};

Message parsed(std::span<const std::uint8_t> bytes) {
    auto result = parse(bytes);
    if (!std::holds_alternative<Message>(result)) {
        ADD_FAILURE() << "the response does not parse";
        return {};
    }
    return std::get<Message>(result);
}

std::vector<std::uint16_t> listed(const Message& m) {
    const Attribute* a = m.find(attribute::unknown_attributes);
    if (!a) return {};
    auto types = decode_unknown_attributes(a->value);
    return types ? std::vector<std::uint16_t>(types->types().begin(), types->types().end())
                 : std::vector<std::uint16_t>{};
}

std::uint16_t error_code_of(const Message& m) {
    const Attribute* a = m.find(attribute::error_code);
    auto code = a ? decode_error_code(a->value) : std::nullopt;
    return code ? code->code : 0;
}

TEST(StunBindingResponder, AnswersWithTheSourceAddress) {
    BindingResponder responder("sala-server");
    for (const TransportAddress& source : {kSource, kSource6}) {
        Bytes request = Request{}.bytes();
        ASSERT_EQ(request.size(), kHeaderSize);
        Reply reply = responder.respond(request, source);
        EXPECT_EQ(reply.verdict, Verdict::answered);
        Message m = parsed(reply.response);
        EXPECT_EQ(m.header().method, method::binding);
        EXPECT_EQ(m.header().message_class, Class::success_response);
        EXPECT_EQ(m.header().transaction, kTransaction);
        EXPECT_FALSE(m.has_fingerprint());  // the request had none
        const Attribute* mapped = m.find(attribute::xor_mapped_address);
        ASSERT_NE(mapped, nullptr);
        EXPECT_EQ(decode_xor_address(mapped->value, kTransaction), source);
        const Attribute* software = m.find(attribute::software);
        ASSERT_NE(software, nullptr);
        EXPECT_EQ(std::string(software->value.begin(), software->value.end()), "sala-server");
        EXPECT_EQ(m.find(attribute::mapped_address), nullptr);
    }
}

TEST(StunBindingResponder, FingerprintInFingerprintOut) {
    BindingResponder responder;
    Reply reply = responder.respond(Request{.fingerprint = true}.bytes(), kSource);
    EXPECT_EQ(reply.verdict, Verdict::answered);
    Message m = parsed(reply.response);
    EXPECT_TRUE(m.has_fingerprint());
    EXPECT_EQ(m.find(attribute::software), nullptr);  // none asked for
    EXPECT_EQ(m.attributes().back().type, attribute::fingerprint);
}

TEST(StunBindingResponder, KnownButUnexpectedAttributesAreIgnored) {
    BindingResponder responder;
    Request request{.attributes = {{attribute::username, {'a', ':', 'b'}},
                                   {attribute::software, {'x'}},
                                   {attribute::xor_mapped_address, {1, 2}},  // malformed, and ignored
                                   {0x8029, Bytes(8, 7)},                    // ICE-CONTROLLED: optional
                                   {attribute::message_integrity, Bytes(20, 0)}},
                    .fingerprint = true};
    Reply reply = responder.respond(request.bytes(), kSource);
    EXPECT_EQ(reply.verdict, Verdict::answered);
    EXPECT_TRUE(parsed(reply.response).has_fingerprint());
}

TEST(StunBindingResponder, UnknownRequiredAttributesGet420) {
    BindingResponder responder("sala-server");
    Request request{.attributes = {{0x0003, {0, 0, 0, 6}},  // CHANGE-REQUEST (RFC 5780)
                                   {0x8029, Bytes(8, 7)},
                                   {0x0024, {1, 2, 3, 4}},  // PRIORITY (ICE)
                                   {0x0003, {0, 0, 0, 2}}},
                    .fingerprint = true};
    Reply reply = responder.respond(request.bytes(), kSource);
    EXPECT_EQ(reply.verdict, Verdict::unknown_attribute);
    Message m = parsed(reply.response);
    EXPECT_EQ(m.header().message_class, Class::error_response);
    EXPECT_EQ(m.header().transaction, kTransaction);
    EXPECT_EQ(error_code_of(m), 420);
    EXPECT_EQ(listed(m), (std::vector<std::uint16_t>{0x0003, 0x0024}));
    EXPECT_TRUE(m.has_fingerprint());
    EXPECT_EQ(m.find(attribute::xor_mapped_address), nullptr);
}

TEST(StunBindingResponder, AttributesOutOfBoundsGet400) {
    BindingResponder responder;
    Bytes request = Request{.attributes = {{attribute::software, {'a', 'b', 'c', 'd'}}}}.bytes();
    request[kHeaderSize + 3] = 9;  // SOFTWARE's length now runs past the end
    Reply reply = responder.respond(request, kSource);
    EXPECT_EQ(reply.verdict, Verdict::bad_request);
    Message m = parsed(reply.response);
    EXPECT_EQ(m.header().transaction, kTransaction);
    EXPECT_EQ(error_code_of(m), 400);
    EXPECT_FALSE(m.has_fingerprint());  // unknown whether the request had one

    Request many;
    for (std::uint16_t i = 0; i <= kMaxAttributes; ++i)
        many.attributes.push_back({static_cast<std::uint16_t>(0x8000 + i), {}});
    EXPECT_EQ(responder.respond(many.bytes(), kSource).verdict, Verdict::bad_request);
}

TEST(StunBindingResponder, IndicationsAreNotAnswered) {
    BindingResponder responder;
    Reply reply = responder.respond(Request{.message_class = Class::indication}.bytes(), kSource);
    EXPECT_EQ(reply.verdict, Verdict::indication);
    EXPECT_TRUE(reply.response.empty());
    Request odd{.message_class = Class::indication, .attributes = {{0x0024, {1, 2, 3, 4}}}};
    EXPECT_TRUE(responder.respond(odd.bytes(), kSource).response.empty());
    Bytes broken = Request{.message_class = Class::indication, .attributes = {{attribute::software, {'a'}}}}.bytes();
    broken[kHeaderSize + 3] = 9;
    EXPECT_TRUE(responder.respond(broken, kSource).response.empty());
}

TEST(StunBindingResponder, ResponsesOtherMethodsAndBadFingerprintsAreDropped) {
    BindingResponder responder;
    // Answering responses would let two servers bounce datagrams between them forever.
    for (Class c : {Class::success_response, Class::error_response}) {
        Reply reply = responder.respond(Request{.message_class = c}.bytes(), kSource);
        EXPECT_EQ(reply.verdict, Verdict::dropped);
        EXPECT_TRUE(reply.response.empty());
    }
    for (std::uint16_t m : {0x002, 0x003, 0x004, 0x008, 0x009, 0x00A, 0xFFF}) {  // TURN's methods among them
        Reply reply = responder.respond(Request{.method = m}.bytes(), kSource);
        EXPECT_EQ(reply.verdict, Verdict::dropped) << m;
    }
    Bytes wrong = Request{.attributes = {{attribute::software, {'a'}}}, .fingerprint = true}.bytes();
    wrong.back() ^= 1;
    EXPECT_EQ(responder.respond(wrong, kSource).verdict, Verdict::dropped);
    // A broken FINGERPRINT is the fingerprint's failure, not a malformed request.
    Bytes misplaced = Request{.attributes = {{attribute::fingerprint, {1, 2}}}}.bytes();
    EXPECT_EQ(responder.respond(misplaced, kSource).verdict, Verdict::dropped);
}

TEST(StunBindingResponder, GarbageGetsSilence) {
    BindingResponder responder;
    EXPECT_EQ(responder.respond({}, kSource).verdict, Verdict::dropped);
    Bytes text{'h', 'e', 'l', 'l', 'o', ' ', 's', 'e', 'r', 'v', 'e', 'r', '!', '\n', 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(responder.respond(text, kSource).verdict, Verdict::dropped);
    Bytes request = Request{}.bytes();
    request.push_back(0);  // one byte more than the header says
    EXPECT_EQ(responder.respond(request, kSource).verdict, Verdict::dropped);
    std::mt19937 random(11);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 10000; ++i) {
        Bytes noise(static_cast<std::size_t>(i % 200));
        for (auto& b : noise) b = static_cast<std::uint8_t>(byte(random));
        EXPECT_TRUE(responder.respond(noise, kSource).response.empty());
    }
}

// The exchange docs/protocol.md shows (its FINGERPRINTs computed with Python's zlib.crc32).
TEST(StunBindingResponder, TheDocumentedExchangeByteForByte) {
    auto hex = [](std::string_view text) {
        Bytes out;
        for (std::size_t i = 0; i + 1 < text.size(); i += 3)
            out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
        return out;
    };
    BindingResponder responder("sala-server");
    const TransportAddress client = TransportAddress::v4({203, 0, 113, 5}, 40000);
    Reply plain = responder.respond(hex("00 01 00 00 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c"), client);
    EXPECT_EQ(Bytes(plain.response.begin(), plain.response.end()),
              hex("01 01 00 1c 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c 00 20 00 08 00 01 bd 52 ea 12 d5 47 "
                  "80 22 00 0b 73 61 6c 61 2d 73 65 72 76 65 72 00"));
    Reply fingerprinted = responder.respond(
        hex("00 01 00 08 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c 80 28 00 04 5b 20 f9 cc"), client);
    EXPECT_EQ(Bytes(fingerprinted.response.begin(), fingerprinted.response.end()),
              hex("01 01 00 24 21 12 a4 42 01 02 03 04 05 06 07 08 09 0a 0b 0c 00 20 00 08 00 01 bd 52 ea 12 d5 47 "
                  "80 22 00 0b 73 61 6c 61 2d 73 65 72 76 65 72 00 80 28 00 04 66 ab 59 c0"));
}

TEST(StunBindingResponder, ARequestNeverGetsMoreThanThreeTimesItsSize) {
    // Reflection: what an attacker with a forged source gets sent to the victim per byte.
    BindingResponder responder("sala-server");
    Reply reply = responder.respond(Request{}.bytes(), kSource6);
    EXPECT_LE(reply.response.size(), 3 * kHeaderSize);
}

}  // namespace
