#pragma once
// One call's SRTP and SRTCP (RFC 3711) on libsrtp2: protects what the media session sends and
// authenticates (and decrypts) what it receives, RTP and RTCP multiplexed on one path (RFC 5761).
// Engine thread only. A packet that fails authentication or the replay check is refused.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/srtp/srtp_keys.hpp"

struct srtp_ctx_t_;

namespace sala::client {

// Where the debugging key log goes (SALA_SRTP_KEYLOG): one line per stream, written when the
// stream's SSRC is first seen. An empty path writes nothing.
struct SrtpKeyLog {
    std::string path;
    std::string call_id;
};

class SrtpSession {
public:
    // Throws std::runtime_error when libsrtp refuses the keys (a suite it was built without).
    SrtpSession(const SrtpMasterKey& send, const SrtpMasterKey& receive, SrtpKeyLog key_log = {});
    ~SrtpSession();
    SrtpSession(const SrtpSession&) = delete;
    SrtpSession& operator=(const SrtpSession&) = delete;

    // The protected packet (valid until the next protect()); empty if it could not be protected.
    std::span<const std::uint8_t> protect(std::span<const std::uint8_t> packet);
    // The authenticated plain packet (valid until the next unprotect()); nullopt when the packet
    // fails authentication, the replay check, or is not SRTP/SRTCP at all.
    std::optional<std::span<const std::uint8_t>> unprotect(std::span<const std::uint8_t> packet);

private:
    void log_stream(std::uint32_t ssrc, const char* direction, const SrtpMasterKey& key);

    srtp_ctx_t_* send_ = nullptr;
    srtp_ctx_t_* receive_ = nullptr;
    SrtpKeyLog key_log_;
    SrtpMasterKey send_key_, receive_key_;  // kept only while a key log wants them
    std::vector<std::uint32_t> logged_send_, logged_receive_;
    std::vector<std::uint8_t> out_, in_;
};

}  // namespace sala::client
