// Load generator for sala-server: thousands of registered clients in one process (one
// asio thread), measuring registration rate, how fast a join reaches everyone, call set-up
// round trips while calls churn, and the server's memory and CPU. Run it with bench/run.sh.
// With --tls every client speaks TLS 1.3 (asio::ssl::stream; the certificate is not judged).
#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "percentile.hpp"
#include "process_usage.hpp"
#include "sala/cli_flags.hpp"
#include "sala/key_offer.hpp"
#include "sala/name_proof.hpp"
#include "sala/tls_channel_binding.hpp"

#include <sodium.h>

namespace {
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;
constexpr auto as_result = asio::experimental::as_tuple(asio::use_awaitable);

using ServerUsage = sala::bench::ProcessUsage;
ServerUsage server_usage(int pid) { return sala::bench::process_usage(pid); }

using sala::bench::percentile;

enum class Role { idle, probe, caller, callee };

struct Client {
    explicit Client(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    // --tls: TLS over `socket`. Reads are synchronous on the non-blocking socket (into the shared
    // scratch buffer, until it would block), writes asynchronous: one of each at a time.
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
    std::optional<sala::protocol::ChannelBinding> binding;  // the TLS connection's, for the name proof
    std::string name;
    Role role = Role::idle;
    std::string partial;
    std::deque<std::string> out;
    bool writing = false;
    bool registered = false;
    std::size_t others_seen = 0;  // users in welcome + user_joined since
    // --keys: an Ed25519 identity; hello waits for the challenge and proves it (protocol v4)
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
    std::size_t node = 0;  // with --ports: which server (node of a cluster) it talks to
    // caller side of the churn
    Client* peer = nullptr;
    Clock::time_point call_sent;
    std::string call_id;
};

class LoadBench {
public:
    // `tls`: the clients' TLS context, or null for plain lines (--insecure-plaintext servers).
    // `ports`: one server, or the nodes of a cluster (clients spread over them in turn).
    LoadBench(asio::io_context& io, const std::vector<std::uint16_t>& ports, int server_pid, asio::ssl::context* tls)
        : io_(io), server_pid_(server_pid), tls_(tls) {
        for (auto port : ports) endpoints_.emplace_back(asio::ip::make_address("127.0.0.1"), port);
    }

