#pragma once
// Media straight over the client's UDP socket to the peer's address as the server saw it
// (protocol v1, and v2 peers that sent no ICE description). Only datagrams from that exact
// address and port count as the peer's.

#include <asio/ip/udp.hpp>

#include "media/media_socket.hpp"
#include "media/media_transport.hpp"

namespace sala::client {

class DirectTransport : public MediaTransport {
public:
    // The socket stays the engine's (it outlives the call); it is not waited on meanwhile.
    DirectTransport(MediaSocket& socket, asio::ip::udp::endpoint peer);
    ~DirectTransport() override;
    std::size_t drain(const std::function<void(const Datagram&)>& each, std::size_t limit = 256) override;
    void send(std::span<const std::uint8_t> data) override;

private:
    MediaSocket& socket_;
    asio::ip::udp::endpoint peer_;
};

}  // namespace sala::client
