#pragma once
// The media session's view of an ICE transport the engine owns (it signals candidates before
// and during the call): datagrams from the selected pair, sends to it.

#include "media/ice/ice_transport.hpp"
#include "media/media_transport.hpp"

namespace sala::client {

class IceMediaTransport : public MediaTransport {
public:
    explicit IceMediaTransport(IceTransport& ice) : ice_(ice) {}
    std::size_t drain(const std::function<void(const Datagram&)>& each, std::size_t limit = 256) override {
        return ice_.drain(each, limit);
    }
    void send(std::span<const std::uint8_t> data) override { ice_.send(data); }

private:
    IceTransport& ice_;
};

}  // namespace sala::client
