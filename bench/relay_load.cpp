// Load generator for a TURN relay: N calls between pairs of sessions registered with sala-server,
// each side with one TURN allocation made with the credentials from its welcome, a channel bound to
// the peer's relayed address (which the call's ICE descriptions carried, so the server's peer rule
// allows it), and a voice stream of ChannelData each way (RTP header + 100-120 B of payload, 50 or
// 100 packets a second). Prints the relay process's CPU and memory over a fixed window, the packets
// delivered and lost, and their delay through the relay. One process, one asio thread, no codec:
// light enough to share 2 cores with the relay it measures. Run by bench/relay_load.sh.
#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "line_session.hpp"
#include "percentile.hpp"
#include "process_usage.hpp"
#include "sala/cli_flags.hpp"
#include "turn/channel_data.hpp"
#include "turn_allocation.hpp"

namespace {
using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;
using sala::protocol::Json;
using sala::server::stun::TransportAddress;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

constexpr std::size_t kRtpHeader = 12;
constexpr std::size_t kStamp = 8;            // the send time, first in the payload
constexpr std::uint16_t kChannel = 0x4000;   // each allocation binds one channel, to its call's peer
constexpr int kSlots = 10;                   // a frame's sends are spread over this many ticks
constexpr std::size_t kSetUpsInFlight = 10;  // calls being set up at once

std::int64_t now_ns() { return Clock::now().time_since_epoch().count(); }

TransportAddress transport_address(const udp::endpoint& e) {
    return TransportAddress::v4(e.address().to_v4().to_bytes(), e.port());
}
udp::endpoint endpoint_of(const TransportAddress& a) {
    return {asio::ip::address_v4({a.ip[0], a.ip[1], a.ip[2], a.ip[3]}), a.port};
}

// "turn:HOST:PORT?transport=udp" -> HOST:PORT (an IPv4 address, as the benchmark's servers give).
udp::endpoint turn_server(const Json& welcome) {
    std::string uri = welcome.at("turn").at("uris").at(0);
    auto colon = uri.rfind(':'), query = uri.find('?');
    return {asio::ip::make_address_v4(uri.substr(5, colon - 5)),
            static_cast<std::uint16_t>(std::stoi(uri.substr(colon + 1, query - colon - 1)))};
}

// The address of the first candidate of an "ice" description: the peer's relayed address (or, on
// the direct path, its socket).
udp::endpoint first_candidate(const Json& message) {
    std::string line = message.at("ice").at("candidates").at(0);
    std::vector<std::string> f;
    for (std::size_t i = 0, j; i < line.size(); i = j + 1) {
        j = line.find(' ', i);
        if (j == std::string::npos) j = line.size();
        f.push_back(line.substr(i, j - i));
    }
    return {asio::ip::make_address_v4(f.at(4)), static_cast<std::uint16_t>(std::stoi(f.at(5)))};
}

struct Leg {
    Leg(asio::io_context& io, std::string name_)
        : name(std::move(name_)), line(io), udp_socket(io, udp::endpoint(asio::ip::address_v4::loopback(), 0)) {}
    std::string name;
    sala::bench::LineSession line;
    udp::socket udp_socket;  // the client's TURN socket (or, on the direct path, its media socket)
    std::optional<sala::bench::TurnAllocation> turn;
    udp::endpoint server;   // the TURN server
    udp::endpoint offered;  // what this side offers in its ICE description
    udp::endpoint target;   // where its media goes: the TURN server, or the peer on the direct path
    udp::endpoint from;
    std::array<std::uint8_t, 2048> rx{};
    std::uint16_t sequence = 0;
    bool sending = false;
};

struct Figures {
    std::uint64_t sent = 0, delivered = 0, other = 0;  // in the window (other: not ChannelData/RTP)
    std::vector<double> delay_ms;
};

class RelayLoad {
public:
    RelayLoad(asio::io_context& io, std::uint16_t port, int relay_pid, bool relayed, int frame_ms)
        : io_(io), port_(port), relay_pid_(relay_pid), relayed_(relayed), frame_ms_(frame_ms), tick_timer_(io) {}

    asio::awaitable<void> run(std::size_t calls, double warmup_s, double window_s);

private:
    asio::awaitable<void> set_up_calls(std::size_t calls);
    asio::awaitable<void> set_up(Leg& caller, Leg& callee);
    asio::awaitable<void> transact(Leg& leg);
    Json describe(const Leg& leg) const;
    void receive(Leg& leg);
    void on_datagram(std::span<const std::uint8_t> datagram);
    void tick();
    void send_frame(Leg& leg);

