#include "line_framer.hpp"

namespace sala::server {

void LineFramer::reset_partial() {
    // An idle connection should not keep a long line's buffer alive.
    if (partial_.capacity() > 256)
        std::string().swap(partial_);
    else
        partial_.clear();
}

}  // namespace sala::server
