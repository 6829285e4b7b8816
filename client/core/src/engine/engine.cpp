#include "sala/client/engine.hpp"

#include <algorithm>
#include <condition_variable>
#include <thread>

#include <asio.hpp>

#include "directory/directory_client.hpp"
#include "engine/call_audio.hpp"
#include "engine/call_ice.hpp"
#include "engine/call_privacy.hpp"
#include "engine/call_recorder.hpp"
#include "engine/call_state_machine.hpp"
#include "engine/certificate_judge.hpp"
#include "engine/notices.hpp"
#include "engine/publisher.hpp"
#include "engine/silence_watch.hpp"
#include "engine/user_list.hpp"
#include "media/media_session.hpp"
#include "media/media_socket.hpp"

namespace sala::client {
namespace {
using protocol::Json;
namespace type = protocol::type;
using Clock = std::chrono::steady_clock;
}  // namespace

// The conductor: commands and server messages in, through the call state machine, out to the
// directory, the call's media and audio, and the published snapshot. Everything runs on the
// engine thread (io_), so nothing here locks except the one pointer front ends read.
class Engine::Impl {
public:
    explicit Impl(EngineOptions options)
        : options_(std::move(options)),
          work_(asio::make_work_guard(io_)),
          socket_(std::make_unique<MediaSocket>(io_, asio::ip::make_address(options_.bind_address))),
          media_port_(socket_->port()),
          directory_(io_, directory_handlers(), options_.ping_interval, !options_.insecure_plaintext),
          judge_(options_.config_dir),
          recorder_(options_.config_dir),
          meter_timer_(io_),
          privacy_(options_),
          audio_(options_.media, [this](const char* device, const std::string& error) {
              state_.audio_problem = notices::audio_problem(device, error);
              tell(notices::audio_device(device, error));
          }) {
        state_.audio_in = options_.audio_in;
        state_.audio_out = options_.audio_out;
        state_.stats.frame_ms = options_.media.frame_ms;
        recorder_.show(state_);
        publish();
        socket_->drop_strays();
        thread_ = std::jthread([this] { io_.run(); });
    }

    ~Impl() {
        asio::post(io_, [this] { shut_down(); });
        work_.reset();
        // Give the bye a moment to leave, then stop whatever still runs.
        std::jthread stopper([this](std::stop_token stop) {
            std::mutex mutex;
            std::condition_variable_any cv;
            std::unique_lock lock(mutex);
            if (!cv.wait_for(lock, stop, std::chrono::milliseconds(500), [] { return false; })) io_.stop();
        });
        if (thread_.joinable()) thread_.join();
        stopper.request_stop();
    }

    void post(Command command) {
        asio::post(io_, [this, command = std::move(command)]() mutable {
            std::visit([this](auto& c) { handle(c); }, command);
            publish();
        });
    }

    SnapshotPtr snapshot() const { return publisher_.snapshot(); }
    unsigned short media_port() const { return media_port_; }
    Publisher publisher_;

private:
    // ---- publishing -------------------------------------------------------------------------
    void publish() {
        state_.version++;
        state_.connection = directory_.connection_state();
        state_.users = users_.entries();
        publisher_.publish(state_);
    }
    void tell(Notice notice) { publisher_.tell(state_, recorder_.follow(state_, std::move(notice))); }

    // ---- commands (each followed by publish()) ------------------------------------------------
    void handle(ConnectCommand& c) {
        if (auto problem = protocol::name_problem(c.name)) {
            state_.connect_error = *problem;
            tell(notices::invalid_name(*problem));
            return;
        }
        state_.server = c.host + ":" + std::to_string(c.port);
        server_ = IceServer{c.host, c.port, {}, {}, false};
        turn_.clear();
        state_.name = c.name;
        state_.connect_error.clear();
        state_.server_trust.reset();
        calls_.set_my_name(c.name);
        directory_.open(c.host, c.port, c.name, media_port_, c.more);
    }

    void handle(DisconnectCommand&) {
        if (directory_.state() == DirectoryState::closed) return;
        if (calls_.state() != CallState::idle) apply(calls_.hangup());
        directory_.close(/*say_bye=*/true);
        users_.clear();
        tell(notices::disconnected());
    }

