// The volume applied to samples: scaled, silent at 0, held at full scale instead of wrapping.
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "audio/gain.hpp"

namespace sala::client {
namespace {

TEST(Gain, ScalesSilencesAndClips) {
    std::vector<std::int16_t> s{1000, -1000, 30000, -30000};
    apply_gain(s.data(), s.size(), 1.0f);
    EXPECT_EQ(s, (std::vector<std::int16_t>{1000, -1000, 30000, -30000}));
    apply_gain(s.data(), s.size(), 2.0f);
    EXPECT_EQ(s, (std::vector<std::int16_t>{2000, -2000, 32767, -32768}));
    apply_gain(s.data(), s.size(), 0.5f);
    EXPECT_EQ(s, (std::vector<std::int16_t>{1000, -1000, 16384, -16384}));
    apply_gain(s.data(), s.size(), 0.0f);
    EXPECT_EQ(s, (std::vector<std::int16_t>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace sala::client
