#include "audio/paced/paced_output.hpp"

#include <algorithm>

namespace sala::client {

PacedOutput::~PacedOutput() { stop(); }

bool PacedOutput::start(AudioPipes& pipes, std::string* /*error*/) {
    stop();
    pipes_ = &pipes;
    pipes.paced.attach_output(this);
    attached_ = true;
    return true;
}

void PacedOutput::stop() {
    if (!attached_) return;
    pipes_->paced.detach(this);
    attached_ = false;
    stopped();
}

void PacedOutput::paced_tick() {
    const std::size_t got = pipes_->playback.pop(block_.data(), block_.size());
    pipes_->note_played();
    if (got < block_.size()) {
        std::fill(block_.begin() + static_cast<std::ptrdiff_t>(got), block_.end(), int16_t{0});
        pipes_->playback_underruns.fetch_add(1, std::memory_order_relaxed);
    }
    pipes_->speaker.process(block_.data(), block_.size());
    consume(block_.data(), block_.size());
}

}  // namespace sala::client
