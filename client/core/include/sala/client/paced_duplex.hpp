#pragma once
// One clock for the paced (file, tone, silence, null) devices of a call: each tick runs the
// input's block, then the output's, then wakes the engine, like a duplex sound card. One
// thread and one wake-up per 10 ms for both directions.

#include <atomic>

#include "sala/client/paced_clock.hpp"
#include "sala/client/wake_signal.hpp"

namespace sala::client {

class PacedDuplex {
public:
    // A device driven by the clock.
    class Client {
    public:
        virtual ~Client() = default;
        virtual void paced_tick() = 0;  // the clock's thread: one 480-sample block
    };

    explicit PacedDuplex(WakeSignal& wake) : wake_(wake) {}
    ~PacedDuplex() { clock_.stop(); }
    PacedDuplex(const PacedDuplex&) = delete;
    PacedDuplex& operator=(const PacedDuplex&) = delete;

    // Not on the clock's thread. The clock stops while the table changes, so a detached
    // client is never called again once detach() returns.
    void attach_input(Client* client) { change(input_, client); }
    void attach_output(Client* client) { change(output_, client); }
    void detach(Client* client);
    // Wake the engine every n blocks only (n = frame length / 10 ms): it has nothing to
    // encode in between, and every wake-up costs CPU.
    void set_wake_every(int blocks) { wake_every_.store(blocks < 1 ? 1 : blocks, std::memory_order_relaxed); }

private:
    void change(Client*& slot, Client* client);
    void tick();

    WakeSignal& wake_;
    PacedClock clock_;
    Client* input_ = nullptr;
    Client* output_ = nullptr;
    std::atomic<int> wake_every_{1};
    int ticks_since_wake_ = 0;  // the clock's thread only
};

}  // namespace sala::client
