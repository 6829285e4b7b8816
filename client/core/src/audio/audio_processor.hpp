#pragma once
// The place in the capture path for echo cancellation and noise suppression: an interface,
// and a pass-through that changes nothing. Off by default (AudioPipes::processor is null);
// the real echo canceller is a later piece of work.

#include <cstddef>
#include <cstdint>

namespace sala::client {

// Cleans captured audio (48 kHz mono) using what the speaker played at about the same time.
// Called on the capture device's audio thread: implementations must not lock, allocate,
// log or block, and must finish well within one block (10 ms).
class AudioProcessor {
public:
    virtual ~AudioProcessor() = default;
    // capture: n samples just captured, changed in place. far_end: up to far_n samples most
    // recently played (may be fewer than n, or none at the start), the echo reference.
    virtual void process_capture(int16_t* capture, std::size_t n, const int16_t* far_end, std::size_t far_n) = 0;
};

// Leaves the audio as it is: the stage is wired, and does nothing.
class PassThroughProcessor final : public AudioProcessor {
public:
    void process_capture(int16_t*, std::size_t, const int16_t*, std::size_t) override {}
};

}  // namespace sala::client
