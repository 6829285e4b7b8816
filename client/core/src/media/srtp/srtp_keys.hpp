#pragma once
// The master key and salt of one SRTP stream direction (RFC 3711), and the suites Sala speaks.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sala::client {

// The SRTP protection profiles, by their RFC 4568 / RFC 7714 names.
enum class SrtpSuite { aes_cm_128_hmac_sha1_80, aead_aes_128_gcm };

const char* to_string(SrtpSuite suite);  // "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"
std::optional<SrtpSuite> parse_srtp_suite(std::string_view name);
inline constexpr std::size_t kSrtpMasterKeyBytes = 16;
// 14 for AES_CM_128_HMAC_SHA1_80, 12 for AEAD_AES_128_GCM (RFC 7714 section 12).
std::size_t srtp_master_salt_bytes(SrtpSuite suite);

// One direction's master key and salt; erased when destroyed. Only the first
// srtp_master_salt_bytes(suite) bytes of `salt` are used.
struct SrtpMasterKey {
    SrtpSuite suite = SrtpSuite::aes_cm_128_hmac_sha1_80;
    std::array<std::uint8_t, kSrtpMasterKeyBytes> key{};
    std::array<std::uint8_t, 14> salt{};

    SrtpMasterKey() = default;
    SrtpMasterKey(const SrtpMasterKey&) = default;
    SrtpMasterKey& operator=(const SrtpMasterKey&) = default;
    ~SrtpMasterKey() { erase(); }
    void erase();
    // Key then salt, as lower-case hex (the key log's and GStreamer's srtp-key form).
    std::string hex() const;
};

}  // namespace sala::client
