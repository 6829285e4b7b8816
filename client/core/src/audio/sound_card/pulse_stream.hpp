#pragma once
// One PulseAudio stream of Sala's own, through libpulse's asynchronous API on a threaded main
// loop: what RtAudio's PulseAudio backend (pa_simple, one blocking write or read of a 10 ms
// block per callback, the server's default queue) cannot give. The stream asks the server for
// small requests (PA_STREAM_ADJUST_LATENCY with a 5 ms block: the server sizes the device's
// own buffer to match), writes straight into the server's buffer when it asks, and reads
// each fragment when it comes. The same device names as RtAudio's list (descriptions such as
// "Monitor of loop44", or sink/source names); a device that leaves the server fails the
// stream (no silent move to another device).

#include "audio/sound_card/device_format.hpp"
#include "audio/sound_card/pulse_presence.hpp"

#include <pulse/pulseaudio.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sala::client {

class PulseStream {
public:
    // PA's thread, with its main loop's lock held: the stream has `bytes` to read (input) or
    // wants that many written (output).
    using Ready = void (*)(pa_stream* stream, std::size_t bytes, void* self);

    static constexpr unsigned kBlockMs = 5;             // the size of the server's requests
    static constexpr unsigned kOutputTargetBlocks = 2;  // what the server keeps queued to play

    // name: "" for the default device, else the device named or described so, else the first
    // whose description contains it (ignoring case); for an input, a sink's name also means
    // its monitor.
    PulseStream(std::string name, bool input);
    ~PulseStream();
    PulseStream(const PulseStream&) = delete;
    PulseStream& operator=(const PulseStream&) = delete;

    // Before the stream starts, with the format it will have: the device allocates what its
    // callbacks need (the first callback may come as soon as the stream connects).
    using Prepare = void (*)(const DeviceStreamFormat& format, void* self);

    // Connects and starts the stream at the device's own rate and channel count (at most 8),
    // int16; reports the format (frames: one block). Bounded by a few seconds. latency_us, if
    // set, gets the stream's delay in the server (its queue for the stream and the device's
    // latency, asked by a thread of the stream's own 200 ms after the start and then once a
    // second: asking from the callback, as PA_STREAM_AUTO_TIMING_UPDATE does, allocates), and
    // -1 when the stream stops.
    bool open(Prepare prepare, Ready ready, void* self, DeviceStreamFormat* format, std::string* error,
              std::atomic<std::int64_t>* latency_us = nullptr);
    void stop();  // the callbacks no longer run when this returns
    std::string description() const;
    // True once the stream failed: the device left the server, or the server went away.
    bool gone() const { return gone_.load(std::memory_order_acquire); }
    // What the server says it will ask an output for at a time (its minimum request), in device
    // frames, once open; 0 for an input.
    unsigned granted_request_frames() const { return granted_request_frames_; }

private:
    struct Device;
    bool connect(std::string* error);
    bool find_device(Device* device, std::string* error);
    bool start_stream(const Device& device, Prepare prepare, Ready ready, void* self, std::string* error);
    template <typename Done>
    bool wait_until(Done done, std::chrono::milliseconds limit);
    static void on_context_state(pa_context* context, void* self);
    static void on_stream_state(pa_stream* stream, void* self);
    static void on_ready(pa_stream* stream, std::size_t bytes, void* self);

    std::string name_;
    bool input_;
    std::string opened_name_;
    DeviceStreamFormat* format_ = nullptr;
    pa_threaded_mainloop* loop_ = nullptr;
    pa_context* context_ = nullptr;
    pa_stream* stream_ = nullptr;
    Ready ready_ = nullptr;
    void* self_ = nullptr;
    bool asked_for_real_time_ = false;  // PA's thread only
    unsigned granted_request_frames_ = 0;
    std::atomic<bool> gone_{false};
    PulseStreamWatch watch_;
};

}  // namespace sala::client
