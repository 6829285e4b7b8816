#include "turn/allocation.hpp"

#include <arpa/inet.h>

#include <tuple>

namespace sala::server::turn {

bool operator<(const ClientAddress& a, const ClientAddress& b) {
    return std::tie(a.transport, a.connection, a.address.family, a.address.ip, a.address.port) <
           std::tie(b.transport, b.connection, b.address.family, b.address.ip, b.address.port);
}

std::string to_string(const PeerIp& ip) {
    char text[INET6_ADDRSTRLEN] = {};
    int family = ip.family == stun::Family::ipv4 ? AF_INET : AF_INET6;
    if (!inet_ntop(family, ip.ip.data(), text, sizeof text)) return {};
    return text;
}

const Permission* Allocation::permission(const PeerIp& ip, Clock::time_point now) const {
    for (const Permission& p : permissions)
        if (p.ip == ip && p.expiry > now) return &p;
    return nullptr;
}

const ChannelBinding* Allocation::channel(std::uint16_t number, Clock::time_point now) const {
    for (const ChannelBinding& c : channels)
        if (c.number == number && c.expiry > now) return &c;
    return nullptr;
}

const ChannelBinding* Allocation::channel_to(const stun::TransportAddress& peer, Clock::time_point now) const {
    for (const ChannelBinding& c : channels)
        if (c.peer == peer && c.expiry > now) return &c;
    return nullptr;
}

}  // namespace sala::server::turn
