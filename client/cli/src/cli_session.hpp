#pragma once
// sala-cli's life: prints the engine's events, answers invites, runs stdin commands, and
// decides when to exit and with which status.

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

#include "cli_options.hpp"
#include "sala/client/engine.hpp"
#include "sala/client/wake_signal.hpp"

namespace sala::cli {

class CliSession {
public:
    explicit CliSession(CliOptions options);
    // Runs until done on this one thread (engine events, stdin and signals share one poll()
    // loop, so an idle sala-cli never wakes up); returns the exit status (0: every call
    // asked for happened and ended normally).
    int run();

private:
    void push(client::Event event);  // the engine's thread
    void handle_events();
    bool read_stdin();  // false once stdin is closed
    void on_event(const client::Event& event);
    void on_line(const std::string& line);
    void print(const client::Event& event);
    void print_text(const std::string& text);
    void fail(const std::string& reason);
    std::optional<std::chrono::steady_clock::time_point> hangup_due() const;  // --duration's deadline
    void check_duration();
    int poll_timeout_ms() const;  // until --duration hangs up, or -1

    CliOptions options_;
    std::mutex mutex_;
    std::deque<client::Event> events_;  // from the engine's thread, under mutex_
    client::WakeSignal wake_;
    std::string pending_input_;  // stdin after the last newline

    bool done_ = false;
    std::string failure_;  // first reason to exit non-zero
    long long calls_ended_ = 0;
    bool call_requested_ = false;
    std::string hung_up_call_;  // the call --duration already ended
    std::string timed_call_;    // the call in progress, and when it started here
    std::chrono::steady_clock::time_point timed_call_start_{};

    // Last, so it is destroyed first: its thread calls push() until the engine is gone.
    client::Engine engine_;
};

}  // namespace sala::cli
