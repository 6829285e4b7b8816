// sala-server's Redis connection (hiredis async on an asio io_context) against a real redis-server.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "cluster/redis_connection.hpp"
#include "redis_process.hpp"

namespace {
using namespace sala::test;
using sala::server::cluster::RedisAddress;
using sala::server::cluster::RedisConnection;
using sala::server::cluster::RedisReply;

RedisAddress local(std::uint16_t port) { return RedisAddress{"127.0.0.1", port, 0}; }

// Runs `io` until `done` or 5 s have passed; true if done.
template <typename Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds bound = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(10ms);
        if (io.stopped()) io.restart();
    }
    return done();
}

std::string open(asio::io_context& io, RedisConnection& connection, std::function<void(std::string)> lost = {}) {
    std::optional<std::string> result;
    connection.open(
        2000ms, [&](std::string error) { result = error; }, lost ? lost : [](std::string) {});
    EXPECT_TRUE(run_until(io, [&] { return result.has_value(); }));
    return result.value_or("no answer");
}

TEST(RedisConnection, CommandsGetTheirRepliesInOrder) {
    RedisProcess redis;
    asio::io_context io;
    RedisConnection connection(io, local(redis.port()), "");
    ASSERT_EQ(open(io, connection), "");
    EXPECT_TRUE(connection.is_open());
    std::vector<RedisReply> replies;
    connection.command({"SET", "sala:test", std::string("a\0b", 3)}, [&](auto reply) { replies.push_back(*reply); });
    connection.command({"GET", "sala:test"}, [&](auto reply) { replies.push_back(*reply); });
    connection.command({"GET", "sala:missing"}, [&](auto reply) { replies.push_back(*reply); });
    connection.command({"INCR", "sala:test"}, [&](auto reply) { replies.push_back(*reply); });
    connection.command({"MGET", "sala:test", "sala:missing"}, [&](auto reply) { replies.push_back(*reply); });
    ASSERT_TRUE(run_until(io, [&] { return replies.size() == 5; }));
    EXPECT_EQ(replies[0].kind, RedisReply::Kind::status);
    EXPECT_EQ(replies[1].text, std::string("a\0b", 3));
    EXPECT_EQ(replies[2].kind, RedisReply::Kind::nil);
    EXPECT_TRUE(replies[3].is_error());
    ASSERT_EQ(replies[4].elements.size(), 2u);
    EXPECT_EQ(replies[4].elements[1].kind, RedisReply::Kind::nil);
}

TEST(RedisConnection, ASubscriberGetsWhatIsPublished) {
    RedisProcess redis;
    asio::io_context io;
    RedisConnection subscriber(io, local(redis.port()), ""), publisher(io, local(redis.port()), "");
    ASSERT_EQ(open(io, subscriber), "");
    ASSERT_EQ(open(io, publisher), "");
    std::vector<std::string> heard;
    bool subscribed = false;
    subscriber.subscribe(
        {"sala:test", "sala:other"},
        [&](const std::string& channel, std::string payload) { heard.push_back(channel + " " + payload); },
        [&] { subscribed = true; });
    ASSERT_TRUE(run_until(io, [&] { return subscribed; }));
    for (int i = 0; i < 100; ++i) publisher.command({"PUBLISH", i % 2 ? "sala:other" : "sala:test", std::to_string(i)});
    ASSERT_TRUE(run_until(io, [&] { return heard.size() >= 100; }));
    ASSERT_EQ(heard.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(heard[i], (i % 2 ? "sala:other " : "sala:test ") + std::to_string(i));
}

TEST(RedisConnection, NobodyListeningIsAClearError) {
    asio::io_context io;
    RedisConnection connection(io, local(free_tcp_port()), "");
    std::string error = open(io, connection);
    EXPECT_NE(error.find("Redis at redis://127.0.0.1:"), std::string::npos) << error;
    EXPECT_FALSE(connection.is_open());
    std::optional<std::optional<RedisReply>> reply;
    connection.command({"PING"}, [&](auto r) { reply = r; });
    ASSERT_TRUE(run_until(io, [&] { return reply.has_value(); }));
    EXPECT_FALSE(reply->has_value());
}

TEST(RedisConnection, AWrongPasswordIsAClearError) {
    RedisProcess redis;
    asio::io_context io;
    RedisConnection connection(io, local(redis.port()), "not-the-password");
    std::string error = open(io, connection);
    EXPECT_NE(error.find("AUTH failed"), std::string::npos) << error;
}

TEST(RedisConnection, ALostServerIsReportedAndPendingRepliesEnd) {
    RedisProcess redis;
    asio::io_context io;
    RedisConnection connection(io, local(redis.port()), "");
    std::optional<std::string> lost;
    ASSERT_EQ(open(io, connection, [&](std::string why) { lost = why; }), "");
    redis.stop();
    std::optional<std::optional<RedisReply>> reply;
    connection.command({"PING"}, [&](auto r) { reply = r; });
    ASSERT_TRUE(run_until(io, [&] { return lost.has_value() && reply.has_value(); }));
    EXPECT_FALSE(reply->has_value());
    EXPECT_FALSE(connection.is_open());
    EXPECT_NE(lost->find("lost Redis"), std::string::npos) << *lost;
}

}  // namespace
