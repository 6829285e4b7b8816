#pragma once
// One connection to Redis on the server's io_context (hiredis async, see hiredis_asio.hpp):
// opened with AUTH and SELECT, commands with a callback for each reply, or subscribed to one
// channel. Every callback runs on the io thread, never from inside hiredis, so a callback may
// close or destroy the connection.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/redis_address.hpp"

namespace asio {
class io_context;
}

namespace sala::server::cluster {

// A reply, copied out of hiredis's.
struct RedisReply {
    enum class Kind { string, status, error, integer, nil, array };
    Kind kind = Kind::nil;
    std::string text;  // string, status, error
    long long integer = 0;
    std::vector<RedisReply> elements;  // array
    bool is_error() const { return kind == Kind::error; }
};

class RedisConnection {
public:
    // nullopt: no reply came (the connection was lost or closed, or too many were waiting).
    using ReplyHandler = std::function<void(std::optional<RedisReply>)>;
    // Commands waiting for their reply at once; more are refused (nullopt).
    static constexpr std::size_t kMaxPending = 200'000;

    RedisConnection(asio::io_context& io, RedisAddress address, std::string password);
    ~RedisConnection();  // closes; pending replies are dropped without a call
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Connects, authenticates and selects the database; `done` gets "" when ready, else a sentence.
    // Gives up after `timeout`. `lost` is called once if an open connection breaks later.
    void open(std::chrono::milliseconds timeout, std::function<void(std::string error)> done,
              std::function<void(std::string why)> lost);
    bool is_open() const;
    void command(const std::vector<std::string>& args, ReplyHandler reply = {});
    // Makes this a subscriber connection: every message on one of `channels` goes to `message`;
    // `subscribed` is called once Redis confirms them all (what is published from then on arrives).
    using MessageHandler = std::function<void(const std::string& channel, std::string payload)>;
    void subscribe(const std::vector<std::string>& channels, MessageHandler message,
                   std::function<void()> subscribed = {});
    // Closes now; `lost` is not called.
    void close();

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace sala::server::cluster
