#include "cluster/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <utility>

#include "cluster/hiredis_asio.hpp"

namespace sala::server::cluster {
namespace {

RedisReply copy_reply(const redisReply* reply) {
    RedisReply out;
    switch (reply->type) {
        case REDIS_REPLY_STRING:
            out.kind = RedisReply::Kind::string;
            break;
        case REDIS_REPLY_STATUS:
            out.kind = RedisReply::Kind::status;
            break;
        case REDIS_REPLY_ERROR:
            out.kind = RedisReply::Kind::error;
            break;
        case REDIS_REPLY_INTEGER:
            out.kind = RedisReply::Kind::integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.kind = RedisReply::Kind::array;
            break;
        default:
            out.kind = RedisReply::Kind::nil;
            break;
    }
    if (reply->str) out.text.assign(reply->str, reply->len);
    out.integer = reply->integer;
    for (std::size_t i = 0; i < reply->elements; ++i) out.elements.push_back(copy_reply(reply->element[i]));
    return out;
}

}  // namespace

// Lives as long as a posted callback or hiredis context may reach it (shared_ptr).
class RedisConnection::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(asio::io_context& io, RedisAddress address, std::string password)
        : io_(io), timer_(io), address_(std::move(address)), password_(std::move(password)) {}

    void open(std::chrono::milliseconds timeout, std::function<void(std::string)> done,
              std::function<void(std::string)> lost) {
        done_ = std::move(done);
        lost_ = std::move(lost);
        context_ = redisAsyncConnect(address_.host.c_str(), address_.port);
        if (!context_ || context_->err) {
            std::string why = context_ ? context_->errstr : "out of memory";
            if (context_) redisAsyncFree(context_);
            context_ = nullptr;
            return finish_open("cannot connect to " + address_.text() + ": " + why);
        }
        context_->data = this;
        attach_to_asio(context_, io_, [this] { context_ = nullptr; });
        redisAsyncSetConnectCallback(context_, [](const redisAsyncContext* context, int status) {
            if (status != REDIS_OK) static_cast<Impl*>(context->data)->connect_error_ = context->errstr;
        });
        redisAsyncSetDisconnectCallback(context_, [](const redisAsyncContext* context, int) {
            auto* self = static_cast<Impl*>(context->data);
            std::string why = context->err ? context->errstr : "closed";
            asio::post(self->io_, [self = self->shared_from_this(), why] { self->broken(why); });
        });
        timer_.expires_after(timeout);
        timer_.async_wait([weak = weak_from_this(), timeout](std::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || self->ready_ || !self->done_) return;
            self->free_context();
            self->finish_open(log_text(self->address_, timeout));
        });
        if (!password_.empty()) command({"AUTH", password_}, step("AUTH"));
        if (address_.db != 0) command({"SELECT", std::to_string(address_.db)}, step("SELECT"));
        command({"PING"}, [this](std::optional<RedisReply> reply) {
            if (!done_) return;
            if (!reply || reply->is_error()) return fail_open("PING", reply);
            ready_ = true;
            timer_.cancel();
            finish_open("");
        });
    }

    bool is_open() const { return ready_ && context_; }

    void command(const std::vector<std::string>& args, ReplyHandler handler) {
        if (!context_ || pending_ >= kMaxPending) {
            if (handler) asio::post(io_, [handler = std::move(handler)] { handler(std::nullopt); });
            return;
        }
        std::vector<const char*> argv;
        std::vector<std::size_t> lengths;
        for (const auto& arg : args) {
            argv.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        auto* waiting = new Waiting{weak_from_this(), std::move(handler)};
        ++pending_;
        int status = redisAsyncCommandArgv(
            context_,
            [](redisAsyncContext*, void* reply, void* data) {
                std::unique_ptr<Waiting> waiting(static_cast<Waiting*>(data));
                auto self = waiting->owner.lock();
                if (!self) return;
                --self->pending_;
                if (!waiting->handler) return;
                std::optional<RedisReply> copied;
                if (reply) copied = copy_reply(static_cast<redisReply*>(reply));
                asio::post(self->io_, [self, handler = std::move(waiting->handler), copied = std::move(copied)] {
                    if (!self->closed_) handler(copied);
                });
            },
            waiting, static_cast<int>(argv.size()), argv.data(), lengths.data());
        if (status != REDIS_OK) {
            --pending_;
            auto handler_copy = std::move(waiting->handler);
            delete waiting;
            if (handler_copy) asio::post(io_, [handler_copy] { handler_copy(std::nullopt); });
        }
    }

    void subscribe(const std::vector<std::string>& channels, MessageHandler message, std::function<void()> subscribed) {
        message_ = std::move(message);
        subscribed_ = std::move(subscribed);
        unconfirmed_ = channels.size();
        if (!context_ || channels.empty()) return;
        std::vector<const char*> argv{"SUBSCRIBE"};
        std::vector<std::size_t> lengths{9};
        for (const auto& channel : channels) {
            argv.push_back(channel.c_str());
            lengths.push_back(channel.size());
        }
        // hiredis keeps this callback for every message on the channels; privdata is this Impl,
        // which outlives the context (the destructor frees it first).
        redisAsyncCommandArgv(
            context_,
            [](redisAsyncContext*, void* reply, void* data) {
                auto* self = static_cast<Impl*>(data);
                auto* r = static_cast<redisReply*>(reply);
                if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) return;
                if (r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) return;
                const std::string_view kind(r->element[0]->str, r->element[0]->len);
                if (kind == "subscribe") {
                    if (self->unconfirmed_ == 0 || --self->unconfirmed_ > 0) return;
                    asio::post(self->io_, [self = self->shared_from_this()] {
                        if (auto subscribed = std::exchange(self->subscribed_, nullptr); subscribed && !self->closed_)
                            subscribed();
                    });
                    return;
                }
                if (kind != "message" || r->element[2]->type != REDIS_REPLY_STRING) return;
                std::string channel(r->element[1]->str, r->element[1]->len);
                std::string payload(r->element[2]->str, r->element[2]->len);
                asio::post(self->io_, [self = self->shared_from_this(), channel = std::move(channel),
                                       payload = std::move(payload)]() mutable {
                    if (!self->closed_ && self->message_) self->message_(channel, std::move(payload));
                });
            },
            this, static_cast<int>(argv.size()), argv.data(), lengths.data());
    }

    void close() {
        closed_ = true;
        done_ = nullptr;
        lost_ = nullptr;
        timer_.cancel();
        free_context();
    }

    ~Impl() { free_context(); }

