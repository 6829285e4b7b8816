#pragma once
// A volume applied to 16-bit samples: multiplied, and held at full scale instead of wrapping.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace sala::client {

inline void apply_gain(std::int16_t* samples, std::size_t n, float gain) {
    if (gain == 1.0f) return;
    for (std::size_t i = 0; i < n; ++i)
        samples[i] = static_cast<std::int16_t>(std::clamp(std::lround(samples[i] * gain), -32768L, 32767L));
}

}  // namespace sala::client
