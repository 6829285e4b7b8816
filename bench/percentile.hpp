#pragma once
// The nearest-rank percentile of a sample, for the benchmarks' p50/p99 figures.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace sala::bench {

// p in 0..100; 0 for an empty sample.
inline double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

}  // namespace sala::bench
