#pragma once
// Deadlines for the test helpers' poll() loops.

#include <chrono>

namespace sala::test {

// Milliseconds left until `deadline` for poll(), never negative.
inline int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace sala::test
