#pragma once
// An input device opened outside a call, only to show its level (a microphone test).

#include <memory>
#include <string>

#include "sala/client/snapshot.hpp"

namespace sala::client {

class InputMonitor {
public:
    InputMonitor();
    ~InputMonitor();
    InputMonitor(const InputMonitor&) = delete;
    InputMonitor& operator=(const InputMonitor&) = delete;

    // spec as for --audio-in; false with a one-line *error when it cannot be opened.
    bool start(const std::string& spec, std::string* error);
    void stop();
    bool running() const;
    // Discards what was captured and returns the level; call often (every frame) while running.
    MeterReading level();

private:
    struct Devices;
    std::unique_ptr<Devices> devices_;
};

}  // namespace sala::client
