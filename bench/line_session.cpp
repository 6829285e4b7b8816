#include "line_session.hpp"

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <stdexcept>
#include <variant>

namespace sala::bench {
using protocol::Json;

asio::awaitable<Json> LineSession::hello(std::uint16_t port, const std::string& name, std::uint16_t media_port) {
    co_await socket_.async_connect({asio::ip::make_address_v4("127.0.0.1"), port}, asio::use_awaitable);
    socket_.set_option(asio::ip::tcp::no_delay(true));
    send(Json{
        {"type", protocol::type::hello}, {"version", protocol::kVersion}, {"name", name}, {"media_port", media_port}});
    co_return co_await wait_for(protocol::type::welcome);
}

void LineSession::send(const Json& message) { asio::write(socket_, asio::buffer(protocol::to_line(message))); }

asio::awaitable<Json> LineSession::next() {
    std::size_t n =
        co_await asio::async_read_until(socket_, asio::dynamic_buffer(inbox_, 1 << 22), '\n', asio::use_awaitable);
    auto parsed = protocol::parse_line(std::string_view(inbox_).substr(0, n - 1));
    inbox_.erase(0, n);
    if (!std::holds_alternative<Json>(parsed)) throw std::runtime_error("the server sent a line that is not JSON");
    co_return std::get<Json>(std::move(parsed));
}

asio::awaitable<Json> LineSession::wait_for(const char* type) {
    for (;;) {
        Json message = co_await next();
        std::string kind = protocol::get_string(message, "type").value_or("");
        if (kind == type) co_return message;
        if (kind == protocol::type::error || kind == protocol::type::call_failed || kind == protocol::type::call_ended)
            throw std::runtime_error("waiting for " + std::string(type) + ", got " + message.dump());
    }
}

asio::awaitable<void> LineSession::drain() {
    std::array<char, 4096> sink;
    for (;;) {
        auto [ec, n] =
            co_await socket_.async_read_some(asio::buffer(sink), asio::experimental::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

void LineSession::close() {
    std::error_code ignored;
    socket_.close(ignored);
}

}  // namespace sala::bench
