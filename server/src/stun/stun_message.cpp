#include "stun/stun_message.hpp"

#include <algorithm>
#include <cstring>

#include "stun/crc32.hpp"
#include "stun/integrity.hpp"

namespace sala::server::stun {
namespace {
std::uint16_t read16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t read32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
void write16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void write32(std::uint8_t* p, std::uint32_t v) {
    write16(p, static_cast<std::uint16_t>(v >> 16));
    write16(p + 2, static_cast<std::uint16_t>(v));
}
std::size_t padded(std::size_t size) { return (size + 3) & ~std::size_t{3}; }

// What an XOR address is XORed with: the magic cookie, then (for IPv6) the transaction id.
std::array<std::uint8_t, 16> xor_pad(const TransactionId& transaction) {
    std::array<std::uint8_t, 16> pad{};
    write32(pad.data(), kMagicCookie);
    std::copy(transaction.begin(), transaction.end(), pad.begin() + 4);
    return pad;
}

// The family byte and the value size that goes with it; nullopt for an unknown family.
std::optional<Family> family_of(std::span<const std::uint8_t> value) {
    if (value.size() < 4) return std::nullopt;
    if (value[1] == static_cast<std::uint8_t>(Family::ipv4) && value.size() == 8) return Family::ipv4;
    if (value[1] == static_cast<std::uint8_t>(Family::ipv6) && value.size() == 20) return Family::ipv6;
    return std::nullopt;
}
}  // namespace

TransportAddress TransportAddress::v4(const std::array<std::uint8_t, 4>& ip, std::uint16_t port) {
    TransportAddress a;
    a.family = Family::ipv4;
    std::copy(ip.begin(), ip.end(), a.ip.begin());
    a.port = port;
    return a;
}

TransportAddress TransportAddress::v6(const std::array<std::uint8_t, 16>& ip, std::uint16_t port) {
    TransportAddress a;
    a.family = Family::ipv6;
    a.ip = ip;
    a.port = port;
    return a;
}

std::uint16_t message_type(std::uint16_t method, Class message_class) {
    auto c = static_cast<std::uint16_t>(message_class);
    return static_cast<std::uint16_t>((method & 0x000F) | (method & 0x0070) << 1 | (method & 0x0F80) << 2 |
                                      (c & 0b01) << 4 | (c & 0b10) << 7);
}

std::optional<Header> parse_header(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < kHeaderSize) return std::nullopt;
    const std::uint8_t* p = datagram.data();
    if ((p[0] & 0xC0) != 0 || read32(p + 4) != kMagicCookie) return std::nullopt;
    std::uint16_t length = read16(p + 2);
    if (length % 4 != 0 || kHeaderSize + length != datagram.size()) return std::nullopt;
    std::uint16_t type = read16(p);
    Header header;
    header.method = static_cast<std::uint16_t>((type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2);
    header.message_class = static_cast<Class>((type & 0x0010) >> 4 | (type & 0x0100) >> 7);
    header.length = length;
    std::copy_n(p + 8, kTransactionIdSize, header.transaction.begin());
    return header;
}

const Attribute* Message::find(std::uint16_t type) const {
    for (const Attribute& a : attributes())
        if (a.type == type) return &a;
    return nullptr;
}

std::string_view Message::text(std::uint16_t type) const {
    const Attribute* a = find(type);
    if (!a) return {};
    return {reinterpret_cast<const char*>(a->value.data()), a->value.size()};
}

std::variant<Message, ParseError> parse(std::span<const std::uint8_t> datagram) {
    auto header = parse_header(datagram);
    if (!header) return ParseError::not_stun;
    Message message;
    message.header_ = *header;
    message.bytes_ = datagram;
    std::size_t fingerprint_at = 0;  // the FINGERPRINT's offset, once one is seen
    for (std::size_t at = kHeaderSize; at < datagram.size();) {
        if (fingerprint_at != 0) return ParseError::bad_fingerprint;  // something after it
        if (message.count_ == kMaxAttributes || datagram.size() - at < kAttributeHeaderSize)
            return ParseError::bad_attributes;
        std::uint16_t type = read16(datagram.data() + at);
        std::size_t size = read16(datagram.data() + at + 2);
        std::size_t value_at = at + kAttributeHeaderSize;
        if (padded(size) > datagram.size() - value_at) return ParseError::bad_attributes;
        message.attributes_[message.count_++] =
            Attribute{type, static_cast<std::uint16_t>(at), datagram.subspan(value_at, size)};
        if (type == attribute::fingerprint) {
            if (size != kFingerprintValueSize) return ParseError::bad_fingerprint;
            fingerprint_at = at;
        }
        at = value_at + padded(size);
    }
    if (fingerprint_at != 0) {
        std::uint32_t expected = crc32(datagram.first(fingerprint_at)) ^ kFingerprintXor;
        if (read32(datagram.data() + fingerprint_at + kAttributeHeaderSize) != expected)
            return ParseError::bad_fingerprint;
        message.has_fingerprint_ = true;
    }
    return message;
}

bool AttributeTypes::add(std::uint16_t type) {
    if (count_ == types_.size()) return false;
    types_[count_++] = type;
    return true;
}

bool AttributeTypes::contains(std::uint16_t type) const {
    auto listed = types();
    return std::find(listed.begin(), listed.end(), type) != listed.end();
}

AttributeTypes unknown_comprehension_required(const Message& message) {
    AttributeTypes unknown;
    for (const Attribute& a : message.attributes())
        if (comprehension_required(a.type) && !known_attribute(a.type) && !unknown.contains(a.type))
            unknown.add(a.type);  // never full: a message has at most as many attributes
    return unknown;
}

std::optional<TransportAddress> decode_address(std::span<const std::uint8_t> value) {
    auto family = family_of(value);
    if (!family) return std::nullopt;
    TransportAddress address;
    address.family = *family;
    address.port = read16(value.data() + 2);
    std::copy(value.begin() + 4, value.end(), address.ip.begin());
    return address;
}

std::optional<TransportAddress> decode_xor_address(std::span<const std::uint8_t> value,
                                                   const TransactionId& transaction) {
    auto address = decode_address(value);
    if (!address) return std::nullopt;
    auto pad = xor_pad(transaction);
    address->port ^= static_cast<std::uint16_t>(kMagicCookie >> 16);
    for (std::size_t i = 0; i < address->ip_size(); ++i) address->ip[i] ^= pad[i];
    return address;
}

std::optional<ErrorCodeValue> decode_error_code(std::span<const std::uint8_t> value) {
    if (value.size() < 4 || value.size() - 4 > kMaxReasonBytes) return std::nullopt;
    int hundreds = value[2] & 0x07;
    int number = value[3];
    if (hundreds < 3 || hundreds > 6 || number > 99) return std::nullopt;
    auto reason = value.subspan(4);
    return ErrorCodeValue{static_cast<std::uint16_t>(hundreds * 100 + number),
                          std::string_view(reinterpret_cast<const char*>(reason.data()), reason.size())};
}

std::optional<AttributeTypes> decode_unknown_attributes(std::span<const std::uint8_t> value) {
    if (value.size() % 2 != 0 || value.size() / 2 > kMaxAttributes) return std::nullopt;
    AttributeTypes types;
    for (std::size_t i = 0; i < value.size(); i += 2) types.add(read16(value.data() + i));
    return types;
}

MessageBuilder::MessageBuilder(std::span<std::uint8_t> buffer, std::uint16_t method, Class message_class,
                               const TransactionId& transaction)
    : buffer_(buffer), transaction_(transaction) {
    if (buffer.size() < kHeaderSize || method > 0x0FFF) {
        failed_ = true;
        return;
    }
    std::uint8_t* p = buffer.data();
    write16(p, message_type(method, message_class));
    write16(p + 2, 0);
    write32(p + 4, kMagicCookie);
    std::copy(transaction.begin(), transaction.end(), p + 8);
    size_ = kHeaderSize;
}

std::uint8_t* MessageBuilder::append(std::uint16_t type, std::size_t size) {
    if (failed_ || sealed_ || (integrity_ && type != attribute::fingerprint) || size > 0xFFFF) {
        failed_ = true;
        return nullptr;
    }
    std::size_t total = size_ + kAttributeHeaderSize + padded(size);
    if (total > buffer_.size() || total - kHeaderSize > 0xFFFF) {
        failed_ = true;
        return nullptr;
    }
    std::uint8_t* p = buffer_.data() + size_;
    write16(p, type);
    write16(p + 2, static_cast<std::uint16_t>(size));
    std::fill(p + kAttributeHeaderSize + size, buffer_.data() + total, std::uint8_t{0});
    size_ = total;
    write16(buffer_.data() + 2, static_cast<std::uint16_t>(size_ - kHeaderSize));
    return p + kAttributeHeaderSize;
}

MessageBuilder& MessageBuilder::add(std::uint16_t type, std::span<const std::uint8_t> value) {
    if (std::uint8_t* p = append(type, value.size()); p && !value.empty()) std::memcpy(p, value.data(), value.size());
    return *this;
}

MessageBuilder& MessageBuilder::add_address(std::uint16_t type, const TransportAddress& address) {
    std::uint8_t* p = append(type, 4 + address.ip_size());
    if (!p) return *this;
    p[0] = 0;
    p[1] = static_cast<std::uint8_t>(address.family);
    write16(p + 2, address.port);
    std::copy_n(address.ip.begin(), address.ip_size(), p + 4);
    return *this;
}

MessageBuilder& MessageBuilder::add_xor_address(std::uint16_t type, const TransportAddress& address) {
    TransportAddress hidden = address;
    auto pad = xor_pad(transaction_);
    hidden.port ^= static_cast<std::uint16_t>(kMagicCookie >> 16);
    for (std::size_t i = 0; i < hidden.ip_size(); ++i) hidden.ip[i] ^= pad[i];
    return add_address(type, hidden);
}

MessageBuilder& MessageBuilder::add_error_code(const ErrorReason& error) {
    if (error.code < 300 || error.code > 699 || error.reason.size() > kMaxReasonBytes) {
        failed_ = true;
        return *this;
    }
    std::uint8_t* p = append(attribute::error_code, 4 + error.reason.size());
    if (!p) return *this;
    p[0] = 0;
    p[1] = 0;
    p[2] = static_cast<std::uint8_t>(error.code / 100);
    p[3] = static_cast<std::uint8_t>(error.code % 100);
    std::copy(error.reason.begin(), error.reason.end(), p + 4);
    return *this;
}

MessageBuilder& MessageBuilder::add_unknown_attributes(const AttributeTypes& types) {
    std::uint8_t* p = append(attribute::unknown_attributes, 2 * types.types().size());
    if (!p) return *this;
    for (std::uint16_t type : types.types()) {
        write16(p, type);
        p += 2;
    }
    return *this;
}

MessageBuilder& MessageBuilder::add_software(std::string_view description) {
    if (description.size() > kMaxSoftwareBytes) {
        failed_ = true;
        return *this;
    }
    if (std::uint8_t* p = append(attribute::software, description.size()))
        std::copy(description.begin(), description.end(), p);
    return *this;
}

MessageBuilder& MessageBuilder::add_text(std::uint16_t type, std::string_view text) {
    return add(type, bytes_of(text));
}

MessageBuilder& MessageBuilder::add_u32(std::uint16_t type, std::uint32_t value) {
    if (std::uint8_t* p = append(type, 4)) write32(p, value);
    return *this;
}

MessageBuilder& MessageBuilder::add_message_integrity(std::span<const std::uint8_t> key) {
    std::size_t before = size_;
    std::uint8_t* p = append(attribute::message_integrity, kMessageIntegrityValueSize);
    if (!p) return *this;
    // The HMAC covers the message up to this attribute, with the length already counting it.
    Sha1Digest digest = hmac_sha1(key, buffer_.first(before));
    std::copy(digest.begin(), digest.end(), p);
    integrity_ = true;
    return *this;
}

MessageBuilder& MessageBuilder::add_fingerprint() {
    std::size_t before = size_;
    std::uint8_t* p = append(attribute::fingerprint, kFingerprintValueSize);
    if (!p) return *this;
    // The CRC covers the message up to this attribute, with the length already counting it.
    write32(p, crc32(buffer_.first(before)) ^ kFingerprintXor);
    sealed_ = true;
    return *this;
}

std::optional<std::span<const std::uint8_t>> MessageBuilder::finish() const {
    if (failed_) return std::nullopt;
    return std::span<const std::uint8_t>(buffer_.data(), size_);
}

}  // namespace sala::server::stun
