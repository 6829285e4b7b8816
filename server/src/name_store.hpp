#pragma once
// The name bindings on disk: SQLite (table names: key, identity, last_used) in the data
// directory. Everything is read once at start; afterwards changes are queued by the io thread
// (never blocking: a bounded queue that keeps the latest change per name) and written by a
// writer thread this object owns, in one transaction per batch.

#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "name_book.hpp"

struct sqlite3;

namespace sala::server {

class NameStore {
public:
    // Names waiting to be written at most; beyond, queue() refuses a name not already waiting.
    static constexpr std::size_t kMaxQueued = 100000;

    // Opens (or makes) the database file. Throws std::runtime_error with a sentence.
    explicit NameStore(const std::filesystem::path& file);
    // Writes what is still queued, then stops the writer.
    ~NameStore();
    NameStore(const NameStore&) = delete;
    NameStore& operator=(const NameStore&) = delete;

    // Every stored binding (at start, before the writer runs).
    std::vector<NameChange> load();
    // Offline (--release-name): deletes one name at once; false if it was not bound.
    bool erase_now(const std::string& key);

    // From now on, changes are written on the writer thread.
    void start_writer();
    // Any thread; never blocks on the disk. False when the queue is full.
    bool queue(const NameChange& change);

    struct Counts {
        std::size_t written = 0;  // rows written or deleted
        std::size_t batches = 0;  // transactions
        std::size_t failed = 0;   // batches SQLite refused (logged)
    };
    Counts counts() const;

private:
    void write_loop(std::stop_token stop);
    void write_batch(const std::unordered_map<std::string, std::optional<NameBinding>>& batch);

    sqlite3* db_ = nullptr;
    std::string file_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::unordered_map<std::string, std::optional<NameBinding>> queued_;
    Counts counts_;
    std::jthread writer_;
};

}  // namespace sala::server
