#pragma once
// The client engine: one thread that owns the directory connection, the call state, the media
// socket and the codec. Front ends post commands and read immutable snapshots.

#include <functional>
#include <memory>
#include <string>

#include "sala/client/command.hpp"
#include "sala/client/engine_options.hpp"
#include "sala/client/event.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

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

    // Handlers run on the engine thread; set them before the first post(). An event is delivered
    // after the snapshot that shows it is published.
    void on_event(std::function<void(const Event&)> handler);
    // Runs after each published snapshot, e.g. to wake a GUI's event loop.
    void on_publish(std::function<void()> handler);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sala::client
