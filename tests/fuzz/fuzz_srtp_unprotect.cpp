// libFuzzer target: the receive side of SRTP and SRTCP (RFC 3711), SrtpSession::unprotect with
// fixed keys, as the media session calls it on every datagram it drains. The input's first byte
// picks the suite (bit 0: AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM) and what the rest is:
//   bit 1 clear: one datagram from the network, unprotected as is (random bytes reach libsrtp's
//                header parsing and its authentication failure; they must be refused unless they
//                were protected with the key);
//   bit 1 set:   a plain RTP or RTCP packet that the peer's session protects first (the harness
//                gives it its own SSRC and, for RTP, the next sequence number, so the sender's
//                and receiver's replay windows move on input after input); then it must unprotect
//                to exactly the plain packet, a second copy must be refused (replay), and the copy
//                with byte (first byte >> 2) of the protected packet changed must be refused
//                (authentication).
// The sessions live as long as the process (making one costs OpenSSL's cipher look-ups: about
// 1.5 ms, which would make this target 100 times slower); nothing may crash or leak.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "check.hpp"
#include "media/rtp/rtcp_packet.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "media/srtp/srtp_session.hpp"
#include "seeds.hpp"

namespace {
using namespace sala::client;

using sala::fuzz::check;

SrtpMasterKey key(SrtpSuite suite, std::uint8_t fill) {
    SrtpMasterKey k;
    k.suite = suite;
    for (std::size_t i = 0; i < k.key.size(); ++i) k.key[i] = static_cast<std::uint8_t>(fill + i);
    for (std::size_t i = 0; i < k.salt.size(); ++i) k.salt[i] = static_cast<std::uint8_t>(fill ^ (0x50 + i));
    return k;
}

// The SSRC of every packet the harness protects (none of the seeds' own).
constexpr std::uint8_t kHarnessSsrc[4] = {0x5a, 0x1a, 0x0f, 0xff};
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    sala::fuzz::write_seeds_if_asked([](const sala::fuzz::WriteSeed& write) {
        std::array<std::uint8_t, 256> buffer{};
        const std::uint8_t opus[] = {0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x80, 0x41, 0x97};
        RtpHeader header;
        header.sequence = 17;
        header.timestamp = 960 * 17;
        header.ssrc = 0x5a1a0001;
        const std::size_t rtp = write_rtp(header, opus, buffer);
        std::array<std::uint8_t, 256> report{};
        const std::size_t rtcp = write_receiver_report(0x5a1a0001, ReportBlock{0x5a1a0002, 0, 0, 17, 3, 0, 0}, report);
        for (std::uint8_t suite : {0, 1}) {
            const SrtpSuite s = suite ? SrtpSuite::aead_aes_128_gcm : SrtpSuite::aes_cm_128_hmac_sha1_80;
            const char* tag = suite ? "_gcm" : "_hmac";
            SrtpSession sender(key(s, 0x10), key(s, 0xA0));
            for (auto [name, plain] :
                 {std::pair<const char*, std::span<const std::uint8_t>>{"rtp", {buffer.data(), rtp}},
                  {"rtcp", {report.data(), rtcp}}}) {
                // As the network brings it (mode bit 1 clear): protected by the peer.
                auto wire = sender.protect(plain);
                std::vector<std::uint8_t> seed{suite};
                seed.insert(seed.end(), wire.begin(), wire.end());
                write(std::string("protected_") + name + tag, seed);
                // For the harness to protect (mode bit 1 set), tampering with byte 9.
                seed = {static_cast<std::uint8_t>(suite | 2 | 9 << 2)};
                seed.insert(seed.end(), plain.begin(), plain.end());
                write(std::string("plain_") + name + tag, seed);
            }
        }
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t mode = data[0];
    const SrtpSuite suite = (mode & 1) ? SrtpSuite::aead_aes_128_gcm : SrtpSuite::aes_cm_128_hmac_sha1_80;
    std::span<const std::uint8_t> packet(data + 1, size - 1);
    struct Pair {
        SrtpSession sender, receiver;
        std::uint16_t sequence = 0;
    };
    static Pair pairs[2] = {
        {SrtpSession(key(SrtpSuite::aes_cm_128_hmac_sha1_80, 0x10), key(SrtpSuite::aes_cm_128_hmac_sha1_80, 0xA0)),
         SrtpSession(key(SrtpSuite::aes_cm_128_hmac_sha1_80, 0xA0), key(SrtpSuite::aes_cm_128_hmac_sha1_80, 0x10))},
        {SrtpSession(key(SrtpSuite::aead_aes_128_gcm, 0x10), key(SrtpSuite::aead_aes_128_gcm, 0xA0)),
         SrtpSession(key(SrtpSuite::aead_aes_128_gcm, 0xA0), key(SrtpSuite::aead_aes_128_gcm, 0x10))}};
    Pair& pair = pairs[mode & 1];
    (void)suite;

    if (!(mode & 2)) {
        auto plain = pair.receiver.unprotect(packet);
        if (plain) check(plain->size() < packet.size());  // a tag and perhaps an index were taken off
        return 0;
    }

    std::vector<std::uint8_t> plain_packet(packet.begin(), packet.end());
    const bool rtcp = looks_like_rtcp(packet);
    const std::size_t ssrc_at = rtcp ? 4 : 8;
    if (plain_packet.size() < 12) return 0;
    for (std::size_t i = 0; i < 4; ++i) plain_packet[ssrc_at + i] = kHarnessSsrc[i];
    if (!rtcp) {
        ++pair.sequence;
        plain_packet[2] = static_cast<std::uint8_t>(pair.sequence >> 8);
        plain_packet[3] = static_cast<std::uint8_t>(pair.sequence);
    }
    auto protected_packet = pair.sender.protect(plain_packet);
    if (protected_packet.empty()) return 0;
    check(protected_packet.size() > plain_packet.size());
    const std::vector<std::uint8_t> wire(protected_packet.begin(), protected_packet.end());

    std::vector<std::uint8_t> tampered = wire;
    tampered[(mode >> 2) % tampered.size()] ^= 0x01;
    check(!pair.receiver.unprotect(tampered));

    auto plain = pair.receiver.unprotect(wire);
    check(plain.has_value());
    check(std::equal(plain->begin(), plain->end(), plain_packet.begin(), plain_packet.end()));
    check(!pair.receiver.unprotect(wire));  // a replay
    return 0;
}
