#include "sala/client/engine.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <asio.hpp>

#include "directory_connection.hpp"
#include "media_session.hpp"
#include "media_socket.hpp"
#include "receive_impairment.hpp"
#include "sala/client/audio_device.hpp"
#include "sala/client/call_state_machine.hpp"
#include "sala/log.hpp"

namespace sala::client {
namespace {
using protocol::Json;
namespace type = protocol::type;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLogEntries = 1000;

const char* failure_words(const std::string& reason) {
    if (reason == "unknown_user") return "there is no such user";
    if (reason == "self_call") return "you cannot call yourself";
    if (reason == "busy") return "busy";
    if (reason == "not_registered") return "you are not registered";
    if (reason == "already_in_call") return "you are already in a call";
    return "the call could not be made";
}

std::string ended_words(const std::string& reason, const std::string& by, const std::string& me,
                        const std::string& peer) {
    const bool mine = by == me;
    if (reason == "hangup") return mine ? "you hung up" : by + " hung up";
    if (reason == "rejected") return mine ? "you rejected the call" : by + " rejected the call";
    if (reason == "cancelled") return mine ? "you cancelled the call" : by + " cancelled the call";
    if (reason == "no_answer") return "no answer";
    if (reason == "peer_left") return peer + " left the server";
    if (reason == "media_timeout") return "no audio from " + peer + " for 5 s";
    if (reason == "connection_lost") return "the connection to the server was lost";
    return reason;
}
}  // namespace

class Engine::Impl {
public:
    explicit Impl(EngineOptions options)
        : options_(std::move(options)),
          work_(asio::make_work_guard(io_)),
          media_socket_(io_, asio::ip::make_address(options_.bind_address)),
          reconnect_timer_(io_),
          meter_timer_(io_),
          impairment_(io_, options_.impair) {
        state_.audio_in = options_.audio_in;
        state_.audio_out = options_.audio_out;
        state_.stats.frame_ms = options_.frame_ms;
        media_port_ = media_socket_.port();
        publish();
        receive_media();
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
        });
    }

    SnapshotPtr snapshot() const {
        std::lock_guard lock(published_mutex_);
        return published_;
    }
    unsigned short media_port() const { return media_port_; }
    std::function<void(const Event&)> event_handler_;
    std::function<void()> publish_handler_;

