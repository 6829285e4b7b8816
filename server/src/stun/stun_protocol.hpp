#pragma once
// STUN (RFC 8489) on the wire: the header's constants, methods, classes, attribute types, error
// codes and the limits sala-server holds a message to. Described for people in docs/protocol.md,
// "STUN on UDP" and "TURN relay". TURN (RFC 8656) adds its methods and attributes here.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sala::server::stun {

inline constexpr std::size_t kHeaderSize = 20;
inline constexpr std::size_t kAttributeHeaderSize = 4;  // type and length
inline constexpr std::uint32_t kMagicCookie = 0x2112A442;
inline constexpr std::size_t kTransactionIdSize = 12;  // 96 bits
inline constexpr std::uint32_t kFingerprintXor = 0x5354554E;
inline constexpr std::size_t kFingerprintValueSize = 4;
inline constexpr std::size_t kMessageIntegrityValueSize = 20;  // HMAC-SHA1
inline constexpr std::size_t kMaxUsernameBytes = 509;          // RFC 8489, 14.3
inline constexpr std::size_t kMaxRealmBytes = 763;             // RFC 8489, 14.9
inline constexpr std::size_t kMaxNonceBytes = 763;             // RFC 8489, 14.10

// Limits sala-server holds a message to; a message past them is malformed.
inline constexpr std::size_t kMaxAttributes = 32;
inline constexpr std::size_t kMaxMessageSize = 4096;   // the largest datagram read; a longer one fails the length check
inline constexpr std::size_t kMaxReasonBytes = 763;    // ERROR-CODE reason phrase (RFC 8489, 14.8)
inline constexpr std::size_t kMaxSoftwareBytes = 763;  // SOFTWARE description (RFC 8489, 14.14)

// A method is 12 bits of the message type. Append only.
namespace method {
inline constexpr std::uint16_t binding = 0x001;
// TURN (RFC 8656, 17)
inline constexpr std::uint16_t allocate = 0x003;
inline constexpr std::uint16_t refresh = 0x004;
inline constexpr std::uint16_t send = 0x006;  // indication only
inline constexpr std::uint16_t data = 0x007;  // indication only
inline constexpr std::uint16_t create_permission = 0x008;
inline constexpr std::uint16_t channel_bind = 0x009;
}  // namespace method

// The two bits of the message type that say what kind of message it is.
enum class Class : std::uint8_t { request = 0b00, indication = 0b01, success_response = 0b10, error_response = 0b11 };

// Attribute types (IANA "STUN Attributes"). Below 0x8000 an attribute is comprehension-required:
// an agent that does not understand it must not act on the message as if it were not there.
namespace attribute {
inline constexpr std::uint16_t mapped_address = 0x0001;
inline constexpr std::uint16_t username = 0x0006;
inline constexpr std::uint16_t message_integrity = 0x0008;
inline constexpr std::uint16_t error_code = 0x0009;
inline constexpr std::uint16_t unknown_attributes = 0x000A;
inline constexpr std::uint16_t realm = 0x0014;
inline constexpr std::uint16_t nonce = 0x0015;
inline constexpr std::uint16_t channel_number = 0x000C;  // TURN (RFC 8656, 18)
inline constexpr std::uint16_t lifetime = 0x000D;
inline constexpr std::uint16_t xor_peer_address = 0x0012;
inline constexpr std::uint16_t data = 0x0013;
inline constexpr std::uint16_t xor_relayed_address = 0x0016;
inline constexpr std::uint16_t requested_address_family = 0x0017;
inline constexpr std::uint16_t even_port = 0x0018;
inline constexpr std::uint16_t requested_transport = 0x0019;
inline constexpr std::uint16_t dont_fragment = 0x001A;
inline constexpr std::uint16_t reservation_token = 0x0022;
inline constexpr std::uint16_t additional_address_family = 0x8000;
inline constexpr std::uint16_t address_error_code = 0x8001;
inline constexpr std::uint16_t icmp = 0x8004;
inline constexpr std::uint16_t message_integrity_sha256 = 0x001C;
inline constexpr std::uint16_t password_algorithm = 0x001D;
inline constexpr std::uint16_t userhash = 0x001E;
inline constexpr std::uint16_t xor_mapped_address = 0x0020;
inline constexpr std::uint16_t password_algorithms = 0x8002;
inline constexpr std::uint16_t alternate_domain = 0x8003;
inline constexpr std::uint16_t software = 0x8022;
inline constexpr std::uint16_t alternate_server = 0x8023;
inline constexpr std::uint16_t fingerprint = 0x8028;
}  // namespace attribute

inline constexpr bool comprehension_required(std::uint16_t type) { return type < 0x8000; }

// The attributes RFC 8489 and RFC 8656 define that sala-server understands (acting on some,
// ignoring the rest as known but unexpected). A request with any other comprehension-required one
// gets 420. EVEN-PORT is honoured without its R bit; a reservation (R bit, RESERVATION-TOKEN)
// gets 508.
inline constexpr bool known_attribute(std::uint16_t type) {
    using namespace attribute;
    switch (type) {
        case mapped_address:
        case username:
        case message_integrity:
        case error_code:
        case unknown_attributes:
        case realm:
        case nonce:
        case message_integrity_sha256:
        case password_algorithm:
        case userhash:
        case xor_mapped_address:
        case channel_number:
        case lifetime:
        case xor_peer_address:
        case data:
        case xor_relayed_address:
        case requested_address_family:
        case even_port:
        case reservation_token:
        case requested_transport:
        case dont_fragment:
        case password_algorithms:
        case alternate_domain:
        case software:
        case alternate_server:
        case fingerprint:
            return true;
        default:
            return false;
    }
}

// The error codes sala-server sends, with the reason phrase each is sent with.
struct ErrorReason {
    std::uint16_t code;
    std::string_view reason;
};
namespace error {
inline constexpr ErrorReason bad_request{400, "Bad Request"};
inline constexpr ErrorReason unauthorized{401, "Unauthorized"};
inline constexpr ErrorReason forbidden{403, "Forbidden"};
inline constexpr ErrorReason unknown_attribute{420, "Unknown Attribute"};
inline constexpr ErrorReason allocation_mismatch{437, "Allocation Mismatch"};
inline constexpr ErrorReason stale_nonce{438, "Stale Nonce"};
inline constexpr ErrorReason address_family_not_supported{440, "Address Family not Supported"};
inline constexpr ErrorReason wrong_credentials{441, "Wrong Credentials"};
inline constexpr ErrorReason unsupported_transport{442, "Unsupported Transport Protocol"};
inline constexpr ErrorReason peer_address_family_mismatch{443, "Peer Address Family Mismatch"};
inline constexpr ErrorReason allocation_quota_reached{486, "Allocation Quota Reached"};
inline constexpr ErrorReason server_error{500, "Server Error"};
inline constexpr ErrorReason insufficient_capacity{508, "Insufficient Capacity"};
}  // namespace error

// Address families of MAPPED-ADDRESS and XOR-MAPPED-ADDRESS.
enum class Family : std::uint8_t { ipv4 = 0x01, ipv6 = 0x02 };

}  // namespace sala::server::stun
