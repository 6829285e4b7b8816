#include "audio_similarity.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <numbers>
#include <vector>

#include "sala/client/wav_file.hpp"

namespace sala::audio {
namespace {

using Complex = std::complex<double>;

// In-place iterative radix-2 FFT; data.size() must be a power of two.
void fft(std::vector<Complex>& data, bool inverse) {
    const std::size_t n = data.size();
    for (std::size_t i = 1, j = 0; i < n; ++i) {
        std::size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) std::swap(data[i], data[j]);
    }
    for (std::size_t length = 2; length <= n; length <<= 1) {
        const double angle = 2.0 * std::numbers::pi / double(length) * (inverse ? 1.0 : -1.0);
        const Complex step(std::cos(angle), std::sin(angle));
        for (std::size_t start = 0; start < n; start += length) {
            Complex w(1.0, 0.0);
            for (std::size_t k = 0; k < length / 2; ++k) {
                const Complex even = data[start + k];
                const Complex odd = data[start + k + length / 2] * w;
                data[start + k] = even + odd;
                data[start + k + length / 2] = even - odd;
                w *= step;
            }
        }
    }
    if (inverse)
        for (auto& value : data) value /= double(n);
}

std::size_t next_power_of_two(std::size_t n) {
    std::size_t p = 1;
    while (p < n) p <<= 1;
    return p;
}

// c[d] = sum_n a[n] * b[n + d] for d in 0 .. max_lag.
std::vector<double> cross_correlation(const std::vector<double>& a, const std::vector<double>& b, std::size_t max_lag) {
    const std::size_t size = next_power_of_two(a.size() + b.size());
    std::vector<Complex> fa(size), fb(size);
    std::copy(a.begin(), a.end(), fa.begin());
    std::copy(b.begin(), b.end(), fb.begin());
    fft(fa, false);
    fft(fb, false);
    for (std::size_t i = 0; i < size; ++i) fb[i] *= std::conj(fa[i]);
    fft(fb, true);
    std::vector<double> out(std::min(max_lag + 1, size));
    for (std::size_t d = 0; d < out.size(); ++d) out[d] = fb[d].real();
    return out;
}

// Low-pass (windowed sinc, zero phase) then keep every factor-th sample. Both signals go
// through the same filter, so its delay cancels out of the comparison.
std::vector<double> decimate(std::span<const std::int16_t> x, int factor) {
    const int half = 4 * factor;
    const double cutoff = 0.45 / factor;  // cycles per input sample, just below the new Nyquist
    std::vector<double> taps(2 * half + 1);
    double sum = 0;
    for (int j = -half; j <= half; ++j) {
        const double sinc = j == 0 ? 2 * cutoff : std::sin(2 * std::numbers::pi * cutoff * j) / (std::numbers::pi * j);
        const double window = 0.54 + 0.46 * std::cos(std::numbers::pi * j / half);
        taps[j + half] = sinc * window;
        sum += taps[j + half];
    }
    for (auto& tap : taps) tap /= sum;
    const auto n = static_cast<std::ptrdiff_t>(x.size());
    std::vector<double> out(x.size() / factor);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const auto center = static_cast<std::ptrdiff_t>(k) * factor;
        double acc = 0;
        for (int j = -half; j <= half; ++j) {
            const auto i = center + j;
            if (i >= 0 && i < n) acc += taps[j + half] * x[i];
        }
        out[k] = acc;
    }
    return out;
}

std::vector<double> squared_prefix_sums(const std::vector<double>& x) {
    std::vector<double> out(x.size() + 1, 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) out[i + 1] = out[i] + x[i] * x[i];
    return out;
}

// The range of n where both sent[n] and recorded[n + delay] exist.
struct Overlap {
    std::ptrdiff_t begin = 0, end = 0;
    std::ptrdiff_t size() const { return std::max<std::ptrdiff_t>(0, end - begin); }
};

Overlap overlap(std::size_t sent, std::size_t recorded, std::ptrdiff_t delay) {
    return {std::max<std::ptrdiff_t>(0, -delay),
            std::min<std::ptrdiff_t>(std::ptrdiff_t(sent), std::ptrdiff_t(recorded) - delay)};
}

