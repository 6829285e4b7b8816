#include "engine/call_ice.hpp"

#include "media/direct_transport.hpp"
#include "media/ice/ice_media_transport.hpp"

namespace sala::client {
namespace {
using protocol::Json;
}

std::unique_ptr<MediaTransport> media_transport(CallIce* ice, MediaSocket& socket, const std::string& host,
                                                unsigned short port, std::string* path) {
    if (ice) {
        *path = "connecting";
        return std::make_unique<IceMediaTransport>(ice->transport());
    }
    asio::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec || port == 0) return nullptr;
    *path = "direct";
    return std::make_unique<DirectTransport>(socket, asio::ip::udp::endpoint(address, port));
}

IceConfig ice_config(bool controlling, const IceServer& server, const std::vector<IceServer>& turn,
                     const std::string& bind_address, bool relay_only) {
    IceConfig config;
    config.controlling = controlling;
    config.stun = server;
    config.turn = turn;
    config.relay_only = relay_only;
    asio::error_code ec;
    const auto server_ip = asio::ip::make_address(server.host, ec);
    if (bind_address != "0.0.0.0" && bind_address != "::")
        config.local_addresses = {bind_address};
    else if (server.host == "localhost" || (!ec && server_ip.is_loopback()))
        config.local_addresses = {"127.0.0.1"};
    return config;
}

std::vector<IceServer> turn_servers(const Json& turn) {
    std::vector<IceServer> servers;
    const auto username = protocol::get_string(turn, "username"), password = protocol::get_string(turn, "password");
    auto uris = turn.find("uris");
    if (!username || !password || uris == turn.end() || !uris->is_array()) return servers;
    for (const auto& uri : *uris) {
        if (!uri.is_string() || servers.size() >= 4) continue;
        std::string text = uri.get<std::string>();
        if (text.rfind("turn:", 0) != 0) continue;
        text.erase(0, 5);
        IceServer server;
        server.username = *username;
        server.password = *password;
        if (auto query = text.find('?'); query != std::string::npos) {
            server.tcp = text.substr(query) == "?transport=tcp";
            text.erase(query);
        }
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || colon == 0) continue;
        const std::string port = text.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) continue;
        const unsigned long number = std::stoul(port);
        if (number == 0 || number > 65535) continue;
        server.port = static_cast<unsigned short>(number);
        server.host = text.substr(0, colon);
        if (server.host.size() > 2 && server.host.front() == '[' && server.host.back() == ']')
            server.host = server.host.substr(1, server.host.size() - 2);
        servers.push_back(std::move(server));
    }
    return servers;
}

CallIce::CallIce(asio::io_context& io, IceConfig config, Handlers handlers) : handlers_(std::move(handlers)) {
    IceTransport::Handlers h;
    h.local_candidate = [this](const std::string& candidate) {
        local_.push_back(candidate);
        trickle();
    };
    h.gathering_done = [this] {
        gathered_ = true;
        trickle();
    };
    h.state_changed = [this](IceState state, const IceSelection& selection) {
        if (handlers_.state_changed) handlers_.state_changed(state, selection);
    };
    transport_ = std::make_unique<IceTransport>(io, std::move(config), std::move(h));
}

protocol::IceDescription CallIce::describe() {
    const IceCredentials credentials = transport_->local_credentials();
    protocol::IceDescription ice{credentials.ufrag, credentials.pwd, {}};
    const std::size_t count = std::min(local_.size(), protocol::kMaxCandidates);
    ice.candidates.assign(local_.begin(), local_.begin() + static_cast<std::ptrdiff_t>(count));
    described_ = count;
    return ice;
}

void CallIce::signal_to(const std::string& call_id) {
    call_id_ = call_id;
    trickle();
}

void CallIce::trickle() {
    if (call_id_.empty() || !handlers_.send) return;
    // The server takes kMaxCandidates trickled per side; more would only draw errors.
    for (; described_ < local_.size() && described_ < 2 * protocol::kMaxCandidates; ++described_)
        handlers_.send(
            Json{{"type", protocol::type::candidate}, {"call_id", call_id_}, {"candidate", local_[described_]}});
    if (gathered_ && !end_sent_) {
        end_sent_ = true;
        handlers_.send(Json{{"type", protocol::type::candidate}, {"call_id", call_id_}, {"end_of_candidates", true}});
    }
}

void CallIce::restart() {
    local_.clear();
    described_ = 0;
    gathered_ = end_sent_ = checking_ = held_remote_done_ = false;
    held_remote_.clear();
    restarting_ = true;
    transport_->restart();  // re-announces the local candidates (posted: they follow the restart message)
    const protocol::IceDescription ice = describe();
    if (handlers_.send && !call_id_.empty())
        handlers_.send(Json{{"type", protocol::type::restart}, {"call_id", call_id_}, {"ice", to_json(ice)}});
}

void CallIce::remote_restart(const protocol::IceDescription& remote) {
    if (checking_ && remote.ufrag == remote_ufrag_) {
        for (const auto& candidate : remote.candidates) transport_->add_remote_candidate(candidate);
        return;
    }
    const bool ours_out = restarting_;
    if (!restarting_) restart();
    start_checks(remote);
    if (ours_out) repeat();
}

void CallIce::repeat() {
    if (call_id_.empty() || !handlers_.send) return;
    const IceCredentials credentials = transport_->local_credentials();
    protocol::IceDescription ice{credentials.ufrag, credentials.pwd, {}};
    const std::size_t count = std::min(local_.size(), protocol::kMaxCandidates);
    ice.candidates.assign(local_.begin(), local_.begin() + static_cast<std::ptrdiff_t>(count));
    described_ = std::max(described_, count);
    handlers_.send(Json{{"type", protocol::type::restart}, {"call_id", call_id_}, {"ice", to_json(ice)}});
    end_sent_ = false;  // the end of our candidates may have been lost too
    trickle();
}

void CallIce::start_checks(const protocol::IceDescription& remote) {
    restarting_ = false;
    remote_ufrag_ = remote.ufrag;
    std::vector<std::string> candidates = remote.candidates;
    candidates.insert(candidates.end(), held_remote_.begin(), held_remote_.end());
    held_remote_.clear();
    transport_->set_remote(IceCredentials{remote.ufrag, remote.pwd}, candidates);
    checking_ = true;
    if (held_remote_done_) transport_->remote_gathering_done();
}

void CallIce::remote_candidate(const std::string& candidate) {
    if (checking_)
        transport_->add_remote_candidate(candidate);
    else if (held_remote_.size() < protocol::kMaxCandidates)
        held_remote_.push_back(candidate);
}

void CallIce::remote_candidates_done() {
    if (checking_)
        transport_->remote_gathering_done();
    else
        held_remote_done_ = true;
}

}  // namespace sala::client
