#include "directory/directory_client.hpp"

#include <algorithm>
#include <iterator>
#include <random>

namespace sala::client {
namespace {
using protocol::Json;
// The first retry is quick: after a network change the server holds the session (and its call)
// only for its resume grace, and the call's audio waits for the session to be back.
constexpr int kBackoffMs[] = {100, 500, 1000, 2000, 4000, 8000, 10000};
constexpr auto kProbeAnswer = std::chrono::milliseconds(2000);
constexpr auto kByeGrace = std::chrono::milliseconds(200);
}  // namespace

DirectoryClient::DirectoryClient(asio::io_context& io, Handlers handlers, std::chrono::milliseconds ping_interval,
                                 bool tls)
    : io_(io), handlers_(std::move(handlers)), ping_interval_(ping_interval), backoff_timer_(io), tls_(tls) {}

DirectoryClient::~DirectoryClient() { drop_connection(std::chrono::milliseconds(0)); }

void DirectoryClient::open(const std::string& host, unsigned short port, const std::string& name,
                           unsigned short media_port, const std::vector<ServerAddress>& more) {
    servers_ = {ServerAddress{host, port}};
    servers_.insert(servers_.end(), more.begin(), more.end());
    current_ = servers_.size() > 1 ? std::random_device()() % servers_.size() : 0;
    name_ = name;
    media_port_ = media_port;
    reopen();
}

std::string DirectoryClient::current_server() const {
    if (servers_.empty()) return "";
    const ServerAddress& at = servers_[current_];
    const bool v6 = at.host.find(':') != std::string::npos;
    return (v6 ? "[" + at.host + "]" : at.host) + ":" + std::to_string(at.port);
}

void DirectoryClient::next_server() {
    if (servers_.size() > 1) current_ = (current_ + 1) % servers_.size();
}

void DirectoryClient::reopen() {
    drop_connection(std::chrono::milliseconds(0));
    backoff_timer_.cancel();
    registered_before_ = false;
    failures_ = 0;
    resume_token_.clear();
    connect();
}

void DirectoryClient::close(bool say_bye) {
    backoff_timer_.cancel();
    if (connection_ && say_bye) {
        connection_->send(Json{{"type", protocol::type::bye}});
        drop_connection(kByeGrace);
    } else {
        drop_connection(std::chrono::milliseconds(0));
    }
    set_state(DirectoryState::closed);
}

void DirectoryClient::send(const Json& message) {
    if (connection_ && state_ == DirectoryState::registered) connection_->send(message);
}

void DirectoryClient::probe() {
    if (connection_ && state_ == DirectoryState::registered) connection_->probe(kProbeAnswer);
}

void DirectoryClient::connect() {
    DirectoryConnection::Handlers handlers;
    handlers.connected = [this] {
        set_state(DirectoryState::registering);
        if (handlers_.prove)
            connection_->send(Json{{"type", protocol::type::challenge}});
        else
            send_hello(Json());
    };
    handlers.message = [this](const Json& m) { on_message(m); };
    handlers.closed = [this](const std::string& reason) { on_closed(reason); };
    handlers.check_certificate = [this](const ServerCertificate& certificate) -> std::optional<std::string> {
        untrusted_ = handlers_.check_certificate ? handlers_.check_certificate(certificate) : std::nullopt;
        return untrusted_;
    };
    untrusted_.reset();
    connection_ = std::make_shared<DirectoryConnection>(io_, std::move(handlers), ping_interval_, tls_);
    set_state(DirectoryState::connecting);
    connection_->start(servers_[current_].host, servers_[current_].port);
}

void DirectoryClient::send_hello(const Json& challenge) {
    Json hello{{"type", protocol::type::hello},
               {"version", protocol::kVersion},
               {"name", name_},
               {"media_port", media_port_},
               {protocol::field::resumable, true}};
    if (!resume_token_.empty()) hello[protocol::field::resume_token] = resume_token_;
    if (handlers_.prove) {
        auto nonce = protocol::parse_nonce(challenge);
        if (!nonce)
            return on_refusal(
                protocol::error(protocol::ErrorCode::bad_request, "The server's challenge carries no nonce to sign."));
        const auto proof = handlers_.prove(protocol::name_proof_message(*nonce, connection_->channel_binding(), name_));
        hello[protocol::field::identity] = protocol::to_hex(proof.identity.data(), proof.identity.size());
        hello[protocol::field::proof] = protocol::to_hex(proof.signature.data(), proof.signature.size());
    }
    connection_->send(hello);
}

void DirectoryClient::drop_connection(std::chrono::milliseconds grace) {
    if (connection_) connection_->close(grace);
    connection_.reset();
}

void DirectoryClient::back_off() {
    set_state(DirectoryState::backing_off);
    const int delay = kBackoffMs[std::min<std::size_t>(failures_, std::size(kBackoffMs) - 1)];
    ++failures_;
    backoff_timer_.expires_after(std::chrono::milliseconds(delay));
    backoff_timer_.async_wait([this](asio::error_code ec) {
        if (!ec && state_ == DirectoryState::backing_off) connect();
    });
}

void DirectoryClient::on_closed(const std::string& reason) {
    connection_.reset();
    if (untrusted_) {  // not a network problem: trying again would meet the same certificate
        backoff_timer_.cancel();
        set_state(DirectoryState::closed);
        if (handlers_.refused) handlers_.refused("untrusted_server", *untrusted_, false);
        return;
    }
    const bool was_registered = state_ == DirectoryState::registered;
    // A registered connection lost: the same node first (it holds the session to resume); a node
    // that could not be reached or did not register us: the next one.
    if (!was_registered) next_server();
    if (registered_before_)
        back_off();
    else
        set_state(DirectoryState::closed);
    if (handlers_.lost) handlers_.lost(reason, was_registered);
}

void DirectoryClient::on_message(const Json& m) {
    const std::string kind = protocol::get_string(m, "type").value_or("");
    const bool registering = state_ != DirectoryState::registered;
    if (registering && kind == protocol::type::welcome) {
        const bool again = registered_before_;
        const auto flag = m.find(protocol::field::resumed);
        const bool resumed = again && flag != m.end() && *flag == true;
        resume_token_ = protocol::get_string(m, protocol::field::resume_token).value_or("");
        registered_before_ = true;
        failures_ = 0;
        set_state(DirectoryState::registered);
        if (handlers_.registered) handlers_.registered(m, again, resumed);
    } else if (registering && kind == protocol::type::challenge) {
        send_hello(m);
    } else if (registering && kind == protocol::type::error) {
        on_refusal(m);
    } else if (handlers_.message) {
        handlers_.message(m);
    }
}

void DirectoryClient::on_refusal(const Json& error) {
    const auto code = protocol::get_string(error, "code").value_or("error");
    const auto message = protocol::get_string(error, "message").value_or(code);
    drop_connection(std::chrono::milliseconds(0));
    // After a reconnection our old session may not have timed out yet on the server.
    // A node of a cluster cut off from the others registers nobody for a while (server_full).
    const auto parsed = protocol::parse_error_code(code);
    const bool retrying = registered_before_ && (parsed == protocol::ErrorCode::name_taken ||
                                                 (servers_.size() > 1 && parsed == protocol::ErrorCode::server_full));
    if (retrying) {
        // name_taken: this node is up and our old session is still held (on a node that went down
        // with it, or here): wait here. server_full: this node is cut off: try the next.
        if (parsed == protocol::ErrorCode::server_full) next_server();
        back_off();
    } else {
        set_state(DirectoryState::closed);
    }
    if (handlers_.refused) handlers_.refused(code, message, retrying);
}

ConnectionState DirectoryClient::connection_state() const {
    switch (state_) {
        case DirectoryState::closed:
            return ConnectionState::disconnected;
        case DirectoryState::registered:
            return ConnectionState::registered;
        case DirectoryState::backing_off:
            return ConnectionState::reconnecting;
        case DirectoryState::connecting:
        case DirectoryState::registering:
            break;
    }
    return registered_before_ ? ConnectionState::reconnecting : ConnectionState::connecting;
}

void DirectoryClient::set_state(DirectoryState state) {
    if (state == state_) return;
    state_ = state;
    if (handlers_.state_changed) handlers_.state_changed();
}

}  // namespace sala::client
