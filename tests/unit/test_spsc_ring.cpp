#include "audio/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

using sala::client::SpscRing;

TEST(SpscRing, StartsEmptyWithItsCapacity) {
    SpscRing<int> ring(8);
    EXPECT_EQ(ring.capacity(), 8u);
    EXPECT_EQ(ring.size(), 0u);
    int out[4];
    EXPECT_EQ(ring.pop(out, 4), 0u);
}

TEST(SpscRing, FullRingAcceptsOnlyWhatFits) {
    SpscRing<int> ring(5);
    const int in[] = {1, 2, 3, 4, 5, 6, 7};
    EXPECT_EQ(ring.push(in, 7), 5u);
    EXPECT_EQ(ring.size(), 5u);
    EXPECT_EQ(ring.push(in, 1), 0u);
    int out[7] = {};
    EXPECT_EQ(ring.pop(out, 7), 5u);
    EXPECT_EQ((std::vector<int>(out, out + 5)), (std::vector<int>{1, 2, 3, 4, 5}));
    EXPECT_EQ(ring.size(), 0u);
}

TEST(SpscRing, WrapsAroundKeepingOrder) {
    SpscRing<int> ring(7);
    int next_in = 0, next_out = 0;
    for (int round = 0; round < 50; ++round) {
        std::vector<int> in(static_cast<std::size_t>(1 + round % 6));
        std::iota(in.begin(), in.end(), next_in);
        const std::size_t pushed = ring.push(in.data(), in.size());
        next_in += static_cast<int>(pushed);
        std::vector<int> out(static_cast<std::size_t>(1 + (round * 5) % 7));
        const std::size_t popped = ring.pop(out.data(), out.size());
        for (std::size_t i = 0; i < popped; ++i) ASSERT_EQ(out[i], next_out++);
        ASSERT_EQ(ring.size(), static_cast<std::size_t>(next_in - next_out));
        ASSERT_EQ(ring.pushed(), static_cast<std::size_t>(next_in));
        ASSERT_EQ(ring.popped(), static_cast<std::size_t>(next_out));
    }
    EXPECT_GT(next_out, 7 * 10);  // wrapped many times
}

TEST(SpscRing, ClearFromConsumerDiscardsEverything) {
    SpscRing<int16_t> ring(16);
    const int16_t in[10] = {};
    ring.push(in, 10);
    ring.clear_from_consumer();
    EXPECT_EQ(ring.size(), 0u);
    EXPECT_EQ(ring.push(in, 10), 10u);
    EXPECT_EQ(ring.size(), 10u);
}

TEST(SpscRing, ZeroCapacityIsAlwaysFullAndEmpty) {
    SpscRing<int> ring(0);
    int v = 1;
    EXPECT_EQ(ring.push(&v, 1), 0u);
    EXPECT_EQ(ring.pop(&v, 1), 0u);
}

// Two real threads with uneven chunk sizes: every value must arrive once, in order.
TEST(SpscRing, TwoThreadStressDeliversEveryValueInOrder) {
    constexpr std::uint32_t kTotal = 2'000'000;
    SpscRing<std::uint32_t> ring(1000);
    std::thread producer([&] {
        std::uint32_t next = 0;
        std::uint32_t chunk[97];
        while (next < kTotal) {
            const std::uint32_t want = std::min<std::uint32_t>(1 + next % 97, kTotal - next);
            for (std::uint32_t i = 0; i < want; ++i) chunk[i] = next + i;
            next += static_cast<std::uint32_t>(ring.push(chunk, want));
            if (ring.size() == ring.capacity()) std::this_thread::yield();
        }
    });
    std::uint32_t expected = 0;
    std::uint32_t chunk[61];
    bool in_order = true;
    while (expected < kTotal && in_order) {
        const std::size_t got = ring.pop(chunk, 1 + expected % 61);
        for (std::size_t i = 0; i < got; ++i) in_order = in_order && chunk[i] == expected++;
        if (got == 0) std::this_thread::yield();
    }
    producer.join();
    EXPECT_TRUE(in_order);
    EXPECT_EQ(expected, kTotal);
    EXPECT_EQ(ring.size(), 0u);
}
