#include "audio/paced/paced_duplex.hpp"

namespace sala::client {

void PacedDuplex::change(Client*& slot, Client* client) {
    clock_.stop();
    slot = client;
    start_if_used();
}

void PacedDuplex::set_blocks_per_tick(int blocks) {
    blocks = blocks < 1 ? 1 : blocks;
    if (blocks == blocks_per_tick_) return;
    clock_.stop();
    blocks_per_tick_ = blocks;
    start_if_used();
}

void PacedDuplex::start_if_used() {
    if (input_ || output_) clock_.start([this] { tick(); }, PacedClock::kBlockPeriod * blocks_per_tick_);
}

void PacedDuplex::detach(Client* client) {
    if (input_ == client) change(input_, nullptr);
    if (output_ == client) change(output_, nullptr);
}

void PacedDuplex::tick() {
    for (int i = 0; input_ && i < blocks_per_tick_; ++i) input_->paced_tick();
    for (int i = 0; output_ && i < blocks_per_tick_; ++i) output_->paced_tick();
    wake_.notify();
}

}  // namespace sala::client
