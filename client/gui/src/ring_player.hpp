#pragma once
// Plays the ring tone through an output device, over and over with a pause, while an invite
// is waiting. Without a sound file or device it stays silent and says why once.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "sala/client/output_feed.hpp"

namespace sala::gui {

class RingPlayer {
public:
    // wav: the ring tone (any WAV; read as 48 kHz mono). A missing file only means no ring.
    explicit RingPlayer(const std::string& wav);
    ~RingPlayer();
    RingPlayer(const RingPlayer&) = delete;
    RingPlayer& operator=(const RingPlayer&) = delete;

    // output_spec: an engine output spec ("device", "device:NAME", "null", a .wav path).
    void start(const std::string& output_spec);
    void stop();
    // Tops up the device's queue; call every frame while ringing (at least every ~0.5 s).
    void feed();
    bool playing() const { return output_.running(); }
    // Why the last start() could not ring, in plain words; empty when it rings.
    const std::string& problem() const { return problem_; }

private:
    std::vector<std::int16_t> cycle_;  // the tone followed by its pause
    std::size_t position_ = 0;
    client::OutputFeed output_;
    std::string problem_;
};

}  // namespace sala::gui
