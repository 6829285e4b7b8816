#include "process.hpp"

#include "deadline.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace sala::test {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Process::Process(std::vector<std::string> argv) {
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    in_ = in[1];
    out_ = out[0];
    err_ = err[0];
    fcntl(err_, F_SETFL, O_NONBLOCK);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
}

Process::~Process() {
    if (!status_ && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    for (int fd : {in_, out_, err_})
        if (fd >= 0) close(fd);
}

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto nl = out_buffer_.find('\n'); nl != std::string::npos) {
            std::string line = out_buffer_.substr(0, nl);
            out_buffer_.erase(0, nl + 1);
            return line;
        }
        if (out_ < 0) return std::nullopt;
        pollfd pfd{out_, POLLIN, 0};
        int ready = poll(&pfd, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return std::nullopt;
        char chunk[4096];
        ssize_t n = read(out_, chunk, sizeof chunk);
        if (n <= 0) {
            close(out_);
            out_ = -1;
            continue;
        }
        out_buffer_.append(chunk, static_cast<size_t>(n));
    }
}

std::optional<std::string> Process::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto line = read_line(std::chrono::milliseconds(remaining_ms(deadline)));
        if (!line) return std::nullopt;
        if (line->find(needle) != std::string::npos) return line;
    }
    return std::nullopt;
}

void Process::drain_stderr(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (err_ >= 0) {
        pollfd pfd{err_, POLLIN, 0};
        if (poll(&pfd, 1, remaining_ms(deadline)) <= 0) return;
        char chunk[4096];
        ssize_t n = read(err_, chunk, sizeof chunk);
        if (n <= 0) {
            if (n < 0 && errno == EAGAIN) continue;
            close(err_);
            err_ = -1;
            return;
        }
        err_buffer_.append(chunk, static_cast<size_t>(n));
    }
}

std::string Process::stderr_text() {
    drain_stderr(std::chrono::milliseconds(status_ ? 200 : 0));
    return err_buffer_;
}

void Process::write_stdin(const std::string& text) {
    if (in_ < 0) return;
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(in_, text.data() + done, text.size() - done);
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

void Process::close_stdin() {
    if (in_ >= 0) close(in_);
    in_ = -1;
}

void Process::signal(int sig) {
    if (!status_ && pid_ > 0) kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int raw = 0;
        pid_t r = waitpid(pid_, &raw, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            return status_;
        }
        if (Clock::now() >= deadline) return std::nullopt;
        // Keep stderr flowing so a chatty child never blocks on a full pipe.
        drain_stderr(std::chrono::milliseconds(std::min(20, remaining_ms(deadline))));
        usleep(2000);
    }
}

std::string bin(const std::string& program) { return std::string(SALA_BIN_DIR) + "/" + program; }

}  // namespace sala::test
