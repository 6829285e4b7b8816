#include "cli_session.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "sala/protocol_words.hpp"

namespace sala::cli {
namespace {
using Clock = std::chrono::steady_clock;

// Why a call failed, in the engine's words; a reason this version does not know, as sent.
std::string fail_words(const std::string& reason) {
    auto known = protocol::parse_fail_reason(reason);
    return known ? protocol::fail_sentence(*known) : reason;
}

}  // namespace

CliSession::CliSession(CliOptions options) : options_(std::move(options)), engine_(options_.engine) {
    engine_.on_event([this](const client::Event& event) { push(event); });
}

void CliSession::push(client::Event event) {
    {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
    }
    wake_.notify();
}

void CliSession::handle_events() {
    std::deque<client::Event> batch;
    {
        std::lock_guard lock(mutex_);
        batch.swap(events_);
    }
    for (const auto& event : batch) {
        if (done_) break;
        on_event(event);
    }
}

bool CliSession::read_stdin() {
    char chunk[1024];
    const ssize_t n = read(0, chunk, sizeof chunk);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;  // keep running on flags alone
    if (n < 0) return true;
    pending_input_.append(chunk, static_cast<std::size_t>(n));
    for (auto nl = pending_input_.find('\n'); nl != std::string::npos && !done_; nl = pending_input_.find('\n')) {
        const std::string line = pending_input_.substr(0, nl);
        pending_input_.erase(0, nl + 1);
        on_line(line);
    }
    if (pending_input_.size() > 4096) pending_input_.clear();
    return true;
}

void CliSession::print(const client::Event& event) {
    if (options_.json) {
        auto fields = event.fields;
        fields["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        std::cout << fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    } else {
        print_text(event.text);
    }
}

void CliSession::print_text(const std::string& text) {
    if (options_.json) {
        std::cout << nlohmann::json{{"event", "info"}, {"message", text}}.dump(-1, ' ', false,
                                                                               nlohmann::json::error_handler_t::replace)
                  << std::endl;
    } else {
        std::cout << "[" << client::clock_text(std::chrono::system_clock::now()) << "] " << text << std::endl;
    }
}

void CliSession::fail(const std::string& reason) {
    if (failure_.empty()) failure_ = reason;
}

void CliSession::on_event(const client::Event& event) {
    print(event);
    const std::string kind = event.fields.value("event", "");
    if (kind == "call_started") {
        timed_call_ = event.fields.value("call_id", "");
        timed_call_start_ = Clock::now();
    } else if (kind == "call_ended") {
        timed_call_.clear();
    }
    if (kind == "registered") {
        if (options_.call && !call_requested_) {
            call_requested_ = true;
            engine_.post(client::CallCommand{*options_.call});
        }
    } else if (kind == "invite") {
        if (options_.answer == Answer::accept) engine_.post(client::AcceptCommand{});
        if (options_.answer == Answer::reject) engine_.post(client::RejectCommand{});
    } else if (kind == "call_failed") {
        fail(fail_words(event.fields.value("reason", "")));
        ++calls_ended_;
    } else if (kind == "call_ended") {
        const std::string reason = event.fields.value("reason", "");
        const std::string by = event.fields.value("by", "");
        const bool by_me = by == options_.name;
        const auto known = protocol::parse_end_reason(reason);
        // Hanging up is a normal end, and so is turning down an invite (--answer reject).
        const bool normal = known == protocol::EndReason::hangup || (known == protocol::EndReason::rejected && by_me);
        const double waited_s = std::chrono::duration<double>(options_.engine.media.timeout).count();
        if (!normal)
            fail(known ? protocol::end_sentence(*known, by, by_me, event.fields.value("peer", ""), waited_s) : reason);
        ++calls_ended_;
    } else if (kind == "error") {
        // A registration error (unreachable, name taken, invalid name, server full) ends the run.
        if (event.fields.value("registration", false)) {
            std::string code = event.fields.value("code", "");
            std::string message = event.fields.value("message", code);
            fail(code == "server_unreachable" ? "server unreachable: " + message : message);
            done_ = true;
        }
    }
    if (options_.calls && calls_ended_ >= *options_.calls) done_ = true;
    // More calls to make: call again once the last one is over.
    if (!done_ && options_.call && (kind == "call_ended" || kind == "call_failed")) {
        engine_.post(client::CallCommand{*options_.call});
    }
}

void CliSession::on_line(const std::string& raw) {
    std::string line = raw;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) return;
    auto space = line.find(' ');
    std::string word = line.substr(0, space);
    std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (word == "users") {
        auto s = engine_.snapshot();
        std::string text = s->users->empty() ? "no other users online" : "users online:";
        for (const auto& u : *s->users) text += " " + u.name + (u.busy ? " (busy)" : "");
        print_text(text);
    } else if (word == "call" && !rest.empty()) {
        engine_.post(client::CallCommand{rest});
    } else if (word == "accept") {
        engine_.post(client::AcceptCommand{});
    } else if (word == "reject") {
        engine_.post(client::RejectCommand{});
    } else if (word == "hangup") {
        engine_.post(client::HangupCommand{});
    } else if (word == "audio" && !rest.empty()) {
        // audio IN [OUT]: choose what is sent and heard again, mid-call too (specs as the flags).
        auto space2 = rest.find(' ');
        std::string in = rest.substr(0, space2);
        std::string out = space2 == std::string::npos ? engine_.snapshot()->audio_out : rest.substr(space2 + 1);
        engine_.post(client::AudioCommand{in, out, std::nullopt});
    } else if (word == "mute" || word == "unmute") {
        engine_.post(client::MuteCommand{word == "mute"});
    } else if (word == "stats") {
        auto s = engine_.snapshot();
        const auto& st = s->stats;
        char text[320];
        std::snprintf(text, sizeof text,
                      "call %s%s: sent %llu, received %llu, lost %.1f%%, jitter %.1f ms, buffer %d ms, "
                      "%.1f kb/s out, %.1f kb/s in, rtt %.1f ms, concealed %llu, fec %llu",
                      client::to_string(s->call), s->peer.empty() ? "" : (" with " + s->peer).c_str(),
                      static_cast<unsigned long long>(st.packets_sent),
                      static_cast<unsigned long long>(st.packets_received), st.loss_percent, st.jitter_ms,
                      st.jitter_buffer_ms, st.send_kbps, st.receive_kbps, st.rtt_ms,
                      static_cast<unsigned long long>(st.concealed_frames),
                      static_cast<unsigned long long>(st.fec_recovered_frames));
        print_text(text);
    } else if (word == "quit" || word == "exit") {
        done_ = true;
    } else {
        print_text("unknown command '" + line +
                   "': users, call NAME, accept, reject, hangup, mute, unmute, audio IN [OUT], stats, quit");
    }
}

std::optional<Clock::time_point> CliSession::hangup_due() const {
    if (!options_.duration_s || timed_call_.empty() || timed_call_ == hung_up_call_) return std::nullopt;
    return timed_call_start_ +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*options_.duration_s));
}

