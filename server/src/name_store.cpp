#include "name_store.hpp"

#include <sqlite3.h>

#include <cstring>
#include <stdexcept>

#include "sala/log.hpp"

namespace sala::server {
namespace {

class Statement {
public:
    Statement(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("names database: ") + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(statement_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return statement_; }

private:
    sqlite3_stmt* statement_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string what = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error("names database: " + what);
    }
}

}  // namespace

NameStore::NameStore(const std::filesystem::path& file) : file_(file.string()) {
    if (sqlite3_open_v2(file_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string what = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open the names database " + file_ + ": " + what);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        exec(db_,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
             "CREATE TABLE IF NOT EXISTS names (key TEXT PRIMARY KEY NOT NULL, identity BLOB NOT NULL,"
             " last_used INTEGER NOT NULL) WITHOUT ROWID;");
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

NameStore::~NameStore() {
    if (writer_.joinable()) {
        writer_.request_stop();
        writer_.join();  // the loop writes what is queued before it ends
    }
    sqlite3_close(db_);
}

std::vector<NameChange> NameStore::load() {
    std::vector<NameChange> rows;
    Statement select(db_, "SELECT key, identity, last_used FROM names");
    int step;
    while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
        const auto* key = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 0));
        const void* identity = sqlite3_column_blob(select.get(), 1);
        NameBinding binding;
        if (!key || !identity || sqlite3_column_bytes(select.get(), 1) != static_cast<int>(binding.identity.size())) {
            log::warn("names", "names database: skipped a malformed row");
            continue;
        }
        std::memcpy(binding.identity.data(), identity, binding.identity.size());
        binding.last_used = sqlite3_column_int64(select.get(), 2);
        rows.push_back(NameChange{key, binding});
    }
    if (step != SQLITE_DONE) throw std::runtime_error(std::string("names database: ") + sqlite3_errmsg(db_));
    return rows;
}

bool NameStore::erase_now(const std::string& key) {
    Statement erase(db_, "DELETE FROM names WHERE key = ?1");
    sqlite3_bind_text(erase.get(), 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(erase.get()) != SQLITE_DONE)
        throw std::runtime_error(std::string("names database: ") + sqlite3_errmsg(db_));
    return sqlite3_changes(db_) > 0;
}

void NameStore::start_writer() {
    writer_ = std::jthread([this](std::stop_token stop) { write_loop(stop); });
}

bool NameStore::queue(const NameChange& change) {
    {
        std::lock_guard lock(mutex_);
        auto it = queued_.find(change.key);
        if (it != queued_.end()) {
            it->second = change.binding;
        } else {
            if (queued_.size() >= kMaxQueued) return false;
            queued_.emplace(change.key, change.binding);
        }
    }
    wake_.notify_one();
    return true;
}

NameStore::Counts NameStore::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void NameStore::write_loop(std::stop_token stop) {
    for (;;) {
        std::unordered_map<std::string, std::optional<NameBinding>> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, stop, [this] { return !queued_.empty(); });
            if (queued_.empty()) return;  // stopping, and nothing left to write
            batch.swap(queued_);
        }
        write_batch(batch);
    }
}

void NameStore::write_batch(const std::unordered_map<std::string, std::optional<NameBinding>>& batch) {
    bool ok = false;
    try {
        Statement upsert(db_, "INSERT OR REPLACE INTO names (key, identity, last_used) VALUES (?1, ?2, ?3)");
        Statement erase(db_, "DELETE FROM names WHERE key = ?1");
        exec(db_, "BEGIN");
        ok = true;
        for (const auto& [key, binding] : batch) {
            sqlite3_stmt* s = binding ? upsert.get() : erase.get();
            sqlite3_reset(s);
            sqlite3_bind_text(s, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
            if (binding) {
                sqlite3_bind_blob(s, 2, binding->identity.data(), static_cast<int>(binding->identity.size()),
                                  SQLITE_STATIC);
                sqlite3_bind_int64(s, 3, binding->last_used);
            }
            if (sqlite3_step(s) != SQLITE_DONE) ok = false;
        }
        exec(db_, ok ? "COMMIT" : "ROLLBACK");
    } catch (const std::exception& e) {
        log::error("names", e.what());
        ok = false;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    if (!ok)
        log::error("names", "names database " + file_ + ": a batch of " + std::to_string(batch.size()) +
                                " changes could not be written: " + sqlite3_errmsg(db_));
    std::lock_guard lock(mutex_);
    ++counts_.batches;
    if (ok)
        counts_.written += batch.size();
    else
        ++counts_.failed;
}

}  // namespace sala::server
