#include "engine/user_list.hpp"

#include <algorithm>

namespace sala::client {
namespace {
bool is_busy(const protocol::Json& message) {
    return protocol::parse_status(protocol::get_string(message, "status").value_or("")) == protocol::Status::busy;
}
}  // namespace

void UserList::replace(const protocol::Json& users) {
    std::vector<UserEntry> entries;
    if (users.is_array())
        for (const auto& u : users)
            if (auto name = protocol::get_string(u, "name")) entries.push_back({*name, is_busy(u)});
    assign(std::move(entries));
}

void UserList::set(const std::string& name, bool busy) {
    auto users = *entries_;
    auto it = std::find_if(users.begin(), users.end(), [&](const UserEntry& u) { return u.name == name; });
    if (it == users.end())
        users.push_back({name, busy});
    else
        it->busy = busy;
    assign(std::move(users));
}

void UserList::remove(const std::string& name) {
    auto users = *entries_;
    std::erase_if(users, [&](const UserEntry& u) { return u.name == name; });
    assign(std::move(users));
}

void UserList::clear() { assign({}); }

void UserList::assign(std::vector<UserEntry> users) {
    std::sort(users.begin(), users.end(), [](const UserEntry& a, const UserEntry& b) {
        return protocol::name_key(a.name) < protocol::name_key(b.name);
    });
    entries_ = std::make_shared<const std::vector<UserEntry>>(std::move(users));
}

}  // namespace sala::client
