#pragma once
// For the fuzz targets' own invariants (a round trip reads back the same, a refusal says why):
// a broken one aborts, which libFuzzer reports as a crash with the input that broke it.
#include <cstdlib>

namespace sala::fuzz {

inline void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace sala::fuzz
