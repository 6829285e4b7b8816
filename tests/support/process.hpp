#pragma once
// A child process for tests: argv, stdin/stdout/stderr pipes, reads with deadlines.

#include <sys/types.h>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sala::test {

using namespace std::chrono_literals;

class Process {
public:
    // Starts argv[0] (a path) with the given arguments; throws on failure.
    explicit Process(std::vector<std::string> argv);
    ~Process();  // SIGKILLs the child if it is still running
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // The next line on stdout (without '\n'), or nullopt at EOF or after the timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = 5000ms);
    // Reads stdout lines until one contains `needle`; returns it, or nullopt.
    std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout = 5000ms);
    // Everything written to stderr so far (read without blocking).
    std::string stderr_text();
    void write_stdin(const std::string& text);
    void close_stdin();

    void signal(int sig);
    // The exit status (0..255, or 128+signal), or nullopt if still running after timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout = 5000ms);
    pid_t pid() const { return pid_; }

private:
    void drain_stderr(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    std::string out_buffer_, err_buffer_;
    std::optional<int> status_;
};

// The path of a built program, e.g. bin("sala-server").
std::string bin(const std::string& program);

}  // namespace sala::test
