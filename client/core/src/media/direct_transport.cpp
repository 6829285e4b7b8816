#include "media/direct_transport.hpp"

namespace sala::client {

DirectTransport::DirectTransport(MediaSocket& socket, asio::ip::udp::endpoint peer)
    : socket_(socket), peer_(std::move(peer)) {
    socket_.stop_waiting();  // also leaves the epoll set: no packet wakes the engine in the call
}

DirectTransport::~DirectTransport() { socket_.drop_strays(); }

std::size_t DirectTransport::drain(const std::function<void(const Datagram&)>& each, std::size_t limit) {
    return socket_.drain(
        [&](const MediaSocket::Datagram& d) {
            each(Datagram{d.data, d.arrival, d.truncated || d.from != peer_});
        },
        limit);
}

void DirectTransport::send(std::span<const std::uint8_t> data) { socket_.send_to(data, peer_); }

}  // namespace sala::client
