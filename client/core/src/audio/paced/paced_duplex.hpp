#pragma once
// One clock for the paced (file, tone, silence, null) devices of a call: each tick runs the
// input's blocks, then the output's, then wakes the engine, like a duplex sound card whose
// period is one codec frame. One thread and one wake-up per period for both directions.

#include "audio/paced/paced_clock.hpp"
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
    // Ticks every n blocks of 10 ms (n = frame length / 10 ms), running n blocks each way and
    // waking the engine once: it has nothing to encode in between, and every wake-up costs
    // CPU. Not on the clock's thread; a running clock restarts with the new period.
    void set_blocks_per_tick(int blocks);

private:
    void change(Client*& slot, Client* client);
    void start_if_used();  // the clock is stopped; starts it if a device is attached
    void tick();

    WakeSignal& wake_;
    PacedClock clock_;
    Client* input_ = nullptr;
    Client* output_ = nullptr;
    int blocks_per_tick_ = 1;  // changed only while the clock is stopped
};

}  // namespace sala::client