    asio::awaitable<void> run(std::size_t clients, int joins, std::size_t pairs, double churn_seconds);

private:
    void send(Client& c, std::string line) {
        c.out.push_back(std::move(line));
        if (!c.writing) write_next(c);
    }
    void write_next(Client& c) {
        if (c.out.empty()) {
            c.writing = false;
            return;
        }
        c.writing = true;
        auto written = [this, &c](std::error_code ec, std::size_t) {
            if (ec) return fail(c, "write: " + ec.message());
            c.out.pop_front();
            write_next(c);
        };
        if (c.tls)
            asio::async_write(*c.tls, asio::buffer(c.out.front()), written);
        else
            asio::async_write(c.socket, asio::buffer(c.out.front()), written);
    }
    void fail(Client& c, const std::string& what) {
        if (!c.socket.is_open()) return;
        ++failures_;
        if (failures_ <= 5) std::cerr << "client " << c.name << ": " << what << "\n";
        std::error_code ignored;
        c.socket.close(ignored);
    }
    // Reads into one shared buffer (one thread) until the socket is drained, then waits
    // for readability: asio's epoll is edge-triggered.
    void read_next(Client& c) {
        if (watchers_paused_ && c.role == Role::idle) {
            parked_.push_back(&c);
            return;
        }
        std::error_code read_error;
        std::size_t n = c.tls ? c.tls->read_some(asio::buffer(scratch_), read_error)
                              : c.socket.read_some(asio::buffer(scratch_), read_error);
        if (read_error == asio::error::would_block) {
            c.socket.async_wait(tcp::socket::wait_read, [this, &c](std::error_code ec) {
                if (ec) return fail(c, "wait: " + ec.message());
                read_next(c);
            });
            return;
        }
        if (read_error) return fail(c, "read: " + read_error.message());
        std::string_view data(scratch_.data(), n);
        bytes_received_ += n;
        while (!data.empty()) {
            auto nl = data.find('\n');
            if (nl == std::string_view::npos) {
                c.partial.append(data);
                break;
            }
            if (c.partial.empty()) {
                on_line(c, data.substr(0, nl));
            } else {
                c.partial.append(data.substr(0, nl));
                on_line(c, c.partial);
                c.partial.clear();
            }
            data.remove_prefix(nl + 1);
        }
        if (c.socket.is_open()) asio::post(io_, [this, &c] { read_next(c); });
    }
    static std::string_view field(std::string_view line, std::string_view name) {
        std::string key = "\"" + std::string(name) + "\":\"";
        auto at = line.find(key);
        if (at == std::string_view::npos) return {};
        at += key.size();
        return line.substr(at, line.find('"', at) - at);
    }
    void on_line(Client& c, std::string_view line) {
        ++lines_received_;
        if (!c.registered && keys_ && line.find("\"type\":\"challenge\"") != std::string_view::npos) {
            sala::protocol::NameNonce nonce{};
            if (!sala::protocol::from_hex(field(line, "nonce"), nonce.data(), nonce.size()))
                return fail(c, "challenge without a nonce: " + std::string(line.substr(0, 200)));
            const auto message = sala::protocol::name_proof_message(nonce, c.binding, c.name);
            std::array<unsigned char, crypto_sign_BYTES> signature{};
            crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), c.secret_key.data());
            send(c, R"({"type":"hello","version":4,"name":")" + c.name + R"(","media_port":40000,"identity":")" +
                        sala::protocol::to_hex(c.public_key.data(), c.public_key.size()) + R"(","proof":")" +
                        sala::protocol::to_hex(signature.data(), signature.size()) + "\"}\n");
            return;
        }
        if (!c.registered) {
            if (line.find("\"welcome\"") == std::string_view::npos)
                return fail(c, "expected welcome: " + std::string(line.substr(0, 200)));
            c.registered = true;
            std::size_t users = 0;
            for (auto at = line.find("{\"name\":"); at != std::string_view::npos; at = line.find("{\"name\":", at + 1))
                ++users;
            c.others_seen = users;
            ++registered_;
            if (c.role == Role::idle) open_next();
            note_seen(c);
            return;
        }
        // Presence lines are dumped with sorted keys: {"name":..,"status":..,"type":"user_joined"}
        if (line.ends_with("\"type\":\"user_joined\"}")) {
            ++c.others_seen;
            note_seen(c);
            if (!probe_name_.empty() && line.starts_with(probe_prefix_)) {
                probe_arrivals_.push_back(Ms(Clock::now() - probe_sent_).count());
            }
            return;
        }
        if (c.role == Role::callee && line.find("\"type\":\"invite\"") != std::string_view::npos) {
            send(c, R"({"type":"accept","call_id":")" + std::string(field(line, "call_id")) + "\"}\n");
        } else if (c.role == Role::caller) {
            if (line.find("\"type\":\"call_started\"") != std::string_view::npos) {
                setup_ms_.push_back(Ms(Clock::now() - c.call_sent).count());
                send(c, R"({"type":"hangup","call_id":")" + std::string(field(line, "call_id")) + "\"}\n");
            } else if (line.find("\"type\":\"call_ended\"") != std::string_view::npos) {
                ++calls_done_;
                if (!churning_) {
                    --pairs_active_;
                } else {
                    auto pause = std::make_shared<asio::steady_timer>(io_, call_interval_);
                    pause->async_wait([this, &c, pause](std::error_code) {
                        if (churning_)
                            start_call(c);
                        else
                            --pairs_active_;
                    });
                }
            } else if (line.find("\"type\":\"call_failed\"") != std::string_view::npos ||
                       line.find("\"type\":\"error\"") != std::string_view::npos) {
                std::cerr << "call problem: " << line << "\n";
                ++failures_;
                --pairs_active_;
            }
        }
    }
    void note_seen(Client& c) {
        if (c.role == Role::idle && c.others_seen + 1 == target_seen_) ++settled_;
    }
    void start_call(Client& c) {
        c.call_sent = Clock::now();
        send(c, R"({"type":"call","to":")" + c.peer->name + "\"}\n");
    }
    void open_next() {
        if (opened_ >= to_open_) return;
        Client& c = *clients_[opened_++];
        asio::co_spawn(io_, open(c), asio::detached);
    }
    // Connects, and with --tls makes the handshake and takes the channel binding; then the
    // socket is non-blocking for read_next.
    asio::awaitable<bool> connect(Client& c) {
        auto [ec] = co_await c.socket.async_connect(endpoints_[c.node], as_result);
        if (ec) {
            fail(c, "connect: " + ec.message());
            co_return false;
        }
        c.socket.set_option(tcp::no_delay(true));
        if (tls_) {
            c.tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(c.socket, *tls_);
            auto [handshake_error] = co_await c.tls->async_handshake(asio::ssl::stream_base::client, as_result);
            if (handshake_error) {
                fail(c, "TLS handshake: " + handshake_error.message());
                co_return false;
            }
            const auto binding = sala::tls_channel_binding(c.tls->native_handle());
            if (!binding) {
                fail(c, "no TLS channel binding");
                co_return false;
            }
            c.binding = *binding;
        }
        c.socket.non_blocking(true);
        co_return true;
    }
    // Connects and sends hello; the reply is handled in on_line.
    asio::awaitable<bool> open(Client& c) {
        // Not inside the if: written `if (!co_await connect(c))`, this coroutine died with SIGILL
        // here (GCC 12.2, RelWithDebInfo).
        bool connected = co_await connect(c);
        if (!connected) co_return false;
        if (keys_ && c.role == Role::idle)
            send(c, "{\"type\":\"challenge\"}\n");
        else
            send(c, R"({"type":"hello","version":1,"name":")" + c.name +
                        R"(","media_port":40000})"
                        "\n");
        read_next(c);
        co_return true;
    }
    template <typename Done>
    asio::awaitable<bool> wait_until(Done done, std::chrono::milliseconds timeout) {
        asio::steady_timer tick(io_);
        auto deadline = Clock::now() + timeout;
        while (!done()) {
            if (Clock::now() > deadline) co_return false;
            tick.expires_after(std::chrono::microseconds(200));
            co_await tick.async_wait(as_result);
        }
        co_return true;
    }

    asio::io_context& io_;
    std::vector<tcp::endpoint> endpoints_;
    int server_pid_;
    asio::ssl::context* tls_;
    std::vector<std::unique_ptr<Client>> clients_;
    std::array<char, 256 * 1024> scratch_{};
    std::size_t opened_ = 0, to_open_ = 0;
    std::size_t registered_ = 0, settled_ = 0, target_seen_ = 0;
    std::size_t failures_ = 0, calls_done_ = 0, pairs_active_ = 0;
    std::uint64_t bytes_received_ = 0, lines_received_ = 0;
    std::string probe_name_, probe_prefix_;
    Clock::time_point probe_sent_;
    std::vector<double> probe_arrivals_, setup_ms_;
    bool churning_ = false;
    bool watchers_paused_ = false;
    std::vector<Client*> parked_;

