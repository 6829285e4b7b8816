#include "sala/client/paced_input.hpp"

namespace sala::client {

PacedInput::~PacedInput() { stop(); }

bool PacedInput::start(AudioPipes& pipes, std::string* /*error*/) {
    stop();
    pipes_ = &pipes;
    rewind();
    clock_.start([this] { tick(); });
    return true;
}

void PacedInput::stop() { clock_.stop(); }

void PacedInput::tick() {
    fill(block_.data(), block_.size());
    pipes_->mic.process(block_.data(), block_.size());
    const std::size_t pushed = pipes_->capture.push(block_.data(), block_.size());
    if (pushed < block_.size())
        pipes_->capture_overruns.fetch_add(block_.size() - pushed, std::memory_order_relaxed);
}

}  // namespace sala::client
