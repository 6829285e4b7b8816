#pragma once
// What sala-server answers to one datagram on its STUN port: Binding requests of RFC 8489's
// NAT discovery usage, without credentials. Pure: no sockets; the service sends the bytes.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "stun/stun_message.hpp"

namespace sala::server::stun {

enum class Verdict {
    answered,           // a Binding request: success response with XOR-MAPPED-ADDRESS
    answered_classic,   // an RFC 3489 Binding request (no magic cookie): MAPPED-ADDRESS
    bad_request,        // a Binding request whose attributes run out of bounds: 400
    unknown_attribute,  // a Binding request with comprehension-required attributes we do not know: 420
    indication,         // a Binding indication (a keepalive): nothing to send
    dropped,            // not STUN, another method, a response, or a wrong FINGERPRINT: silence
};

struct Reply {
    Verdict verdict = Verdict::dropped;
    std::span<const std::uint8_t> response;  // empty unless a response is to be sent
};

// Answers Binding requests with the address they came from.
class BindingResponder {
public:
    // Every response carries `software` as SOFTWARE (none if empty; at most kMaxSoftwareBytes).
    explicit BindingResponder(std::string_view software = {});

    // Decides what to do with `datagram` from `source`. The response lives in this object and
    // stays valid until the next call.
    Reply respond(std::span<const std::uint8_t> datagram, const TransportAddress& source);

    // The largest response it sends.
    static constexpr std::size_t kMaxResponseSize = 1024;
    // RFC 8489 section 12 lets a server answer the older RFC 3489 requests (no magic cookie; the
    // 16 bytes after the length are the transaction id) with MAPPED-ADDRESS. libnice 0.1.21 sends
    // its server-reflexive discovery in that form.
    Reply respond_classic(std::span<const std::uint8_t> datagram, const TransportAddress& source);

private:
    Reply error(const Header& request, Verdict verdict, const ErrorReason& reason, const AttributeTypes& unknown,
                bool fingerprint);

    std::string software_;
    std::array<std::uint8_t, kMaxResponseSize> out_{};
};

}  // namespace sala::server::stun