void CliSession::check_duration() {
    const auto due = hangup_due();
    if (due && Clock::now() >= *due) {
        hung_up_call_ = timed_call_;
        engine_.post(client::HangupCommand{});
    }
}

int CliSession::poll_timeout_ms() const {
    const auto due = hangup_due();
    if (!due) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*due - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 60'000));
}

int CliSession::run() {
    // Signals arrive as a readable descriptor, so shutdown happens on this thread, cleanly.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    const int signal_fd = signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd < 0) pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);  // then the default action ends us
    bool stdin_open = true;

    engine_.post(
        client::ConnectCommand{options_.server.host, options_.server.port, options_.name, options_.more_servers});
    while (!done_) {
        pollfd fds[3] = {{wake_.fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
        if (poll(fds, 3, poll_timeout_ms()) < 0 && errno != EINTR) break;
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo info{};
            if (read(signal_fd, &info, sizeof info) > 0) done_ = true;
        }
        if (!done_ && fds[0].revents & POLLIN) {
            wake_.drain();
            handle_events();
        }
        if (!done_ && fds[2].revents & (POLLIN | POLLHUP)) stdin_open = read_stdin();
        if (fds[2].revents & (POLLNVAL | POLLERR)) stdin_open = false;
        check_duration();
    }
    if (signal_fd >= 0) close(signal_fd);
    if (!failure_.empty()) {
        std::cerr << "sala-cli: " << failure_ << "\n";
        return 1;
    }
    if (options_.calls && calls_ended_ < *options_.calls) {
        std::cerr << "sala-cli: stopped after " << calls_ended_ << " of " << *options_.calls << " calls\n";
        return 1;
    }
    return 0;
}

}  // namespace sala::cli
