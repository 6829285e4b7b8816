#include "stun/binding_responder.hpp"

#include <algorithm>
#include <variant>

namespace sala::server::stun {

BindingResponder::BindingResponder(std::string_view software)
    : software_(software.substr(0, std::min(software.size(), kMaxSoftwareBytes))) {}

Reply BindingResponder::respond(std::span<const std::uint8_t> datagram, const TransportAddress& source) {
    // RFC 8489, 6.3: a bad header, an unsupported method, a response to no transaction of ours
    // or a wrong FINGERPRINT is discarded silently.
    auto header = parse_header(datagram);
    if (!header) return respond_classic(datagram, source);
    if (header->method != method::binding) return {};
    if (header->message_class != Class::request && header->message_class != Class::indication) return {};
    auto parsed = parse(datagram);
    if (auto* why = std::get_if<ParseError>(&parsed)) {
        if (*why == ParseError::bad_attributes && header->message_class == Class::request)
            return error(*header, Verdict::bad_request, error::bad_request, {}, false);
        return {};
    }
    const Message& message = std::get<Message>(parsed);
    AttributeTypes unknown = unknown_comprehension_required(message);
    if (header->message_class == Class::indication)
        return {unknown.empty() ? Verdict::indication : Verdict::dropped, {}};
    if (!unknown.empty())
        return error(*header, Verdict::unknown_attribute, error::unknown_attribute, unknown, message.has_fingerprint());

    MessageBuilder out(out_, method::binding, Class::success_response, header->transaction);
    out.add_xor_address(attribute::xor_mapped_address, source);
    if (!software_.empty()) out.add_software(software_);
    if (message.has_fingerprint()) out.add_fingerprint();
    auto bytes = out.finish();
    return bytes ? Reply{Verdict::answered, *bytes} : Reply{};
}

Reply BindingResponder::respond_classic(std::span<const std::uint8_t> datagram, const TransportAddress& source) {
    // Binding Request (0x0001), a length that is a multiple of 4 and matches, any attributes
    // (ignored: CHANGE-REQUEST and the like are RFC 3489's NAT tests, not served here).
    if (datagram.size() < kHeaderSize || datagram[0] != 0x00 || datagram[1] != 0x01) return {};
    const std::size_t length = std::size_t(datagram[2]) << 8 | datagram[3];
    if (length % 4 != 0 || kHeaderSize + length != datagram.size()) return {};
    const std::size_t ip_size = source.ip_size();
    const std::size_t value_size = 4 + ip_size;
    std::uint8_t* p = out_.data();
    p[0] = 0x01;  // Binding Success Response
    p[1] = 0x01;
    p[2] = 0;
    p[3] = static_cast<std::uint8_t>(4 + value_size);
    std::copy_n(datagram.data() + 4, 16, p + 4);  // the 128-bit transaction id, echoed
    p += kHeaderSize;
    p[0] = 0x00;  // MAPPED-ADDRESS
    p[1] = 0x01;
    p[2] = 0;
    p[3] = static_cast<std::uint8_t>(value_size);
    p[4] = 0;
    p[5] = source.family == Family::ipv4 ? 0x01 : 0x02;
    p[6] = static_cast<std::uint8_t>(source.port >> 8);
    p[7] = static_cast<std::uint8_t>(source.port);
    std::copy_n(source.ip.data(), ip_size, p + 8);
    return {Verdict::answered_classic, std::span<const std::uint8_t>(out_.data(), kHeaderSize + 4 + value_size)};
}

Reply BindingResponder::error(const Header& request, Verdict verdict, const ErrorReason& reason,
                              const AttributeTypes& unknown, bool fingerprint) {
    MessageBuilder out(out_, method::binding, Class::error_response, request.transaction);
    out.add_error_code(reason);
    if (!unknown.empty()) out.add_unknown_attributes(unknown);
    if (!software_.empty()) out.add_software(software_);
    if (fingerprint) out.add_fingerprint();
    auto bytes = out.finish();
    return bytes ? Reply{verdict, *bytes} : Reply{};
}

}  // namespace sala::server::stun
