#include "stun/integrity.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace sala::server::stun {

Sha1Digest hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
    Sha1Digest digest{};
    unsigned int size = 0;
    static const std::uint8_t empty = 0;
    HMAC(EVP_sha1(), key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
         data.empty() ? &empty : data.data(), data.size(), digest.data(), &size);
    return digest;
}

LongTermKey long_term_key(std::string_view username, std::string_view realm, std::string_view password) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    LongTermKey key{};
    unsigned int size = 0;
    EVP_DigestInit_ex(context, EVP_md5(), nullptr);
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
