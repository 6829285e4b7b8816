// ICE candidate attributes (RFC 8839 section 5.1): what libnice writes parses back to the same
// text; what a peer may send is bounded and checked.
#include <gtest/gtest.h>

#include <string>

#include "media/ice/ice_candidate.hpp"

namespace {
using sala::client::parse_ice_candidate;
using sala::client::to_attribute;

TEST(IceCandidate, HostRoundTrips) {
    const std::string text = "candidate:1 1 UDP 2015364095 127.0.0.1 39147 typ host";
    const auto c = parse_ice_candidate(text);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->foundation, "1");
    EXPECT_EQ(c->component, 1u);
    EXPECT_EQ(c->transport, "UDP");
    EXPECT_EQ(c->priority, 2015364095u);
    EXPECT_EQ(c->address, "127.0.0.1");
    EXPECT_EQ(c->port, 39147);
    EXPECT_EQ(c->type, "host");
    EXPECT_EQ(to_attribute(*c), text);
    EXPECT_TRUE(parse_ice_candidate("a=" + text));
}

TEST(IceCandidate, RelayWithRelatedAddressAndIpv6RoundTrip) {
    for (const std::string text : {"candidate:3 1 UDP 8323071 198.51.100.7 50000 typ relay raddr 192.0.2.1 rport 4000",
                                   "candidate:2 1 UDP 1677721855 2001:db8::1 6000 typ srflx raddr fd00::2 rport 6000",
                                   "candidate:4 1 TCP 1015021823 192.0.2.1 9 typ host tcptype active"}) {
        const auto c = parse_ice_candidate(text);
        ASSERT_TRUE(c) << text;
        EXPECT_EQ(to_attribute(*c), text);
    }
}

TEST(IceCandidate, UnknownExtensionsAreIgnored) {
    const auto c = parse_ice_candidate("candidate:1 1 udp 100 192.0.2.1 5000 typ host generation 0 network-id 1");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->transport, "UDP");
    EXPECT_EQ(to_attribute(*c), "candidate:1 1 UDP 100 192.0.2.1 5000 typ host");
}

// Found by fuzz_ice_candidate: an rport without raddr was parsed, then lost when written back for
// libnice, so the candidate written and the one parsed differed.
TEST(IceCandidate, RelatedPortWithoutAddressIsKept) {
    const auto c = parse_ice_candidate("candidate:2 1 udp 1694498815 203.0.113.7 51000 typ srflx rport 40000");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->related_port, 40000);
    const std::string written = to_attribute(*c);
    EXPECT_EQ(written, "candidate:2 1 UDP 1694498815 203.0.113.7 51000 typ srflx rport 40000");
    const auto again = parse_ice_candidate(written);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->related_port, 40000);
    EXPECT_TRUE(again->related_address.empty());
}

// Found by fuzz_ice_candidate: inet_pton stopped at a NUL inside the address, so an address with
// bytes after a NUL was taken as valid and the bytes written on towards libnice.
TEST(IceCandidate, AddressWithANulIsRefused) {
    using namespace std::string_literals;
    EXPECT_FALSE(parse_ice_candidate("candidate:2 1 udp 847249407 203.0.13.7\0\0\0 51000 typ host"s));
    EXPECT_FALSE(
        parse_ice_candidate("candidate:2 1 udp 847249407 203.0.13.7 51000 typ srflx raddr 192.0.2.1\0x rport 1"s));
}

TEST(IceCandidate, MalformedIsRefused) {
    for (const std::string text : {
             "",
             "candidate:",
             "cand:1 1 UDP 100 192.0.2.1 5000 typ host",
             "candidate:1 1 UDP 100 192.0.2.1 5000 typ",              // no type
             "candidate:1 1 UDP 100 192.0.2.1 5000 kind host",        // no "typ"
             "candidate:1 1 SCTP 100 192.0.2.1 5000 typ host",        // transport
             "candidate:1 0 UDP 100 192.0.2.1 5000 typ host",         // component 0
             "candidate:1 1 UDP 0 192.0.2.1 5000 typ host",           // priority 0
             "candidate:1 1 UDP 4294967296 192.0.2.1 5000 typ host",  // priority > 32 bits
             "candidate:1 1 UDP 100 example.org 5000 typ host",       // not an IP address
             "candidate:1 1 UDP 100 192.0.2.1 65536 typ host",        // port
             "candidate:1 1 UDP 100 192.0.2.1 -1 typ host",
             "candidate:1 1 UDP 100 192.0.2.1 5000 typ nat",         // type
             "candidate:1 1 UDP 100 192.0.2.1 5000 typ host raddr",  // a name without value
             "candidate:1 1 UDP 100 192.0.2.1 5000 typ relay raddr x rport 1",
             "candidate:1  1 UDP 100 192.0.2.1 5000 typ host",   // two spaces
             "candidate:1 1 UDP 100 192.0.2.1 5000 typ host ",   // trailing space
             "candidate:1 1 TCP 100 192.0.2.1 5000 typ host",    // TCP without tcptype
             "candidate:f*o 1 UDP 100 192.0.2.1 5000 typ host",  // foundation characters
         }) {
        EXPECT_FALSE(parse_ice_candidate(text)) << text;
    }
    EXPECT_FALSE(parse_ice_candidate("candidate:" + std::string(33, 'a') + " 1 UDP 100 192.0.2.1 5000 typ host"));
    EXPECT_FALSE(parse_ice_candidate("candidate:1 1 UDP 100 192.0.2.1 5000 typ host x " + std::string(300, 'y')));
}

}  // namespace
