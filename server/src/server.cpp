#include "server.hpp"

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <csignal>
#include <iostream>
#include <unordered_map>
#include <vector>

#include "cluster/cluster_node.hpp"
#include "cluster/release_binding.hpp"
#include "cluster_bridge.hpp"
#include "data_dir.hpp"
#include "name_book.hpp"
#include "name_store.hpp"
#include "presence_log.hpp"
#include "registry.hpp"
#include "sala/log.hpp"
#include "session.hpp"
#include "stun_service.hpp"
#include "tls/server_context.hpp"
#include "turn/rest_credentials.hpp"
#include "turn_service.hpp"

namespace sala::server {
namespace {
using asio::use_awaitable;
using asio::ip::tcp;

// Presence is written in passes over every registered client, each pass carrying every
// change since the last one. A pass starts at least 25 ms after the previous one started
// and no sooner after it ended than it lasted (with 10,000 clients a pass takes some
// 100 ms of system calls: presence gets at most about half of the thread). A pass lets
// reads (and so call signalling) in after every slice of about half a millisecond.
constexpr auto kPresenceInterval = std::chrono::milliseconds(25);
constexpr auto kPresenceSlice = std::chrono::microseconds(500);
constexpr std::size_t kClockEvery = 8;  // clients written between looks at the clock
constexpr auto kShutdownFlushBound = std::chrono::milliseconds(1000);
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// With --port 0, fresh TCP ports tried until one's number is free in UDP too.
constexpr int kPortAttempts = 8;
// TURN credentials in welcome are valid this long; every registration gets fresh ones.
constexpr std::int64_t kTurnCredentialSeconds = 24 * 3600;

std::string host_of(const tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address.to_string();
}

template <typename Endpoint>
std::string endpoint_text(const Endpoint& endpoint) {
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    return log::cat(host, ":", endpoint.port());
}

void expire_names(Registry& registry, std::chrono::seconds expiry) {
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    for (const auto& key : registry.expire_names((now - expiry).count()))
        log::info("names", log::cat("\"", key, "\" was unused for ", expiry.count(), " s: its binding is freed"));
}

class Server final : public Outbox, public SessionEvents {
    struct Peer {
        std::shared_ptr<Session> session;
        PresenceLog::Seq seen = 0;  // the presence before this position is queued to it
        bool subscribed = false;    // registered: it receives presence
        std::string local_host;     // the server's address as this client reached it
    };

public:
    Server(asio::io_context& io, const ServerOptions& options, const DescriptorPlan& plan, NameBook& names,
           SSL_CTX* tls, cluster::ClusterNode* node)
        : io_(io),
          acceptor_(io),
          signals_(io, SIGINT, SIGTERM),
          presence_timer_(io),
          expiry_timer_(io),
          names_timer_(io),
          stop_timer_(io),
          stun_(io, "sala-server"),
          registry_(*this, RegistryLimits{plan.clients, options.invite_timeout, options.resume_grace}),
          limits_{1 << 20, options.idle_timeout},
          max_connections_(plan.clients + kSpareConnections),
          secret_(options.turn_secret.value_or(turn::random_secret())),
          public_address_(options.public_address),
          turn_server_(options.turn_server),
          name_expiry_(options.name_expiry),
          node_(node) {
        if (node_) {
            // Names are claimed and bound in Redis, for the whole cluster; the data directory's
            // bindings are not used.
            node_->set_binding_expiry(options.name_expiry);
            bridge_.emplace(registry_, *node_);
        } else {
            registry_.set_names(&names);
        }
        limits_.tls = tls;
        limits_.plaintext = options.insecure_plaintext;
        if (options.relay && !options.turn_server) {
            turn::RelayLimits relay_limits;
            relay_limits.max_allocations = plan.allocations;  // as many as descriptors allow
            relay_limits.max_allocations_per_user = options.max_allocations_per_user;
            std::optional<asio::ip::address> public_ip;
            if (options.public_address) public_ip = asio::ip::make_address(*options.public_address);
            turn_.emplace(
                io, relay_limits, secret_,
                [this](std::string_view name) -> std::optional<turn::CallPeer> {
                    auto peer = registry_.relay_peer(name);
                    if (!peer) return std::nullopt;
                    return turn::CallPeer{peer->name, peer->host};
                },
                public_ip);
            if (options.relay_ports) turn_->set_port_range(*options.relay_ports);
            turn_->set_tcp_sender([this](std::uint64_t connection, std::span<const std::uint8_t> bytes) {
                auto it = sessions_.find(connection);
                if (it != sessions_.end())
                    it->second.session->send(std::make_shared<const std::string>(bytes.begin(), bytes.end()));
            });
            limits_.turn = true;
        }
        if (turn_ || turn_server_)
            registry_.set_turn_offer([this](ClientId id, std::string_view name) { return turn_offer(id, name); });
    }

