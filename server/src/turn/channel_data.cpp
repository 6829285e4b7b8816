#include "turn/channel_data.hpp"

#include <algorithm>

namespace sala::server::turn {

std::optional<ChannelData> parse_channel_data(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kChannelDataHeaderSize) return std::nullopt;
    auto channel = static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
    std::size_t length = static_cast<std::size_t>(bytes[2] << 8 | bytes[3]);
    if (!is_channel_number(channel)) return std::nullopt;
    std::size_t room = bytes.size() - kChannelDataHeaderSize;
    if (length > room || room - length > 3) return std::nullopt;
    return ChannelData{channel, bytes.subspan(kChannelDataHeaderSize, length)};
}

std::size_t write_channel_data(std::span<std::uint8_t> out, std::uint16_t channel, std::span<const std::uint8_t> data,
                               bool padded) {
    if (!is_channel_number(channel) || data.size() > 0xFFFF) return 0;
    std::size_t size = kChannelDataHeaderSize + data.size();
    std::size_t total = padded ? (size + 3) & ~std::size_t{3} : size;
    if (total > out.size()) return 0;
    out[0] = static_cast<std::uint8_t>(channel >> 8);
    out[1] = static_cast<std::uint8_t>(channel);
    out[2] = static_cast<std::uint8_t>(data.size() >> 8);
    out[3] = static_cast<std::uint8_t>(data.size());
    std::copy(data.begin(), data.end(), out.begin() + kChannelDataHeaderSize);
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(size), out.begin() + static_cast<std::ptrdiff_t>(total), 0);
    return total;
}

}  // namespace sala::server::turn
