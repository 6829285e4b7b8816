#include "audio/paced/paced_input.hpp"

namespace sala::client {

PacedInput::~PacedInput() { stop(); }

bool PacedInput::start(AudioPipes& pipes, std::string* /*error*/) {
    stop();
    pipes_ = &pipes;
    rewind();
    pipes.paced.attach_input(this);
    attached_ = true;
    return true;
}

void PacedInput::stop() {
    if (!attached_) return;
    pipes_->paced.detach(this);
    attached_ = false;
}

void PacedInput::paced_tick() {
    fill(block_.data(), block_.size());
    pipes_->mic.process(block_.data(), block_.size());
    const std::size_t pushed = pipes_->capture.push(block_.data(), block_.size());
    if (pushed < block_.size()) pipes_->capture_overruns.fetch_add(block_.size() - pushed, std::memory_order_relaxed);
}

}  // namespace sala::client
