#pragma once
// The microphone test outside a call: opens the chosen input on its own and shows its level.
// (The engine only opens devices during a call, so the window does this itself.)

#include <memory>
#include <string>

#include "sala/client/input_monitor.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::gui {

class MicTest {
public:
    ~MicTest() { stop(); }

    // input_spec: an engine input spec ("device", "device:NAME", "tone:HZ", a WAV path).
    bool start(const std::string& input_spec);
    void stop();
    bool running() const { return monitor_.running(); }
    // Discards what was captured and returns the level; call every frame while running.
    client::MeterReading level();
    const std::string& problem() const { return problem_; }

private:
    client::InputMonitor monitor_;
    std::string problem_;
};

}  // namespace sala::gui