    asio::io_context& io_;
    std::uint16_t port_;
    int relay_pid_;
    bool relayed_;
    int frame_ms_;
    std::deque<Leg> legs_;
    asio::steady_timer tick_timer_;
    Clock::time_point next_tick_;
    std::uint64_t ticks_ = 0;
    std::int64_t window_start_ns_ = -1, window_end_ns_ = -1;  // packets sent in [start, end) count
    bool stop_sending_ = false;
    std::size_t failures_ = 0;
    std::string first_failure_;
    Figures figures_;
};

// What a relayed client offers: its relay candidate (as libnice's --ice relay does); on the direct
// path its socket as a host candidate.
Json RelayLoad::describe(const Leg& leg) const {
    std::string candidate =
        "candidate:1 1 udp " + std::string(relayed_ ? "16777215 " : "2130706431 ") + leg.offered.address().to_string() +
        " " + std::to_string(leg.offered.port()) +
        (relayed_ ? " typ relay raddr 127.0.0.1 rport " + std::to_string(leg.udp_socket.local_endpoint().port())
                  : " typ host");
    std::string ufrag = "bn" + std::to_string(leg.udp_socket.local_endpoint().port());
    return Json{{"ufrag", ufrag}, {"pwd", "benchbenchbenchbench" + ufrag}, {"candidates", {candidate}}};
}

// One TURN request until its answer: retransmitted every 500 ms, 7 times at most (RFC 8489).
asio::awaitable<void> RelayLoad::transact(Leg& leg) {
    using Outcome = sala::bench::TurnAllocation::Outcome;
    for (int sent = 0; sent < 7;) {
        leg.udp_socket.send_to(asio::buffer(leg.turn->request().data(), leg.turn->request().size()), leg.server);
        ++sent;
        asio::steady_timer timeout(io_, std::chrono::milliseconds(500));
        for (;;) {
            auto got =
                co_await (leg.udp_socket.async_receive_from(asio::buffer(leg.rx), leg.from, asio::use_awaitable) ||
                          timeout.async_wait(asio::use_awaitable));
            if (got.index() == 1) break;  // retransmit
            switch (leg.turn->on_datagram({leg.rx.data(), std::get<0>(got)})) {
                case Outcome::ignored:
                    continue;
                case Outcome::again:
                    sent = 0;
                    break;
                case Outcome::done:
                    co_return;
                case Outcome::failed:
                    throw std::runtime_error(leg.name + ": TURN " + leg.turn->error());
            }
            break;
        }
    }
    throw std::runtime_error(leg.name + ": no answer from the TURN server");
}

// A real call as two relayed clients make it: both register, the caller allocates and calls with
// its relay candidate, the callee allocates when the invite rings and accepts with its own, then
// each binds a channel to the other's relayed address (the server allows it: a candidate of the
// call's other side).
asio::awaitable<void> RelayLoad::set_up(Leg& caller, Leg& callee) {
    for (Leg* leg : {&caller, &callee}) {
        Json welcome = co_await leg->line.hello(port_, leg->name, leg->udp_socket.local_endpoint().port());
        leg->offered = leg->udp_socket.local_endpoint();
        if (!relayed_) continue;
        const Json& turn = welcome.at("turn");
        leg->server = leg->target = turn_server(welcome);
        leg->turn.emplace(turn.at("username").get<std::string>(), turn.at("password").get<std::string>());
    }
    if (relayed_) {
        caller.turn->allocate();
        co_await transact(caller);
        caller.offered = endpoint_of(caller.turn->relayed());
    }
    caller.line.send(Json{{"type", "call"}, {"to", callee.name}, {"ice", describe(caller)}});
    co_await caller.line.wait_for(sala::protocol::type::calling);
    Json invite = co_await callee.line.wait_for(sala::protocol::type::invite);
    if (relayed_) {
        callee.turn->allocate();
        co_await transact(callee);
        callee.offered = endpoint_of(callee.turn->relayed());
    }
    callee.line.send(Json{{"type", "accept"}, {"call_id", invite.at("call_id")}, {"ice", describe(callee)}});
    Json started = co_await caller.line.wait_for(sala::protocol::type::call_started);
    co_await callee.line.wait_for(sala::protocol::type::call_started);
    if (relayed_) {
        caller.turn->channel_bind(kChannel, transport_address(first_candidate(started)));
        co_await transact(caller);
        callee.turn->channel_bind(kChannel, transport_address(first_candidate(invite)));
        co_await transact(callee);
    } else {
        caller.target = first_candidate(started);
        callee.target = first_candidate(invite);
    }
    for (Leg* leg : {&caller, &callee}) {
        asio::co_spawn(io_, leg->line.drain(), asio::detached);
        receive(*leg);
        leg->sending = true;
    }
}

asio::awaitable<void> RelayLoad::set_up_calls(std::size_t calls) {
    std::size_t next = 0, running = 0;
    asio::steady_timer wake(io_);
    auto worker = [&]() -> asio::awaitable<void> {
        while (next < calls) {
            std::size_t i = next++;
            try {
                co_await set_up(legs_[2 * i], legs_[2 * i + 1]);
            } catch (const std::exception& e) {
                if (failures_++ == 0) first_failure_ = e.what();
            }
        }
        if (--running == 0) wake.cancel();
    };
    wake.expires_at(Clock::time_point::max());
    for (std::size_t w = 0; w < std::min(calls, kSetUpsInFlight); ++w, ++running)
        asio::co_spawn(io_, worker(), asio::detached);
    co_await wake.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

void RelayLoad::receive(Leg& leg) {
    leg.udp_socket.async_receive_from(asio::buffer(leg.rx), leg.from, [this, &leg](std::error_code ec, std::size_t n) {
        if (ec) return;
        on_datagram({leg.rx.data(), n});
        receive(leg);
    });
}

void RelayLoad::on_datagram(std::span<const std::uint8_t> datagram) {
    const std::int64_t arrived = now_ns();
    std::span<const std::uint8_t> rtp = datagram;
    if (relayed_) {
        auto data = sala::server::turn::parse_channel_data(datagram);
        if (!data) {
            ++figures_.other;  // a Data indication (no channel yet) or a stray
            return;
        }
        rtp = data->data;
    }
    if (rtp.size() < kRtpHeader + kStamp || rtp[0] != 0x80) {
        ++figures_.other;
        return;
    }
    std::int64_t sent = 0;
    std::memcpy(&sent, rtp.data() + kRtpHeader, kStamp);
    if (sent < window_start_ns_ || sent >= window_end_ns_ || window_start_ns_ < 0) return;
    ++figures_.delivered;
    figures_.delay_ms.push_back(static_cast<double>(arrived - sent) / 1e6);
}

// One voice frame: RTP (version 2, payload type 111, 960 or 480 samples a packet) with 100-120 B of
// payload that starts with the send time, in ChannelData on the relayed path.
void RelayLoad::send_frame(Leg& leg) {
    std::array<std::uint8_t, 160> rtp{};
    const std::size_t payload = 100 + (leg.sequence * 7u) % 21u;
    const std::uint32_t timestamp = leg.sequence * static_cast<std::uint32_t>(48 * frame_ms_);
    const std::uint32_t ssrc = static_cast<std::uint32_t>(leg.udp_socket.local_endpoint().port());
    rtp[0] = 0x80;
    rtp[1] = 111;
    rtp[2] = static_cast<std::uint8_t>(leg.sequence >> 8);
    rtp[3] = static_cast<std::uint8_t>(leg.sequence);
    for (int i = 0; i < 4; ++i) {
        rtp[4 + i] = static_cast<std::uint8_t>(timestamp >> (24 - 8 * i));
        rtp[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
    }
    for (std::size_t i = kRtpHeader + kStamp; i < kRtpHeader + payload; ++i) rtp[i] = static_cast<std::uint8_t>(i * 31);
    const std::int64_t sent = now_ns();
    std::memcpy(rtp.data() + kRtpHeader, &sent, kStamp);
    ++leg.sequence;
    std::array<std::uint8_t, 176> wire{};
    std::span<const std::uint8_t> out{rtp.data(), kRtpHeader + payload};
    if (relayed_) {
        std::size_t n = sala::server::turn::write_channel_data(wire, kChannel, out, false);
        out = {wire.data(), n};
    }
    std::error_code ec;
    leg.udp_socket.send_to(asio::buffer(out.data(), out.size()), leg.target, 0, ec);
    if (!ec && window_start_ns_ >= 0 && sent >= window_start_ns_ && sent < window_end_ns_) ++figures_.sent;
}

// Every tick sends the frames of one slot's legs, so the 2N streams are spread evenly over a frame
// (as independent callers are) instead of arriving at the relay in one burst.
void RelayLoad::tick() {
    if (stop_sending_) return;
    const int slot = static_cast<int>(ticks_++ % kSlots);
    for (std::size_t i = static_cast<std::size_t>(slot); i < legs_.size(); i += kSlots)
        if (legs_[i].sending) send_frame(legs_[i]);
    next_tick_ += std::chrono::microseconds(frame_ms_ * 1000 / kSlots);
    tick_timer_.expires_at(next_tick_);
    tick_timer_.async_wait([this](std::error_code ec) {
        if (!ec) tick();
    });
}

void print(const char* format, auto... args) {
    std::printf(format, args...);
    std::printf("\n");
    std::fflush(stdout);
}

// UDP datagrams this host's kernel dropped because a socket's receive buffer was full (all
// sockets: RcvbufErrors in /proc/net/snmp), to tell where a loss happened.
long long udp_receive_buffer_errors() {
    std::ifstream snmp("/proc/net/snmp");
    std::string line;
    bool header = true;
    while (std::getline(snmp, line)) {
        if (line.rfind("Udp:", 0) != 0) continue;
        if (header) {
            header = false;
            continue;
        }
        std::istringstream fields(line.substr(4));
        long long value = 0;
        for (int i = 0; i < 5; ++i) fields >> value;  // InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors
        return value;
    }
    return -1;
}

std::string load_average() {
    std::ifstream file("/proc/loadavg");
    std::string one, five, fifteen;
    file >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

asio::awaitable<void> RelayLoad::run(std::size_t calls, double warmup_s, double window_s) {
    using sala::bench::process_usage;
    print("load average at start %s", load_average().c_str());
    const auto idle = process_usage(relay_pid_);
    for (std::size_t i = 0; i < calls; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "relay-%03zu-a", i);
        legs_.emplace_back(io_, name);
        name[10] = 'b';
        legs_.emplace_back(io_, name);
    }
    // Streams start as their calls come up (the ramp-up).
    next_tick_ = Clock::now();
    tick();
    const auto t0 = Clock::now();
    co_await set_up_calls(calls);
    const double set_up_s = std::chrono::duration<double>(Clock::now() - t0).count();
    print(
        "set-up      %zu calls in %.2f s (register both, Allocate, call, Allocate, accept, ChannelBind both); "
        "%zu failed%s%s",
        calls - failures_, set_up_s, failures_, failures_ ? ": " : "", first_failure_.c_str());
    if (failures_) throw std::runtime_error("a call could not be set up");

    asio::steady_timer timer(io_);
    timer.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup_s)));
    co_await timer.async_wait(asio::use_awaitable);
    const auto before = process_usage(relay_pid_), generator_before = process_usage(getpid());
    const auto start = Clock::now();
    const long long overflows_before = udp_receive_buffer_errors();
    window_start_ns_ = now_ns();
    window_end_ns_ = window_start_ns_ + static_cast<std::int64_t>(window_s * 1e9);
    std::vector<double> rss;
    for (auto at = start + std::chrono::seconds(1); at <= start + std::chrono::duration<double>(window_s);
         at += std::chrono::seconds(1)) {
        timer.expires_at(at);
        co_await timer.async_wait(asio::use_awaitable);
        rss.push_back(process_usage(relay_pid_).rss_kib);
    }
    timer.expires_at(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(window_s)));
    co_await timer.async_wait(asio::use_awaitable);
    const auto after = process_usage(relay_pid_), generator_after = process_usage(getpid());
    const double span_s = std::chrono::duration<double>(Clock::now() - start).count();
    // Keep the load on while the window's last packets cross, then stop and count.
    timer.expires_after(std::chrono::milliseconds(500));
    co_await timer.async_wait(asio::use_awaitable);
    stop_sending_ = true;
    timer.expires_after(std::chrono::milliseconds(500));
    co_await timer.async_wait(asio::use_awaitable);
    const long long overflows = udp_receive_buffer_errors() - overflows_before;

    const double cpu = 100.0 * (after.cpu_seconds - before.cpu_seconds) / span_s;
    const double generator = 100.0 * (generator_after.cpu_seconds - generator_before.cpu_seconds) / span_s;
    double rss_min = rss.empty() ? 0 : *std::min_element(rss.begin(), rss.end());
    double rss_max = rss.empty() ? 0 : *std::max_element(rss.begin(), rss.end());
    const std::uint64_t lost = figures_.sent - std::min(figures_.sent, figures_.delivered);
    const auto& d = figures_.delay_ms;
    using sala::bench::percentile;
    if (relayed_) {
        print("relay CPU   %.1f %% of one core over %.1f s (utime+stime of pid %d; the generator %.1f %%)", cpu, span_s,
              relay_pid_, generator);
        print("relay RSS   %.1f MiB idle before the calls; %.1f-%.1f MiB during the window; peak (VmHWM) %.1f MiB",
              idle.rss_kib / 1024, rss_min / 1024, rss_max / 1024, after.hwm_kib / 1024);
    } else {
        print("generator   %.1f %% of one core (no relay: the streams go straight to the peer's socket)", generator);
    }
    print(
        "packets     %llu sent in the window, %llu delivered, %llu lost (%.3f %%); %llu other datagrams; "
        "%lld UDP receive-buffer overflows on this host meanwhile",
        static_cast<unsigned long long>(figures_.sent), static_cast<unsigned long long>(figures_.delivered),
        static_cast<unsigned long long>(lost), figures_.sent ? 100.0 * static_cast<double>(lost) / figures_.sent : 0.0,
        static_cast<unsigned long long>(figures_.other), overflows);
    print("delay       p50 %.3f ms, p99 %.3f ms, max %.3f ms (send to receive in this process, %s)", percentile(d, 50),
          percentile(d, 99), d.empty() ? 0.0 : *std::max_element(d.begin(), d.end()),
          relayed_ ? "through the relay" : "direct on loopback");
    print("load average at end %s", load_average().c_str());
    print("figures cpu=%.2f rss_mib=%.2f hwm_mib=%.2f sent=%llu lost=%llu p50=%.3f p99=%.3f", cpu, rss_max / 1024,
          after.hwm_kib / 1024, static_cast<unsigned long long>(figures_.sent), static_cast<unsigned long long>(lost),
          percentile(d, 50), percentile(d, 99));
    for (auto& leg : legs_) leg.line.close();
    io_.stop();
}

}  // namespace

