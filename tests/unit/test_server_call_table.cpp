// Call ids and invite deadlines.
#include "call_id.hpp"
#include "call_table.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {
using namespace sala::server;
using namespace std::chrono_literals;

TEST(ServerCallId, HasAHundredTwentyEightBitsAsHexAndDoesNotRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        std::string id = new_call_id();
        ASSERT_EQ(id.size(), 32u);
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(ServerCallTable, RingingCallsExpireInDeadlineOrder) {
    CallTable table;
    auto t0 = Clock::now();
    std::string late = table.add(1, 2, t0 + 2s).id;
    std::string early = table.add(3, 4, t0 + 1s).id;
    EXPECT_EQ(table.next_deadline(), t0 + 1s);
    EXPECT_TRUE(table.expired(t0).empty());
    EXPECT_EQ(table.expired(t0 + 1s), (std::vector<std::string>{early}));
    EXPECT_EQ(table.expired(t0 + 5s), (std::vector<std::string>{early, late}));
    table.answer(early);
    EXPECT_EQ(table.find(early)->state, CallState::active);
    EXPECT_EQ(table.expired(t0 + 5s), (std::vector<std::string>{late}));
    table.remove(late);
    EXPECT_EQ(table.next_deadline(), std::nullopt);
    EXPECT_EQ(table.find(late), nullptr);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.find(early)->caller, 3u);
}

}  // namespace
