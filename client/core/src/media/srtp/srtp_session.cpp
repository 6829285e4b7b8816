#include "media/srtp/srtp_session.hpp"

#include <fcntl.h>
#include <srtp2/srtp.h>
#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "media/rtp/rtcp_packet.hpp"

namespace sala::client {
namespace {
// The largest datagram the media path carries, plus room for the SRTCP index and tag.
constexpr std::size_t kMaxPacket = 1500 + SRTP_MAX_TRAILER_LEN;

void init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (srtp_init() != srtp_err_status_ok) throw std::runtime_error("libsrtp could not be initialised");
    });
}

srtp_t make_context(const SrtpMasterKey& master, srtp_ssrc_type_t direction) {
    srtp_policy_t policy{};
    if (master.suite == SrtpSuite::aead_aes_128_gcm) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    // libsrtp takes the master key followed by the master salt in one buffer.
    std::uint8_t key[kSrtpMasterKeyBytes + 14];
    const std::size_t salt_bytes = srtp_master_salt_bytes(master.suite);
    std::copy(master.key.begin(), master.key.end(), key);
    std::copy_n(master.salt.begin(), salt_bytes, key + kSrtpMasterKeyBytes);
    policy.key = key;
    policy.ssrc.type = direction;
    policy.window_size = 128;
    policy.allow_repeat_tx = 0;
    srtp_t context = nullptr;
    const auto status = srtp_create(&context, &policy);
    std::fill(std::begin(key), std::end(key), std::uint8_t{0});
    if (status != srtp_err_status_ok)
        throw std::runtime_error(std::string("libsrtp refused the ") + to_string(master.suite) + " keys (status " +
                                 std::to_string(static_cast<int>(status)) + ")");
    return context;
}

std::uint32_t ssrc_of(std::span<const std::uint8_t> packet, bool rtcp) {
    // RTP: bytes 8..11; RTCP: the sender's SSRC at bytes 4..7. Both are in clear in SRTP.
    const std::size_t at = rtcp ? 4 : 8;
    if (packet.size() < at + 4) return 0;
    return static_cast<std::uint32_t>(packet[at]) << 24 | static_cast<std::uint32_t>(packet[at + 1]) << 16 |
           static_cast<std::uint32_t>(packet[at + 2]) << 8 | packet[at + 3];
}
}  // namespace

SrtpSession::SrtpSession(const SrtpMasterKey& send, const SrtpMasterKey& receive, SrtpKeyLog key_log)
    : key_log_(std::move(key_log)), out_(kMaxPacket), in_(kMaxPacket) {
    init_once();
    send_ = make_context(send, ssrc_any_outbound);
    try {
        receive_ = make_context(receive, ssrc_any_inbound);
    } catch (...) {
        srtp_dealloc(send_);
        throw;
    }
    if (!key_log_.path.empty()) {
        send_key_ = send;
        receive_key_ = receive;
    }
}

SrtpSession::~SrtpSession() {
    // libsrtp zeroes its key schedules when it frees them.
    if (send_) srtp_dealloc(send_);
    if (receive_) srtp_dealloc(receive_);
}

std::span<const std::uint8_t> SrtpSession::protect(std::span<const std::uint8_t> packet) {
    if (packet.size() + SRTP_MAX_TRAILER_LEN > out_.size() || packet.size() < 8) return {};
    const bool rtcp = looks_like_rtcp(packet);
    if (!key_log_.path.empty()) log_stream(ssrc_of(packet, rtcp), "send", send_key_);
    std::copy(packet.begin(), packet.end(), out_.begin());
    int length = static_cast<int>(packet.size());
    const auto status =
        rtcp ? srtp_protect_rtcp(send_, out_.data(), &length) : srtp_protect(send_, out_.data(), &length);
    if (status != srtp_err_status_ok) return {};
    return {out_.data(), static_cast<std::size_t>(length)};
}

std::optional<std::span<const std::uint8_t>> SrtpSession::unprotect(std::span<const std::uint8_t> packet) {
    if (packet.size() > in_.size() || packet.size() < 12) return std::nullopt;
    const bool rtcp = looks_like_rtcp(packet);
    std::copy(packet.begin(), packet.end(), in_.begin());
    int length = static_cast<int>(packet.size());
    const auto status =
        rtcp ? srtp_unprotect_rtcp(receive_, in_.data(), &length) : srtp_unprotect(receive_, in_.data(), &length);
    if (status != srtp_err_status_ok) return std::nullopt;
    if (!key_log_.path.empty()) log_stream(ssrc_of(packet, rtcp), "receive", receive_key_);
    return std::span<const std::uint8_t>(in_.data(), static_cast<std::size_t>(length));
}

void SrtpSession::log_stream(std::uint32_t ssrc, const char* direction, const SrtpMasterKey& key) {
    auto& logged = direction[0] == 's' ? logged_send_ : logged_receive_;
    if (std::find(logged.begin(), logged.end(), ssrc) != logged.end()) return;
    logged.push_back(ssrc);
    // The file holds secrets: only its owner may read it.
    const int fd = ::open(key_log_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return;
    if (std::FILE* file = ::fdopen(fd, "a")) {
        std::fprintf(file, "call_id=%s ssrc=%u direction=%s suite=%s key=%s\n", key_log_.call_id.c_str(), ssrc,
                     direction, to_string(key.suite), key.hex().c_str());
        std::fclose(file);
    } else {
        ::close(fd);
    }
}

}  // namespace sala::client
