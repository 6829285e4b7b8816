#include "media/ice/ice_transport.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <netdb.h>
#include <pthread.h>

#include <nice/agent.h>
#include <nice/interfaces.h>

#include "media/ice/ice_candidate.hpp"

namespace sala::client {
namespace {

constexpr guint kComponent = 1;
// How long the destructor lets libnice release TURN allocations (a Refresh with lifetime 0 each)
// before giving up; fewer retransmissions than the default 7 keep a dead relay from stalling it.
constexpr guint kCloseWaitMs = 1500;
constexpr guint kCloseRetransmissions = 2;

const char* type_name(NiceCandidateType type) {
    switch (type) {
        case NICE_CANDIDATE_TYPE_HOST:
            return "host";
        case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
            return "srflx";
        case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
            return "prflx";
        case NICE_CANDIDATE_TYPE_RELAYED:
            return "relay";
    }
    return "unknown";
}

std::string address_text(const NiceAddress& address) {
    char ip[NICE_ADDRESS_STRING_LEN] = {};
    nice_address_to_string(&address, ip);
    const auto port = std::to_string(nice_address_get_port(&address));
    return nice_address_ip_version(&address) == 6 ? "[" + std::string(ip) + "]:" + port : std::string(ip) + ":" + port;
}

// Whether the local relayed candidate reaches its TURN server over TCP. libnice 0.1.21 keeps which
// server a candidate came from private; when both kinds are configured, the candidate's base tells:
// a relay over UDP is based on the host UDP socket (a real port), one over TCP on the TCP socket to
// the server, whose address libnice records as bound, with port 0.
bool relayed_over_tcp(const IceConfig& config, const NiceCandidate& local) {
    const bool any_tcp = std::any_of(config.turn.begin(), config.turn.end(), [](const IceServer& s) { return s.tcp; });
    const bool any_udp = std::any_of(config.turn.begin(), config.turn.end(), [](const IceServer& s) { return !s.tcp; });
    if (!any_tcp || !any_udp) return any_tcp;
    return nice_address_get_port(&local.base_addr) == 0;
}

IceSelection selection_of(const IceConfig& config, const NiceCandidate& local, const NiceCandidate& remote) {
    IceSelection s;
    s.local_type = type_name(local.type);
    s.remote_type = type_name(remote.type);
    s.remote_address = address_text(remote.addr);
    if (local.type == NICE_CANDIDATE_TYPE_RELAYED) {
        s.path = relayed_over_tcp(config, local) ? IcePath::relayed_tcp : IcePath::relayed;
    } else if (remote.type == NICE_CANDIDATE_TYPE_RELAYED) {
        s.path = IcePath::relayed;
    } else {
        s.path = IcePath::direct;
    }
    return s;
}

std::optional<std::string> numeric_host(const std::string& host) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return std::nullopt;
    char text[NI_MAXHOST] = {};
    const int error = ::getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
    ::freeaddrinfo(found);
    if (error != 0) return std::nullopt;
    return std::string(text);
}

NiceCandidate* remote_candidate(NiceAgent* agent, guint stream, const std::string& text) {
    const auto parsed = parse_ice_candidate(text);
    if (!parsed || parsed->component != kComponent) return nullptr;
    return nice_agent_parse_remote_candidate_sdp(agent, stream, ("a=" + to_attribute(*parsed)).c_str());
}

}  // namespace

// What the ICE thread owns. It outlives the IceTransport while the agent releases its TURN
// allocations, so that closing a call never waits on a relay.
struct IceTransport::Loop {
    GMainContext* context = nullptr;
    NiceAgent* agent = nullptr;
    // ICE thread only:
    bool closed = false;
    GSource* close_timeout = nullptr;
    // Set by the ICE thread once no callback can reach the IceTransport any more.
    std::promise<void> detached;
    std::atomic<bool> finished = false;  // the ICE thread is about to return
};