    void handle(CallCommand& c) {
        if (directory_.state() != DirectoryState::registered)
            return refuse("call", "You are not registered with a server.");
        if (protocol::name_key(c.peer) == protocol::name_key(state_.name))
            return refuse("call", "You cannot call yourself.");
        std::optional<protocol::IceDescription> ice;
        if (options_.ice && calls_.state() == CallState::idle) ice = open_ice(/*controlling=*/true);
        const CallTransition t = calls_.call(c.peer, ice, privacy_.offer());
        apply(t, "call");
        if (t.refusal.empty()) tell(notices::calling(c.peer));
    }

    void handle(AcceptCommand&) {
        std::optional<protocol::IceDescription> ice;
        if (ice_ && peer_ice_) ice = ice_->describe();
        const CallTransition t = calls_.accept(ice, privacy_.answer(calls_.call_id()));
        apply(t, "accept");
        if (t.refusal.empty() && ice_ && peer_ice_) {
            ice_->signal_to(calls_.call_id());
            ice_->start_checks(*peer_ice_);
        }
    }
    void handle(RejectCommand&) { apply(calls_.reject(), "reject"); }
    void handle(HangupCommand&) { apply(calls_.hangup(), "hangup"); }

    void handle(MuteCommand& c) {
        state_.muted = c.muted;
        if (media_) media_->set_muted(c.muted);
        tell(notices::muted(c.muted));
    }

    void handle(AudioCommand& c) {
        options_.audio_in = state_.audio_in = c.input;
        options_.audio_out = state_.audio_out = c.output;
        if (c.voice) options_.media.voice = *c.voice;
        if (!media_) return;
        start_devices();
        media_->resync_playout();  // the reopening stalled the playout: no lasting delay from it
    }

    // The window's answer to a certificate question: pinned, and the connection tried again.
    void handle(TrustServerCommand& c) {
        if (judge_.trust(c.fingerprint, options_, state_)) directory_.reopen();
    }
    void handle(VolumeCommand& c) {
        state_.volume = c;
        if (media_) media_->set_volume(c.microphone, c.speaker);
    }
    void handle(SeenCallsCommand&) { recorder_.mark_seen(state_); }

    void refuse(const char* command, const std::string& why) { tell(notices::refused(command, why)); }

    // ---- the call ---------------------------------------------------------------------------
    void apply(const CallTransition& t, const char* command = nullptr) {
        if (auto refusal = privacy_.check(t, calls_)) {
            tell(std::move(*refusal));
            return apply(calls_.not_private());
        }
        if (!t.refusal.empty() && command) refuse(command, t.refusal);
        for (const auto& message : t.send) directory_.send(message);
        if (t.named && ice_) ice_->signal_to(calls_.call_id());
        if (t.invited) {
            // Gathering starts with the ringing, so the answer carries candidates at once.
            peer_ice_ = t.remote_ice;
            if (options_.ice && peer_ice_) open_ice(/*controlling=*/false);
            tell(notices::invite(calls_.peer(), calls_.call_id()));
        }
        if (ice_ && t.remote_restart) ice_->remote_restart(*t.remote_restart);
        if (ice_) {
            for (const auto& candidate : t.remote_candidates) ice_->remote_candidate(candidate);
            if (t.remote_candidates_done) ice_->remote_candidates_done();
        }
        if (t.failed) {
            tell(notices::call_failed(state_.peer, *t.failed));
            close_ice();
        }
        if (t.started) {
            if (ice_ && !t.remote_ice && !ice_->checking()) close_ice();  // a version 1 peer: no ICE
            if (ice_ && !ice_->checking()) ice_->start_checks(*t.remote_ice);
            start_call();
        }
        if (t.ended_reason) end_call(*t.ended_reason, t.ended_by);
        state_.call = calls_.state();
        state_.peer = calls_.peer();
        state_.call_id = calls_.call_id();
        audio_.follow(state_.call, options_.audio_in, options_.audio_out);  // sound cards open while it rings
    }

    void start_call() {
        const auto& media = calls_.media();
        auto transport = media_transport(ice_.get(), *socket_, media.host, media.port, &state_.media_path);
        if (!transport) {
            tell(notices::bad_media_address());
            return apply(calls_.hangup());
        }
        state_.media_local = state_.media_remote = "";
        state_.call_started_at = Clock::now();
        state_.stats = CallStatistics{};
        state_.stats.frame_ms = options_.media.frame_ms;
        media_ = std::make_unique<MediaSession>(io_, std::move(transport), options_.media, audio_.pipes(),
                                                [this] { on_media_timeout(); });
        media_->set_muted(state_.muted);
        media_->set_volume(state_.volume.microphone, state_.volume.speaker);
        auto warnings = privacy_.secure(*media_, state_.security);
        silence_ = std::make_unique<SilenceWatch>(io_, *media_, [this] { recover_path(); });
        start_devices();
        tell(notices::call_started(calls_.peer(), calls_.call_id(), media.host, media.port, state_.media_path,
                                   state_.security));
        for (auto& warning : warnings) tell(std::move(warning));
        stats_second_ = 0;
        next_meters_ = Clock::now();
        schedule_meters();
    }