    // Binds and listens on TCP, and on UDP for STUN at the same port number; prints the real
    // address on stdout. Throws std::system_error.
    void listen(const ServerOptions& options) {
        tcp::endpoint endpoint(asio::ip::make_address(options.bind), options.port);
        // The default "::" on a host without IPv6 (not in the kernel, or disabled even on the
        // loopback): IPv4 alone, said once.
        auto ipv4_only = [&](const std::string& why) {
            log::info("server", "no IPv6 here (" + why + "): listening on 0.0.0.0, IPv4 only");
            endpoint = tcp::endpoint(asio::ip::address_v4::any(), options.port);
        };
        if (!options.bind_given && !host_has_ipv6()) ipv4_only("no IPv6 loopback");
        for (int attempt = 1;; ++attempt) {
            if (std::error_code ec = open_acceptor(endpoint)) {
                bool no_ipv6 = ec == asio::error::address_family_not_supported ||
                               ec == std::errc::address_not_available || ec == std::errc::protocol_not_supported;
                if (options.bind_given || !endpoint.address().is_v6() || !no_ipv6)
                    throw std::system_error(ec, "cannot listen on " + endpoint_text(endpoint));
                ipv4_only(ec.message());
                continue;
            }
            if (!options.stun && !turn_) break;
            auto bound = acceptor_.local_endpoint();
            std::error_code ec = stun_.open(asio::ip::udp::endpoint(bound.address(), bound.port()));
            if (!ec) break;
            acceptor_.close();
            if (options.port != 0 || ec != asio::error::address_in_use || attempt == kPortAttempts)
                throw std::system_error(ec, log::cat("cannot answer STUN on udp ", endpoint_text(bound),
                                                     " (the TCP port's number; --stun off --relay off does without)"));
            log::debug("stun", log::cat("udp port ", bound.port(), " is taken; trying another TCP port"));
        }
        std::string where = endpoint_text(acceptor_.local_endpoint());
        std::cout << "listening on " << where << std::endl;
        log::info("server", "listening on " + where);
        if (stun_.is_open()) log::info("stun", "STUN answered on udp " + endpoint_text(stun_.local_endpoint()));
        port_ = acceptor_.local_endpoint().port();
        if (turn_) {
            stun_.relay_to(&*turn_, options.stun);
            turn_->attach_udp(stun_.socket());
            log::info("turn", log::cat("TURN relay on udp and tcp port ", port_));
        } else if (turn_server_) {
            log::info("turn", "credentials handed out for " + *turn_server_);
        }
    }

    // Opens, binds and listens; an unspecified IPv6 address takes IPv4 clients too (dual stack).
    std::error_code open_acceptor(const tcp::endpoint& endpoint) {
        std::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified())
            acceptor_.set_option(asio::ip::v6_only(false), ec);
        if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            std::error_code ignored;
            acceptor_.close(ignored);
        }
        return ec;
    }