namespace {

// ICE threads still releasing allocations after their transport went. Each ends within
// kCloseWaitMs; the ones left are joined when the process exits.
class ClosingThreads {
public:
    static ClosingThreads& instance() {
        static ClosingThreads threads;
        return threads;
    }
    void adopt(std::jthread thread, std::shared_ptr<IceTransport::Loop> loop) {
        std::lock_guard lock(mutex_);
        std::erase_if(closing_, [](const Closing& c) { return c.loop->finished.load(); });  // joins at once
        closing_.push_back({std::move(thread), std::move(loop)});
    }

private:
    struct Closing {
        std::jthread thread;
        std::shared_ptr<IceTransport::Loop> loop;
    };
    std::mutex mutex_;
    std::vector<Closing> closing_;
};

}  // namespace

const char* to_string(IcePath path) {
    switch (path) {
        case IcePath::none:
            return "none";
        case IcePath::direct:
            return "direct";
        case IcePath::relayed:
            return "relayed";
        case IcePath::relayed_tcp:
            return "relayed-tcp";
    }
    return "none";
}

const char* to_string(IceState state) {
    switch (state) {
        case IceState::gathering:
            return "gathering";
        case IceState::checking:
            return "checking";
        case IceState::connected:
            return "connected";
        case IceState::failed:
            return "failed";
    }
    return "failed";
}

// libnice calls these on the ICE thread, or (signals queued under its lock) on whichever thread
// releases the lock: they only copy what they need and post it to the io_context, or fill the ring.
struct IceTransport::Callbacks {
    static void candidate(NiceAgent*, NiceCandidate* c, gpointer self) {
        static_cast<IceTransport*>(self)->emit_local_candidate(c);
    }
    static void gathering_done(NiceAgent*, guint, gpointer data) {
        auto* self = static_cast<IceTransport*>(data);
        self->post([self] {
            if (self->handlers_.gathering_done) self->handlers_.gathering_done();
        });
    }
    static void state_changed(NiceAgent*, guint, guint, guint state, gpointer data) {
        auto* self = static_cast<IceTransport*>(data);
        std::optional<IceState> mapped;
        switch (static_cast<NiceComponentState>(state)) {
            case NICE_COMPONENT_STATE_GATHERING:
                mapped = IceState::gathering;
                break;
            case NICE_COMPONENT_STATE_CONNECTING:
                mapped = IceState::checking;
                break;
            case NICE_COMPONENT_STATE_CONNECTED:
            case NICE_COMPONENT_STATE_READY:
                mapped = IceState::connected;
                break;
            case NICE_COMPONENT_STATE_FAILED:
                mapped = IceState::failed;
                break;
            default:
                break;  // disconnected: before gathering, or between a restart and its checks
        }
        if (mapped) self->post([self, s = *mapped] { self->set_state(s); });
    }
    static void selected(NiceAgent*, guint, guint, NiceCandidate* local, NiceCandidate* remote, gpointer data) {
        auto* self = static_cast<IceTransport*>(data);
        self->post([self, s = selection_of(self->config_, *local, *remote)]() mutable {
            self->selection_ = std::move(s);
            if (self->handlers_.state_changed) self->handlers_.state_changed(self->state_, self->selection_);
        });
    }
    static void received(NiceAgent*, guint, guint, guint len, gchar* buf, gpointer data) {
        const auto arrival = Clock::now();
        static_cast<IceTransport*>(data)->ring_.push({reinterpret_cast<const std::uint8_t*>(buf), len}, arrival);
    }
    static void closed(GObject*, GAsyncResult*, gpointer data) { static_cast<Loop*>(data)->closed = true; }
    static gboolean close_timed_out(gpointer data) {
        auto* loop = static_cast<Loop*>(data);
        loop->closed = true;
        loop->close_timeout = nullptr;
        return G_SOURCE_REMOVE;
    }
    static gboolean close(gpointer data) {
        static_cast<IceTransport*>(data)->close_on_ice_thread();
        return G_SOURCE_REMOVE;
    }
};

template <typename F>
void IceTransport::post(F&& f) {
    asio::post(io_, [alive = alive_, f = std::forward<F>(f)]() mutable {
        if (*alive) f();
    });
}