// Normalized correlation at one lag, computed directly.
double correlation_at(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                      std::ptrdiff_t delay) {
    const auto range = overlap(sent.size(), recorded.size(), delay);
    double dot = 0, energy_sent = 0, energy_recorded = 0;
    for (auto n = range.begin; n < range.end; ++n) {
        const double a = sent[n], b = recorded[n + delay];
        dot += a * b;
        energy_sent += a * a;
        energy_recorded += b * b;
    }
    if (energy_sent <= 0 || energy_recorded <= 0) return 0;
    return dot / std::sqrt(energy_sent * energy_recorded);
}

// Band edges in Hz, evenly spaced on the mel scale over the wideband speech range. Above
// 8 kHz a wideband codec legitimately removes everything, so it is left out.
std::vector<double> mel_band_edges(int bands, double low_hz, double high_hz) {
    auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
    auto hz = [](double m) { return 700.0 * (std::pow(10.0, m / 2595.0) - 1.0); };
    std::vector<double> edges(bands + 1);
    for (int b = 0; b <= bands; ++b) edges[b] = hz(mel(low_hz) + (mel(high_hz) - mel(low_hz)) * b / bands);
    return edges;
}

// Log band energies (dB) of 20 ms frames, one row per frame start in `starts`.
class BandAnalyzer {
public:
    explicit BandAnalyzer(std::size_t frame) : frame_(frame), size_(next_power_of_two(frame)) {
        window_.resize(frame);
        for (std::size_t i = 0; i < frame; ++i)
            window_[i] = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * (double(i) + 0.5) / double(frame));
        const auto edges = mel_band_edges(kBands, 100.0, 8000.0);
        const double bin_hz = double(kAnalysisRate) / double(size_);
        for (int b = 0; b < kBands; ++b) {
            auto first = static_cast<std::size_t>(std::ceil(edges[b] / bin_hz));
            auto last = static_cast<std::size_t>(std::ceil(edges[b + 1] / bin_hz));
            bins_.push_back({first, std::max(last, first + 1)});
        }
    }

    static constexpr int kBands = 20;

    // Appends kBands values for samples[start, start + frame) to out.
    void analyze(std::span<const std::int16_t> samples, std::ptrdiff_t start, std::vector<double>& out) {
        buffer_.assign(size_, Complex{});
        for (std::size_t i = 0; i < frame_; ++i) buffer_[i] = window_[i] * samples[start + i] / 32768.0;
        fft(buffer_, false);
        for (const auto& [first, last] : bins_) {
            double energy = 0;
            for (auto k = first; k < last; ++k) energy += std::norm(buffer_[k]);
            // -100 dB floor: digital silence must not become -infinity.
            out.push_back(10.0 * std::log10(energy / double(frame_) + 1e-10));
        }
    }

private:
    std::size_t frame_, size_;
    std::vector<double> window_;
    std::vector<std::pair<std::size_t, std::size_t>> bins_;
    std::vector<Complex> buffer_;
};

constexpr double kDynamicRangeDb = 45.0;

double frame_energy_db(std::span<const std::int16_t> samples, std::ptrdiff_t start, std::size_t frame) {
    return rms_dbfs(samples.subspan(start, frame));
}

}  // namespace

std::string describe(const SimilarityResult& r) {
    char text[320];
    std::snprintf(text, sizeof text,
                  "delay %.2f ms (per second %.2f..%.2f), waveform %.3f, spectral %.3f over %zu frames, "
                  "tracked %.3f, rms sent %.1f recorded %.1f dBFS",
                  r.delay_ms, r.delay_min_ms, r.delay_max_ms, r.waveform_correlation, r.spectral_similarity,
                  r.speech_frames, r.tracked_similarity, r.sent_rms_dbfs, r.recorded_rms_dbfs);
    return text;
}

double rms_dbfs(std::span<const std::int16_t> samples) {
    if (samples.empty()) return -120.0;
    double sum = 0;
    for (auto s : samples) sum += double(s) * s;
    const double mean = sum / double(samples.size());
    if (mean <= 0) return -120.0;
    return std::max(-120.0, 10.0 * std::log10(mean / (32768.0 * 32768.0)));
}