int main(int argc, char** argv) {
    auto flags =
        sala::FlagParser("sala-bench-relay-load", "--port N --relay-pid PID [options]",
                         "Relayed calls through the TURN relay that a sala-server on 127.0.0.1 hands out.")
            .option("port", "N", "sala-server's TCP port")
            .option("relay-pid", "PID", "the relay's process id (sala-server or turnserver), for its CPU and memory")
            .option("calls", "N", "concurrent calls, two relayed legs each (default 100)")
            .option("frame-ms", "MS", "packet time: 20 (50 packets/s each way) or 10 (default 20)")
            .option("warmup", "S", "seconds between the last call's set-up and the window (default 2)")
            .option("seconds", "S", "the measured window (default 30)")
            .flag("direct", "send straight to the peer's socket instead (the generator's own floor)")
            .parse_or_exit(argc, argv);
    auto port = sala::parse_integer(flags.get("port"), 1, 65535);
    auto pid = sala::parse_integer(flags.get("relay-pid"), 1, 1 << 30);
    auto calls = sala::parse_integer(flags.get("calls", "100"), 1, 10000);
    auto frame = sala::parse_integer(flags.get("frame-ms", "20"), 10, 20);
    auto warmup = sala::parse_integer(flags.get("warmup", "2"), 0, 600);
    auto seconds = sala::parse_integer(flags.get("seconds", "30"), 1, 3600);
    if (!port || !pid || !calls || !frame || (*frame != 10 && *frame != 20) || !warmup || !seconds) {
        std::cerr << "sala-bench-relay-load: --port and --relay-pid are required; --frame-ms is 10 or 20\n";
        return 2;
    }
    asio::io_context io(1);
    RelayLoad load(io, static_cast<std::uint16_t>(*port), static_cast<int>(*pid), !flags.has("direct"),
                   static_cast<int>(*frame));
    int status = 0;
    asio::co_spawn(
        io, load.run(static_cast<std::size_t>(*calls), static_cast<double>(*warmup), static_cast<double>(*seconds)),
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& what) {
                    std::cerr << "sala-bench-relay-load: " << what.what() << "\n";
                }
                status = 1;
            }
            io.stop();
        });
    io.run();
    return status;
}
