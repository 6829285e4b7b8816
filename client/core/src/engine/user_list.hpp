#pragma once
// The other users on the directory server, sorted by name, as the snapshot shares them.

#include <memory>
#include <string>
#include <vector>

#include "sala/client/snapshot.hpp"
#include "sala/protocol.hpp"

namespace sala::client {

class UserList {
public:
    using Entries = std::shared_ptr<const std::vector<UserEntry>>;

    // A welcome's "users" array: replaces the list (entries without a name are skipped).
    void replace(const protocol::Json& users);
    // user_joined / user_status: adds the user or updates its status.
    void set(const std::string& name, bool busy);
    void remove(const std::string& name);
    void clear();
    // Shared, never changed after it is handed out: each change makes a new list.
    const Entries& entries() const { return entries_; }

private:
    void assign(std::vector<UserEntry> users);

    Entries entries_ = std::make_shared<const std::vector<UserEntry>>();
};

}  // namespace sala::client
