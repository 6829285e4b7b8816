#pragma once
// A plain UDP socket on the loopback address (any free port): the other end of a media socket in
// a test, a stranger who is not in the call, or a STUN client.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace sala::test {

class UdpPeer {
public:
    enum class Family { v4, v6 };  // 127.0.0.1 or ::1

    explicit UdpPeer(Family family = Family::v4);
    ~UdpPeer();
    UdpPeer(const UdpPeer&) = delete;
    UdpPeer& operator=(const UdpPeer&) = delete;

    unsigned short port() const { return port_; }
    // Sends one datagram to the loopback address's port `to`; a failed send fails the current test.
    void send(const std::vector<std::uint8_t>& data, unsigned short to);
    // Waits for one datagram (blocking).
    std::vector<std::uint8_t> receive();
    // Waits for one datagram until the timeout; nullopt if none came.
    std::optional<std::vector<std::uint8_t>> receive(std::chrono::milliseconds timeout);

private:
    int fd_;
    Family family_;
    unsigned short port_ = 0;
};

}  // namespace sala::test
