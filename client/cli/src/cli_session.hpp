#pragma once
// sala-cli's life: prints the engine's events, answers invites, runs stdin commands, and
// decides when to exit and with which status.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>

#include "cli_options.hpp"
#include "sala/client/engine.hpp"

namespace sala::cli {

class CliSession {
public:
    explicit CliSession(CliOptions options);
    // Runs until done; returns the exit status (0: every call asked for happened and ended normally).
    int run();

private:
    struct Input {
        enum class Kind { event, line, signal } kind;
        client::Event event;
        std::string line;
    };
    void push(Input input);
    void on_event(const client::Event& event);
    void on_line(const std::string& line);
    void print(const client::Event& event);
    void print_text(const std::string& text);
    void fail(const std::string& reason);
    void check_duration();

    CliOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Input> inputs_;

    bool done_ = false;
    std::string failure_;  // first reason to exit non-zero
    long long calls_ended_ = 0;
    bool call_requested_ = false;
    std::string hung_up_call_;  // the call --duration already ended

    // Last, so it is destroyed first: its thread calls push() until the engine is gone.
    client::Engine engine_;
};

}  // namespace sala::cli
