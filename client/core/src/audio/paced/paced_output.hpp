#pragma once
// The common body of file and null outputs: a paced clock that takes one block from the
// playback ring every 10 ms, exactly like a sound card.

#include "audio/audio_device.hpp"
#include "audio/paced/paced_clock.hpp"

#include <array>

namespace sala::client {

// An AudioOutput whose played blocks go to consume(), called on the clock's thread.
class PacedOutput : public AudioOutput, private PacedDuplex::Client {
public:
    ~PacedOutput() override;  // subclasses must call stop() in their own destructor
    bool start(AudioPipes& pipes, std::string* error) final;
    void stop() final;

protected:
    // Clock thread: one block as played (silence-padded when the ring ran short).
    virtual void consume(const int16_t* /*block*/, std::size_t /*n*/) {}
    // Called by stop() after the clock has stopped.
    virtual void stopped() {}

private:
    void paced_tick() override;

    bool attached_ = false;
    AudioPipes* pipes_ = nullptr;
    std::array<int16_t, PacedClock::kBlockSamples> block_{};
};

}  // namespace sala::client
