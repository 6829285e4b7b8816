#include "tls/tls_link.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "sala/tls_channel_binding.hpp"

namespace sala::server::tls {

TlsLink::TlsLink(SSL_CTX* context, int fd) : ssl_(SSL_new(context)) {
    if (!ssl_) throw std::bad_alloc();
    if (SSL_set_fd(ssl_, fd) != 1) {
        SSL_free(ssl_);
        throw std::bad_alloc();
    }
    SSL_set_accept_state(ssl_);
}

TlsLink::~TlsLink() { SSL_free(ssl_); }

TlsLink::Result TlsLink::outcome(int ret, const char* doing) {
    Result result;
    int error = SSL_get_error(ssl_, ret);
    switch (error) {
        case SSL_ERROR_WANT_READ:
            result.wait = Wait::read;
            break;
        case SSL_ERROR_WANT_WRITE:
            result.wait = Wait::write;
            break;
        case SSL_ERROR_ZERO_RETURN:
            result.closed = true;
            break;
        case SSL_ERROR_SYSCALL:
            if (errno == 0 || errno == ECONNRESET || errno == EPIPE)
                result.closed = true;
            else
                result.error = std::string(doing) + ": " + std::strerror(errno);
            break;
        default: {
            unsigned long code = ERR_get_error();
            char text[256] = "unknown TLS error";
            if (code != 0) ERR_error_string_n(code, text, sizeof text);
            const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
            result.error = std::string(doing) + ": " + (reason ? reason : text);
        }
    }
    ERR_clear_error();
    return result;
}

TlsLink::Result TlsLink::handshake() {
    if (established_) return {};
    ERR_clear_error();
    errno = 0;
    int ret = SSL_do_handshake(ssl_);
    if (ret == 1) {
        established_ = true;
        return {};
    }
    return outcome(ret, "TLS handshake failed");
}

TlsLink::Result TlsLink::read(std::span<char> into) {
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    if (SSL_read_ex(ssl_, into.data(), into.size(), &n) == 1) return Result::done(n);
    return outcome(0, "TLS read failed");
}

TlsLink::Result TlsLink::write(std::span<const char> bytes) {
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    if (SSL_write_ex(ssl_, bytes.data(), bytes.size(), &n) == 1) return Result::done(n);
    return outcome(0, "TLS write failed");
}

void TlsLink::shutdown() {
    if (!established_) return;
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
}

std::array<std::uint8_t, 32> TlsLink::channel_binding() const {
    return tls_channel_binding(ssl_).value_or(protocol::ChannelBinding{});
}

std::string TlsLink::version() const { return SSL_get_version(ssl_); }

}  // namespace sala::server::tls