    void start_devices() {
        state_.audio_problem.clear();
        audio_.start(options_.audio_in, options_.audio_out);
    }

    void end_call(const std::string& reason, const std::string& by) {
        const std::string peer = state_.peer.empty() ? calls_.peer() : state_.peer;
        stop_media();
        tell(notices::call_ended(peer, reason, by, state_.name, options_.media.timeout));
    }

    void stop_media() {
        meter_timer_.cancel();
        silence_.reset();
        if (media_) {
            state_.stats = media_->statistics();
            media_->finish();
            media_.reset();
        }
        audio_.close();
        close_ice();
    }

    // ---- ICE (protocol v2) ------------------------------------------------------------------
    // A new ICE transport for this call; returns our description for the call or accept.
    protocol::IceDescription open_ice(bool controlling) {
        IceConfig config = ice_config(controlling, server_, turn_, options_.bind_address, options_.relay_only);
        CallIce::Handlers h;
        h.send = [this](const Json& message) { directory_.send(message); };
        h.state_changed = [this](IceState state, const IceSelection& selection) { on_ice(state, selection); };
        ice_ = std::make_unique<CallIce>(io_, std::move(config), std::move(h));
        return ice_->describe();
    }

    // Nothing from the peer for a second (a NAT forgot its mapping, the network changed): the
    // caller restarts ICE (the callee answers), and either side checks that its directory
    // connection still works, since a network change kills it too and the restart crosses it.
    void recover_path() {
        directory_.probe();
        if (!ice_ || !(ice_->checking() || ice_->restarting()) || !calls_.is_caller() ||
            directory_.state() != DirectoryState::registered)
            return;
        state_.media_path = "lost";
        tell(notices::path_lost());
        ice_->restart();
        publish();
    }

    // A resumed session keeps its call: ICE restarts at once from this side (the path most likely
    // died with the network; a restart sent meanwhile may have been lost with the old connection).
    void registered_again(const Json& welcome, bool resumed) {
        apply(calls_.registered_again(welcome, resumed));
        if (!resumed || !ice_ || !silence_ || !(ice_->checking() || ice_->restarting())) return;
        silence_->recovering_now();
        ice_->restart();
    }

    void close_ice() {
        ice_.reset();
        peer_ice_.reset();
    }

    void on_ice(IceState state, const IceSelection& selection) {
        if (!media_) return;
        if (state == IceState::connected && selection.path != IcePath::none) {
            const std::string path = to_string(selection.path);
            if (path == state_.media_path && selection.local_type == state_.media_local &&
                selection.remote_type == state_.media_remote)
                return;
            state_.media_path = path;
            state_.media_local = selection.local_type;
            state_.media_remote = selection.remote_type;
            tell(notices::media_path(path, selection.local_type, selection.remote_type, selection.remote_address));
        } else if (state == IceState::failed) {
            state_.media_path = "failed";
            tell(notices::media_path_failed());
        }
        publish();
    }

    void on_media_timeout() {
        apply(calls_.media_timeout());
        publish();
    }

    // Meters, statistics and device health, at the front end's pace.
    void schedule_meters() {
        // No drift, so the stats events stay one second apart; after a stall, no burst.
        next_meters_ = std::max(next_meters_ + options_.meter_interval, Clock::now() - options_.meter_interval);
        meter_timer_.expires_at(next_meters_);
        meter_timer_.async_wait([this](asio::error_code ec) {
            if (ec || !media_) return;
            audio_.check_health();
            state_.mic = audio_.mic();
            state_.speaker = audio_.speaker();
            state_.stats = media_->statistics();
            if (auto played = media_->take_first_audio())
                tell(notices::first_audio(state_.peer, *played - state_.call_started_at));
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - state_.call_started_at);
            if (elapsed.count() > stats_second_) {
                stats_second_ = elapsed.count();
                tell(notices::stats(state_.peer, stats_second_, state_.stats, state_.mic, state_.speaker,
                                    state_.media_path));
            }
            publish();
            schedule_meters();
        });
    }