private:
    // ---- publishing -------------------------------------------------------------------------
    void publish() {
        state_.version++;
        auto next = std::make_shared<const Snapshot>(state_);
        {
            std::lock_guard lock(published_mutex_);
            published_.swap(next);
        }  // the old snapshot (now in next) is released outside the lock
        if (publish_handler_) publish_handler_();
    }

    void emit(Json fields, std::string text, LogLevel level = LogLevel::info, bool to_log = true) {
        if (to_log) {
            auto log = std::make_shared<std::vector<LogEntry>>(*state_.log);
            if (log->size() >= kMaxLogEntries) log->erase(log->begin(), log->begin() + kMaxLogEntries / 10);
            log->push_back({std::chrono::system_clock::now(), level, text});
            state_.log = std::move(log);
        }
        if (event_handler_) event_handler_(Event{std::move(fields), std::move(text)});
    }

    void set_users(std::vector<UserEntry> users) {
        std::sort(users.begin(), users.end(), [](const UserEntry& a, const UserEntry& b) {
            return protocol::name_key(a.name) < protocol::name_key(b.name);
        });
        state_.users = std::make_shared<const std::vector<UserEntry>>(std::move(users));
    }

    void sync_call_state() {
        state_.call = calls_.state();
        state_.peer = calls_.peer();
        state_.call_id = calls_.call_id();
    }

    // ---- commands ---------------------------------------------------------------------------
    void handle(ConnectCommand& c) {
        if (auto problem = protocol::name_problem(c.name)) {
            state_.connect_error = *problem;
            emit({{"event", "error"}, {"code", "invalid_name"}, {"message", *problem}, {"registration", true}},
                 *problem, LogLevel::error);
            publish();
            return;
        }
        close_directory();
        target_ = c;
        want_connection_ = true;
        registered_once_ = false;
        backoff_ = 0;
        state_.server = c.host + ":" + std::to_string(c.port);
        state_.name = c.name;
        state_.connect_error.clear();
        calls_.set_my_name(c.name);
        connect();
    }

    void handle(DisconnectCommand&) {
        if (state_.connection == ConnectionState::disconnected && !want_connection_) return;
        if (calls_.state() != CallState::idle) apply(calls_.hangup());
        want_connection_ = false;
        reconnect_timer_.cancel();
        if (directory_) directory_->send(Json{{"type", type::bye}});
        close_directory(std::chrono::milliseconds(200));
        state_.connection = ConnectionState::disconnected;
        set_users({});
        emit({{"event", "disconnected"}}, "disconnected from the server");
        publish();
    }

    void handle(CallCommand& c) {
        if (state_.connection != ConnectionState::registered) {
            refuse("call", "You are not registered with a server.");
            return;
        }
        if (protocol::name_key(c.peer) == protocol::name_key(state_.name)) {
            refuse("call", "You cannot call yourself.");
            return;
        }
        apply(calls_.call(c.peer), "call");
        if (calls_.state() == CallState::calling)
            emit({{"event", "calling"}, {"peer", c.peer}}, "calling " + c.peer + "...");
        publish();
    }

    void handle(AcceptCommand&) {
        apply(calls_.accept(), "accept");
        publish();
    }
    void handle(RejectCommand&) {
        apply(calls_.reject(), "reject");
        publish();
    }
    void handle(HangupCommand&) {
        apply(calls_.hangup(), "hangup");
        publish();
    }

    void handle(MuteCommand& c) {
        state_.muted = c.muted;
        if (media_) media_->set_muted(c.muted);
        emit({{"event", c.muted ? "muted" : "unmuted"}}, c.muted ? "microphone muted" : "microphone on");
        publish();
    }

    void handle(AudioCommand& c) {
        options_.audio_in = state_.audio_in = c.input;
        options_.audio_out = state_.audio_out = c.output;
        if (media_) {
            stop_devices();
            start_devices();
        }
        publish();
    }

    void refuse(const char* what, const std::string& why) {
        emit({{"event", "error"}, {"code", "refused"}, {"command", what}, {"message", why}}, why, LogLevel::warning);
        publish();
    }

    // ---- call state -------------------------------------------------------------------------
    void apply(const CallTransition& t, const char* command = nullptr) {
        if (!t.refusal.empty() && command) refuse(command, t.refusal);
        for (const auto& message : t.send)
            if (directory_ && state_.connection == ConnectionState::registered) directory_->send(message);
        if (t.invited) {
            emit({{"event", "invite"}, {"from", calls_.peer()}, {"call_id", calls_.call_id()}},
                 calls_.peer() + " is calling you");
        }
        if (t.failed) {
            std::string peer = state_.peer;
            emit({{"event", "call_failed"}, {"peer", peer}, {"reason", *t.failed}},
                 "call to " + peer + " failed: " + failure_words(*t.failed), LogLevel::warning);
        }
        if (t.started) start_call();
        if (t.ended_reason) end_call(*t.ended_reason, t.ended_by);
        sync_call_state();
    }

    void start_call() {
        const auto& media = calls_.media();
        asio::error_code ec;
        auto address = asio::ip::make_address(media.host, ec);
        if (ec || media.port == 0) {
            emit({{"event", "error"},
                  {"code", "bad_media_address"},
                  {"message", "the server sent no usable media address"}},
                 "the server sent no usable media address", LogLevel::error);
            apply(calls_.hangup());
            return;
        }
        pipes_ = std::make_unique<AudioPipes>();
        state_.call_started_at = Clock::now();
        state_.stats = CallStatistics{};
        state_.stats.frame_ms = options_.frame_ms;
        media_socket_.stop_waiting();  // also leaves the epoll set: no packet wakes us in the call
        media_ = std::make_unique<MediaSession>(
            io_, media_socket_, asio::ip::udp::endpoint(address, media.port), options_, *pipes_,
            MediaSession::Hooks{[this] { read_media(); }, [this] { on_media_timeout(); }});
        media_->set_muted(state_.muted);
        start_devices();
        emit({{"event", "call_started"},
              {"peer", calls_.peer()},
              {"call_id", calls_.call_id()},
              {"media", {{"host", media.host}, {"port", media.port}}}},
             "call started with " + calls_.peer());
        stats_second_ = 0;
        next_meters_ = Clock::now();
        schedule_meters();
    }

    void end_call(const std::string& reason, const std::string& by) {
        std::string peer = state_.peer.empty() ? calls_.peer() : state_.peer;
        if (media_) {
            state_.stats = media_->statistics();
            media_->stop();
            stop_devices();
            media_.reset();
            receive_media();
        }
        meter_timer_.cancel();
        Json fields{{"event", "call_ended"}, {"peer", peer}, {"reason", reason}, {"by", by}};
        emit(fields, "call with " + peer + " ended: " + ended_words(reason, by, state_.name, peer));
    }

    void on_media_timeout() {
        apply(calls_.media_timeout());
        publish();
    }

    // ---- devices ----------------------------------------------------------------------------
    void start_devices() {
        state_.audio_problem.clear();
        std::string error;
        if (!options_.echo) {
            input_ = make_audio_input(options_.audio_in, &error);
            if (!input_ || !input_->start(*pipes_, &error)) replace_input(error);
        }
        output_ = make_audio_output(options_.audio_out, &error);
        if (!output_ || !output_->start(*pipes_, &error)) replace_output(error);
    }

    // A microphone that cannot be used sends silence, so the peer keeps hearing a live call.
    void replace_input(const std::string& why) {
        device_problem("microphone", why);
        if (input_) input_->stop();
        if ((input_ = make_audio_input("silence", nullptr))) input_->start(*pipes_, nullptr);
    }

    // A speaker that cannot be used plays into nothing, so the call (and its clock) runs on.
    void replace_output(const std::string& why) {
        device_problem("speaker", why);
        if (output_) output_->stop();
        if ((output_ = make_audio_output("null", nullptr))) output_->start(*pipes_, nullptr);
    }

    void device_problem(const char* which, const std::string& error) {
        state_.audio_problem = std::string("The ") + which + " could not be used: " + error;
        emit({{"event", "error"}, {"code", "audio_device"}, {"device", which}, {"message", error}},
             state_.audio_problem + "; the call goes on without it.", LogLevel::warning);
    }

    void stop_devices() {
        if (input_) input_->stop();
        if (output_) output_->stop();
        input_.reset();
        output_.reset();
    }

    void schedule_meters() {
        // No drift, so the stats events stay one second apart; after a stall, no burst.
        next_meters_ = std::max(next_meters_ + options_.meter_interval, Clock::now() - options_.meter_interval);
        meter_timer_.expires_at(next_meters_);
        meter_timer_.async_wait([this](asio::error_code ec) {
            if (ec || !media_) return;
            media_->backstop(Clock::now());
            if (!media_) return;
            // A device that fails mid-call is replaced by silence / null and reported once;
            // an AudioCommand can choose it (or another) again.
            if (input_ && !input_->healthy())
                replace_input(input_->description() + " stopped working (removed or failed)");
            if (output_ && !output_->healthy())
                replace_output(output_->description() + " stopped working (removed or failed)");
            auto mic = pipes_->mic.read();
            auto speaker = pipes_->speaker.read();
            state_.mic = {mic.rms_dbfs, mic.peak_dbfs, mic.hold_dbfs};
            state_.speaker = {speaker.rms_dbfs, speaker.peak_dbfs, speaker.hold_dbfs};
            state_.stats = media_->statistics();
            auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - state_.call_started_at);
            if (elapsed.count() > stats_second_) {
                stats_second_ = elapsed.count();
                emit_stats();
            }
            publish();
            schedule_meters();
        });
    }

    void emit_stats() {
        const auto& s = state_.stats;
        Json fields{{"event", "stats"},
                    {"peer", state_.peer},
                    {"seconds", stats_second_},
                    {"packets_sent", s.packets_sent},
                    {"packets_received", s.packets_received},
                    {"packets_lost", s.packets_lost},
                    {"loss_percent", s.loss_percent},
                    {"jitter_ms", s.jitter_ms},
                    {"jitter_buffer_ms", s.jitter_buffer_ms},
                    {"send_kbps", s.send_kbps},
                    {"receive_kbps", s.receive_kbps},
                    {"rtt_ms", s.rtt_ms},
                    {"concealed_frames", s.concealed_frames},
                    {"fec_recovered_frames", s.fec_recovered_frames},
                    {"late_packets", s.late_packets},
                    {"duplicate_packets", s.duplicate_packets},
                    {"foreign_packets", s.foreign_packets},
                    {"playback_underruns", s.playback_underruns},
                    {"mic_dbfs", state_.mic.rms_dbfs},
                    {"speaker_dbfs", state_.speaker.rms_dbfs}};
        char text[256];
        std::snprintf(text, sizeof text,
                      "stats: sent %llu, received %llu, lost %.1f%%, jitter %.1f ms, buffer %d ms, %.1f kb/s out, "
                      "rtt %.1f ms, concealed %llu, fec %llu",
                      static_cast<unsigned long long>(s.packets_sent),
                      static_cast<unsigned long long>(s.packets_received), s.loss_percent, s.jitter_ms,
                      s.jitter_buffer_ms, s.send_kbps, s.rtt_ms, static_cast<unsigned long long>(s.concealed_frames),
                      static_cast<unsigned long long>(s.fec_recovered_frames));
        emit(std::move(fields), text, LogLevel::info, false);
    }

    // ---- media socket -----------------------------------------------------------------------
    // Between calls the socket wakes the engine when a datagram comes (to count and drop it).
    // In a call the media session reads it once per audio frame instead (read_media), so
    // packets cost no wake-ups of their own.
    void receive_media() {
        if (media_socket_.waiting() || media_) return;
        media_socket_.wait_readable([this] {
            read_media();
            receive_media();
        });
    }

    void read_media() {
        media_socket_.drain([this](const MediaSocket::Datagram& d) {
            if (d.truncated) {
                count_foreign();
                return;
            }
            impairment_.deliver(d.data, d.from, d.arrival,
                                [this](std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& from,
                                       Clock::time_point arrival) {
                                    if (media_)
                                        media_->on_datagram(data, from, arrival);
                                    else
                                        count_foreign();
                                });
        });
    }

    void count_foreign() {
        if (media_)
            media_->count_foreign();
        else
            ++state_.stats.foreign_packets;
    }

    // ---- directory --------------------------------------------------------------------------
    void connect() {
        state_.connection = registered_once_ ? ConnectionState::reconnecting : ConnectionState::connecting;
        publish();
        DirectoryConnection::Handlers handlers;
        handlers.connected = [this] {
            directory_->send(Json{{"type", type::hello},
                                  {"version", protocol::kVersion},
                                  {"name", target_.name},
                                  {"media_port", media_port_}});
        };
        handlers.message = [this](const Json& m) { on_server_message(m); };
        handlers.closed = [this](const std::string& reason) { on_directory_closed(reason); };
        directory_ = std::make_shared<DirectoryConnection>(io_, std::move(handlers), options_.ping_interval);
        directory_->start(target_.host, target_.port);
    }

    void close_directory(std::chrono::milliseconds grace = std::chrono::milliseconds(0)) {
        if (directory_) directory_->close(grace);
        directory_.reset();
    }

    void on_directory_closed(const std::string& reason) {
        directory_.reset();
        const bool was_registered = state_.connection == ConnectionState::registered;
        apply(calls_.connection_lost());
        set_users({});
        if (!registered_once_) {
            state_.connection = ConnectionState::disconnected;
            want_connection_ = false;
            state_.connect_error = "Cannot reach the server " + state_.server + ": " + reason + ".";
            emit({{"event", "error"},
                  {"code", "server_unreachable"},
                  {"message", state_.connect_error},
                  {"registration", true}},
                 state_.connect_error, LogLevel::error);
            publish();
            return;
        }
        if (was_registered)
            emit({{"event", "connection_lost"}, {"reason", reason}},
                 "connection to the server lost (" + reason + ")" +
                     (media_ ? "; the call goes on, reconnecting" : "; reconnecting"),
                 LogLevel::warning);
        schedule_reconnect();
    }

    void schedule_reconnect() {
        if (!want_connection_) return;
        state_.connection = ConnectionState::reconnecting;
        publish();
        static constexpr int kSteps[] = {500, 1000, 2000, 4000, 8000, 10000};
        int delay = kSteps[std::min<std::size_t>(backoff_, std::size(kSteps) - 1)];
        ++backoff_;
        reconnect_timer_.expires_after(std::chrono::milliseconds(delay));
        reconnect_timer_.async_wait([this](asio::error_code ec) {
            if (!ec && want_connection_) connect();
        });
    }

    void on_server_message(const Json& m) {
        const std::string kind = protocol::get_string(m, "type").value_or("");
        if (kind == type::welcome) {
            std::vector<UserEntry> users;
            if (auto it = m.find("users"); it != m.end() && it->is_array())
                for (const auto& u : *it)
                    if (auto name = protocol::get_string(u, "name"))
                        users.push_back({*name, protocol::get_string(u, "status").value_or("") == "busy"});
            state_.name = protocol::get_string(m, "name").value_or(target_.name);
            const bool again = registered_once_;
            registered_once_ = true;
            backoff_ = 0;
            state_.connection = ConnectionState::registered;
            state_.connect_error.clear();
            Json names = Json::array();
            for (const auto& u : users) names.push_back({{"name", u.name}, {"status", u.busy ? "busy" : "available"}});
            set_users(std::move(users));
            emit({{"event", again ? "reconnected" : "registered"},
                  {"name", state_.name},
                  {"server", state_.server},
                  {"users", names}},
                 (again ? "reconnected to " : "registered as " + state_.name + " on ") + state_.server);
        } else if (kind == type::user_joined || kind == type::user_status) {
            auto name = protocol::get_string(m, "name").value_or("");
            bool busy = protocol::get_string(m, "status").value_or("") == "busy";
            auto users = *state_.users;
            auto it = std::find_if(users.begin(), users.end(), [&](auto& u) { return u.name == name; });
            if (it == users.end())
                users.push_back({name, busy});
            else
                it->busy = busy;
            set_users(std::move(users));
            if (kind == type::user_joined)
                emit({{"event", "user_joined"}, {"name", name}}, name + " joined");
            else
                emit({{"event", "user_status"}, {"name", name}, {"status", busy ? "busy" : "available"}},
                     name + (busy ? " is busy" : " is available"), LogLevel::info, false);
        } else if (kind == type::user_left) {
            auto name = protocol::get_string(m, "name").value_or("");
            auto users = *state_.users;
            std::erase_if(users, [&](auto& u) { return u.name == name; });
            set_users(std::move(users));
            emit({{"event", "user_left"}, {"name", name}}, name + " left");
        } else if (kind == type::error) {
            on_server_error(m);
        } else if (kind == type::shutdown) {
            emit({{"event", "server_shutdown"}}, "the server is shutting down", LogLevel::warning);
        } else if (kind != type::pong) {
            apply(calls_.on_server_message(m));
        }
        publish();
    }

    void on_server_error(const Json& m) {
        auto code = protocol::get_string(m, "code").value_or("error");
        auto message = protocol::get_string(m, "message").value_or(code);
        const bool registration = state_.connection != ConnectionState::registered;
        if (!registration) {
            emit({{"event", "error"}, {"code", code}, {"message", message}}, "server: " + message, LogLevel::error);
            return;
        }
        if (registered_once_ && code == "name_taken") {
            // Our old session may not have timed out yet on the server: try again later.
            emit({{"event", "error"}, {"code", code}, {"message", message}}, "server: " + message, LogLevel::warning);
            close_directory();
            schedule_reconnect();
            return;
        }
        state_.connect_error = message;
        want_connection_ = false;
        close_directory();
        state_.connection = ConnectionState::disconnected;
        // "registration": the engine gave up on this server until the user tries again.
        emit({{"event", "error"}, {"code", code}, {"message", message}, {"registration", true}},
             "registration failed: " + message, LogLevel::error);
    }

    void shut_down() {
        want_connection_ = false;
        reconnect_timer_.cancel();
        if (calls_.state() != CallState::idle) apply(calls_.hangup());
        if (media_) {
            media_->stop();
            stop_devices();
            media_.reset();
        }
        meter_timer_.cancel();
        if (directory_) {
            directory_->send(Json{{"type", type::bye}});
            close_directory(std::chrono::milliseconds(200));
        }
        media_socket_.close();
        impairment_.cancel();
    }

    EngineOptions options_;
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    MediaSocket media_socket_;
    asio::steady_timer reconnect_timer_;
    asio::steady_timer meter_timer_;
    ReceiveImpairment impairment_;
    unsigned short media_port_ = 0;

    Snapshot state_;
    // Held only to copy or swap one pointer. libstdc++ 12's std::atomic<shared_ptr> takes a
    // lock inside as well, in a form ThreadSanitizer cannot follow; this one it can.
    mutable std::mutex published_mutex_;
    SnapshotPtr published_;
    CallStateMachine calls_;
    std::shared_ptr<DirectoryConnection> directory_;
    ConnectCommand target_;
    bool want_connection_ = false;
    bool registered_once_ = false;
    std::size_t backoff_ = 0;
    long long stats_second_ = 0;
    Clock::time_point next_meters_{};

    std::unique_ptr<AudioPipes> pipes_;
    std::unique_ptr<MediaSession> media_;
    std::unique_ptr<AudioInput> input_;
    std::unique_ptr<AudioOutput> output_;
    std::jthread thread_;
};

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;
void Engine::post(Command command) { impl_->post(std::move(command)); }
SnapshotPtr Engine::snapshot() const { return impl_->snapshot(); }
unsigned short Engine::media_port() const { return impl_->media_port(); }
void Engine::on_event(std::function<void(const Event&)> handler) { impl_->event_handler_ = std::move(handler); }
void Engine::on_publish(std::function<void()> handler) { impl_->publish_handler_ = std::move(handler); }

}  // namespace sala::client
