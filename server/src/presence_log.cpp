#include "presence_log.hpp"

#include <algorithm>

namespace sala::server {

void PresenceLog::append(ClientId about, std::string line) { entries_.push_back(Entry{about, std::move(line)}); }

std::string PresenceLog::lines(Seq from, Seq to, ClientId reader) const {
    from = std::max(from, base_);
    to = std::min(to, end());
    std::string text;
    for (Seq seq = from; seq < to; ++seq) {
        const Entry& entry = entries_[seq - base_];
        if (entry.about != reader) text += entry.line;
    }
    return text;
}

std::vector<ClientId> PresenceLog::subjects(Seq from, Seq to) const {
    from = std::max(from, base_);
    to = std::min(to, end());
    std::vector<ClientId> ids;
    for (Seq seq = from; seq < to; ++seq) ids.push_back(entries_[seq - base_].about);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

void PresenceLog::trim(Seq before) {
    while (base_ < before && !entries_.empty()) {
        entries_.pop_front();
        ++base_;
    }
}

}  // namespace sala::server
