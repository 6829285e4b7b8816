#pragma once
// The client engine: one thread that owns the directory connection, the call state, the media
// socket and the codec. Front ends post commands and read immutable snapshots.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sala/client/command.hpp"
#include "sala/client/event.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

// Deliberate damage to the receive path, for tests and benchmarks.
struct Impairment {
    double loss_percent = 0.0;
    int jitter_ms = 0;
};

struct EngineOptions {
    int frame_ms = 20;        // 10 or 20
    int bitrate_bps = 20000;  // with 20 ms frames about 36 kb/s on the wire (IP+UDP+RTP)
    int complexity = 5;       // Opus encoder complexity, 0..10 (CPU against quality)
    std::string audio_in = "device";
    std::string audio_out = "device";
    bool echo = false;  // send back what is heard instead of the input device
    Impairment impair;
    std::chrono::milliseconds media_timeout{5000};
    std::chrono::milliseconds ping_interval{10000};
    // How often meters and statistics are published during a call: ~30 Hz for a window,
    // less for front ends that only print statistics each second.
    std::chrono::milliseconds meter_interval{33};
    std::string bind_address = "0.0.0.0";  // the UDP media socket
};

class Engine {
public:
    // Starts the engine thread; throws std::runtime_error if the media socket cannot be bound.
    explicit Engine(EngineOptions options);
    // Hangs up, says bye to the server (briefly), stops and joins the engine thread.
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    void post(Command command);
    SnapshotPtr snapshot() const;
    unsigned short media_port() const;

    // Handlers run on the engine thread; set them before the first post().
    void on_event(std::function<void(const Event&)> handler);
    // Runs after each published snapshot, e.g. to wake a GUI's event loop.
    void on_publish(std::function<void()> handler);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

// Splits "host[:port]" (and "[v6]:port"); nullopt-like empty host on a bad port.
struct ServerAddress {
    std::string host;
    unsigned short port = 5000;
};
bool parse_server_address(const std::string& text, ServerAddress& out, std::string* error);

}  // namespace sala::client
