#include "udp_peer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sala::test {
namespace {
sockaddr_in loopback(unsigned short port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}
}  // namespace

UdpPeer::UdpPeer() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in a = loopback(0);
    socklen_t length = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), length);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(a.sin_port);
}

UdpPeer::~UdpPeer() { ::close(fd_); }

void UdpPeer::send(const std::vector<std::uint8_t>& data, unsigned short to) {
    const sockaddr_in a = loopback(to);
    ASSERT_EQ(::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&a), sizeof a),
              static_cast<ssize_t>(data.size()));
}

std::vector<std::uint8_t> UdpPeer::receive() {
    std::vector<std::uint8_t> data(4096);
    const ssize_t n = ::recv(fd_, data.data(), data.size(), 0);
    data.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return data;
}

}  // namespace sala::test
