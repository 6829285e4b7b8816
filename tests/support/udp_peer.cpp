#include "udp_peer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sala::test {
namespace {
sockaddr_storage loopback(UdpPeer::Family family, unsigned short port, socklen_t& length) {
    sockaddr_storage storage{};
    if (family == UdpPeer::Family::v4) {
        auto* a = reinterpret_cast<sockaddr_in*>(&storage);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    }
    return storage;
}
}  // namespace

UdpPeer::UdpPeer(Family family)
    : fd_(::socket(family == Family::v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0)), family_(family) {
    socklen_t length = 0;
    sockaddr_storage a = loopback(family, 0, length);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), length);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(family == Family::v4 ? reinterpret_cast<sockaddr_in*>(&a)->sin_port
                                       : reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
}

UdpPeer::~UdpPeer() { ::close(fd_); }

void UdpPeer::send(const std::vector<std::uint8_t>& data, unsigned short to) {
    socklen_t length = 0;
    const sockaddr_storage a = loopback(family_, to, length);
    ASSERT_EQ(::sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&a), length),
              static_cast<ssize_t>(data.size()));
}

std::vector<std::uint8_t> UdpPeer::receive() {
    std::vector<std::uint8_t> data(4096);
    const ssize_t n = ::recv(fd_, data.data(), data.size(), 0);
    data.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return data;
}

std::optional<std::vector<std::uint8_t>> UdpPeer::receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    return receive();
}

}  // namespace sala::test
