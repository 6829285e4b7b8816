#pragma once
// One call's ICE in the engine: the transport (gathering starts when the call does), and the
// signalling around it. Local candidates wait until the call has an id (the caller's until
// `calling`, the callee's until it accepts) and then trickle; the peer's wait until we start
// the checks (the caller at call_started, the callee when it accepts: never before the user
// has answered, so an invite reveals nothing of the callee's addresses).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "media/ice/ice_transport.hpp"
#include "media/media_socket.hpp"
#include "media/media_transport.hpp"
#include "sala/ice_description.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

// The relays a welcome's "turn" object offers: {"username","password","uris":["turn:HOST:PORT?transport=udp",...]}.
std::vector<IceServer> turn_servers(const protocol::Json& turn);

// How a call's ICE gathers: STUN at the directory server (it answers on its port number), the
// relays its welcome offered; host candidates on `bind_address` when it is a specific one, and
// on 127.0.0.1 when the server is on loopback (every peer of such a server is on this host).
IceConfig ice_config(bool controlling, const IceServer& server, const std::vector<IceServer>& turn,
                     const std::string& bind_address, bool relay_only);

class CallIce;
// The call's media transport: over ICE when the call has it, else straight to the address the
// server gave (nullptr when that address is unusable). *path says which: "connecting", "direct".
std::unique_ptr<MediaTransport> media_transport(CallIce* ice, MediaSocket& socket, const std::string& host,
                                                unsigned short port, std::string* path);

class CallIce {
public:
    struct Handlers {
        std::function<void(const protocol::Json& message)> send;  // a `candidate` message for the server
        std::function<void(IceState, const IceSelection&)> state_changed;
    };
    CallIce(asio::io_context& io, IceConfig config, Handlers handlers);

    // Our credentials and the candidates found so far, for `call` or `accept`.
    protocol::IceDescription describe();
    // The call has its id: what was found since describe() trickles now, the rest as it comes.
    void signal_to(const std::string& call_id);
    // The peer's description: the checks start (with the candidates it trickled meanwhile).
    void start_checks(const protocol::IceDescription& remote);
    void remote_candidate(const std::string& candidate);
    void remote_candidates_done();
    // ICE restart (the path died): new credentials, the peer's candidates forgotten; sends our
    // fresh description in a `restart` message. The checks start again with the peer's answer.
    void restart();
    // The peer's `restart`: its own (we answer with ours), the answer to ours, or a repeat of the
    // description we already check against (its candidates are added, nothing more). When it comes
    // while ours is out (an answer, or two restarts crossing), ours is said again: it may have
    // been lost with a dead connection, and the peer ignores a repeat.
    void remote_restart(const protocol::IceDescription& remote);

    IceTransport& transport() { return *transport_; }
    bool checking() const { return checking_; }
    bool restarting() const { return restarting_; }

private:
    void trickle();
    void repeat();  // our current description again, in a `restart` with the same credentials

    Handlers handlers_;
    std::unique_ptr<IceTransport> transport_;
    std::vector<std::string> local_;  // found so far
    std::size_t described_ = 0;       // how many of local_ went in describe() or a trickle
    bool gathered_ = false, end_sent_ = false;
    std::string call_id_;  // empty until signal_to()
    bool checking_ = false;
    std::string remote_ufrag_;              // of the description the checks run against
    bool restarting_ = false;               // our restart went out; the peer's answer starts the checks
    std::vector<std::string> held_remote_;  // trickled before start_checks()
    bool held_remote_done_ = false;
};

}  // namespace sala::client
