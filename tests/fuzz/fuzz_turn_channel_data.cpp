// libFuzzer target: a ChannelData message (RFC 8656, 12.4) as sala-server's TURN relay reads it
// from a UDP datagram or a framed TCP message. Besides what the sanitizers catch, it checks the
// parse against the rule written out here (a valid channel number, a length that fits, at most 3
// bytes of padding), that the data views the input, and that write_channel_data gives the same
// bytes back, padded or not.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "check.hpp"
#include "turn/channel_data.hpp"

namespace {
using namespace sala::server::turn;

using sala::fuzz::check;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> bytes(data, size);
    auto parsed = parse_channel_data(bytes);

    bool expected = false;
    std::size_t length = 0;
    if (size >= kChannelDataHeaderSize) {
        auto channel = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
        length = static_cast<std::size_t>(data[2] << 8 | data[3]);
        expected = channel >= 0x4000 && channel <= 0x7FFE && kChannelDataHeaderSize + length <= size &&
                   size - kChannelDataHeaderSize - length <= 3;
    }
    check(parsed.has_value() == expected);
    if (!parsed) return 0;

    check(is_channel_number(parsed->channel) && starts_channel_data(data[0]));
    check(parsed->channel == (data[0] << 8 | data[1]));
    check(parsed->data.size() == length);
    check(parsed->data.data() == data + kChannelDataHeaderSize);

    static std::array<std::uint8_t, 0x10000 + 8> out;
    for (bool padded : {false, true}) {
        std::size_t written = write_channel_data(out, parsed->channel, parsed->data, padded);
        std::size_t whole = kChannelDataHeaderSize + length;
        check(written == (padded ? (whole + 3) & ~std::size_t{3} : whole));
        for (std::size_t i = 0; i < whole; ++i) check(out[i] == data[i]);
        for (std::size_t i = whole; i < written; ++i) check(out[i] == 0);
        auto again = parse_channel_data(std::span<const std::uint8_t>(out.data(), written));
        check(again && again->channel == parsed->channel && again->data.size() == length);
    }
    // Too small a buffer: nothing written.
    if (length > 0) check(write_channel_data(std::span(out.data(), length), parsed->channel, parsed->data, false) == 0);
    return 0;
}
