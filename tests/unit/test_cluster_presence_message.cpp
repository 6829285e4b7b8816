// The cluster's pure parts: --redis addresses and the presence channel's messages.
#include <gtest/gtest.h>

#include "cluster/presence_message.hpp"
#include "cluster/redis_address.hpp"

namespace {
using namespace sala::server::cluster;
using sala::protocol::Status;

TEST(RedisAddress, HostPortAndDatabase) {
    std::string problem;
    auto address = parse_redis_address("redis://10.0.0.5:6380/3", &problem);
    ASSERT_TRUE(address) << problem;
    EXPECT_EQ(address->host, "10.0.0.5");
    EXPECT_EQ(address->port, 6380);
    EXPECT_EQ(address->db, 3);
    EXPECT_EQ(address->text(), "redis://10.0.0.5:6380/3");
    address = parse_redis_address("redis://redis.example", &problem);
    ASSERT_TRUE(address);
    EXPECT_EQ(address->port, 6379);
    EXPECT_EQ(address->db, 0);
    address = parse_redis_address("redis://[::1]:7000", &problem);
    ASSERT_TRUE(address);
    EXPECT_EQ(address->host, "::1");
    EXPECT_EQ(address->text(), "redis://[::1]:7000/0");
}

TEST(RedisAddress, RefusesWhatItCannotUse) {
    for (const char* bad : {"http://h:1", "redis://", "redis://h:", "redis://h:0", "redis://h:70000", "redis://h:1/x",
                            "redis://user:pw@h:1", "redis://::1:5", "redis://[::1"}) {
        std::string problem;
        EXPECT_FALSE(parse_redis_address(bad, &problem)) << bad;
        EXPECT_EQ(problem.rfind("--redis: ", 0), 0u) << bad;
    }
}

TEST(PresenceMessage, RoundTrips) {
    PresenceMessage joined{PresenceMessage::Kind::joined, "n1", {"Zoë", Status::busy}, {}};
    auto back = decode_presence(encode(joined));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->kind, PresenceMessage::Kind::joined);
    EXPECT_EQ(back->node, "n1");
    EXPECT_EQ(back->user.name, "Zoë");
    EXPECT_EQ(back->user.status, Status::busy);

    PresenceMessage roster{PresenceMessage::Kind::roster, "n2", {}, {{"a", Status::available}, {"b", Status::busy}}};
    back = decode_presence(encode(roster));
    ASSERT_TRUE(back);
    ASSERT_EQ(back->roster.size(), 2u);
    EXPECT_EQ(back->roster[1].name, "b");
    EXPECT_EQ(back->roster[1].status, Status::busy);
}

TEST(PresenceMessage, IgnoresWhatIsNotOne) {
    for (const char* bad :
         {"", "not json", "[]", R"({"node":"n"})", R"({"node":"","kind":"beat"})", R"({"node":"n","kind":"dance"})",
          R"({"node":"n","kind":"joined"})", R"({"node":"n","kind":"joined","user":{"name":" bad "}})",
          R"({"node":"n","kind":"roster","users":{}})", R"({"node":7,"kind":"beat"})"})
        EXPECT_FALSE(decode_presence(bad)) << bad;
    // A roster keeps the users it can read.
    auto roster = decode_presence(R"({"node":"n","kind":"roster","users":[{"name":"ok"},{"name":""},3]})");
    ASSERT_TRUE(roster);
    ASSERT_EQ(roster->roster.size(), 1u);
}

}  // namespace
