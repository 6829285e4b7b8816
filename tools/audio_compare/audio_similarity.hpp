#pragma once
// Measures how a recorded 48 kHz mono signal relates to the one that was sent: its delay
// (cross-correlation offset), waveform correlation, spectral similarity and levels.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sala::audio {

inline constexpr int kAnalysisRate = 48000;

// What to search and compare; the defaults suit speech sent through a call.
struct SimilarityOptions {
    double max_delay_ms = 2000.0;   // lags searched: 0 .. max_delay_ms
    int decimation = 8;             // coarse search at 48 kHz / decimation
    double frame_ms = 20.0;         // spectral frames
    double speech_floor_db = 40.0;  // a SENT frame is speech if within this of the loudest frame
    double segment_ms = 1000.0;     // stretches whose delay is tracked separately
};

// The comparison of RECORDED against SENT (recorded[n + delay] ~ sent[n]).
struct SimilarityResult {
    std::ptrdiff_t delay_samples = 0;
    double delay_ms = 0;
    double waveform_correlation = 0;  // normalized, -1..1, over the overlap at that delay
    double spectral_similarity = 0;   // correlation of log band energies, -1..1
    std::size_t speech_frames = 0;    // frames the spectral similarity was computed over
    // The same similarity with the delay re-estimated for each segment_ms stretch: a call's
    // delay moves when its jitter buffer grows or shrinks, which the single delay above
    // misses. The range of those per-stretch delays (with the overall one).
    double tracked_similarity = 0;
    double delay_min_ms = 0, delay_max_ms = 0;
    double sent_rms_dbfs = -120;
    double recorded_rms_dbfs = -120;
};

// One line with every figure of a result, for logs and test messages.
std::string describe(const SimilarityResult& result);

// RMS level in dBFS (full scale 32768); -120 for silence or no samples.
double rms_dbfs(std::span<const std::int16_t> samples);

// The lag in 0 .. max_delay at which recorded best matches sent: a coarse search on
// low-passed, decimated signals, refined at the full rate. nullopt if either is silent
// or too short to overlap.
std::optional<std::ptrdiff_t> estimate_delay(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                             const SimilarityOptions& options = {});

// Normalized correlation of sent[n] with recorded[n + delay] over their overlap.
double waveform_correlation(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                            std::ptrdiff_t delay);

// Correlation of the log band energies (per band, mean removed) of sent[n] and
// recorded[n + delay], over the frames of the overlap where sent has speech. Level and a
// fixed spectral tilt do not count; the time-frequency pattern does. Sets *frames.
double spectral_similarity(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                           std::ptrdiff_t delay, const SimilarityOptions& options = {}, std::size_t* frames = nullptr);

// Everything above at the estimated delay. nullopt if no delay could be estimated.
std::optional<SimilarityResult> compare(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                        const SimilarityOptions& options = {});

// The delay of one stretch of SENT, for following how the delay moves during a call.
struct SegmentDelay {
    double start_ms = 0;  // where the stretch starts in SENT
    double delay_ms = 0;
    double correlation = 0;  // waveform correlation of the stretch at that delay
};

// estimate_delay() on consecutive segment_ms stretches of SENT that hold speech (RMS
// within 30 dB of the whole signal's), each searched against RECORDED from the same point.
std::vector<SegmentDelay> segment_delays(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                         double segment_ms, const SimilarityOptions& options = {});

// spectral_similarity() with each segment_ms stretch of SENT at its own delay from
// `segments` (see segment_delays()), and at `delay` where it has none.
double tracked_spectral_similarity(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                   std::span<const SegmentDelay> segments, std::ptrdiff_t delay, double segment_ms,
                                   const SimilarityOptions& options = {});

// compare() on two WAV files (any rate and channel count, converted to 48 kHz mono). On
// failure returns nullopt and puts one line saying why in *error (if not null).
std::optional<SimilarityResult> compare_wav_files(const std::string& sent_path, const std::string& recorded_path,
                                                  std::string* error, const SimilarityOptions& options = {});

}  // namespace sala::audio