std::optional<std::ptrdiff_t> estimate_delay(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                             const SimilarityOptions& options) {
    const int factor = std::max(1, options.decimation);
    const auto coarse_sent = decimate(sent, factor);
    const auto coarse_recorded = decimate(recorded, factor);
    if (coarse_sent.empty() || coarse_recorded.empty()) return std::nullopt;

    const auto max_lag = static_cast<std::size_t>(options.max_delay_ms * kAnalysisRate / 1000.0);
    const auto correlation = cross_correlation(coarse_sent, coarse_recorded, max_lag / factor);
    const auto energy_sent = squared_prefix_sums(coarse_sent);
    const auto energy_recorded = squared_prefix_sums(coarse_recorded);
    // Lags where little overlaps would let a short chance match win the normalization.
    const auto min_overlap = static_cast<std::ptrdiff_t>(std::min(coarse_sent.size(), coarse_recorded.size()) / 2);

    std::optional<std::ptrdiff_t> best_coarse;
    double best_score = 0;
    for (std::size_t d = 0; d < correlation.size(); ++d) {
        const auto range = overlap(coarse_sent.size(), coarse_recorded.size(), std::ptrdiff_t(d));
        if (range.size() < std::max<std::ptrdiff_t>(1, min_overlap)) continue;
        const double es = energy_sent[range.end] - energy_sent[range.begin];
        const double er = energy_recorded[range.end + d] - energy_recorded[range.begin + d];
        if (es <= 0 || er <= 0) continue;
        const double score = correlation[d] / std::sqrt(es * er);
        if (!best_coarse || score > best_score) {
            best_coarse = std::ptrdiff_t(d);
            best_score = score;
        }
    }
    if (!best_coarse) return std::nullopt;

    // Refine at the full rate around the coarse lag.
    const auto center = *best_coarse * factor;
    const auto low = std::max<std::ptrdiff_t>(0, center - 2 * factor);
    const auto high = std::min<std::ptrdiff_t>(std::ptrdiff_t(max_lag), center + 2 * factor);
    std::ptrdiff_t best = center;
    double best_fine = -2.0;
    for (auto d = low; d <= high; ++d) {
        const double score = correlation_at(sent, recorded, d);
        if (score > best_fine) {
            best_fine = score;
            best = d;
        }
    }
    return best;
}

double waveform_correlation(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                            std::ptrdiff_t delay) {
    return correlation_at(sent, recorded, delay);
}

namespace {

// The spectral similarity with recorded[start + delay_at(start)] compared to each SENT
// frame at `start`.
template <typename DelayAt>
double band_similarity(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded, DelayAt delay_at,
                       const SimilarityOptions& options, std::size_t* frames) {
    if (frames) *frames = 0;
    const auto frame = static_cast<std::ptrdiff_t>(options.frame_ms * kAnalysisRate / 1000.0);
    if (frame <= 0) return 0;

    std::vector<std::ptrdiff_t> starts;
    std::vector<double> levels;
    for (std::ptrdiff_t start = 0; start + frame <= std::ptrdiff_t(sent.size()); start += frame) {
        const auto at = start + delay_at(start);
        if (at < 0 || at + frame > std::ptrdiff_t(recorded.size())) continue;
        starts.push_back(start);
        levels.push_back(frame_energy_db(sent, start, std::size_t(frame)));
    }
    if (starts.empty()) return 0;
    const double loudest = *std::max_element(levels.begin(), levels.end());
    // Speech: within speech_floor_db of the loudest frame, and not near-silence in absolute terms.
    const double threshold = std::max(loudest - options.speech_floor_db, -70.0);

    BandAnalyzer analyzer{std::size_t(frame)};
    std::vector<double> a, b;
    std::size_t count = 0;
    for (std::size_t i = 0; i < starts.size(); ++i) {
        if (levels[i] < threshold) continue;
        analyzer.analyze(sent, starts[i], a);
        analyzer.analyze(recorded, starts[i] + delay_at(starts[i]), b);
        ++count;
    }
    if (frames) *frames = count;
    if (count < 2) return 0;

    // Detail far below a signal's loudest band is noise (codec, background) in practice, not
    // speech: clamp each signal to kDynamicRangeDb under its own maximum.
    for (auto* values : {&a, &b}) {
        const double floor = *std::max_element(values->begin(), values->end()) - kDynamicRangeDb;
        for (auto& v : *values) v = std::max(v, floor);
    }
    constexpr int bands = BandAnalyzer::kBands;
    for (int band = 0; band < bands; ++band) {
        double mean_a = 0, mean_b = 0;
        for (std::size_t f = 0; f < count; ++f) {
            mean_a += a[f * bands + band];
            mean_b += b[f * bands + band];
        }
        mean_a /= double(count);
        mean_b /= double(count);
        for (std::size_t f = 0; f < count; ++f) {
            a[f * bands + band] -= mean_a;
            b[f * bands + band] -= mean_b;
        }
    }
    double dot = 0, energy_a = 0, energy_b = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        dot += a[i] * b[i];
        energy_a += a[i] * a[i];
        energy_b += b[i] * b[i];
    }
    if (energy_a <= 0 || energy_b <= 0) return 0;
    return dot / std::sqrt(energy_a * energy_b);
}

}  // namespace

