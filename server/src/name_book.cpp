#include "name_book.hpp"

namespace sala::server {

const NameBinding* NameBook::find(const std::string& key) const {
    auto it = bindings_.find(key);
    return it == bindings_.end() ? nullptr : &it->second;
}

bool NameBook::bind(const std::string& key, const IdentityKey& identity, std::int64_t now) {
    NameBinding binding{identity, now};
    if (journal_ && !journal_(NameChange{key, binding})) return false;
    bindings_[key] = binding;
    return true;
}

void NameBook::touch(const std::string& key, std::int64_t now) {
    auto it = bindings_.find(key);
    if (it == bindings_.end() || it->second.last_used == now) return;
    it->second.last_used = now;
    if (journal_) journal_(NameChange{key, it->second});  // a lost touch only makes the name look older
}

bool NameBook::release(const std::string& key) {
    if (bindings_.erase(key) == 0) return false;
    if (journal_) journal_(NameChange{key, std::nullopt});
    return true;
}

std::vector<std::string> NameBook::expire(std::int64_t cutoff, const std::function<bool(const std::string&)>& in_use) {
    std::vector<std::string> freed;
    for (const auto& [key, binding] : bindings_)
        if (binding.last_used < cutoff && !in_use(key)) freed.push_back(key);
    for (const auto& key : freed) release(key);
    return freed;
}

}  // namespace sala::server
