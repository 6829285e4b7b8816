#include "directory/directory_connection.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <vector>

#include "sala/tls_channel_binding.hpp"
#include "sala/tls_fingerprint.hpp"

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
                                         std::chrono::milliseconds ping_interval, bool tls)
    : io_(io),
      tls_context_(asio::ssl::context::tls_client),
      stream_(io, tls_context_),
      tls_(tls),
      write_signal_(io, asio::steady_timer::time_point::max()),
      ping_timer_(io),
      answer_timer_(io),
      close_timer_(io),
      handlers_(std::move(handlers)),
      ping_interval_(ping_interval) {
    if (tls_) {
        asio::error_code ignored;
        tls_context_.set_default_verify_paths(ignored);  // a CA-issued server certificate needs no pin
        SSL_CTX_set_min_proto_version(tls_context_.native_handle(), TLS1_2_VERSION);
    }
}

void DirectoryConnection::start(const std::string& host, unsigned short port) {
    asio::co_spawn(
        io_, [self = shared_from_this(), host, port] { return self->run(host, port); }, asio::detached);
}

void DirectoryConnection::send(const protocol::Json& message) {
    if (phase_ == Phase::finished || phase_ == Phase::closing) return;
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

void DirectoryConnection::shut() {
    phase_ = Phase::finished;
    asio::error_code ignored;
    socket().close(ignored);
    write_signal_.cancel();
    ping_timer_.cancel();
    answer_timer_.cancel();
    close_timer_.cancel();
}

void DirectoryConnection::fail(const std::string& reason) {
    if (phase_ == Phase::finished) return;
    const bool closing = phase_ == Phase::closing;
    shut();
    if (!closing && handlers_.closed) handlers_.closed(reason);
}

// With a grace, the write loop writes what is queued (a bye) and the server, having read the
// bye, closes the connection: the read loop sees that and ends it. No async_shutdown here: it
// reads the peer's close_notify, a second read beside the read loop's, which asio::ssl forbids.
// The grace bounds it all.
void DirectoryConnection::close(std::chrono::milliseconds grace) {
    if (phase_ == Phase::finished || phase_ == Phase::closing) return;
    if (phase_ != Phase::open || (outgoing_.empty() && !writing_) || grace.count() <= 0) return shut();
    phase_ = Phase::closing;
    ping_timer_.cancel();
    answer_timer_.cancel();
    write_signal_.cancel();
    close_timer_.expires_after(grace);
    close_timer_.async_wait([self = shared_from_this()](asio::error_code ec) {
        if (!ec) self->shut();
    });
}

awaitable<std::optional<std::string>> DirectoryConnection::secure(const std::string& host) {
    SSL* ssl = stream_.native_handle();
    asio::error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    if (not_an_address) {
        SSL_set_tlsext_host_name(ssl, host.c_str());
        SSL_set1_host(ssl, host.c_str());
    } else {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    }
    // Judged after the handshake (SSL_get_verify_result): a self-signed server is not an error
    // here but a question for the pin.
    stream_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    asio::steady_timer deadline(io_, kConnectTimeout);
    auto result = co_await (stream_.async_handshake(asio::ssl::stream_base::client, as_tuple(use_awaitable)) ||
                            deadline.async_wait(as_tuple(use_awaitable)));
    if (result.index() == 1) co_return "no TLS handshake within 5 s";
    if (auto error = std::get<0>(std::get<0>(result)); error)
        co_return "the TLS handshake failed (" + error.message() + "): is it a Sala server of this version?";
    X509* certificate = SSL_get0_peer_certificate(ssl);
    if (!certificate) co_return "the server presented no certificate";
    ServerCertificate presented{certificate_fingerprint(certificate), SSL_get_verify_result(ssl) == X509_V_OK};
    channel_binding_ = tls_channel_binding(ssl);
    if (!channel_binding_) co_return "the TLS connection gives no channel binding";
    if (handlers_.check_certificate)
        if (auto refusal = handlers_.check_certificate(presented)) co_return refusal;
    co_return std::nullopt;
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
    auto result = co_await (asio::async_connect(socket(), endpoints, as_tuple(use_awaitable)) ||
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
    asio::error_code ignored;
    socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    if (tls_) {
        auto refusal = co_await secure(host);
        if (phase_ == Phase::finished) co_return;
        if (refusal) {
            fail(*refusal);
            co_return;
        }
    }
    phase_ = Phase::open;
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
            auto into = asio::dynamic_buffer(buffer, protocol::kMaxServerLineBytes);
            // (Not a co_await of a conditional expression: g++ 12 miscompiles that.)
            std::size_t n = 0;
            if (tls_)
                n = co_await asio::async_read_until(stream_, into, '\n', use_awaitable);
            else
                n = co_await asio::async_read_until(socket(), into, '\n', use_awaitable);
            answer_timer_.expires_at(asio::steady_timer::time_point::max());  // the server is there: disarmed
            std::string_view line(buffer.data(), n - 1);
            auto parsed = protocol::parse_line(line);
            if (auto* message = std::get_if<protocol::Json>(&parsed))
                if (handlers_.message && phase_ == Phase::open) handlers_.message(*message);
            buffer.erase(0, n);
            if (buffer.capacity() > (std::size_t{1} << 16) && buffer.size() < 4096) buffer.shrink_to_fit();
            if (phase_ == Phase::finished) co_return;
        }
    } catch (const std::system_error& e) {
        if (e.code() == asio::error::eof || e.code() == asio::ssl::error::stream_truncated)
            fail("the server closed the connection");
        else if (e.code() == asio::error::not_found)
            fail("the server sent a line that is too long");
        else
            fail(e.code().message());
    }
}

awaitable<void> DirectoryConnection::write_loop() {
    auto self = shared_from_this();
    while (phase_ == Phase::open || phase_ == Phase::closing) {
        if (outgoing_.empty()) {
            if (phase_ == Phase::closing) co_return;  // the server closes after our bye; the read loop ends it
            asio::error_code ec;
            co_await write_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
            continue;
        }
        std::string line = std::move(outgoing_.front());
        outgoing_.pop_front();
        asio::error_code ec;
        writing_ = true;
        if (tls_)
            co_await asio::async_write(stream_, asio::buffer(line), asio::redirect_error(use_awaitable, ec));
        else
            co_await asio::async_write(socket(), asio::buffer(line), asio::redirect_error(use_awaitable, ec));
        writing_ = false;
        if (ec) {
            fail(ec.message());
            co_return;
        }
    }
}

awaitable<void> DirectoryConnection::ping_loop() {
    auto self = shared_from_this();
    while (phase_ == Phase::open) {
        ping_timer_.expires_after(ping_interval_);
        asio::error_code ec;
        co_await ping_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        if (phase_ != Phase::open) co_return;
        probe(std::chrono::duration_cast<std::chrono::milliseconds>(kPingAnswerTimeout));
    }
}

}  // namespace sala::client
