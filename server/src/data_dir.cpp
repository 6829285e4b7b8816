#include "data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sala::server {

std::filesystem::path default_data_dir() {
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/')
        return std::filesystem::path(state) / "sala-server";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".local" / "state" / "sala-server";
    return {};
}

DataDir::DataDir(std::filesystem::path path) : path_(std::move(path)) {
    const std::string where = path_.string();
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
        std::filesystem::create_directories(path_, ec);
        if (ec) throw std::runtime_error("cannot make the data directory " + where + ": " + ec.message());
        ::chmod(where.c_str(), 0700);
    }
    if (!std::filesystem::is_directory(path_, ec))
        throw std::runtime_error("the data directory " + where + " is not a directory");
    const std::string lock = (path_ / "lock").string();
    lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) throw std::runtime_error("cannot open " + lock + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        char pid[32] = {};
        const ssize_t n = ::pread(lock_fd_, pid, sizeof pid - 1, 0);
        ::close(lock_fd_);
        lock_fd_ = -1;
        if (error == EWOULDBLOCK)
            throw DataDirBusy("the data directory " + where + " is held by a running sala-server" +
                              (n > 0 ? " (pid " + std::string(pid, static_cast<std::size_t>(n)) + ")" : "") +
                              "; stop it first");
        throw std::runtime_error("cannot lock " + lock + ": " + std::strerror(error));
    }
    const std::string me = std::to_string(::getpid());
    if (::ftruncate(lock_fd_, 0) == 0 && ::pwrite(lock_fd_, me.data(), me.size(), 0) < 0) {
        // the pid is only for the message above
    }
}

DataDir::~DataDir() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace sala::server