    void start() {
        signals_.async_wait([this](std::error_code ec, int signal) {
            if (!ec) shut_down(signal);
        });
        asio::co_spawn(io_, accept_loop(), asio::detached);
        asio::co_spawn(io_, presence_loop(), asio::detached);
        asio::co_spawn(io_, expiry_loop(), asio::detached);
        asio::co_spawn(io_, names_loop(), asio::detached);
        stun_.start();
        if (turn_) turn_->start();
    }

private:
    asio::awaitable<void> accept_loop() {
        asio::steady_timer retry(io_);
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(as_result);
            if (stopping_) co_return;
            if (ec) {
                if (ec == asio::error::operation_aborted) co_return;
                log::warn("server", "accept failed: " + ec.message());
                retry.expires_after(kAcceptRetryDelay);  // e.g. out of descriptors
                co_await retry.async_wait(as_result);
                continue;
            }
            if (sessions_.size() >= max_connections_) {
                log::warn("server", log::cat("refused a connection: already ", sessions_.size(), " connections"));
                continue;  // the socket closes as it goes out of scope
            }
            admit(std::move(socket));
        }
    }

    void admit(tcp::socket socket) {
        std::error_code ec;
        auto remote = socket.remote_endpoint(ec);
        if (ec) return;  // already reset by the peer
        socket.set_option(tcp::no_delay(true), ec);
        socket.non_blocking(true, ec);
        if (ec) return;
        ClientId id = next_id_++;
        registry_.connected(id, host_of(remote));
        auto local = socket.local_endpoint(ec);
        auto session = std::make_shared<Session>(std::move(socket), id, *this, limits_, std::span<char>(scratch_));
        sessions_.emplace(id, Peer{session, 0, false, ec ? std::string() : host_of(local)});
        log::debug("server", log::cat("client ", id, " connected from ", endpoint_text(remote)));
        session->start();
    }

    // Writes the published presence to every subscribed client, one write per client per
    // pass, a slice of clients at a time.
    asio::awaitable<void> presence_loop() {
        std::vector<ClientId> readers;
        Clock::time_point next_pass{};
        for (;;) {
            if (presence_.begin() == presence_.end()) {
                presence_timer_.expires_at(Clock::time_point::max());
                co_await presence_timer_.async_wait(as_result);
                if (stopping_) co_return;
                continue;
            }
            while (Clock::now() < next_pass) {
                presence_timer_.expires_at(next_pass);
                co_await presence_timer_.async_wait(as_result);
                if (stopping_) co_return;
            }
            auto pass_start = Clock::now();
            PresenceLog::Seq from = presence_.begin();
            PresenceLog::Seq to = presence_.end();
            auto everyone = std::make_shared<const std::string>(presence_.lines(from, to, 0));
            std::vector<ClientId> subjects = presence_.subjects(from, to);
            readers.clear();
            for (const auto& [id, peer] : sessions_)
                if (peer.subscribed && peer.seen < to) readers.push_back(id);
            auto slice_end = Clock::now() + kPresenceSlice;
            for (std::size_t i = 0; i < readers.size(); ++i) {
                auto it = sessions_.find(readers[i]);
                if (it != sessions_.end() && it->second.subscribed && it->second.seen < to) {
                    Peer& peer = it->second;
                    if (peer.seen == from && !std::binary_search(subjects.begin(), subjects.end(), it->first)) {
                        peer.seen = to;
                        peer.session->send(everyone);
                    } else {
                        std::string own = presence_.lines(peer.seen, to, it->first);
                        peer.seen = to;
                        if (!own.empty()) peer.session->send(std::make_shared<const std::string>(std::move(own)));
                    }
                }
                if ((i + 1) % kClockEvery == 0 && Clock::now() >= slice_end) {
                    co_await asio::post(io_, use_awaitable);
                    if (stopping_) co_return;
                    slice_end = Clock::now() + kPresenceSlice;
                }
            }
            presence_.trim(to);
            auto pass_end = Clock::now();
            next_pass = std::max(pass_start + kPresenceInterval, pass_end + (pass_end - pass_start));
        }
    }

    // Unanswered invites and lingering sessions end on time.
    asio::awaitable<void> expiry_loop() {
        for (;;) {
            expiry_timer_.expires_at(registry_.next_deadline().value_or(Clock::time_point::max()));
            co_await expiry_timer_.async_wait(as_result);
            if (stopping_) co_return;
            registry_.expire(Clock::now());
        }
    }

    // Bound names unused for --name-expiry-days are freed: looked for a few times per expiry
    // period, at most hourly, at least every second.
    asio::awaitable<void> names_loop() {
        const auto every =
            std::clamp<std::chrono::seconds>(name_expiry_ / 4, std::chrono::seconds(1), std::chrono::hours(1));
        for (;;) {
            expire_names(registry_, name_expiry_);
            names_timer_.expires_after(every);
            co_await names_timer_.async_wait(as_result);
            if (stopping_) co_return;
        }
    }

    void shut_down(int signal) {
        if (stopping_) return;
        stopping_ = true;
        log::info("server", log::cat("signal ", signal, ": shutting down, telling ", sessions_.size(), " clients"));
        std::error_code ignored;
        acceptor_.close(ignored);
        if (stun_.is_open()) {
            stun_.stop();
            log::info("stun", describe(stun_.counts()));
        }
        if (turn_) {
            turn_->stop();
            const auto& c = turn_->counts();
            log::info("turn",
                      log::cat(c.allocations, " allocations, ", c.to_peers, " datagrams to peers, ", c.to_clients,
                               " to clients, ", c.over_rate, " over the rate limit, ", c.without_permission,
                               " without permission, ", c.unauthenticated, " challenged, ", c.forbidden, " forbidden, ",
                               c.errors, " other errors, ", c.dropped, " dropped, ", c.oversized, " too big to relay, ",
                               c.stale, " stale released"));
        }
        presence_timer_.cancel();
        expiry_timer_.cancel();
        names_timer_.cancel();
        if (node_) node_->stop();  // the other nodes drop this node's users at once
        registry_.clear();         // nobody is told that the others leave
        auto shutdown =
            std::make_shared<const std::string>(protocol::to_line(protocol::Json{{"type", protocol::type::shutdown}}));
        for (auto& [id, peer] : sessions_) {
            peer.session->send(shutdown);
            peer.session->finish();
        }
        if (sessions_.empty()) return;
        stop_timer_.expires_after(kShutdownFlushBound);
        stop_timer_.async_wait([this](std::error_code ec) {
            if (ec) return;
            std::vector<std::shared_ptr<Session>> left;
            for (auto& [id, peer] : sessions_) left.push_back(peer.session);
            log::warn("server", log::cat("closing ", left.size(), " clients that did not read in time"));
            for (auto& session : left) session->close("shutdown");
        });
    }

    // Outbox
    // A directed message goes out at once, after the presence the client has not got yet
    // (so a client never hears of a call with someone before it hears that they joined).
    void send(ClientId to, const SharedLine& line) override {
        auto it = sessions_.find(to);
        if (it == sessions_.end()) return;
        Peer& peer = it->second;
        std::string missed = catch_up(to, peer);
        if (missed.empty()) return peer.session->send(line);
        missed += *line;
        peer.session->send(std::make_shared<const std::string>(std::move(missed)));
    }
    void publish(ClientId about, std::string line) override {
        presence_.append(about, std::move(line));
        if (presence_.end() - presence_.begin() == 1) presence_timer_.cancel();
    }
    void subscribe(ClientId id) override {
        if (auto it = sessions_.find(id); it != sessions_.end()) {
            it->second.subscribed = true;
            it->second.seen = presence_.end();
        }
    }
    void unsubscribe(ClientId id) override {
        auto it = sessions_.find(id);
        if (it == sessions_.end() || !it->second.subscribed) return;
        std::string missed = catch_up(id, it->second);
        if (!missed.empty()) it->second.session->send(std::make_shared<const std::string>(std::move(missed)));
        it->second.subscribed = false;
    }
    void deadline(Clock::time_point deadline) override {
        if (deadline < expiry_timer_.expiry()) expiry_timer_.cancel();
    }
    void drop(ClientId id) override {
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return;
        it->second.subscribed = false;
        // Posted: the registry is in the middle of a hello, and a presence pass may be under way.
        asio::post(io_, [session = it->second.session] { session->close("taken over by a resumed session"); });
    }

    void finish(ClientId id) override {
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return;
        asio::post(io_, [session = it->second.session] { session->finish(); });
    }

    // SessionEvents
    bool line(Session& session, std::string_view text) override {
        if (stopping_) return false;
        if (registry_.receive(session.id(), text, Clock::now()) == AfterLine::close) {
            session.finish();
            return false;
        }
        return true;
    }
    void line_too_long(Session& session) override {
        if (!stopping_) registry_.line_too_long(session.id());
    }
    void turn_started(Session& session) override {
        registry_.disconnected(session.id(), "speaks TURN");  // never registered: nobody is told
    }
    void turn_frame(Session& session, std::span<const std::uint8_t> frame) override {
        if (!turn_ || stopping_) return;
        turn_->from_tcp(session.id(), session.remote(), frame);
        // Its allocation (up to 3600 s between refreshes) keeps the connection open, idle or not.
        auto expiry = turn_->tcp_allocation_expiry(session.id(), session.remote());
        session.hold_open_until(expiry.value_or(Clock::time_point{}));
    }
    void secured(Session& session, const std::array<std::uint8_t, 32>& binding) override {
        registry_.secured(session.id(), binding);
    }
    void closed(Session& session, std::string_view why) override {
        if (turn_ && session.speaks_turn()) turn_->tcp_closed(session.id(), session.remote());
        registry_.disconnected(session.id(), why);
        log::debug("server", log::cat("client ", session.id(), " closed: ", why));
        sessions_.erase(session.id());
        if (stopping_ && sessions_.empty()) stop_timer_.cancel();
    }

    // welcome's "turn": REST credentials for this user, and where to use them.
    std::string turn_offer(ClientId id, std::string_view name) const {
        std::string base;
        if (turn_server_) {
            base = *turn_server_;
        } else {
            std::string host = public_address_.value_or("");
            if (host.empty())
                if (auto it = sessions_.find(id); it != sessions_.end()) host = it->second.local_host;
            if (host.find(':') != std::string::npos) host = "[" + host + "]";
            base = log::cat("turn:", host, ":", port_);
        }
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count();
        std::string username = turn::rest_username(now + kTurnCredentialSeconds, name);
        protocol::Json offer{{"username", username},
                             {"password", turn::rest_password(secret_, username)},
                             {"ttl", kTurnCredentialSeconds},
                             {"uris", {base + "?transport=udp", base + "?transport=tcp"}}};
        return offer.dump();
    }

    // The presence published since the client last got any, marked as got.
    std::string catch_up(ClientId id, Peer& peer) {
        if (!peer.subscribed || peer.seen >= presence_.end()) return {};
        std::string missed = presence_.lines(peer.seen, presence_.end(), id);
        peer.seen = presence_.end();
        return missed;
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    asio::signal_set signals_;
    asio::steady_timer presence_timer_;
    asio::steady_timer expiry_timer_;
    asio::steady_timer names_timer_;
    asio::steady_timer stop_timer_;
    StunService stun_;
    Registry registry_;
    SessionLimits limits_;
    std::size_t max_connections_;
    std::unordered_map<ClientId, Peer> sessions_;
    PresenceLog presence_;
    std::array<char, 64 * 1024> scratch_{};
    ClientId next_id_ = 1;
    bool stopping_ = false;
    std::string secret_;  // the TURN REST secret: never logged
    std::optional<std::string> public_address_;
    std::optional<std::string> turn_server_;
    std::optional<TurnService> turn_;
    std::uint16_t port_ = 0;
    std::chrono::seconds name_expiry_;
    cluster::ClusterNode* node_;  // in a cluster (--redis)
    std::optional<ClusterBridge> bridge_;
};

