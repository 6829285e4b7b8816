#pragma once
// Registration with sala-server, and staying registered: one connection at a time, hello as
// soon as it is open, and after a registered connection is lost, reconnection with backoff
// until close(), presenting the session's resume token so that the server hands the same
// session (and its call) back. With a prover, each hello proves the identity key that owns the
// name (protocol v4: challenge, then hello with identity and proof). The state changes in one place (set_state).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio.hpp>

#include "directory/directory_connection.hpp"
#include "sala/client/server_address.hpp"
#include "sala/client/snapshot.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

enum class DirectoryState {
    closed,       // not connected, not trying
    connecting,   // TCP connection under way
    registering,  // hello sent, waiting for welcome
    registered,
    backing_off,  // lost a registered connection; connecting again after a pause
};

class DirectoryClient {
public:
    struct Handlers {
        std::function<void()> state_changed;
        // welcome: the server's welcome message; again: a reconnection since open(); resumed: the
        // server handed our session back (its call, if any, goes on).
        std::function<void(const protocol::Json& welcome, bool again, bool resumed)> registered;
        // Every other message.
        std::function<void(const protocol::Json& message)> message;
        // The connection closed. The client is backing off to reconnect (state backing_off) if it
        // had registered since open(), else it gave up (state closed).
        std::function<void(const std::string& reason, bool was_registered)> lost;
        // The server refused the registration. retrying: our old session may still hold the name,
        // so the client tries again later; otherwise it gave up (state closed).
        std::function<void(const std::string& code, const std::string& message, bool retrying)> refused;
        // Proves the name's identity key (protocol v4): our public key and its signature of the
        // message. When set, every hello waits for the connection's challenge and carries the proof.
        std::function<protocol::NameProof(const std::vector<std::uint8_t>& message)> prove;
        // Judges the server's certificate after each TLS handshake: nullopt goes on; a sentence
        // refuses the server (refused() with code "untrusted_server" and that sentence; no retry).
        std::function<std::optional<std::string>(const ServerCertificate&)> check_certificate;
    };

    // tls false: plain lines, for a server started with --insecure-plaintext.
    DirectoryClient(asio::io_context& io, Handlers handlers, std::chrono::milliseconds ping_interval, bool tls = true);
    ~DirectoryClient();
    DirectoryClient(const DirectoryClient&) = delete;
    DirectoryClient& operator=(const DirectoryClient&) = delete;

    // Registers `name` at host:port (closing any earlier connection at once), declaring the port
    // the client receives media on. With `more` (the other nodes of a cluster) it starts at one of
    // them all, chosen at random, and moves to the next when a connection cannot be made, or when
    // the node, cut off from its cluster, registers nobody (server_full).
    void open(const std::string& host, unsigned short port, const std::string& name, unsigned short media_port,
              const std::vector<ServerAddress>& more = {});
    // Connects again from the start, to the same node (after the user trusted its certificate).
    void reopen();
    // "host:port" of the node in use (or tried next).
    std::string current_server() const;
    // Stops, saying bye first (given a moment to leave) when say_bye.
    void close(bool say_bye);
    // Sends when registered; drops the message otherwise.
    void send(const protocol::Json& message);
    // Checks now that the connection still leads to the server (after a sign of a network
    // change); one that does not answer soon is closed, and reconnection begins.
    void probe();

    DirectoryState state() const { return state_; }
    // What the snapshot shows of it (connecting again after a registration: reconnecting).
    ConnectionState connection_state() const;
    // Registered at least once since open(): a reconnection, not a first registration.
    bool registered_before() const { return registered_before_; }

private:
    void connect();
    void drop_connection(std::chrono::milliseconds grace);
    void back_off();
    void next_server();
    void on_closed(const std::string& reason);
    void on_message(const protocol::Json& message);
    void on_refusal(const protocol::Json& error);
    void send_hello(const protocol::Json& challenge);
    void set_state(DirectoryState state);

    asio::io_context& io_;
    Handlers handlers_;
    std::chrono::milliseconds ping_interval_;
    asio::steady_timer backoff_timer_;
    std::shared_ptr<DirectoryConnection> connection_;
    DirectoryState state_ = DirectoryState::closed;
    std::vector<ServerAddress> servers_;  // the node in use is servers_[current_]
    std::size_t current_ = 0;
    std::string name_;
    std::string resume_token_;  // from the last welcome: takes our session over after a reconnection
    unsigned short media_port_ = 0;
    bool registered_before_ = false;
    std::size_t failures_ = 0;  // reconnections in a row that did not register: the backoff step
    bool tls_ = true;
    std::optional<std::string> untrusted_;  // why the last connection's server was refused
};

}  // namespace sala::client
