#include "tls/server_certificate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "sala/log.hpp"

namespace sala::server::tls {
namespace {
constexpr long kValidSeconds = 20L * 365 * 24 * 3600;

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Deleter<X509_free>>;

void fail(const std::string& what) { throw std::runtime_error("could not make the TLS certificate: " + what); }

// Opens `path` for writing with `mode` (made with it, so a key is never readable by others).
std::unique_ptr<FILE, Deleter<fclose>> create(const std::filesystem::path& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) fail("cannot write " + path.string());
    ::fchmod(fd, mode);
    FILE* file = ::fdopen(fd, "w");
    if (!file) {
        ::close(fd);
        fail("cannot write " + path.string());
    }
    return std::unique_ptr<FILE, Deleter<fclose>>(file);
}

void make(const CertificateFiles& files, const std::string& common_name) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("no P-256 key");
    Certificate cert(X509_new());
    if (!cert) fail("out of memory");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;  // positive
    BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
    BN_free(number);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidSeconds);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("sala-server"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("signing failed");
    // The key first: a certificate without its key would be of no use.
    auto key_file = create(files.key, 0600);
    if (!PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
        fail("cannot write " + files.key.string());
    auto cert_file = create(files.certificate, 0644);
    if (!PEM_write_X509(cert_file.get(), cert.get())) fail("cannot write " + files.certificate.string());
}
}  // namespace

CertificateFiles self_signed_in(const std::filesystem::path& dir, const std::string& common_name) {
    CertificateFiles files{dir / "tls-cert.pem", dir / "tls-key.pem"};
    std::error_code ec;
    if (std::filesystem::exists(files.certificate, ec) && std::filesystem::exists(files.key, ec)) return files;
    make(files, common_name);
    log::info("tls", "made a self-signed certificate in " + dir.string() + " (tls-cert.pem, tls-key.pem)");
    return files;
}

}  // namespace sala::server::tls
