#pragma once
// How one call's media reaches the peer and comes back: a direct UDP socket to the address the
// server gave (protocol v1 peers), or an ICE transport (v2). The media session reads it once
// per audio tick and sends through it; it owns the transport for the call.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace sala::client {

class MediaTransport {
public:
    using Clock = std::chrono::steady_clock;
    struct Datagram {
        std::span<const std::uint8_t> data;  // valid during the callback only
        Clock::time_point arrival;           // when the kernel (or the ICE thread) received it
        bool foreign = false;                // not from the call's peer, or cut short: counted and dropped
    };
    virtual ~MediaTransport() = default;
    // Calls each() for every datagram waiting now, at most `limit`; returns the count.
    virtual std::size_t drain(const std::function<void(const Datagram&)>& each, std::size_t limit = 256) = 0;
    // Sends one datagram to the peer; failures are not reported (the peer's silence is).
    virtual void send(std::span<const std::uint8_t> data) = 0;
};

}  // namespace sala::client
