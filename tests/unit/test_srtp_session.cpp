#include "media/srtp/srtp_session.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <fstream>
#include <sstream>
#include <vector>

#include "media/rtp/rtcp_packet.hpp"
#include "media/rtp/rtp_packet.hpp"
#include "temp_dir.hpp"

namespace {
using namespace sala::client;

SrtpMasterKey key_of(SrtpSuite suite, std::uint8_t seed) {
    SrtpMasterKey key;
    key.suite = suite;
    for (std::size_t i = 0; i < key.key.size(); ++i) key.key[i] = static_cast<std::uint8_t>(seed + i);
    for (std::size_t i = 0; i < key.salt.size(); ++i) key.salt[i] = static_cast<std::uint8_t>(seed * 3 + i);
    return key;
}

std::vector<std::uint8_t> rtp(std::uint16_t sequence, std::uint32_t ssrc = 0x01020304) {
    const std::vector<std::uint8_t> payload(60, 0x5a);
    RtpHeader header;
    header.sequence = sequence;
    header.timestamp = 960u * sequence;
    header.ssrc = ssrc;
    std::vector<std::uint8_t> out(200);
    out.resize(write_rtp(header, payload, out));
    return out;
}

std::vector<std::uint8_t> copy(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

class SrtpSessionTest : public ::testing::TestWithParam<SrtpSuite> {
protected:
    SrtpMasterKey a_to_b = key_of(GetParam(), 1), b_to_a = key_of(GetParam(), 100);
    SrtpSession alice{a_to_b, b_to_a};
    SrtpSession bob{b_to_a, a_to_b};
};

TEST_P(SrtpSessionTest, ProtectsAndUnprotectsRtpBothWays) {
    for (std::uint16_t seq = 1; seq < 20; ++seq) {
        const auto plain = rtp(seq);
        const auto wire = copy(alice.protect(plain));
        ASSERT_GT(wire.size(), plain.size());
        // The header stays in clear; the payload does not.
        EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + 12, wire.begin()));
        EXPECT_FALSE(std::equal(plain.begin() + 12, plain.end(), wire.begin() + 12));
        auto back = bob.unprotect(wire);
        ASSERT_TRUE(back);
        EXPECT_EQ(copy(*back), plain);
    }
    const auto reply = rtp(7, 0x0a0b0c0d);
    auto back = alice.unprotect(copy(bob.protect(reply)));
    ASSERT_TRUE(back);
    EXPECT_EQ(copy(*back), reply);
}

TEST_P(SrtpSessionTest, ProtectsRtcp) {
    std::vector<std::uint8_t> report(256);
    report.resize(write_receiver_report(0x01020304, std::nullopt, report, "sala"));
    ASSERT_TRUE(looks_like_rtcp(report));
    const auto wire = copy(alice.protect(report));
    ASSERT_GT(wire.size(), report.size());
    EXPECT_TRUE(looks_like_rtcp(wire));
    auto back = bob.unprotect(wire);
    ASSERT_TRUE(back);
    EXPECT_EQ(copy(*back), report);
    EXPECT_FALSE(bob.unprotect(wire)) << "an SRTCP replay";
}

TEST_P(SrtpSessionTest, RefusesTamperedForgedAndWrongKeyPackets) {
    auto wire = copy(alice.protect(rtp(1)));
    for (std::size_t at : {std::size_t{2}, std::size_t{20}, wire.size() - 1}) {
        auto tampered = wire;
        tampered[at] ^= 0x01;
        EXPECT_FALSE(bob.unprotect(tampered)) << "byte " << at;
    }
    EXPECT_FALSE(bob.unprotect(rtp(2))) << "plain RTP";
    SrtpSession mallory{key_of(GetParam(), 7), b_to_a};
    EXPECT_FALSE(bob.unprotect(copy(mallory.protect(rtp(3))))) << "another key";
    EXPECT_FALSE(alice.unprotect(copy(alice.protect(rtp(4))))) << "our own direction's key";
    EXPECT_TRUE(bob.unprotect(wire)) << "the genuine packet still passes after the forgeries";
}

TEST_P(SrtpSessionTest, RefusesReplays) {
    const auto first = copy(alice.protect(rtp(1)));
    const auto second = copy(alice.protect(rtp(2)));
    EXPECT_TRUE(bob.unprotect(first));
    EXPECT_TRUE(bob.unprotect(second));
    EXPECT_FALSE(bob.unprotect(first));
    EXPECT_FALSE(bob.unprotect(second));
    // Far behind the replay window (128 packets) is refused too, even if never seen.
    const auto old = copy(alice.protect(rtp(3)));
    for (std::uint16_t seq = 4; seq < 300; ++seq) ASSERT_TRUE(bob.unprotect(copy(alice.protect(rtp(seq)))));
    EXPECT_FALSE(bob.unprotect(old));
}

INSTANTIATE_TEST_SUITE_P(Suites, SrtpSessionTest,
                         ::testing::Values(SrtpSuite::aes_cm_128_hmac_sha1_80, SrtpSuite::aead_aes_128_gcm),
                         [](const auto& info) {
                             return std::string(info.param == SrtpSuite::aead_aes_128_gcm ? "Gcm" : "AesCm");
                         });

TEST(SrtpKeys, SuiteNamesAndHex) {
    EXPECT_EQ(parse_srtp_suite("AES_CM_128_HMAC_SHA1_80"), SrtpSuite::aes_cm_128_hmac_sha1_80);
    EXPECT_EQ(parse_srtp_suite("AEAD_AES_128_GCM"), SrtpSuite::aead_aes_128_gcm);
    EXPECT_FALSE(parse_srtp_suite("NULL"));
    const auto cm = key_of(SrtpSuite::aes_cm_128_hmac_sha1_80, 0);
    EXPECT_EQ(cm.hex(), "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d");
    EXPECT_EQ(key_of(SrtpSuite::aead_aes_128_gcm, 0).hex().size(), 2u * (16 + 12));
    SrtpMasterKey erased = cm;
    erased.erase();
    EXPECT_EQ(erased.hex(), std::string(60, '0'));
}

TEST(SrtpKeyLog, OneLinePerStreamOwnerOnly) {
    sala::test::TempDir dir;
    const auto a_to_b = key_of(SrtpSuite::aes_cm_128_hmac_sha1_80, 1),
               b_to_a = key_of(SrtpSuite::aes_cm_128_hmac_sha1_80, 9);
    SrtpSession alice{a_to_b, b_to_a, SrtpKeyLog{dir.file("keys"), "abc123"}};
    SrtpSession bob{b_to_a, a_to_b};
    for (std::uint16_t seq = 1; seq < 5; ++seq) alice.protect(rtp(seq, 4000000000u));
    for (std::uint16_t seq = 1; seq < 5; ++seq) alice.unprotect(copy(bob.protect(rtp(seq, 42))));
    std::ifstream in(dir.file("keys"));
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(),
              "call_id=abc123 ssrc=4000000000 direction=send suite=AES_CM_128_HMAC_SHA1_80 key=" + a_to_b.hex() +
                  "\ncall_id=abc123 ssrc=42 direction=receive suite=AES_CM_128_HMAC_SHA1_80 key=" + b_to_a.hex() +
                  "\n");
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("keys").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
