// libFuzzer target: the STUN parser and the Binding responder on any bytes. Besides what the
// sanitizers catch, it checks that whatever the server would send is itself a valid STUN message
// for the same transaction, and that every attribute lies inside the datagram.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include <algorithm>

#include "check.hpp"
#include "stun/binding_responder.hpp"
#include "stun/stun_message.hpp"

namespace {
using namespace sala::server::stun;

using sala::fuzz::check;

void read_everything(const Message& message, std::span<const std::uint8_t> datagram) {
    for (const Attribute& a : message.attributes()) {
        check(a.value.data() >= datagram.data() &&
              a.value.data() + a.value.size() <= datagram.data() + datagram.size());
        check(a.offset >= kHeaderSize && a.offset + kAttributeHeaderSize + a.value.size() <= datagram.size());
        const auto& id = message.header().transaction;
        if (auto address = decode_xor_address(a.value, id)) check(address->ip_size() + 4 == a.value.size());
        if (auto address = decode_address(a.value)) check(address->port == (a.value[2] << 8 | a.value[3]));
        if (auto code = decode_error_code(a.value)) check(code->code >= 300 && code->code <= 699);
        if (auto types = decode_unknown_attributes(a.value)) check(types->types().size() * 2 == a.value.size());
    }
    auto unknown = unknown_comprehension_required(message);
    for (std::uint16_t type : unknown.types()) check(comprehension_required(type) && !known_attribute(type));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> datagram(data, size);
    auto parsed = parse(datagram);
    if (auto* message = std::get_if<Message>(&parsed)) read_everything(*message, datagram);

    static BindingResponder responder("sala-server");
    for (const TransportAddress& source :
         {TransportAddress::v4({192, 0, 2, 1}, 3478),
          TransportAddress::v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 65535)}) {
        Reply reply = responder.respond(datagram, source);
        if (reply.response.empty()) continue;
        if (reply.verdict == Verdict::answered_classic) {
            // RFC 3489's form: a Binding request without the cookie, answered with its whole 16-byte id
            // echoed and a MAPPED-ADDRESS of the source.
            const auto& out = reply.response;
            check(datagram.size() >= kHeaderSize && datagram[0] == 0x00 && datagram[1] == 0x01);
            check(out.size() == kHeaderSize + 4 + 4 + source.ip_size() && out[0] == 0x01 && out[1] == 0x01);
            check(std::equal(datagram.begin() + 4, datagram.begin() + kHeaderSize, out.begin() + 4));
            check(decode_address(out.subspan(kHeaderSize + 4)) == source);
            continue;
        }
        auto header = parse_header(datagram);
        check(header && header->message_class == Class::request);
        auto answer = parse(reply.response);
        check(std::holds_alternative<Message>(answer));
        const Message& m = std::get<Message>(answer);
        check(m.header().transaction == header->transaction);
        check(reply.response.size() <= 140);  // the largest: 420 listing 32 types, with SOFTWARE and FINGERPRINT
        if (reply.verdict == Verdict::answered) {
            const Attribute* mapped = m.find(attribute::xor_mapped_address);
            check(mapped && decode_xor_address(mapped->value, m.header().transaction) == source);
        }
    }
    return 0;
}