public:
    std::chrono::milliseconds call_interval_{100};  // each pair's pause between calls
    bool keys_ = false;                             // --keys: register with identity keys (protocol v4)
};

asio::awaitable<void> LoadBench::run(std::size_t count, int joins, std::size_t pairs, double churn_seconds) {
    auto print = [](const std::string& text) { std::cout << text << std::endl; };
    ServerUsage before = server_usage(server_pid_);
    ServerUsage generator_before = server_usage(getpid());
    print("clients                 " + std::to_string(count));

    // 1. Registration, a window of connections in flight at a time: every welcome opens
    // the next connection.
    constexpr std::size_t kWindow = 200;
    target_seen_ = count;
    to_open_ = count;
    for (std::size_t i = 0; i < count; ++i) {
        auto c = std::make_unique<Client>(io_);
        c->node = clients_.size() % endpoints_.size();
        char name[32];
        std::snprintf(name, sizeof name, "user-%05zu", i);
        c->name = name;
        if (keys_) crypto_sign_keypair(c->public_key.data(), c->secret_key.data());
        clients_.push_back(std::move(c));
    }
    print(std::string(tls_ ? "connection              TLS 1.3" : "connection              plain lines") +
          (keys_ ? "; hello v4 with an identity key (challenge, hello with proof)" : "; hello v1, no key"));
    auto t0 = Clock::now();
    for (std::size_t i = 0; i < std::min(kWindow, count); ++i) open_next();
    bool all = co_await wait_until([&] { return registered_ == count || failures_; }, std::chrono::seconds(600));
    double reg_s = std::chrono::duration<double>(Clock::now() - t0).count();
    ServerUsage after_reg = server_usage(server_pid_);
    if (!all || failures_) {
        print("registration failed: " + std::to_string(registered_) + " of " + std::to_string(count));
        co_return;
    }
    char text[512];
    std::snprintf(text, sizeof text,
                  "registration            %zu in %.2f s = %.0f /s (server CPU %.2f s, load generator CPU %.2f s)",
                  count, reg_s, static_cast<double>(count) / reg_s, after_reg.cpu_seconds - before.cpu_seconds,
                  server_usage(getpid()).cpu_seconds - generator_before.cpu_seconds);
    print(text);
    co_await wait_until([&] { return settled_ == count; }, std::chrono::seconds(300));
    double settle_s = std::chrono::duration<double>(Clock::now() - t0).count();
    ServerUsage held = server_usage(server_pid_);
    std::snprintf(text, sizeof text,
                  "every join delivered    %.2f s after the first connect (%zu of %zu clients saw all); "
                  "%.0f MB received",
                  settle_s, settled_, count, static_cast<double>(bytes_received_) / 1e6);
    print(text);
    std::snprintf(text, sizeof text,
                  "server RSS              %.1f MiB before, %.1f MiB with %zu clients: %.1f KiB per client",
                  before.rss_kib / 1024, held.rss_kib / 1024, count,
                  (held.rss_kib - before.rss_kib) / static_cast<double>(count));
    print(text);

    // 2. Joins: one new client at a time; when has every registered client seen it?
    std::vector<double> all_reached, per_recipient;
    for (int j = 0; j < joins; ++j) {
        auto c = std::make_unique<Client>(io_);
        c->node = clients_.size() % endpoints_.size();
        c->name = "probe-" + std::to_string(j);
        c->role = Role::probe;
        probe_name_ = c->name;
        probe_prefix_ = "{\"name\":\"" + c->name + "\",";
        probe_arrivals_.clear();
        probe_arrivals_.reserve(count);
        clients_.push_back(std::move(c));
        Client& probe = *clients_.back();
        bool connected = co_await connect(probe);
        if (!connected) co_return;
        read_next(probe);
        probe_sent_ = Clock::now();
        send(probe, R"({"type":"hello","version":1,"name":")" + probe.name +
                        R"(","media_port":40000})"
                        "\n");
        // Every registered client, the earlier probes included.
        std::size_t expected = count + static_cast<std::size_t>(j);
        if (!co_await wait_until([&] { return probe_arrivals_.size() >= expected; }, std::chrono::seconds(30))) {
            print("join " + probe.name + " reached only " + std::to_string(probe_arrivals_.size()));
            break;
        }
        all_reached.push_back(*std::max_element(probe_arrivals_.begin(), probe_arrivals_.end()));
        per_recipient.insert(per_recipient.end(), probe_arrivals_.begin(), probe_arrivals_.end());
    }
    probe_name_.clear();
    std::snprintf(text, sizeof text,
                  "join reaches all        p50 %.1f ms, p99 %.1f ms, max %.1f ms over %zu joins "
                  "(per recipient p50 %.1f ms, p99 %.1f ms)",
                  percentile(all_reached, 50), percentile(all_reached, 99),
                  all_reached.empty() ? 0.0 : *std::max_element(all_reached.begin(), all_reached.end()),
                  all_reached.size(), percentile(per_recipient, 50), percentile(per_recipient, 99));
    print(text);

    // 3. Call churn: pairs call, answer and hang up in a loop. The server still writes every
    // presence change to all the other clients, but they stop reading meanwhile (the kernel
    // and the server's queues hold it): on a 2-core machine a load generator that reads
    // thousands of sockets would otherwise compete with the server for the CPU and add its
    // own lag to the round trips. They catch up afterwards.
    pairs = std::min(pairs, count / 2);
    for (std::size_t p = 0; p < pairs; ++p) {
        Client& caller = *clients_[2 * p];
        Client& callee = *clients_[2 * p + 1];
        caller.role = Role::caller;
        callee.role = Role::callee;
        caller.peer = &callee;
    }
    ServerUsage churn_before = server_usage(server_pid_);
    ServerUsage generator_churn_before = server_usage(getpid());
    auto churn_start = Clock::now();
    churning_ = true;
    watchers_paused_ = true;
    pairs_active_ = pairs;
    for (std::size_t p = 0; p < pairs; ++p) start_call(*clients_[2 * p]);
    co_await wait_until([&] { return failures_ > 0; },
                        std::chrono::milliseconds(static_cast<long>(churn_seconds * 1000)));
    churning_ = false;
    co_await wait_until([&] { return pairs_active_ == 0; }, std::chrono::seconds(30));
    double churn_s = std::chrono::duration<double>(Clock::now() - churn_start).count();
    ServerUsage churn_after = server_usage(server_pid_);
    ServerUsage generator_churn_after = server_usage(getpid());
    watchers_paused_ = false;
    for (Client* c : parked_) read_next(*c);
    parked_.clear();
    asio::steady_timer catch_up(io_, std::chrono::seconds(2));
    co_await catch_up.async_wait(as_result);
    std::snprintf(text, sizeof text,
                  "call set-up             p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu calls "
                  "(%zu pairs, each calling every %lld ms: %.0f calls/s)",
                  percentile(setup_ms_, 50), percentile(setup_ms_, 99),
                  setup_ms_.empty() ? 0.0 : *std::max_element(setup_ms_.begin(), setup_ms_.end()), setup_ms_.size(),
                  pairs, static_cast<long long>(call_interval_.count()), static_cast<double>(calls_done_) / churn_s);
    print(text);
    std::snprintf(text, sizeof text, "server CPU during churn %.0f %% of one core (load generator %.0f %%)",
                  100.0 * (churn_after.cpu_seconds - churn_before.cpu_seconds) / churn_s,
                  100.0 * (generator_churn_after.cpu_seconds - generator_churn_before.cpu_seconds) / churn_s);
    print(text);
    ServerUsage end = server_usage(server_pid_);
    std::snprintf(text, sizeof text, "server CPU in total     %.2f s; RSS at the end %.1f MiB; client failures %zu",
                  end.cpu_seconds - before.cpu_seconds, end.rss_kib / 1024, failures_);
    print(text);
    // One line for scripts (bench/run.sh compares plain and TLS runs with it).
    std::snprintf(text, sizeof text,
                  "figures registrations_per_s=%.1f registration_server_cpu_s=%.2f rss_kib_per_client=%.2f "
                  "join_p50_ms=%.2f join_p99_ms=%.2f setup_p50_ms=%.3f setup_p99_ms=%.3f failures=%zu",
                  static_cast<double>(count) / reg_s, after_reg.cpu_seconds - before.cpu_seconds,
                  (held.rss_kib - before.rss_kib) / static_cast<double>(count), percentile(all_reached, 50),
                  percentile(all_reached, 99), percentile(setup_ms_, 50), percentile(setup_ms_, 99), failures_);
    print(text);
    for (auto& c : clients_) {
        std::error_code ignored;
        c->socket.close(ignored);
    }
}

}  // namespace