double spectral_similarity(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                           std::ptrdiff_t delay, const SimilarityOptions& options, std::size_t* frames) {
    return band_similarity(
        sent, recorded, [delay](std::ptrdiff_t) { return delay; }, options, frames);
}

double tracked_spectral_similarity(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                   std::span<const SegmentDelay> segments, std::ptrdiff_t delay, double segment_ms,
                                   const SimilarityOptions& options) {
    const auto length = static_cast<std::ptrdiff_t>(segment_ms * kAnalysisRate / 1000.0);
    auto delay_at = [&](std::ptrdiff_t start) {
        for (const auto& segment : segments) {
            const auto first = static_cast<std::ptrdiff_t>(std::llround(segment.start_ms * kAnalysisRate / 1000.0));
            if (start >= first && start < first + length)
                return static_cast<std::ptrdiff_t>(std::llround(segment.delay_ms * kAnalysisRate / 1000.0));
        }
        return delay;
    };
    return band_similarity(sent, recorded, delay_at, options, nullptr);
}

std::optional<SimilarityResult> compare(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                        const SimilarityOptions& options) {
    const auto delay = estimate_delay(sent, recorded, options);
    if (!delay) return std::nullopt;
    SimilarityResult result;
    result.delay_samples = *delay;
    result.delay_ms = double(*delay) * 1000.0 / kAnalysisRate;
    result.waveform_correlation = waveform_correlation(sent, recorded, *delay);
    result.spectral_similarity = spectral_similarity(sent, recorded, *delay, options, &result.speech_frames);
    const auto segments = segment_delays(sent, recorded, options.segment_ms, options);
    result.delay_min_ms = result.delay_max_ms = result.delay_ms;
    for (const auto& segment : segments) {
        result.delay_min_ms = std::min(result.delay_min_ms, segment.delay_ms);
        result.delay_max_ms = std::max(result.delay_max_ms, segment.delay_ms);
    }
    result.tracked_similarity =
        tracked_spectral_similarity(sent, recorded, segments, *delay, options.segment_ms, options);
    result.sent_rms_dbfs = rms_dbfs(sent);
    result.recorded_rms_dbfs = rms_dbfs(recorded);
    return result;
}

std::vector<SegmentDelay> segment_delays(std::span<const std::int16_t> sent, std::span<const std::int16_t> recorded,
                                         double segment_ms, const SimilarityOptions& options) {
    std::vector<SegmentDelay> out;
    const auto length = static_cast<std::size_t>(segment_ms * kAnalysisRate / 1000.0);
    if (length == 0) return out;
    const double whole = rms_dbfs(sent);
    for (std::size_t start = 0; start + length <= sent.size() && start < recorded.size(); start += length) {
        const auto stretch = sent.subspan(start, length);
        if (rms_dbfs(stretch) < whole - 30.0) continue;
        const auto later = recorded.subspan(start);
        const auto delay = estimate_delay(stretch, later, options);
        if (!delay) continue;
        out.push_back({double(start) * 1000.0 / kAnalysisRate, double(*delay) * 1000.0 / kAnalysisRate,
                       correlation_at(stretch, later, *delay)});
    }
    return out;
}

std::optional<SimilarityResult> compare_wav_files(const std::string& sent_path, const std::string& recorded_path,
                                                  std::string* error, const SimilarityOptions& options) {
    std::string why;
    const auto sent = client::read_wav_48k_mono(sent_path, &why);
    if (!sent) {
        if (error) *error = sent_path + ": " + why;
        return std::nullopt;
    }
    const auto recorded = client::read_wav_48k_mono(recorded_path, &why);
    if (!recorded) {
        if (error) *error = recorded_path + ": " + why;
        return std::nullopt;
    }
    auto result = compare(sent->samples, recorded->samples, options);
    if (!result && error)
        *error = "no delay found: one file is silent or they do not overlap within " +
                 std::to_string(int(options.max_delay_ms)) + " ms";
    return result;
}

}  // namespace sala::audio
