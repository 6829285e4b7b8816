#pragma once
// sala-server's STUN port: a UDP socket on the listener's address and port number that answers
// Binding requests (stun/binding_responder.hpp) and hands TURN messages to the relay
// (turn_service.hpp). asio inside: include only from the server's files.

#include <array>
#include <asio.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "stun/binding_responder.hpp"
#include "turn_service.hpp"

namespace sala::server {

// What the STUN port has done with the datagrams it read.
struct StunCounts {
    std::uint64_t answered = 0;     // Binding success responses
    std::uint64_t errors = 0;       // error responses (400, 420)
    std::uint64_t indications = 0;  // Binding indications, ignored as RFC 8489 says
    std::uint64_t dropped = 0;      // not STUN, not for us, or a wrong FINGERPRINT: no answer
    std::uint64_t unsent = 0;       // responses the kernel would not take at once (the client retries)
    std::uint64_t turn = 0;         // TURN messages and ChannelData handed to the relay
};

class StunService {
public:
    StunService(asio::io_context& io, std::string_view software);

    // Binds the UDP socket, without SO_REUSEADDR: a port number another program holds stays
    // theirs. Returns the error instead of throwing.
    std::error_code open(const asio::ip::udp::endpoint& endpoint);
    bool is_open() const { return socket_.is_open(); }
    asio::ip::udp::endpoint local_endpoint() const { return socket_.local_endpoint(); }

    // TURN messages (any method but Binding, and ChannelData) go to `turn` from now on; Binding
    // requests are answered only if `answer_binding`.
    void relay_to(TurnService* turn, bool answer_binding) {
        turn_ = turn;
        answer_binding_ = answer_binding;
    }
    asio::ip::udp::socket* socket() { return &socket_; }
    void start();  // serves until stop()
    void stop();
    const StunCounts& counts() const { return counts_; }

private:
    static constexpr int kReceiveBuffer = 4 << 20;

    void enlarge_receive_buffer();
    asio::awaitable<void> serve();
    void answer(std::size_t size, const asio::ip::udp::endpoint& from);

    asio::ip::udp::socket socket_;
    stun::BindingResponder responder_;
    std::array<std::uint8_t, stun::kMaxMessageSize> datagram_{};
    StunCounts counts_;
    TurnService* turn_ = nullptr;
    bool answer_binding_ = true;
};

// "N answered, N errors, ..." for the log.
std::string describe(const StunCounts& counts);

}  // namespace sala::server
