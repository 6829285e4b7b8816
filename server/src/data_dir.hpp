#pragma once
// sala-server's data directory (--data-dir): where the name bindings live. Made mode 0700 and
// held by one process at a time, with an exclusive lock on DIR/lock (flock) for as long as the
// DataDir lives: a second server, or `--release-name` while a server runs, is told so.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace sala::server {

// $XDG_STATE_HOME/sala-server, else ~/.local/state/sala-server; empty when neither is known.
std::filesystem::path default_data_dir();

// The directory is held by another process; what() is a sentence naming it and its pid.
struct DataDirBusy : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class DataDir {
public:
    // Makes the directory (0700) if needed and takes its lock. Throws DataDirBusy when another
    // process holds it, std::runtime_error with a sentence when it cannot be made or locked.
    explicit DataDir(std::filesystem::path path);
    ~DataDir();
    DataDir(const DataDir&) = delete;
    DataDir& operator=(const DataDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path names_database() const { return path_ / "names.sqlite3"; }

private:
    std::filesystem::path path_;
    int lock_fd_ = -1;
};

}  // namespace sala::server
