#pragma once
// Which names belong to which identity key (protocol v4), in memory on the io thread: loaded
// from the data directory's database at start, every change handed to a journal (NameStore
// writes it on its own thread). A name is bound by its first registration with a key, used
// again at every registration and when its user leaves, and freed when unused for the expiry.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sala::server {

using IdentityKey = std::array<std::uint8_t, 32>;

struct NameBinding {
    IdentityKey identity{};
    std::int64_t last_used = 0;  // Unix time, seconds
};

// One change for the journal: the binding of `key` (a protocol::name_key) as it is now, or
// nullopt when it was freed.
struct NameChange {
    std::string key;
    std::optional<NameBinding> binding;
};

class NameBook {
public:
    // Takes each change; false when it cannot (its queue is full): a new binding is then undone.
    using Journal = std::function<bool(const NameChange&)>;
    explicit NameBook(Journal journal) : journal_(std::move(journal)) {}

    // At start, from the database: not journaled.
    void load(std::string key, const NameBinding& binding) { bindings_[std::move(key)] = binding; }
    const NameBinding* find(const std::string& key) const;
    // Binds an unbound name; false (and nothing bound) when the journal cannot take it.
    bool bind(const std::string& key, const IdentityKey& identity, std::int64_t now);
    // The bound name is used now (a registration, its user leaving); nothing for an unbound one.
    void touch(const std::string& key, std::int64_t now);
    // Frees one name; false if it was not bound.
    bool release(const std::string& key);
    // Frees the names last used before `cutoff` for which in_use is false; returns their keys.
    std::vector<std::string> expire(std::int64_t cutoff, const std::function<bool(const std::string&)>& in_use);
    std::size_t size() const { return bindings_.size(); }

private:
    Journal journal_;
    std::unordered_map<std::string, NameBinding> bindings_;
};

}  // namespace sala::server
