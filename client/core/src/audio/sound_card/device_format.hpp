#pragma once
// Conversion between a sound device's own format (any rate, any channel count, interleaved
// int16) and Sala's 48 kHz mono: a channel mix plus a speexdsp Resampler, with every buffer
// allocated up front so that convert()/fill() can run in an audio callback.

#include "audio/resampler.hpp"
#include "audio/spsc_ring.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sala::client {

// Sala's internal rate (Opus, the rings).
inline constexpr unsigned kInternalRate = 48000;

// The format a device stream was opened with.
struct DeviceStreamFormat {
    unsigned rate = 48000;
    unsigned channels = 1;
    unsigned frames = 480;  // per callback (RtAudio) or per request (PulseStream)
};

// Device capture -> 48 kHz mono: averages the channels, then resamples.
class CaptureFormat {
public:
    // max_frames: the most device frames one convert() call will get.
    CaptureFormat(unsigned device_rate, unsigned channels, std::size_t max_frames);

    // Converts one device block; returns the 48 kHz samples written to out, which must hold
    // max_output() samples. No allocation, no locks.
    std::size_t convert(const int16_t* interleaved, std::size_t frames, int16_t* out);
    std::size_t max_output() const { return max_output_; }

private:
    unsigned channels_;
    std::size_t max_frames_;
    std::size_t max_output_;
    Resampler resampler_;
    std::vector<int16_t> mono_;
};

// 48 kHz mono ring -> device playback: resamples, then copies to every channel. Plays
// silence for whatever the ring cannot supply, never stale samples.
class PlaybackFormat {
public:
    PlaybackFormat(unsigned device_rate, unsigned channels, std::size_t max_frames);

    // Fills exactly `frames` interleaved device frames (frames <= max_frames) from the ring.
    // Returns false when the ring ran short (the rest is silence). No allocation, no locks.
    bool fill(SpscRing<int16_t>& ring, int16_t* interleaved, std::size_t frames);

    // The 48 kHz samples the last fill() took from the ring (what is heard: for meters and
    // echo cancellation), valid until the next fill().
    const int16_t* last_input() const { return taken_.data(); }
    std::size_t last_input_count() const { return taken_count_; }

private:
    unsigned channels_;
    std::size_t max_frames_;
    Resampler resampler_;
    std::vector<int16_t> pending_;  // 48 kHz input not yet consumed by the resampler
    std::size_t pending_count_ = 0;
    std::vector<int16_t> mono_;  // device-rate mono output
    std::vector<int16_t> taken_;
    std::size_t taken_count_ = 0;
};

}  // namespace sala::client
