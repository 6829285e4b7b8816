// A session's outgoing queue: first in first out across pops, pushes and compaction.
#include "line_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace {
using sala::server::LineQueue;
using sala::server::SharedLine;

SharedLine line(int i) { return std::make_shared<const std::string>(std::to_string(i)); }

TEST(ServerLineQueue, KeepsOrderAcrossPopsAndPushes) {
    LineQueue queue;
    EXPECT_TRUE(queue.empty());
    int pushed = 0, popped = 0;
    // Never quite drained: the front is dropped now and then (compaction), the order stays.
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 7; ++i) queue.push_back(line(pushed++));
        for (int i = 0; i < 5; ++i) {
            ASSERT_EQ(*queue.front(), std::to_string(popped));
            queue.pop_front();
            ++popped;
        }
        ASSERT_EQ(queue.size(), static_cast<std::size_t>(pushed - popped));
        for (std::size_t i = 0; i < queue.size(); ++i)
            ASSERT_EQ(*queue[i], std::to_string(popped + static_cast<int>(i)));
        std::vector<std::string> seen;
        for (const auto& held : queue) seen.push_back(*held);
        ASSERT_EQ(seen.size(), queue.size());
        ASSERT_EQ(seen.front(), std::to_string(popped));
    }
    while (!queue.empty()) {
        EXPECT_EQ(*queue.front(), std::to_string(popped++));
        queue.pop_front();
    }
    EXPECT_EQ(popped, pushed);
    EXPECT_EQ(queue.size(), 0u);
}

TEST(ServerLineQueue, ReleasesSentLines) {
    LineQueue queue;
    auto first = line(1);
    queue.push_back(first);
    queue.push_back(line(2));
    EXPECT_EQ(first.use_count(), 2);
    queue.pop_front();
    EXPECT_EQ(first.use_count(), 1);  // a sent line is not kept alive by the queue
    queue.clear();
    EXPECT_TRUE(queue.empty());
    queue.push_back(line(3));
    EXPECT_EQ(*queue.front(), "3");
}

}  // namespace
