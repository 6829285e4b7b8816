#pragma once
// Test signals and simple measurements on int16 audio: sines, level in dBFS, frequency.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace sala::test {

// A sine of the given peak level in dBFS (0 dBFS = 32767).
inline std::vector<int16_t> sine(double hz, double seconds, double peak_dbfs, int rate = 48000) {
    const auto n = static_cast<std::size_t>(seconds * rate);
    const double amplitude = 32767.0 * std::pow(10.0, peak_dbfs / 20.0);
    std::vector<int16_t> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<int16_t>(std::lround(amplitude * std::sin(2.0 * std::numbers::pi * hz * i / rate)));
    return out;
}

// RMS level of samples[begin, end) in dBFS (full scale 32768).
inline double rms_dbfs(const std::vector<int16_t>& s, std::size_t begin, std::size_t end) {
    double sum = 0;
    for (std::size_t i = begin; i < end; ++i) sum += double(s[i]) * s[i];
    return 10.0 * std::log10(sum / double(end - begin) / (32768.0 * 32768.0) + 1e-20);
}

// Frequency from upward zero crossings over samples[begin, end), in Hz.
inline double zero_crossing_hz(const std::vector<int16_t>& s, std::size_t begin, std::size_t end, int rate = 48000) {
    std::size_t first = 0, last = 0, crossings = 0;
    for (std::size_t i = begin + 1; i < end; ++i) {
        if (s[i - 1] < 0 && s[i] >= 0) {
            if (crossings == 0) first = i;
            last = i;
            ++crossings;
        }
    }
    if (crossings < 2) return 0;
    return double(crossings - 1) * rate / double(last - first);
}

}  // namespace sala::test