private:
    struct Waiting {
        std::weak_ptr<Impl> owner;
        ReplyHandler handler;
    };

    static std::string log_text(const RedisAddress& address, std::chrono::milliseconds timeout) {
        return "no answer from Redis at " + address.text() + " within " + std::to_string(timeout.count()) + " ms";
    }

    ReplyHandler step(std::string what) {
        return [this, what](std::optional<RedisReply> reply) {
            if (done_ && (!reply || reply->is_error())) fail_open(what, reply);
        };
    }

    void fail_open(const std::string& what, const std::optional<RedisReply>& reply) {
        std::string why = reply ? what + " failed: " + reply->text
                                : (connect_error_.empty() ? "the connection closed" : connect_error_);
        free_context();
        finish_open("cannot use Redis at " + address_.text() + ": " + why);
    }

    void finish_open(std::string error) {
        auto done = std::move(done_);
        done_ = nullptr;
        if (!done) return;
        if (!error.empty()) lost_ = nullptr;
        asio::post(io_, [self = shared_from_this(), done = std::move(done), error = std::move(error)] {
            if (!self->closed_) done(error);
        });
    }

    void broken(const std::string& why) {
        ready_ = false;
        if (done_) return fail_open("connecting", std::nullopt);
        auto lost = std::move(lost_);
        lost_ = nullptr;
        if (lost && !closed_) lost("lost Redis at " + address_.text() + ": " + why);
    }

    void free_context() {
        ready_ = false;
        if (!context_) return;
        redisAsyncContext* context = context_;
        context_ = nullptr;
        context->onDisconnect = nullptr;  // a close we asked for is not a loss
        redisAsyncFree(context);
    }

    asio::io_context& io_;
    asio::steady_timer timer_;
    RedisAddress address_;
    std::string password_;  // never logged
    redisAsyncContext* context_ = nullptr;
    std::string connect_error_;
    std::function<void(std::string)> done_, lost_;
    MessageHandler message_;
    std::size_t unconfirmed_ = 0;  // channels whose subscription Redis has not confirmed yet
    std::function<void()> subscribed_;
    std::size_t pending_ = 0;
    bool ready_ = false;
    bool closed_ = false;
};

RedisConnection::RedisConnection(asio::io_context& io, RedisAddress address, std::string password)
    : impl_(std::make_shared<Impl>(io, std::move(address), std::move(password))) {}
RedisConnection::~RedisConnection() { impl_->close(); }
void RedisConnection::open(std::chrono::milliseconds timeout, std::function<void(std::string)> done,
                           std::function<void(std::string)> lost) {
    impl_->open(timeout, std::move(done), std::move(lost));
}
bool RedisConnection::is_open() const { return impl_->is_open(); }
void RedisConnection::command(const std::vector<std::string>& args, ReplyHandler reply) {
    impl_->command(args, std::move(reply));
}
void RedisConnection::subscribe(const std::vector<std::string>& channels, MessageHandler message,
                                std::function<void()> subscribed) {
    impl_->subscribe(channels, std::move(message), std::move(subscribed));
}
void RedisConnection::close() { impl_->close(); }

}  // namespace sala::server::cluster
