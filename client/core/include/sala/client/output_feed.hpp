#pragma once
// An output device opened outside a call, playing samples the front end supplies (a ring tone).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sala::client {

class OutputFeed {
public:
    OutputFeed();
    ~OutputFeed();
    OutputFeed(const OutputFeed&) = delete;
    OutputFeed& operator=(const OutputFeed&) = delete;

    // spec as for --audio-out; false with a one-line *error when it cannot be opened.
    bool start(const std::string& spec, std::string* error);
    void stop();
    bool running() const;
    // 48 kHz mono samples waiting to be played.
    std::size_t queued() const;
    // Queues up to count samples; returns how many fit.
    std::size_t push(const std::int16_t* samples, std::size_t count);

private:
    struct Devices;
    std::unique_ptr<Devices> devices_;
};

}  // namespace sala::client
