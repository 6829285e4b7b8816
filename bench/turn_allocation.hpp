#pragma once
// The client's side of one TURN allocation over UDP (RFC 8656), as libnice drives it for a relayed
// candidate: Allocate with the long-term credential challenge (401, then again with REALM, NONCE
// and MESSAGE-INTEGRITY; 438 takes a fresh NONCE), then ChannelBind to the peer. Built on
// sala-server's own STUN codec; no sockets: the caller sends request() and feeds back what comes.

#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <string>

#include "stun/integrity.hpp"
#include "stun/stun_message.hpp"

namespace sala::bench {

class TurnAllocation {
public:
    TurnAllocation(std::string username, std::string password);

    // Start (or restart) a request: Allocate, or ChannelBind of `channel` to `peer`.
    void allocate();
    void channel_bind(std::uint16_t channel, const server::stun::TransportAddress& peer);
    // The current request's bytes (the same bytes again for a retransmission).
    std::span<const std::uint8_t> request() const { return {request_.data(), request_size_}; }

    enum class Outcome {
        ignored,  // not the answer to the current request
        again,    // 401 or 438 with REALM and NONCE: request() now holds the request with credentials
        done,     // success
        failed,   // an error response (error() says which) or a malformed success
    };
    Outcome on_datagram(std::span<const std::uint8_t> datagram);

    const server::stun::TransportAddress& relayed() const { return relayed_; }  // after Allocate
    const std::string& error() const { return error_; }

private:
    void build();

    std::string username_, password_, realm_, nonce_;
    server::stun::LongTermKey key_{};
    std::uint16_t method_ = 0;
    std::uint16_t channel_ = 0;
    server::stun::TransportAddress peer_;
    server::stun::TransactionId transaction_{};
    std::array<std::uint8_t, 512> request_{};
    std::size_t request_size_ = 0;
    server::stun::TransportAddress relayed_;
    std::string error_;
    int challenges_ = 0;  // 401/438 answers to the current request
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace sala::bench
