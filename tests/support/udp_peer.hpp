#pragma once
// A plain UDP socket on 127.0.0.1 (any free port): the other end of a media socket in a test,
// or a stranger who is not in the call.

#include <cstdint>
#include <vector>

namespace sala::test {

class UdpPeer {
public:
    UdpPeer();
    ~UdpPeer();
    UdpPeer(const UdpPeer&) = delete;
    UdpPeer& operator=(const UdpPeer&) = delete;

    unsigned short port() const { return port_; }
    // Sends one datagram to 127.0.0.1:to; a failed send fails the current test.
    void send(const std::vector<std::uint8_t>& data, unsigned short to);
    // Waits for one datagram (blocking).
    std::vector<std::uint8_t> receive();

private:
    int fd_;
    unsigned short port_ = 0;
};

}  // namespace sala::test