int main(int argc, char** argv) {
    auto flags = sala::FlagParser("sala-bench-server-load", "--port N --server-pid PID [options]",
                                  "Load benchmark for a running sala-server on 127.0.0.1.")
                     .option("port", "N", "the server's TCP port")
                     .option("ports", "N,N,...",
                             "instead of --port: the TCP ports of a cluster's nodes; clients are spread over them "
                             "in turn (--server-pid: the first node's)")
                     .option("server-pid", "PID", "the server's process id, to read its memory and CPU")
                     .option("clients", "N", "registered clients to hold (default 1000)")
                     .option("joins", "N", "joins timed while they are held (default 20)")
                     .option("pairs", "N", "client pairs churning calls (default 20)")
                     .option("churn-seconds", "S", "how long calls churn (default 5)")
                     .option("call-interval-ms", "MS", "each pair's pause between calls (default 100)")
                     .flag("keys", "register with identity keys (protocol v4: challenge, then hello with a proof)")
                     .flag("tls",
                           "speak TLS 1.3 (the server's certificate is not checked); else plain lines, which "
                           "need a server started with --insecure-plaintext")
                     .parse_or_exit(argc, argv);
    std::vector<std::uint16_t> ports;
    std::stringstream port_list(flags.has("ports") ? flags.get("ports") : flags.get("port"));
    for (std::string item; std::getline(port_list, item, ',');)
        if (auto number = sala::parse_integer(item, 1, 65535)) ports.push_back(static_cast<std::uint16_t>(*number));
    auto port = ports.empty() ? std::nullopt : std::optional<long long>(ports.front());
    auto pid = sala::parse_integer(flags.get("server-pid"), 1, 1 << 30);
    auto clients = sala::parse_integer(flags.get("clients", "1000"), 1, 1'000'000);
    auto joins = sala::parse_integer(flags.get("joins", "20"), 0, 10000);
    auto pairs = sala::parse_integer(flags.get("pairs", "20"), 0, 100000);
    auto churn = sala::parse_integer(flags.get("churn-seconds", "5"), 1, 3600);
    auto interval = sala::parse_integer(flags.get("call-interval-ms", "100"), 0, 60000);
    if (!port || !pid || !clients || !joins || !pairs || !churn || !interval) {
        std::cerr << "sala-bench-server-load: --port and --server-pid are required; numbers must be whole\n";
        return 2;
    }
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (static_cast<long long>(limit.rlim_cur) < *clients + *joins + 64) {
        std::cerr << "sala-bench-server-load: open-file limit " << limit.rlim_cur << " is too low\n";
        return 1;
    }
    asio::io_context io(1);
    std::optional<asio::ssl::context> tls;
    if (flags.has("tls")) {
        tls.emplace(asio::ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_3_VERSION);
        tls->set_verify_mode(asio::ssl::verify_none);  // measuring the server, not judging it
    }
    LoadBench bench(io, ports, static_cast<int>(*pid), tls ? &*tls : nullptr);
    bench.call_interval_ = std::chrono::milliseconds(*interval);
    bench.keys_ = flags.has("keys");
    if (bench.keys_ && sodium_init() < 0) return 1;
    asio::co_spawn(io,
                   bench.run(static_cast<std::size_t>(*clients), static_cast<int>(*joins),
                             static_cast<std::size_t>(*pairs), static_cast<double>(*churn)),
                   [&io](std::exception_ptr e) {
                       if (e) {
                           try {
                               std::rethrow_exception(e);
                           } catch (const std::exception& what) {
                               std::cerr << "sala-bench-server-load: " << what.what() << "\n";
                           }
                       }
                       io.stop();
                   });
    io.run();
    return 0;
}
