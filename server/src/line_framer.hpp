#pragma once
// Splits a TCP byte stream into lines of at most protocol::kMaxLineBytes (with the '\n').
// A longer line is reported once and the rest of it is skipped without being buffered.

#include <cstddef>
#include <string>
#include <string_view>

#include "sala/protocol.hpp"

namespace sala::server {

class LineFramer {
public:
    // Feeds received bytes. Calls on_line(std::string_view line) for each complete line
    // (without '\n'), and on_too_long() once for each line over the limit. on_line returns
    // false to stop: the remaining bytes are dropped and feed returns false.
    template <typename OnLine, typename OnTooLong>
    bool feed(std::string_view data, OnLine&& on_line, OnTooLong&& on_too_long);

    // Bytes held of an unfinished line.
    std::size_t pending() const { return partial_.size(); }

private:
    static constexpr std::size_t kMaxContent = protocol::kMaxLineBytes - 1;  // without '\n'
    void reset_partial();

    std::string partial_;
    bool skipping_ = false;  // inside a line that was too long, until its '\n'
};

template <typename OnLine, typename OnTooLong>
bool LineFramer::feed(std::string_view data, OnLine&& on_line, OnTooLong&& on_too_long) {
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t nl = data.find('\n', pos);
        if (skipping_) {
            if (nl == std::string_view::npos) return true;
            skipping_ = false;
            pos = nl + 1;
            continue;
        }
        if (nl == std::string_view::npos) {
            std::string_view rest = data.substr(pos);
            if (partial_.size() + rest.size() > kMaxContent) {
                reset_partial();
                skipping_ = true;
                on_too_long();
            } else {
                partial_.append(rest);
            }
            return true;
        }
        std::string_view piece = data.substr(pos, nl - pos);
        pos = nl + 1;
        if (partial_.size() + piece.size() > kMaxContent) {
            reset_partial();
            on_too_long();
            continue;
        }
        bool go_on;
        if (partial_.empty()) {
            go_on = on_line(piece);
        } else {
            partial_.append(piece);
            go_on = on_line(std::string_view(partial_));
            reset_partial();
        }
        if (!go_on) return false;
    }
    return true;
}

}  // namespace sala::server
