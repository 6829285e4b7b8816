#include "media/media_socket.hpp"

#include "udp_peer.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace {
using namespace sala::client;
using namespace std::chrono_literals;

using Peer = sala::test::UdpPeer;

TEST(MediaSocket, DrainsWhatWaitsWithSenderAndKernelArrivalTime) {
    asio::io_context io;
    MediaSocket socket(io, asio::ip::make_address("127.0.0.1"));
    ASSERT_NE(socket.port(), 0);
    // The first socket to ask for timestamps turns them on system-wide through a kernel work
    // item; until it has run, datagrams are stamped when read. An engine's socket is open
    // long before any media arrives; here, give the kernel that moment.
    std::this_thread::sleep_for(100ms);
    Peer peer;
    const auto sent_at = MediaSocket::Clock::now();
    for (std::uint8_t i = 1; i <= 11; ++i) peer.send(std::vector<std::uint8_t>(i, i), socket.port());
    std::this_thread::sleep_for(50ms);  // the datagrams wait in the socket, as between two audio frames
    const auto read_at = MediaSocket::Clock::now();

    std::vector<MediaSocket::Datagram> got;
    std::vector<std::vector<std::uint8_t>> payloads;
    EXPECT_EQ(socket.drain([&](const MediaSocket::Datagram& d) {
        got.push_back(d);
        payloads.emplace_back(d.data.begin(), d.data.end());
    }),
              11u);  // more than one recvmmsg batch
    ASSERT_EQ(got.size(), 11u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(payloads[i], std::vector<std::uint8_t>(i + 1, static_cast<std::uint8_t>(i + 1)));
        EXPECT_EQ(got[i].from.port(), peer.port());
        EXPECT_FALSE(got[i].truncated);
        // The kernel's receive time, not the time of the read 50 ms later.
        EXPECT_GE(got[i].arrival, sent_at);
        EXPECT_LT(got[i].arrival, read_at - 30ms);
    }
    EXPECT_EQ(socket.drain([](const MediaSocket::Datagram&) { ADD_FAILURE() << "nothing was waiting"; }), 0u);
}

TEST(MediaSocket, MarksAnOversizedDatagramTruncated) {
    asio::io_context io;
    MediaSocket socket(io, asio::ip::make_address("127.0.0.1"));
    Peer peer;
    peer.send(std::vector<std::uint8_t>(3000, 7), socket.port());
    std::this_thread::sleep_for(10ms);
    int seen = 0;
    socket.drain([&](const MediaSocket::Datagram& d) {
        ++seen;
        EXPECT_TRUE(d.truncated);
        EXPECT_EQ(d.data.size(), MediaSocket::kMaxDatagram);
    });
    EXPECT_EQ(seen, 1);
}

TEST(MediaSocket, WaitsOnlyWhenAskedAndSends) {
    asio::io_context io;
    MediaSocket socket(io, asio::ip::make_address("127.0.0.1"));
    Peer peer;
    int woken = 0;
    socket.wait_readable([&] { ++woken; });
    peer.send({1, 2, 3}, socket.port());
    io.run_for(500ms);
    EXPECT_EQ(woken, 1);
    socket.drain([](const MediaSocket::Datagram&) {});

    // After stop_waiting the engine is not woken, whatever arrives.
    io.restart();
    socket.wait_readable([&] { ++woken; });
    socket.stop_waiting();
    peer.send({4, 5, 6}, socket.port());
    io.run_for(200ms);
    EXPECT_EQ(woken, 1);

    socket.send_to(std::vector<std::uint8_t>{9, 8, 7},
                   asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), peer.port()));
    EXPECT_EQ(peer.receive(), (std::vector<std::uint8_t>{9, 8, 7}));
}

}  // namespace
