#pragma once
// The gain control of the voice processing (issue 13): brings the near talker's speech to about
// -20 dBFS, from up to 30 dB below, after the echo canceller and the noise suppressor.
//
// Why not WebRTC's own (APM 0.3's digital AGC, which reaches the target once its "experimental"
// analog mode is off): it keeps adapting while only the far end talks, so within seconds it lifts
// the canceller's residual echo by 20-30 dB (measured on the PulseAudio echo path: -88 dB of echo
// without it, -24 to -32 dB with it). This one adapts only on blocks the voice detector calls
// voice, 10 dB above the noise floor, while the far end has been silent for longer than an echo
// lasts, and holds its gain otherwise; a block limiter keeps it from clipping.
// No allocation; one thread calls process().

#include <array>
#include <cstddef>
#include <cstdint>

namespace sala::client {

class GainStage {
public:
    static constexpr float kTargetDbfs = -21.0f;  // the mean power of voiced blocks; speech level ~-20
    static constexpr float kMaxGainDb = 30.0f;
    static constexpr float kMinGainDb = -10.0f;
    static constexpr std::size_t kFloorBlocks = 100;  // the noise floor is measured over 1 s of 10 ms blocks

    // block: n float samples (full scale 1.0), changed in place. voice: the voice detector's word on
    // this block (before gain); far_active: the far end played something audible in this block.
    void process(float* block, std::size_t n, bool voice, bool far_active);
    float gain_db() const { return gain_db_; }

private:
    float level_db_ = -200.0f;  // the near talker's speech level: mean power of voiced blocks, dBFS
    // The noise floor: a low percentile of the last second's smoothed levels (dBFS).
    float smoothed_ = 0.0f;  // block power, smoothed over about 15 ms
    std::array<float, kFloorBlocks> levels_db_{}, sorted_db_{};
    std::size_t next_level_ = 0, sound_blocks_ = 0;
    float gain_db_ = 0.0f;  // applied now
    float applied_ = 1.0f;  // linear gain at the end of the last block
    int far_hold_ = 0;      // blocks until the far end's echo has died away
    int voiced_ = 0;        // voiced blocks the level was measured on
};

}  // namespace sala::client
