#pragma once
// The device tests' own PulseAudio server (tools/pulse-test-server) with null sinks, and parec
// recordings of their monitors.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "process.hpp"
#include "program_path.hpp"
#include "temp_dir.hpp"

namespace sala::test {

using namespace std::chrono_literals;

// Runs a program to its end; its exit status (or -1 when it did not end in time).
inline int run(std::vector<std::string> argv, std::string* err = nullptr, std::chrono::milliseconds timeout = 20s) {
    Process p(std::move(argv));
    const int status = p.wait(timeout).value_or(-1);
    if (err) *err = p.stderr_text();
    return status;
}

// The test's own PulseAudio server (tools/pulse-test-server), stopped by its PID at the end.
class PulseServer {
public:
    // With SALA_SOUND_SERVER=pipewire in the environment, PipeWire's pipewire-pulse instead (the
    // script reads the variable).
    PulseServer() {
        script_ = std::string(SALA_SOURCE_DIR) + "/tools/pulse-test-server";
        dir_ = dir_root_.file("pulse");
        const char* server = std::getenv("SALA_SOUND_SERVER");
        pipewire_ = server && std::string(server) == "pipewire";
        std::string err = std::string(pipewire_ ? "pipewire-pulse" : "pulseaudio") + " is not installed";
        started_ =
            find_on_path(pipewire_ ? "pipewire-pulse" : "pulseaudio") && run({script_, "start", dir_}, &err) == 0;
        why_ = err;
        if (started_) ::setenv("PULSE_SERVER", ("unix:" + dir_ + "/native").c_str(), 1);
    }
    ~PulseServer() {
        run({script_, "stop", dir_});
        ::unsetenv("PULSE_SERVER");
    }
    bool started() const { return started_; }
    const std::string& why() const { return why_; }
    // The name RtAudio gives a sink's monitor: "Monitor of NAME" on PulseAudio; on PipeWire the
    // monitor carries the sink's own device.description, so RtAudio makes the two one device
    // NAME with both inputs and outputs.
    std::string monitor(const std::string& sink) const { return pipewire_ ? sink : "Monitor of " + sink; }
    // A null sink described as `name` (its monitor is "Monitor of NAME").
    void sink(const std::string& name, int rate, int channels) {
        std::string err;
        ASSERT_EQ(run({script_, "sink", dir_, name, std::to_string(rate), std::to_string(channels)}, &err), 0) << err;
    }
    // Two mono sinks, left and right, that are the channels of one stereo null sink
    // "LEFT_RIGHT": recording its monitor records both on one clock.
    void pair(const std::string& left, const std::string& right) {
        std::string err;
        ASSERT_EQ(run({script_, "pair", dir_, left, right}, &err), 0) << err;
    }
    // An echo path: what sink `from` plays leaks into sink `to`, ms later and db dB down.
    void echo(const std::string& from, const std::string& to, int ms, int db) {
        std::string err;
        ASSERT_EQ(run({script_, "echo", dir_, from, to, std::to_string(ms), std::to_string(db)}, &err), 0) << err;
    }
    void unload(const std::string& name) {
        std::string err;
        ASSERT_EQ(run({script_, "unload", dir_, name}, &err), 0) << err;
    }

private:
    TempDir dir_root_;
    std::string script_, dir_, why_;
    bool started_ = false, pipewire_ = false;
};

// parec on a sink's monitor into a 48 kHz WAV (mono unless told) until stop().
class Recorder {
public:
    Recorder(const std::string& sink, const std::string& path, int channels = 1)
        : path_(path),
          channels_(channels),
          process_({find_on_path("parec").value_or("/usr/bin/parec"), "-d", sink + ".monitor", "--rate=48000",
                    "--channels=" + std::to_string(channels), "--format=s16le", "--file-format=wav",
                    "--latency-msec=10", path}) {}
    void stop() {
        process_.signal(SIGINT);
        process_.wait(5s);
    }
    // How much has been written so far, in ms of audio (48 kHz mono s16 after a 44-byte header).
    double recorded_ms() const {
        std::error_code ec;
        const auto size = std::filesystem::file_size(path_, ec);
        return ec || size < 44 ? 0.0 : double(size - 44) / 96.0 / channels_;
    }
    // Waits until audio is being written (a new PulseAudio stream may first stall).
    bool wait_until_recording(std::chrono::milliseconds timeout = 10s) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (recorded_ms() > 100.0) return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

private:
    std::string path_;
    int channels_;
    Process process_;
};

// The two channels of a stereo 16-bit WAV file (as parec writes it).
inline std::optional<std::pair<std::vector<int16_t>, std::vector<int16_t>>> read_stereo(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const std::size_t data = bytes.find("data");
    if (data == std::string::npos || data + 8 > bytes.size()) return std::nullopt;
    std::pair<std::vector<int16_t>, std::vector<int16_t>> channels;
    for (std::size_t at = data + 8; at + 4 <= bytes.size(); at += 4) {
        int16_t left, right;
        std::memcpy(&left, bytes.data() + at, 2);
        std::memcpy(&right, bytes.data() + at + 2, 2);
        channels.first.push_back(left);
        channels.second.push_back(right);
    }
    return channels;
}

}  // namespace sala::test
