#pragma once
// One call's media transport chosen by ICE (RFC 8445), built on libnice: one stream, one
// component, host, server-reflexive and relayed candidates, trickled. libnice runs on a thread this
// object owns (its own GMainContext); what it reports reaches the handlers on the engine's
// io_context; received datagrams cross to the engine through a lock-free ring the media session
// drains once per audio tick, as it drains a MediaSocket.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "media/ice/datagram_ring.hpp"
#include "media/ice/ice_config.hpp"
#include "media/media_transport.hpp"

struct _NiceAgent;
struct _GMainContext;

namespace sala::client {

class IceTransport {
public:
    using Clock = std::chrono::steady_clock;
    // What the media session reads (arrival: when the ICE thread received it); never `foreign`:
    // libnice passes on only what comes over a checked pair.
    using Datagram = MediaTransport::Datagram;
    // All called on the io_context's thread, never on the ICE thread.
    struct Handlers {
        std::function<void(const std::string& candidate)> local_candidate;  // "candidate:..." (no "a=")
        std::function<void()> gathering_done;
        std::function<void(IceState, const IceSelection&)> state_changed;  // also when the selected pair changes
    };

    // Starts gathering on the ICE thread; throws std::runtime_error if libnice cannot make the agent.
    IceTransport(asio::io_context& io, IceConfig config, Handlers handlers);
    // Returns at once; the ICE thread releases the TURN allocations (within 1.5 s) and ends on its
    // own, and is joined when the process exits if it has not ended by then.
    ~IceTransport();
    IceTransport(const IceTransport&) = delete;
    IceTransport& operator=(const IceTransport&) = delete;

    IceCredentials local_credentials() const;
    // The peer's credentials and the candidates it has so far; starts the checks. Candidates that
    // do not parse (parse_ice_candidate) are ignored.
    void set_remote(const IceCredentials& remote, const std::vector<std::string>& candidates);
    void add_remote_candidate(const std::string& candidate);  // trickled
    // The peer has sent all its candidates: lets ICE declare `failed` once every check failed
    // (with trickle, libnice waits for this before failing).
    void remote_gathering_done();
    // ICE restart: new local credentials, remote candidates forgotten. The local candidates are
    // handed to local_candidate again (then gathering_done), for the caller to re-signal.
    void restart();

    // Engine thread: calls each() for what arrived since the last drain, at most `limit`.
    std::size_t drain(const std::function<void(const Datagram&)>& each, std::size_t limit = 256);
    // Engine thread: one datagram to the selected pair; dropped before `connected`.
    void send(std::span<const std::uint8_t> data);

    IceState state() const { return state_; }
    IceSelection selection() const { return selection_; }
    std::uint64_t dropped() const { return ring_.dropped(); }  // the engine fell behind, or too long

    struct Loop;  // what the ICE thread owns (in the .cpp)

private:
    struct Callbacks;  // libnice's C callbacks
    static constexpr std::size_t kRingSlots = 256;

    void run(Loop& loop);  // the ICE thread
    void start_gathering();
    void close_on_ice_thread();
    void set_state(IceState state);
    void emit_local_candidate(const void* nice_candidate);
    template <typename F>
    void post(F&& f);

    asio::io_context& io_;
    const IceConfig config_;
    const Handlers handlers_;
    _GMainContext* context_ = nullptr;
    _NiceAgent* agent_ = nullptr;
    unsigned stream_ = 0;
    DatagramRing ring_{kRingSlots};
    // io_context thread only:
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed: posted work is skipped
    IceState state_ = IceState::gathering;
    IceSelection selection_;
    std::shared_ptr<Loop> loop_;
    std::jthread thread_;
};

}  // namespace sala::client
