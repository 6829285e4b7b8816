#include "engine/identity.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "sala/key_offer.hpp"

namespace sala::client {
namespace {
constexpr const char* kFileName = "identity_ed25519";

void init_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
    throw std::runtime_error("identity key " + path.string() + ": " + what);
}

// The seed's hex line, or an empty array if there is no file.
bool read_seed(const std::filesystem::path& path, std::array<std::uint8_t, 32>& seed) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return false;
        fail(path, std::strerror(errno));
    }
    struct stat st {};
    char text[80] = {};
    const bool private_file = ::fstat(fd, &st) == 0 && (st.st_mode & 077) == 0;
    const ssize_t n = private_file ? ::read(fd, text, sizeof text - 1) : -1;
    ::close(fd);
    if (!private_file) fail(path, "others may read it; chmod 600 it, or delete it to make a new identity");
    const bool ok = n >= 64 && protocol::from_hex(std::string_view(text, 64), seed.data(), seed.size());
    sodium_memzero(text, sizeof text);
    if (!ok) fail(path, "not an identity key (64 hex digits expected)");
    return true;
}

// Writes the seed to a new private file and links it into place; false if another process
// made one first.
bool write_seed(const std::filesystem::path& path, const std::array<std::uint8_t, 32>& seed) {
    const auto temporary = path.string() + ".new." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(path, std::strerror(errno));
    std::string line = protocol::to_hex(seed.data(), seed.size()) + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    sodium_memzero(line.data(), line.size());
    ::close(fd);
    const bool linked = written && ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_error = errno;
    ::unlink(temporary.c_str());
    if (!written) fail(path, "could not be written");
    if (!linked && link_error != EEXIST) fail(path, std::strerror(link_error));
    return linked;
}
}  // namespace

Identity Identity::from_seed(std::span<const std::uint8_t, 32> seed) {
    init_sodium();
    Identity id;
    crypto_sign_seed_keypair(id.public_.data(), id.secret_.data(), seed.data());
    return id;
}

Identity Identity::generate() {
    init_sodium();
    Identity id;
    crypto_sign_keypair(id.public_.data(), id.secret_.data());
    return id;
}

Identity Identity::load_or_create(const std::filesystem::path& dir) {
    init_sodium();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(dir / kFileName, "cannot make the directory: " + ec.message());
    ::chmod(dir.c_str(), 0700);
    const auto path = dir / kFileName;
    std::array<std::uint8_t, 32> seed{};
    if (!read_seed(path, seed)) {
        randombytes_buf(seed.data(), seed.size());
        if (!write_seed(path, seed) && !read_seed(path, seed)) fail(path, "vanished while it was made");
    }
    Identity id = from_seed(seed);
    sodium_memzero(seed.data(), seed.size());
    return id;
}

Identity::Identity(Identity&& other) noexcept : public_(other.public_), secret_(other.secret_) {
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

Identity::~Identity() { sodium_memzero(secret_.data(), secret_.size()); }

Signature Identity::sign(std::span<const std::uint8_t> message) const {
    Signature signature{};
    crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_.data());
    return signature;
}

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& signature) {
    return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

}  // namespace sala::client