IceTransport::IceTransport(asio::io_context& io, IceConfig config, Handlers handlers)
    : io_(io), config_(std::move(config)), handlers_(std::move(handlers)), loop_(std::make_shared<Loop>()) {
    context_ = g_main_context_new();
    loop_->context = context_;
    const auto options =
        static_cast<NiceAgentOption>(NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS);
    agent_ = nice_agent_new_full(context_, NICE_COMPATIBILITY_RFC5245, options);
    if (agent_ == nullptr) {
        g_main_context_unref(context_);
        throw std::runtime_error("libnice could not make an ICE agent");
    }
    // Media goes over UDP (to the peer or the relay): no ICE-TCP candidates; no UPnP port mapping.
    g_object_set(agent_, "controlling-mode", gboolean(config_.controlling), "ice-tcp", FALSE, "upnp", FALSE,
                 "keepalive-conncheck", TRUE, "force-relay", gboolean(config_.relay_only), nullptr);
    if (config_.stun) {
        g_object_set(agent_, "stun-server", config_.stun->host.c_str(), "stun-server-port", guint(config_.stun->port),
                     nullptr);
    }
    std::vector<std::string> addresses = config_.local_addresses;
    if (addresses.empty() && !config_.ipv6) {
        GList* ips = nice_interfaces_get_local_ips(FALSE);
        for (GList* i = ips; i != nullptr; i = i->next) {
            const std::string ip = static_cast<const char*>(i->data);
            if (ip.find(':') == std::string::npos) addresses.push_back(ip);
        }
        g_list_free_full(ips, g_free);
    }
    for (const auto& ip : addresses) {
        NiceAddress address;
        nice_address_init(&address);
        if (nice_address_set_from_string(&address, ip.c_str())) nice_agent_add_local_address(agent_, &address);
    }
    stream_ = nice_agent_add_stream(agent_, 1);
    g_signal_connect(agent_, "new-candidate-full", G_CALLBACK(Callbacks::candidate), this);
    g_signal_connect(agent_, "candidate-gathering-done", G_CALLBACK(Callbacks::gathering_done), this);
    g_signal_connect(agent_, "component-state-changed", G_CALLBACK(Callbacks::state_changed), this);
    g_signal_connect(agent_, "new-selected-pair-full", G_CALLBACK(Callbacks::selected), this);
    nice_agent_attach_recv(agent_, stream_, kComponent, context_, Callbacks::received, this);
    loop_->agent = agent_;
    thread_ = std::jthread([this, loop = loop_] { run(*loop); });
}

// Waits only for one turn of the ICE loop (which cuts the agent loose from this object); the TURN
// allocations are released on the ICE thread afterwards, bounded by kCloseWaitMs.
IceTransport::~IceTransport() {
    *alive_ = false;
    std::future<void> detached = loop_->detached.get_future();
    GSource* close = g_idle_source_new();
    g_source_set_callback(close, Callbacks::close, this, nullptr);
    g_source_attach(close, context_);
    g_source_unref(close);
    detached.wait();
    ClosingThreads::instance().adopt(std::move(thread_), std::move(loop_));
}

// After start_gathering() this touches only `loop`: the IceTransport may be gone.
void IceTransport::run(Loop& loop) {
    ::pthread_setname_np(::pthread_self(), "sala-ice");  // found by name in /proc (CPU figures)
    g_main_context_push_thread_default(loop.context);
    start_gathering();
    while (!loop.closed) g_main_context_iteration(loop.context, TRUE);
    if (loop.close_timeout != nullptr) {
        g_source_destroy(loop.close_timeout);
        g_source_unref(loop.close_timeout);
    }
    g_object_unref(loop.agent);
    g_main_context_pop_thread_default(loop.context);
    g_main_context_unref(loop.context);
    loop.finished = true;
}

void IceTransport::start_gathering() {
    for (const auto& server : config_.turn) {
        const auto ip = numeric_host(server.host);
        if (!ip) continue;  // the other candidates may still do
        nice_agent_set_relay_info(agent_, stream_, kComponent, ip->c_str(), server.port, server.username.c_str(),
                                  server.password.c_str(),
                                  server.tcp ? NICE_RELAY_TYPE_TURN_TCP : NICE_RELAY_TYPE_TURN_UDP);
    }
    if (!nice_agent_gather_candidates(agent_, stream_)) post([this] { set_state(IceState::failed); });
}

