#pragma once
// The media of one call: Opus over RTP to the peer's address, RTCP reports, the jitter buffer
// and playout into the output pipe. Runs on the engine thread; the audio side only sees rings.

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <span>
#include <vector>

#include <asio.hpp>

#include "media_socket.hpp"
#include "sala/client/audio_device.hpp"
#include "sala/client/engine.hpp"
#include "sala/client/jitter_buffer.hpp"
#include "sala/client/opus_codec.hpp"
#include "sala/client/receive_statistics.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class MediaSession {
public:
    using Clock = std::chrono::steady_clock;

    struct Hooks {
        std::function<void()> read_network;      // at every tick, first: hands waiting datagrams to on_datagram()
        std::function<void()> on_media_timeout;  // posted once when the peer has been silent too long
    };

    MediaSession(asio::io_context& io, MediaSocket& socket, asio::ip::udp::endpoint peer, const EngineOptions& options,
                 AudioPipes& pipes, Hooks hooks);
    ~MediaSession();
    MediaSession(const MediaSession&) = delete;
    MediaSession& operator=(const MediaSession&) = delete;

    // Stops the wake-up wait and the timers; safe to call twice.
    void stop();
    // A datagram that arrived on the media socket at `arrival`. Returns false if it was not ours (counted).
    bool on_datagram(std::span<const std::uint8_t> data, const asio::ip::udp::endpoint& from,
                     Clock::time_point arrival);
    // A datagram the socket could not even read whole.
    void count_foreign() { ++foreign_; }
    void set_muted(bool muted) { muted_ = muted; }
    // The engine's periodic timer: runs the media as the devices would if none has woken
    // it for a while (no device, or one that died), so RTCP and the media timeout go on.
    void backstop(Clock::time_point now);
    CallStatistics statistics() const;

private:
    void tick();
    void wait_for_wake();
    void send_frames();
    void play_frames(Clock::time_point now);
    void send_rtcp();
    void handle_rtp(std::span<const std::uint8_t> data, Clock::time_point now);
    void handle_rtcp(std::span<const std::uint8_t> data, Clock::time_point now);
    void update_rates(Clock::time_point now);
    void follow_remote_loss();

    asio::io_context& io_;
    MediaSocket& socket_;
    asio::ip::udp::endpoint peer_;
    const EngineOptions options_;
    AudioPipes& pipes_;
    Hooks hooks_;
    asio::posix::stream_descriptor wake_;  // the devices' WakeSignal
    Clock::time_point last_tick_;
    Clock::time_point next_rtcp_;
    Clock::time_point last_heard_;
    Clock::time_point rate_window_start_;
    bool stopped_ = false;
    bool muted_ = false;
    bool echo_ = false;
    int blocks_per_wake_ = 1;
    std::mt19937 random_;

    VoiceEncoder encoder_;
    JitterBuffer jitter_buffer_;
    ReceiveStatistics receive_stats_;
    std::vector<std::int16_t> frame_;
    std::vector<std::int16_t> echo_frame_;
    std::vector<std::uint8_t> packet_;

    std::uint32_t ssrc_;
    std::uint16_t sequence_;
    std::uint32_t timestamp_;
    bool first_packet_ = true;
    std::uint64_t packets_sent_ = 0;
    std::uint64_t octets_sent_ = 0;      // RTP payload octets (for SR)
    std::uint64_t wire_bytes_sent_ = 0;  // IP + UDP + RTP + payload
    std::uint64_t wire_bytes_received_ = 0;
    std::uint64_t window_sent_bytes_ = 0, window_received_bytes_ = 0;
    double send_kbps_ = 0.0, receive_kbps_ = 0.0;

    std::optional<std::uint32_t> peer_ssrc_;
    std::uint64_t foreign_ = 0;
    std::uint32_t last_sr_middle32_ = 0;  // LSR to echo back
    Clock::time_point last_sr_arrival_{};
    double rtt_ms_ = -1.0;
    double remote_loss_percent_ = -1.0;
    double expected_loss_ = 0.0;  // smoothed remote loss, %
    int fec_loss_percent_ = 0;    // what the encoder's FEC is sized for
};

}  // namespace sala::client