    // ---- the directory ----------------------------------------------------------------------
    DirectoryClient::Handlers directory_handlers() {
        DirectoryClient::Handlers h;
        h.state_changed = [this] { publish(); };
        h.registered = [this](const Json& welcome, bool again, bool resumed) {
            turn_ = turn_servers(welcome.value("turn", Json::object()));
            state_.name = protocol::get_string(welcome, "name").value_or(state_.name);
            state_.connect_error.clear();
            users_.replace(welcome.value("users", Json::array()));
            tell(notices::registered(state_.name, state_.server, *users_.entries(), again, resumed, media_ != nullptr));
            if (again) registered_again(welcome, resumed);
            publish();
        };
        h.message = [this](const Json& m) {
            on_server_message(m);
            publish();
        };
        h.lost = [this](const std::string& reason, bool was_registered) {
            apply(calls_.connection_lost());
            users_.clear();
            if (directory_.state() == DirectoryState::closed) {
                state_.connect_error = "Cannot reach the server " + state_.server + ": " + reason + ".";
                tell(notices::server_unreachable(state_.connect_error));
            } else if (was_registered) {
                tell(notices::connection_lost(reason, media_ != nullptr));
            }
            publish();
        };
        h.refused = [this](const std::string& code, const std::string& message, bool retrying) {
            if (!retrying) state_.connect_error = message;
            tell(retrying ? notices::registration_retry(code, message) : notices::registration_failed(code, message));
            publish();
        };
        h.prove = [this](const std::vector<std::uint8_t>& message) { return privacy_.prove_name(message); };
        h.check_certificate = [this](const ServerCertificate& certificate) {
            state_.server = directory_.current_server();  // a cluster's node: each has its own certificate
            std::optional<Notice> told;
            auto refusal = judge_.judge(certificate, options_, state_, told);
            if (told) tell(std::move(*told));
            return refusal;
        };
        return h;
    }

    void on_server_message(const Json& m) {
        const std::string kind = protocol::get_string(m, "type").value_or("");
        const std::string name = protocol::get_string(m, "name").value_or("");
        if (kind == type::user_joined || kind == type::user_status) {
            const bool busy =
                protocol::parse_status(protocol::get_string(m, "status").value_or("")) == protocol::Status::busy;
            users_.set(name, busy);
            tell(kind == type::user_joined ? notices::user_joined(name) : notices::user_status(name, busy));
        } else if (kind == type::user_left) {
            users_.remove(name);
            tell(notices::user_left(name));
        } else if (auto notice = notices::from_server(kind, m)) {
            tell(std::move(*notice));  // error, shutdown, cluster
        } else if (kind != type::pong) {
            apply(calls_.on_server_message(m));
        }
    }

    void shut_down() {
        if (calls_.state() != CallState::idle) apply(calls_.hangup());
        stop_media();
        directory_.close(/*say_bye=*/true);
        socket_->close();
        publish();
    }

    EngineOptions options_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::unique_ptr<MediaSocket> socket_;  // direct media (protocol v1 peers); strays dropped between calls
    const unsigned short media_port_;
    DirectoryClient directory_;
    CertificateJudge judge_;  // the servers' certificates: pinned, trusted, or a question for the user
    CallRecorder recorder_;   // the call history
    asio::steady_timer meter_timer_;

    Snapshot state_;
    UserList users_;
    CallStateMachine calls_;
    CallPrivacy privacy_;  // after options_: made from them
    long long stats_second_ = 0;
    Clock::time_point next_meters_{};

    IceServer server_;                                  // the directory server, which answers STUN too
    std::vector<IceServer> turn_;                       // the relays its welcome offered
    std::unique_ptr<CallIce> ice_;                      // this call's ICE (protocol v2); outlives media_, which uses it
    std::optional<protocol::IceDescription> peer_ice_;  // the caller's, from the invite
    std::unique_ptr<SilenceWatch> silence_;             // this call's; uses media_
    CallAudio audio_;                                   // outlives media_, which uses its pipes
    std::unique_ptr<MediaSession> media_;
    std::jthread thread_;
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;
void Engine::post(Command command) { impl_->post(std::move(command)); }
SnapshotPtr Engine::snapshot() const { return impl_->snapshot(); }
unsigned short Engine::media_port() const { return impl_->media_port(); }
void Engine::on_event(std::function<void(const Event&)> handler) {
    impl_->publisher_.event_handler = std::move(handler);
}
void Engine::on_publish(std::function<void()> handler) { impl_->publisher_.publish_handler = std::move(handler); }

}  // namespace sala::client
