// The server field as typed: one address, or the nodes of a cluster separated by commas.
#include <gtest/gtest.h>

#include "sala/client/command.hpp"
#include "sala/client/server_address.hpp"

namespace {
using sala::client::ConnectCommand;
using sala::client::ServerAddress;

TEST(ServerAddress, OneAddress) {
    ServerAddress address;
    std::string error;
    ASSERT_TRUE(sala::client::parse_server_address("[::1]:5001", address, &error)) << error;
    EXPECT_EQ(address.host, "::1");
    EXPECT_EQ(address.port, 5001);
    ASSERT_TRUE(sala::client::parse_server_address("example.org", address, &error));
    EXPECT_EQ(address.port, sala::protocol::kDefaultPort);
    EXPECT_FALSE(sala::client::parse_server_address("host:0", address, &error));
}

TEST(ServerAddress, AListOfNodes) {
    std::vector<ServerAddress> list;
    std::string error;
    ASSERT_TRUE(sala::client::parse_server_list("a:5000, b:5001 ,[::1]", list, &error)) << error;
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[1].host, "b");
    EXPECT_EQ(list[1].port, 5001);
    EXPECT_EQ(list[2].host, "::1");
    for (const char* bad : {"", "a:5000,", ",a", "a:5000,,b", "a:99999,b"}) {
        EXPECT_FALSE(sala::client::parse_server_list(bad, list, &error)) << bad;
        EXPECT_FALSE(error.empty());
    }
    ConnectCommand connect;
    ASSERT_TRUE(sala::client::make_connect_command("a:5000,b", "alice", connect, &error));
    EXPECT_EQ(connect.host, "a");
    EXPECT_EQ(connect.name, "alice");
    ASSERT_EQ(connect.more.size(), 1u);
    EXPECT_EQ(connect.more[0].host, "b");
}

}  // namespace