// On the only thread that dispatches the agent's sources, so no callback runs while they go.
void IceTransport::close_on_ice_thread() {
    Loop* loop = loop_.get();
    g_signal_handlers_disconnect_by_data(agent_, this);
    nice_agent_attach_recv(agent_, stream_, kComponent, context_, nullptr, nullptr);
    g_object_set(agent_, "stun-max-retransmissions", kCloseRetransmissions, nullptr);
    loop->close_timeout = g_timeout_source_new(kCloseWaitMs);
    g_source_set_callback(loop->close_timeout, Callbacks::close_timed_out, loop, nullptr);
    g_source_attach(loop->close_timeout, loop->context);
    nice_agent_close_async(agent_, Callbacks::closed, loop);
    loop->detached.set_value();  // the destructor goes on: nothing here may touch `this` after this line
}

void IceTransport::emit_local_candidate(const void* nice_candidate) {
    const auto* c = static_cast<const NiceCandidate*>(nice_candidate);
    if (config_.relay_only && c->type != NICE_CANDIDATE_TYPE_RELAYED) return;
    gchar* sdp = nice_agent_generate_local_candidate_sdp(agent_, const_cast<NiceCandidate*>(c));
    auto parsed = parse_ice_candidate(sdp != nullptr ? sdp : "");
    g_free(sdp);
    if (!parsed) return;
    if (config_.relay_only) parsed->related_address.clear();  // the point of relay-only: no local address leaks
    post([this, text = to_attribute(*parsed)] {
        if (handlers_.local_candidate) handlers_.local_candidate(text);
    });
}

void IceTransport::set_state(IceState state) {
    if (state == state_) return;
    state_ = state;
    if (handlers_.state_changed) handlers_.state_changed(state_, selection_);
}

IceCredentials IceTransport::local_credentials() const {
    gchar* ufrag = nullptr;
    gchar* pwd = nullptr;
    IceCredentials out;
    if (nice_agent_get_local_credentials(agent_, stream_, &ufrag, &pwd)) out = {ufrag, pwd};
    g_free(ufrag);
    g_free(pwd);
    return out;
}

void IceTransport::set_remote(const IceCredentials& remote, const std::vector<std::string>& candidates) {
    nice_agent_set_remote_credentials(agent_, stream_, remote.ufrag.c_str(), remote.pwd.c_str());
    GSList* list = nullptr;
    for (const auto& text : candidates) {
        if (NiceCandidate* c = remote_candidate(agent_, stream_, text)) list = g_slist_append(list, c);
    }
    if (list != nullptr) nice_agent_set_remote_candidates(agent_, stream_, kComponent, list);
    g_slist_free_full(list, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
}

void IceTransport::add_remote_candidate(const std::string& candidate) {
    NiceCandidate* c = remote_candidate(agent_, stream_, candidate);
    if (c == nullptr) return;
    GSList one{c, nullptr};
    nice_agent_set_remote_candidates(agent_, stream_, kComponent, &one);
    nice_candidate_free(c);
}

void IceTransport::remote_gathering_done() { nice_agent_peer_candidate_gathering_done(agent_, stream_); }

void IceTransport::restart() {
    nice_agent_restart_stream(agent_, stream_);
    GSList* locals = nice_agent_get_local_candidates(agent_, stream_, kComponent);
    for (GSList* i = locals; i != nullptr; i = i->next) emit_local_candidate(i->data);
    g_slist_free_full(locals, reinterpret_cast<GDestroyNotify>(nice_candidate_free));
    post([this] {
        if (handlers_.gathering_done) handlers_.gathering_done();
    });
}

std::size_t IceTransport::drain(const std::function<void(const Datagram&)>& each, std::size_t limit) {
    return ring_.pop(
        [&](const DatagramRing::Slot& slot) {
            each(Datagram{{slot.bytes.data(), slot.size}, slot.arrival});
        },
        limit);
}

void IceTransport::send(std::span<const std::uint8_t> data) {
    if (state_ != IceState::connected) return;
    nice_agent_send(agent_, stream_, kComponent, static_cast<guint>(data.size()),
                    reinterpret_cast<const gchar*>(data.data()));
}

}  // namespace sala::client