// --redis: joins the cluster before the server listens; the reason when Redis cannot be used.
std::string join_cluster(asio::io_context& io, cluster::ClusterNode& node) {
    std::optional<std::string> result;
    node.start([&result](std::string error) { result = std::move(error); });
    while (!result && io.run_one() > 0) {
    }
    if (io.stopped()) io.restart();
    return result.value_or("Redis never answered");
}

}  // namespace

int release_name(const ServerOptions& options) {
    if (options.redis) {  // a cluster's bindings live in its Redis
        std::string error;
        switch (cluster::release_binding(*options.redis, options.redis_password, *options.release_name, &error)) {
            case cluster::Released::released:
                std::cout << "released \"" << *options.release_name << "\": anyone may register it again\n";
                return 0;
            case cluster::Released::not_bound:
                std::cerr << "sala-server: the name \"" << *options.release_name << "\" is not bound to a key in "
                          << options.redis->text() << "\n";
                return 1;
            case cluster::Released::failed:
                std::cerr << "sala-server: " << error << "\n";
                return 1;
        }
    }
    try {
        DataDir dir(options.data_dir);
        NameStore store(dir.names_database());
        const std::string key = protocol::name_key(*options.release_name);
        if (!store.erase_now(key)) {
            std::cerr << "sala-server: the name \"" << *options.release_name << "\" is not bound to a key in "
                      << options.data_dir << "\n";
            return 1;
        }
        std::cout << "released \"" << *options.release_name << "\": anyone may register it again\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sala-server: " << e.what() << "\n";
        return 1;
    }
}

