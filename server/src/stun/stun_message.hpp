#pragma once
// STUN messages (RFC 8489): parsing untrusted datagrams with tight bounds, and building
// messages into a caller's buffer. No sockets, no allocation, no exceptions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "stun/stun_protocol.hpp"

namespace sala::server::stun {

using TransactionId = std::array<std::uint8_t, kTransactionIdSize>;

// A transport address as STUN carries it: family, IP address in network byte order, port.
struct TransportAddress {
    Family family = Family::ipv4;
    std::array<std::uint8_t, 16> ip{};  // an IPv4 address in the first 4 bytes, the rest zero
    std::uint16_t port = 0;

    static TransportAddress v4(const std::array<std::uint8_t, 4>& ip, std::uint16_t port);
    static TransportAddress v6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port);
    std::size_t ip_size() const { return family == Family::ipv4 ? 4 : 16; }
    bool operator==(const TransportAddress&) const = default;
};

// The fixed 20 bytes at the start of every STUN message.
struct Header {
    std::uint16_t method = 0;  // 12 bits
    Class message_class = Class::request;
    std::uint16_t length = 0;  // bytes of attributes after the header, a multiple of 4
    TransactionId transaction{};
};

// The 14-bit message type on the wire: the method's bits with the class's two bits among them.
std::uint16_t message_type(std::uint16_t method, Class message_class);

// The header of a datagram that is a STUN message by its header: at least 20 bytes, the top two
// bits zero, the magic cookie, and a length that is a multiple of 4 and matches the datagram's
// size exactly. nullopt: not STUN (RFC 8489, 6.3: discard it silently).
std::optional<Header> parse_header(std::span<const std::uint8_t> datagram);

// One attribute of a parsed message.
struct Attribute {
    std::uint16_t type = 0;
    std::uint16_t offset = 0;             // where its 4-byte header starts, from the start of the message
    std::span<const std::uint8_t> value;  // its value without the padding, inside the parsed bytes
};

// Why a datagram is not a usable STUN message.
enum class ParseError {
    not_stun,         // the header fails parse_header
    bad_attributes,   // an attribute runs past the end, or there are more than kMaxAttributes
    bad_fingerprint,  // a FINGERPRINT that is not the last attribute, not 4 bytes, or not the message's CRC
};

// A parsed STUN message. It views the datagram's bytes: it must not outlive them. Every
// attribute is kept in order with its offset, so that MESSAGE-INTEGRITY (computed over the
// message up to that attribute) can be checked on bytes() later without parsing again.
class Message {
public:
    const Header& header() const { return header_; }
    std::span<const std::uint8_t> bytes() const { return bytes_; }
    std::span<const Attribute> attributes() const { return std::span(attributes_).first(count_); }
    // The first attribute of that type, or nullptr.
    const Attribute* find(std::uint16_t type) const;
    // True if the message ends in a FINGERPRINT (which parse has checked).
    bool has_fingerprint() const { return has_fingerprint_; }
    // The attribute's value as text (USERNAME, REALM, NONCE): empty if absent.
    std::string_view text(std::uint16_t type) const;

private:
    friend std::variant<Message, ParseError> parse(std::span<const std::uint8_t> datagram);

    Header header_;
    std::span<const std::uint8_t> bytes_;
    std::array<Attribute, kMaxAttributes> attributes_{};
    std::size_t count_ = 0;
    bool has_fingerprint_ = false;
};

// Parses one datagram. Checks the header (parse_header), walks the attributes within the
// message's bounds, and checks a FINGERPRINT if there is one; it does not judge attribute values.
std::variant<Message, ParseError> parse(std::span<const std::uint8_t> datagram);

// Attribute types, at most kMaxAttributes of them (the contents of UNKNOWN-ATTRIBUTES).
class AttributeTypes {
public:
    bool add(std::uint16_t type);  // false if it is full
    bool contains(std::uint16_t type) const;
    std::span<const std::uint16_t> types() const { return std::span(types_).first(count_); }
    bool empty() const { return count_ == 0; }

private:
    std::array<std::uint16_t, kMaxAttributes> types_{};
    std::size_t count_ = 0;
};

// The comprehension-required attribute types in `message` that known_attribute does not
// know, each listed once, in order of first appearance.
AttributeTypes unknown_comprehension_required(const Message& message);

// Attribute values, decoded; nullopt when the value is malformed.
std::optional<TransportAddress> decode_address(std::span<const std::uint8_t> value);  // MAPPED-ADDRESS
std::optional<TransportAddress> decode_xor_address(std::span<const std::uint8_t> value,
                                                   const TransactionId& transaction);  // XOR-MAPPED-ADDRESS
struct ErrorCodeValue {
    std::uint16_t code = 0;  // 300 to 699
    std::string_view reason;
};
std::optional<ErrorCodeValue> decode_error_code(std::span<const std::uint8_t> value);
std::optional<AttributeTypes> decode_unknown_attributes(std::span<const std::uint8_t> value);

// Writes one STUN message into a caller's buffer: the header, then attributes in the order
// added, each padded with zeros to 4 bytes. The header's length covers every attribute added
// so far, which is what MESSAGE-INTEGRITY and FINGERPRINT are computed over. A value that does
// not fit or breaks a rule fails the builder, and finish() then gives nullopt.
class MessageBuilder {
public:
    MessageBuilder(std::span<std::uint8_t> buffer, std::uint16_t method, Class message_class,
                   const TransactionId& transaction);

    MessageBuilder& add(std::uint16_t type, std::span<const std::uint8_t> value);
    MessageBuilder& add_address(std::uint16_t type, const TransportAddress& address);
    MessageBuilder& add_xor_address(std::uint16_t type, const TransportAddress& address);
    MessageBuilder& add_error_code(const ErrorReason& error);
    MessageBuilder& add_unknown_attributes(const AttributeTypes& types);
    MessageBuilder& add_software(std::string_view description);
    MessageBuilder& add_text(std::uint16_t type, std::string_view text);  // USERNAME, REALM, NONCE, ...
    MessageBuilder& add_u32(std::uint16_t type, std::uint32_t value);     // LIFETIME, REQUESTED-TRANSPORT, ...
    // MESSAGE-INTEGRITY keyed by `key` (stun/integrity.hpp): only a FINGERPRINT may follow it.
    MessageBuilder& add_message_integrity(std::span<const std::uint8_t> key);
    // Always the last attribute: nothing can be added after it.
    MessageBuilder& add_fingerprint();

    // The message, or nullopt if something did not fit or broke a rule.
    std::optional<std::span<const std::uint8_t>> finish() const;

private:
    // Room for an attribute of `size` value bytes, header and padding written; nullptr on failure.
    std::uint8_t* append(std::uint16_t type, std::size_t size);

    std::span<std::uint8_t> buffer_;
    TransactionId transaction_;
    std::size_t size_ = 0;
    bool failed_ = false;
    bool sealed_ = false;     // a FINGERPRINT is in
    bool integrity_ = false;  // a MESSAGE-INTEGRITY is in: only FINGERPRINT may follow
};

}  // namespace sala::server::stun
