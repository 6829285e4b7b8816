#pragma once
// CRC-32 as STUN's FINGERPRINT uses it (RFC 8489, 14.7): the ISO-HDLC CRC of zlib and Ethernet.

#include <cstdint>
#include <span>

namespace sala::server::stun {

std::uint32_t crc32(std::span<const std::uint8_t> bytes);

}  // namespace sala::server::stun
