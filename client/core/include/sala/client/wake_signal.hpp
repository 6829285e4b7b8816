#pragma once
// A wake-up from the audio side to the engine thread: an eventfd the devices write after
// each block, so the engine runs when there is work instead of polling on a timer.

#include <cstdint>

namespace sala::client {

class WakeSignal {
public:
    WakeSignal();  // throws std::system_error if no eventfd can be made
    ~WakeSignal();
    WakeSignal(const WakeSignal&) = delete;
    WakeSignal& operator=(const WakeSignal&) = delete;

    // Audio thread: one non-blocking write; never locks or allocates.
    void notify() noexcept;
    // Engine thread: clears pending wake-ups.
    void drain() noexcept;
    int fd() const { return fd_; }

private:
    int fd_ = -1;
};

}  // namespace sala::client
