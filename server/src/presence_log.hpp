#pragma once
// Presence lines not yet written to every registered client. A change costs one append,
// whatever the number of clients; each client has its own position in the log, so one
// write can carry every change it has not seen yet, and a directed message can be
// preceded by exactly the presence that happened before it.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "call_table.hpp"

namespace sala::server {

class PresenceLog {
public:
    using Seq = std::uint64_t;

    // `line` ends in '\n' and goes to everyone except `about` (the user it is about).
    void append(ClientId about, std::string line);
    // Position after the last appended line.
    Seq end() const { return base_ + entries_.size(); }
    Seq begin() const { return base_; }
    // The lines in [from, to) that `reader` gets, concatenated (empty if none).
    std::string lines(Seq from, Seq to, ClientId reader) const;
    // The users the lines in [from, to) are about, sorted, each once.
    std::vector<ClientId> subjects(Seq from, Seq to) const;
    // Forgets the lines before `before` (every reader is past them).
    void trim(Seq before);

private:
    struct Entry {
        ClientId about;
        std::string line;
    };
    Seq base_ = 0;
    std::deque<Entry> entries_;
};

}  // namespace sala::server
