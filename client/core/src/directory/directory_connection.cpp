#include "directory/directory_connection.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>

namespace sala::client {
namespace {
constexpr std::size_t kMaxQueuedLines = 256;
constexpr auto kConnectTimeout = std::chrono::seconds(5);
constexpr auto kPingAnswerTimeout = std::chrono::seconds(5);
}  // namespace

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;

DirectoryConnection::DirectoryConnection(asio::io_context& io, Handlers handlers,
                                         std::chrono::milliseconds ping_interval)
    : io_(io),
      socket_(io),
      write_signal_(io, asio::steady_timer::time_point::max()),
      ping_timer_(io),
      answer_timer_(io),
      handlers_(std::move(handlers)),
      ping_interval_(ping_interval) {}

void DirectoryConnection::start(const std::string& host, unsigned short port) {
    asio::co_spawn(
        io_, [self = shared_from_this(), host, port] { return self->run(host, port); }, asio::detached);
}

void DirectoryConnection::send(const protocol::Json& message) {
    if (phase_ == Phase::finished) return;
    if (outgoing_.size() >= kMaxQueuedLines) {
        fail("the server stopped reading");
        return;
    }
    outgoing_.push_back(protocol::to_line(message));
    write_signal_.cancel_one();
}

void DirectoryConnection::probe(std::chrono::milliseconds answer_within) {
    if (phase_ != Phase::open) return;
    const auto deadline = std::chrono::steady_clock::now() + answer_within;
    if (answer_timer_.expiry() > std::chrono::steady_clock::now() && answer_timer_.expiry() <= deadline) {
        send(protocol::Json{{"type", protocol::type::ping}});  // an earlier probe's deadline stands
        return;
    }
    send(protocol::Json{{"type", protocol::type::ping}});
    answer_timer_.expires_at(deadline);
    answer_timer_.async_wait([self = shared_from_this(), answer_within](asio::error_code ec) {
        if (!ec && self->phase_ == Phase::open)
            self->fail("no answer from the server within " + std::to_string(answer_within.count()) + " ms");
    });
}

void DirectoryConnection::fail(const std::string& reason) {
    if (phase_ == Phase::finished) return;
    phase_ = Phase::finished;
    asio::error_code ignored;
    socket_.close(ignored);
    write_signal_.cancel();
    ping_timer_.cancel();
    answer_timer_.cancel();
    if (handlers_.closed) handlers_.closed(reason);
}

void DirectoryConnection::close(std::chrono::milliseconds grace) {
    if (phase_ == Phase::finished) return;
    const bool was_open = phase_ == Phase::open;
    phase_ = Phase::finished;
    auto self = shared_from_this();
    if (was_open && !outgoing_.empty() && grace.count() > 0) {
        // Best effort: one synchronous-looking flush bounded by the grace time.
        std::string data;
        for (auto& line : outgoing_) data += line;
        outgoing_.clear();
        auto buffer = std::make_shared<std::string>(std::move(data));
        auto timer = std::make_shared<asio::steady_timer>(io_, grace);
        asio::async_write(socket_, asio::buffer(*buffer), [self, buffer, timer](asio::error_code, std::size_t) {
            timer->cancel();
            asio::error_code ignored;
            self->socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            self->socket_.close(ignored);
        });
        timer->async_wait([self, timer](asio::error_code ec) {
            if (!ec) {
                asio::error_code ignored;
                self->socket_.close(ignored);
            }
        });
    } else {
        asio::error_code ignored;
        socket_.close(ignored);
    }
    write_signal_.cancel();
    ping_timer_.cancel();
    answer_timer_.cancel();
}

awaitable<void> DirectoryConnection::run(std::string host, unsigned short port) {
    auto self = shared_from_this();
    asio::ip::tcp::resolver resolver(io_);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(host, std::to_string(port), as_tuple(use_awaitable));
    if (resolve_error) {
        fail(resolve_error == asio::error::host_not_found ? "unknown host" : resolve_error.message());
        co_return;
    }
    // as_tuple: a refused connection completes the race at once instead of waiting for the timer.
    asio::steady_timer deadline(io_, kConnectTimeout);
    auto result = co_await (asio::async_connect(socket_, endpoints, as_tuple(use_awaitable)) ||
                            deadline.async_wait(as_tuple(use_awaitable)));
    if (result.index() == 1) {
        fail("no answer within 5 s");
        co_return;
    }
    if (auto connect_error = std::get<0>(std::get<0>(result)); connect_error) {
        fail(connect_error.message());
        co_return;
    }
    if (phase_ == Phase::finished) co_return;
    phase_ = Phase::open;
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    asio::co_spawn(
        io_, [self] { return self->write_loop(); }, asio::detached);
    asio::co_spawn(
        io_, [self] { return self->ping_loop(); }, asio::detached);
    if (handlers_.connected) handlers_.connected();

    std::string buffer;
    try {
        for (;;) {
            // Lines from the server may be long (welcome lists every user): they used to be read up
            // to 64 KiB and parsed only under 4096 bytes, so a welcome with more than about 90 users
            // online was dropped without a word and the client never registered.
            std::size_t n = co_await asio::async_read_until(
                socket_, asio::dynamic_buffer(buffer, protocol::kMaxServerLineBytes), '\n', use_awaitable);
            answer_timer_.expires_at(asio::steady_timer::time_point::max());  // the server is there: disarmed
            std::string_view line(buffer.data(), n - 1);
            auto parsed = protocol::parse_line(line);
            if (auto* message = std::get_if<protocol::Json>(&parsed))
                if (handlers_.message && phase_ != Phase::finished) handlers_.message(*message);
            buffer.erase(0, n);
            if (buffer.capacity() > (std::size_t{1} << 16) && buffer.size() < 4096) buffer.shrink_to_fit();
            if (phase_ == Phase::finished) co_return;
        }
    } catch (const std::system_error& e) {
        if (e.code() == asio::error::eof)
            fail("the server closed the connection");
        else if (e.code() == asio::error::not_found)
            fail("the server sent a line that is too long");
        else
            fail(e.code().message());
    }
}

awaitable<void> DirectoryConnection::write_loop() {
    auto self = shared_from_this();
    while (phase_ != Phase::finished) {
        if (outgoing_.empty()) {
            asio::error_code ec;
            co_await write_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
            continue;
        }
        std::string line = std::move(outgoing_.front());
        outgoing_.pop_front();
        asio::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(line), asio::redirect_error(use_awaitable, ec));
        if (ec) {
            fail(ec.message());
            co_return;
        }
    }
}

awaitable<void> DirectoryConnection::ping_loop() {
    auto self = shared_from_this();
    while (phase_ != Phase::finished) {
        ping_timer_.expires_after(ping_interval_);
        asio::error_code ec;
        co_await ping_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        if (phase_ == Phase::finished) co_return;
        probe(std::chrono::duration_cast<std::chrono::milliseconds>(kPingAnswerTimeout));
    }
}

}  // namespace sala::client
