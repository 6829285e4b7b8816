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
    if (!header || header->method != method::binding) return {};
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
