#pragma once
// TURN over TCP (RFC 8656, 12.5 and RFC 8489, 6.2.2): cuts a byte stream into STUN messages and
// ChannelData messages (padded to 4 bytes), each at most kMaxFrame bytes; and the first-byte rule
// that tells a TURN connection from a directory connection on the same TCP port.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "stun/stun_protocol.hpp"

namespace sala::server::turn {

// What a TCP connection to sala-server's port speaks, decided by its first byte: a TURN client's
// first message is a STUN request (an Allocate), which starts 0x00 or 0x01 (top two bits 00, a
// method below 0x100); a directory line starts with '{' (0x7B) or whitespace (0x09, 0x0A, 0x0D,
// 0x20), never 0x00 or 0x01.
enum class StreamKind { directory, turn };
StreamKind classify_first_byte(std::uint8_t first);

class StreamFramer {
public:
    // The largest frame: a STUN message of kMaxMessageSize, or ChannelData with as much data.
    static constexpr std::size_t kMaxFrame = stun::kMaxMessageSize + 4;

    // Feeds received bytes; calls on_frame(std::span<const std::uint8_t>) for each whole message
    // (ChannelData with its padding). Returns false, and stops, on bytes that start neither kind
    // of message or announce one longer than kMaxFrame: the connection should be closed.
    template <typename OnFrame>
    bool feed(std::span<const std::uint8_t> data, OnFrame&& on_frame);

    std::size_t pending() const { return held_; }

private:
    // The size of the frame starting at `head` (at least 4 bytes); 0 if it is not a frame.
    static std::size_t frame_size(const std::uint8_t* head);

    std::array<std::uint8_t, kMaxFrame> buffer_{};
    std::size_t held_ = 0;
};

template <typename OnFrame>
bool StreamFramer::feed(std::span<const std::uint8_t> data, OnFrame&& on_frame) {
    while (!data.empty()) {
        if (held_ == 0 && data.size() >= 4) {
            // Whole frames straight from the input, without copying.
            std::size_t size = frame_size(data.data());
            if (size == 0) return false;
            if (data.size() >= size) {
                on_frame(data.first(size));
                data = data.subspan(size);
                continue;
            }
        }
        std::size_t need = held_ < 4 ? 4 : frame_size(buffer_.data());
        if (need == 0) return false;
        std::size_t take = std::min(need - held_, data.size());
        std::copy_n(data.begin(), take, buffer_.begin() + static_cast<std::ptrdiff_t>(held_));
        held_ += take;
        data = data.subspan(take);
        if (held_ < 4) continue;
        std::size_t size = frame_size(buffer_.data());
        if (size == 0) return false;
        if (held_ == size) {
            held_ = 0;
            on_frame(std::span<const std::uint8_t>(buffer_.data(), size));
        }
    }
    return true;
}

}  // namespace sala::server::turn
