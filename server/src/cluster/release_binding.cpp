#include "cluster/release_binding.hpp"

#include <hiredis/hiredis.h>

#include <memory>

#include "sala/protocol.hpp"

namespace sala::server::cluster {

Released release_binding(const RedisAddress& address, const std::string& password, const std::string& name,
                         std::string* error) {
    const timeval timeout{5, 0};
    std::unique_ptr<redisContext, decltype(&redisFree)> context(
        redisConnectWithTimeout(address.host.c_str(), address.port, timeout), &redisFree);
    if (!context || context->err) {
        *error = "cannot connect to " + address.text() + ": " + (context ? context->errstr : "out of memory");
        return Released::failed;
    }
    redisSetTimeout(context.get(), timeout);
    auto run = [&](std::initializer_list<std::string> args) {
        std::vector<const char*> argv;
        std::vector<std::size_t> lengths;
        for (const auto& arg : args) {
            argv.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        return std::unique_ptr<redisReply, decltype(&freeReplyObject)>(
            static_cast<redisReply*>(
                redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())),
            &freeReplyObject);
    };
    auto failed = [&](const redisReply* reply) {
        *error = "Redis at " + address.text() + ": " +
                 (reply ? std::string(reply->str ? reply->str : "unexpected reply") : std::string(context->errstr));
        return Released::failed;
    };
    if (!password.empty())
        if (auto reply = run({"AUTH", password}); !reply || reply->type == REDIS_REPLY_ERROR)
            return failed(reply.get());
    if (address.db != 0)
        if (auto reply = run({"SELECT", std::to_string(address.db)}); !reply || reply->type == REDIS_REPLY_ERROR)
            return failed(reply.get());
    auto reply = run({"DEL", "sala:name:" + protocol::name_key(name)});
    if (!reply || reply->type != REDIS_REPLY_INTEGER) return failed(reply.get());
    return reply->integer > 0 ? Released::released : Released::not_bound;
}

}  // namespace sala::server::cluster
