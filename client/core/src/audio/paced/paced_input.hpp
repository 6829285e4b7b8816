#pragma once
// The common body of file, tone and silence inputs: a paced clock that pushes one block of
// generated samples into the capture ring every 10 ms, exactly like a sound card.

#include "audio/audio_device.hpp"
#include "audio/paced/paced_clock.hpp"

#include <array>

namespace sala::client {

// An AudioInput whose samples come from fill(), called on the clock's thread.
class PacedInput : public AudioInput, private PacedDuplex::Client {
public:
    ~PacedInput() override;  // subclasses must call stop() in their own destructor
    bool start(AudioPipes& pipes, std::string* error) final;
    void stop() final;

protected:
    // Called on start(), before the clock runs: go back to the beginning.
    virtual void rewind() {}
    // Clock thread: produce the next n samples.
    virtual void fill(int16_t* block, std::size_t n) = 0;

private:
    void paced_tick() override;

    bool attached_ = false;
    AudioPipes* pipes_ = nullptr;
    std::array<int16_t, PacedClock::kBlockSamples> block_{};
};

}  // namespace sala::client
