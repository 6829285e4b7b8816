// libFuzzer target: TURN over TCP, the StreamFramer fed a byte stream in arbitrary chunks. The
// input's first byte says how many chunk sizes follow (1 to 16), each byte of those a chunk size
// (1 to 256, used in turn); the rest is the stream. Whatever the chunking, the framer must yield
// exactly the frames of the stream as a reference cut of the whole stream gives them (so never a
// frame longer than the bytes given, nor bytes that were not given), fail exactly where it does,
// hold no more than one frame's bytes, and yield at most one frame per 4 bytes fed (no loop).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "check.hpp"
#include "turn/channel_data.hpp"
#include "turn/stream_framer.hpp"

namespace {
using namespace sala::server::turn;
using sala::server::stun::kHeaderSize;

using sala::fuzz::check;

struct Frame {
    std::size_t offset;
    std::size_t size;
};

// The frames of the whole stream, written from RFC 8656 12.5 and RFC 8489 6.2.2 independently of
// the framer; `failed` if it reaches bytes that start no valid frame (a partial frame at the end is
// not a failure).
std::vector<Frame> reference(std::span<const std::uint8_t> stream, bool& failed) {
    std::vector<Frame> frames;
    failed = false;
    std::size_t at = 0;
    while (stream.size() - at >= 4) {
        const std::uint8_t* h = stream.data() + at;
        std::size_t length = static_cast<std::size_t>(h[2] << 8 | h[3]);
        std::size_t size = 0;
        if ((h[0] >> 6) == 0 && length % 4 == 0) {
            size = kHeaderSize + length;
        } else if ((h[0] >> 6) == 1 && is_channel_number(static_cast<std::uint16_t>(h[0] << 8 | h[1]))) {
            size = 4 + length;
            size += (4 - size % 4) % 4;
        }
        if (size == 0 || size > StreamFramer::kMaxFrame) {
            failed = true;
            break;
        }
        if (stream.size() - at < size) break;
        frames.push_back({at, size});
        at += size;
    }
    return frames;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    std::size_t count = data[0] % 16 + 1;
    if (size < 1 + count) return 0;
    std::span<const std::uint8_t> sizes(data + 1, count);
    std::span<const std::uint8_t> stream(data + 1 + count, size - 1 - count);

    bool expect_failure = false;
    std::vector<Frame> expected = reference(stream, expect_failure);

    static StreamFramer framer;  // big (a frame's buffer): reset by assignment, not rebuilt on the stack
    framer = StreamFramer{};
    std::size_t fed = 0, yielded = 0, next = 0;
    bool ok = true;
    for (std::size_t i = 0; ok && fed < stream.size(); ++i) {
        std::size_t chunk = std::min<std::size_t>(sizes[i % count] + 1, stream.size() - fed);
        std::size_t frames_in_chunk = 0;
        ok = framer.feed(stream.subspan(fed, chunk), [&](std::span<const std::uint8_t> frame) {
            check(next < expected.size());
            check(frame.size() == expected[next].size);
            check(frame.size() >= 4 && frame.size() <= StreamFramer::kMaxFrame);
            check(expected[next].offset == yielded && yielded + frame.size() <= fed + chunk);
            for (std::size_t j = 0; j < frame.size(); ++j) check(frame[j] == stream[yielded + j]);
            if (starts_channel_data(frame[0])) check(parse_channel_data(frame).has_value());
            yielded += frame.size();
            ++next;
            ++frames_in_chunk;
        });
        check(frames_in_chunk <= chunk / 4 + 1);
        fed += chunk;
        if (ok) {
            // What it holds is exactly what it was given and has not yielded, never over a frame.
            check(framer.pending() == fed - yielded);
            check(framer.pending() < StreamFramer::kMaxFrame);
        }
    }
    check(next == expected.size());
    check(!ok == expect_failure);
    return 0;
}
