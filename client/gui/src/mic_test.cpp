#include "mic_test.hpp"

namespace sala::gui {

bool MicTest::start(const std::string& input_spec) {
    std::string error;
    if (!monitor_.start(input_spec, &error)) {
        problem_ = "The microphone could not be opened: " + error;
        return false;
    }
    problem_.clear();
    return true;
}

void MicTest::stop() { monitor_.stop(); }

client::MeterReading MicTest::level() { return monitor_.level(); }

}  // namespace sala::gui
