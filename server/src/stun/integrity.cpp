#include "stun/integrity.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>

namespace sala::server::stun {

namespace {

struct MacContextFree {
    void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

// OpenSSL 3 looks HMAC and SHA-1 up again on every one-shot HMAC() (most of a TURN request's
// cost): each thread keeps one context set to HMAC-SHA1, and each call only gives it the key.
EVP_MAC_CTX* hmac_sha1_context() {
    thread_local const std::unique_ptr<EVP_MAC_CTX, MacContextFree> context = [] {
        EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        std::unique_ptr<EVP_MAC_CTX, MacContextFree> made(mac ? EVP_MAC_CTX_new(mac) : nullptr);
        EVP_MAC_free(mac);  // the context holds its own reference
        char digest[] = "SHA1";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (made && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
        return made;
    }();
    return context.get();
}

}  // namespace

Sha1Digest hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    Sha1Digest digest{};
    static const std::uint8_t empty = 0;
    const std::uint8_t* key_bytes = key.empty() ? &empty : key.data();  // a null key would reuse the last one
    const std::uint8_t* data_bytes = data.empty() ? &empty : data.data();
    std::size_t size = 0;
    EVP_MAC_CTX* context = hmac_sha1_context();
    if (context && EVP_MAC_init(context, key_bytes, key.size(), nullptr) == 1 &&
        EVP_MAC_update(context, data_bytes, data.size()) == 1 &&
        EVP_MAC_final(context, digest.data(), &size, digest.size()) == 1 && size == digest.size())
        return digest;
    unsigned int one_shot_size = 0;
    if (HMAC(EVP_sha1(), key_bytes, static_cast<int>(key.size()), data_bytes, data.size(), digest.data(),
             &one_shot_size) &&
        one_shot_size == digest.size())
        return digest;
    // OpenSSL failed (out of memory): a digest nobody can have computed, so that nothing it checks
    // passes (an all-zero one would have accepted an all-zero MESSAGE-INTEGRITY).
    RAND_bytes(digest.data(), static_cast<int>(digest.size()));
    return digest;
}

LongTermKey long_term_key(std::string_view username, std::string_view realm, std::string_view password) {
    static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);  // EVP_md5() is looked up on every use
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    LongTermKey key{};
    unsigned int size = 0;
    EVP_DigestInit_ex(context, md5 ? md5 : EVP_md5(), nullptr);
    EVP_DigestUpdate(context, username.data(), username.size());
    EVP_DigestUpdate(context, ":", 1);
    EVP_DigestUpdate(context, realm.data(), realm.size());
    EVP_DigestUpdate(context, ":", 1);
    EVP_DigestUpdate(context, password.data(), password.size());
    EVP_DigestFinal_ex(context, key.data(), &size);
    EVP_MD_CTX_free(context);
    return key;
}

std::optional<Sha1Digest> integrity_over(std::span<const std::uint8_t> message, std::size_t offset,
                                         std::span<const std::uint8_t> key) {
    if (message.size() > kMaxMessageSize || offset < kHeaderSize || offset > message.size()) return std::nullopt;
    std::array<std::uint8_t, kMaxMessageSize> copy;
    std::copy_n(message.begin(), offset, copy.begin());
    std::size_t length = offset + kAttributeHeaderSize + kMessageIntegrityValueSize - kHeaderSize;
    copy[2] = static_cast<std::uint8_t>(length >> 8);
    copy[3] = static_cast<std::uint8_t>(length);
    return hmac_sha1(key, std::span<const std::uint8_t>(copy.data(), offset));
}

Integrity check_integrity(const Message& message, std::span<const std::uint8_t> key) {
    const Attribute* attribute = message.find(attribute::message_integrity);
    if (!attribute) return Integrity::missing;
    if (attribute->value.size() != kMessageIntegrityValueSize) return Integrity::bad;
    auto expected = integrity_over(message.bytes(), attribute->offset, key);
    if (!expected) return Integrity::bad;
    return CRYPTO_memcmp(expected->data(), attribute->value.data(), expected->size()) == 0 ? Integrity::ok
                                                                                           : Integrity::bad;
}

}  // namespace sala::server::stun
