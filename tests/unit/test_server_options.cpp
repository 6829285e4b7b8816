// sala-server's share of the open-file limit between clients and TURN allocations.
#include <gtest/gtest.h>

#include "server_options.hpp"

namespace {
using namespace sala::server;

constexpr std::size_t kReserved = kReservedDescriptors + kSpareConnections;

TEST(ServerDescriptorPlan, DefaultsSplitTheLimitSoAllocationsNeverStarveAccept) {
    // A generous limit: every allocation asked for, the rest for clients.
    DescriptorPlan big = plan_descriptors(1 << 20, std::nullopt, 2000);
    EXPECT_EQ(big.allocations, 2000u);
    EXPECT_EQ(big.clients, (1u << 20) - kReserved - 2000);
    // 1024 descriptors: half of what is left for each, never more than the limit in all.
    DescriptorPlan small = plan_descriptors(1024, std::nullopt, 2000);
    EXPECT_EQ(small.allocations, (1024 - kReserved) / 2);
    EXPECT_EQ(small.clients + small.allocations + kReserved, 1024u);
    // No relay: every descriptor for clients.
    EXPECT_EQ(plan_descriptors(1024, std::nullopt, 0).clients, 1024 - kReserved);
}

TEST(ServerDescriptorPlan, GivenMaxClientsLeaveTheRestToAllocations) {
    DescriptorPlan plan = plan_descriptors(1024, 500, 2000);
    EXPECT_EQ(plan.clients, 500u);
    EXPECT_EQ(plan.allocations, 1024 - kReserved - 500);
    EXPECT_EQ(plan_descriptors(1024, 500, 10).allocations, 10u);
    EXPECT_EQ(plan_descriptors(1024, 5000, 2000).allocations, 0u);  // no room left (and a warning)
    EXPECT_EQ(plan_descriptors(50, std::nullopt, 2000).clients, 1u);
}

}  // namespace