int run(const ServerOptions& options) {
    std::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes the sockets itself: a closed peer must not kill us
    std::size_t open_files = raise_open_file_limit();
    std::size_t capacity = client_capacity(open_files);
    bool relays = options.relay && !options.turn_server;
    DescriptorPlan plan = plan_descriptors(open_files, options.max_clients, relays ? options.max_allocations : 0);
    log::info("server",
              log::cat("open-file limit ", open_files, ": room for ", capacity, " clients; accepting up to ",
                       plan.clients, relays ? log::cat(" and ", plan.allocations, " relay allocations") : ""));
    if (plan.clients > capacity)
        log::warn("server", log::cat("--max-clients ", plan.clients, " is more than the open-file limit allows (",
                                     capacity, ")"));
    if (relays && plan.allocations < options.max_allocations)
        log::warn("turn", log::cat("the open-file limit (", open_files, ") leaves room for ", plan.allocations,
                                   " relay allocations, not --max-allocations ", options.max_allocations,
                                   ": more get 508; raise the limit (ulimit -n) for more"));
    if (relays && options.relay_ports) {
        log::info("turn", log::cat("relay allocations take UDP ports ", options.relay_ports->first, "-",
                                   options.relay_ports->last));
        if (options.relay_ports->size() < plan.allocations)
            log::warn("turn", log::cat("--relay-ports has ", options.relay_ports->size(), " ports for ",
                                       plan.allocations, " allocations: more get 508"));
    }
    asio::io_context io(1);
    try {
        DataDir dir(options.data_dir);
        NameStore store(dir.names_database());
        NameBook names([&store](const NameChange& change) { return store.queue(change); });
        for (auto& row : store.load()) names.load(std::move(row.key), *row.binding);
        log::info("names", log::cat(names.size(), " names bound to identity keys in ", dir.names_database().string(),
                                    "; freed after ", options.name_expiry.count(), " s unused"));
        store.start_writer();
        auto tls = tls::make_server_context(options.certificate ? *options.certificate
                                                                : tls::self_signed_in(dir.path(), "sala-server"));
        log::info("tls", log::cat("certificate fingerprint ", tls->fingerprint,
                                  " (clients pin it on first use; tell your users, so they can compare)"));
        if (options.insecure_plaintext)
            log::warn("tls", "--insecure-plaintext: plain lines are accepted too, on this loopback address only");
        std::optional<cluster::ClusterNode> node;
        if (options.redis) node.emplace(io, *options.redis, options.redis_password);
        Server server(io, options, plan, names, tls->context.native_handle(), node ? &*node : nullptr);
        if (node) {
            if (std::string error = join_cluster(io, *node); !error.empty()) {
                log::error("cluster", error + " (--redis); not starting");
                return 1;
            }
            log::info("cluster", "node " + node->id() + " is in the cluster");
        }
        server.listen(options);
        server.start();
        io.run();
        const auto written = store.counts();
        log::info("names", log::cat(written.written, " binding changes written in ", written.batches, " batches",
                                    written.failed ? log::cat(", ", written.failed, " batches FAILED") : ""));
    } catch (const std::exception& e) {
        log::error("server", e.what());
        return 1;
    }
    log::info("server", "stopped");
    return 0;
}

}  // namespace sala::server
