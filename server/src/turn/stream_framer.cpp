#include "turn/stream_framer.hpp"

#include "turn/channel_data.hpp"

namespace sala::server::turn {

StreamKind classify_first_byte(std::uint8_t first) {
    if (first == 0x00 || first == 0x01) return StreamKind::turn;
    return StreamKind::directory;
}

std::size_t StreamFramer::frame_size(const std::uint8_t* head) {
    std::size_t length = static_cast<std::size_t>(head[2] << 8 | head[3]);
    std::size_t size = 0;
    if ((head[0] & 0xC0) == 0x00) {
        if (length % 4 != 0) return 0;
        size = stun::kHeaderSize + length;
    } else if (starts_channel_data(head[0])) {
        if (!is_channel_number(static_cast<std::uint16_t>(head[0] << 8 | head[1]))) return 0;
        size = (kChannelDataHeaderSize + length + 3) & ~std::size_t{3};
    } else {
        return 0;
    }
    return size <= kMaxFrame ? size : 0;
}

}  // namespace sala::server::turn
