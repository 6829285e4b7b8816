#include "sala/client/paced_duplex.hpp"

namespace sala::client {

void PacedDuplex::change(Client*& slot, Client* client) {
    clock_.stop();
    slot = client;
    if (input_ || output_) clock_.start([this] { tick(); });
}

void PacedDuplex::detach(Client* client) {
    if (input_ == client) change(input_, nullptr);
    if (output_ == client) change(output_, nullptr);
}

void PacedDuplex::tick() {
    if (input_) input_->paced_tick();
    if (output_) output_->paced_tick();
    if (++ticks_since_wake_ >= wake_every_.load(std::memory_order_relaxed)) {
        ticks_since_wake_ = 0;
        wake_.notify();
    }
}

}  // namespace sala::client
