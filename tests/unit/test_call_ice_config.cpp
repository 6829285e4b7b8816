// What a call's ICE is told: the relays a welcome offers (untrusted text from the server) and
// where host candidates may come from.
#include "engine/call_ice.hpp"

#include <gtest/gtest.h>

namespace {
using namespace sala::client;
using Json = sala::protocol::Json;

TEST(CallIceConfig, TurnServersFromTheWelcome) {
    const Json turn{
        {"username", "1700000000:alice"},
        {"password", "pw"},
        {"ttl", 86400},
        {"uris",
         {"turn:203.0.113.1:5000?transport=udp", "turn:203.0.113.1:5000?transport=tcp", "turn:[2001:db8::1]:3478"}}};
    const auto servers = turn_servers(turn);
    ASSERT_EQ(servers.size(), 3u);
    EXPECT_EQ(servers[0].host, "203.0.113.1");
    EXPECT_EQ(servers[0].port, 5000);
    EXPECT_FALSE(servers[0].tcp);
    EXPECT_TRUE(servers[1].tcp);
    EXPECT_EQ(servers[2].host, "2001:db8::1");
    EXPECT_EQ(servers[2].username, "1700000000:alice");
    EXPECT_EQ(servers[2].password, "pw");
}

TEST(CallIceConfig, BadTurnOffersGiveNoRelay) {
    EXPECT_TRUE(turn_servers(Json()).empty());
    EXPECT_TRUE(turn_servers(Json{{"uris", {"turn:a:1"}}}).empty()) << "no credentials";
    EXPECT_TRUE(turn_servers(Json{{"username", "u"}, {"password", "p"}, {"uris", "turn:a:1"}}).empty());
    const Json bad{{"username", "u"},
                   {"password", "p"},
                   {"uris", {7, "stun:a:1", "turn:a", "turn::1", "turn:a:0", "turn:a:70000", "turn:a:12x", "turn:"}}};
    EXPECT_TRUE(turn_servers(bad).empty());
    Json many{{"username", "u"}, {"password", "p"}, {"uris", Json::array()}};
    for (int i = 0; i < 10; ++i) many["uris"].push_back("turn:203.0.113.1:" + std::to_string(1000 + i));
    EXPECT_EQ(turn_servers(many).size(), 4u) << "at most four relays";
}

TEST(CallIceConfig, HostCandidatesStayWhereTheyShould) {
    const IceServer loopback{"127.0.0.1", 5000, "", "", false};
    const IceServer remote{"203.0.113.1", 5000, "", "", false};
    EXPECT_EQ(ice_config(true, loopback, {}, "0.0.0.0", false).local_addresses, std::vector<std::string>{"127.0.0.1"});
    EXPECT_EQ(ice_config(true, IceServer{"localhost", 5000, "", "", false}, {}, "0.0.0.0", false).local_addresses,
              std::vector<std::string>{"127.0.0.1"});
    EXPECT_TRUE(ice_config(true, remote, {}, "0.0.0.0", false).local_addresses.empty()) << "every interface";
    EXPECT_EQ(ice_config(false, remote, {}, "192.0.2.7", true).local_addresses, std::vector<std::string>{"192.0.2.7"});
    const IceConfig config = ice_config(false, remote, {remote}, "0.0.0.0", true);
    EXPECT_FALSE(config.controlling);
    EXPECT_TRUE(config.relay_only);
    ASSERT_TRUE(config.stun);
    EXPECT_EQ(config.stun->host, "203.0.113.1");
    EXPECT_EQ(config.turn.size(), 1u);
}

}  // namespace
