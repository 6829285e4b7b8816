#pragma once
// ChannelData messages (RFC 8656, 12.4): a 2-byte channel number (0x4000 to 0x4FFF in RFC 8656;
// sala-server accepts RFC 5766's 0x4000 to 0x7FFE, which coturn's clients still pick), a 2-byte
// length and the data; over TCP padded to a multiple of 4 bytes, over UDP padding is optional.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sala::server::turn {

inline constexpr std::size_t kChannelDataHeaderSize = 4;
inline constexpr std::uint16_t kFirstChannel = 0x4000;
inline constexpr std::uint16_t kLastChannel = 0x7FFE;

inline constexpr bool is_channel_number(std::uint16_t number) {
    return number >= kFirstChannel && number <= kLastChannel;
}
// True if a message starting with this byte is ChannelData (its top two bits are 01).
inline constexpr bool starts_channel_data(std::uint8_t first) { return (first & 0xC0) == 0x40; }

struct ChannelData {
    std::uint16_t channel = 0;
    std::span<const std::uint8_t> data;  // views the parsed bytes
};

// One ChannelData message that is the whole of `bytes` (a UDP datagram or one framed TCP message):
// a valid channel number and a length that fits, with at most 3 bytes of padding after it.
std::optional<ChannelData> parse_channel_data(std::span<const std::uint8_t> bytes);

// Writes a ChannelData message into `out`, padded to 4 bytes when `padded` (stream transports);
// the size written, or 0 if it does not fit or the channel or the length is invalid.
std::size_t write_channel_data(std::span<std::uint8_t> out, std::uint16_t channel, std::span<const std::uint8_t> data,
                               bool padded);

}  // namespace sala::server::turn
