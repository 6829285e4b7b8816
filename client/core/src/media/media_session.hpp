#pragma once
// The media of one call: Opus over RTP to the peer's address, RTCP reports, the jitter buffer
// and playout into the output pipe. Runs on the engine thread, woken once per audio frame by
// the devices; the audio side only sees rings. One tick reads in order: drain the socket,
// impair, filter and depacketize, jitter buffer, decode and play; then capture, encode, send.
// When the block a sound card will take next needs a packet that has not come, the play waits
// for it until just before that request (play_when_due).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include <asio.hpp>

#include "audio/audio_pipes.hpp"
#include "media/jitter_buffer.hpp"
#include "media/media_transport.hpp"
#include "media/opus_codec.hpp"
#include "media/playout_depth.hpp"
#include "media/receive_impairment.hpp"
#include "media/rtp/receive_statistics.hpp"
#include "media/srtp/srtp_session.hpp"
#include "sala/client/media_options.hpp"
#include "sala/client/snapshot.hpp"

namespace sala::client {

class MediaSession {
public:
    using Clock = std::chrono::steady_clock;

    // Takes the call's transport. on_timeout is posted once when nothing has come from the peer
    // for options.timeout.
    MediaSession(asio::io_context& io, std::unique_ptr<MediaTransport> transport, const MediaOptions& options,
                 AudioPipes& pipes, std::function<void()> on_timeout);
    ~MediaSession();
    MediaSession(const MediaSession&) = delete;
    MediaSession& operator=(const MediaSession&) = delete;

    // Stops the session: no more ticks, nothing sent; the transport is let go.
    void finish();
    void set_muted(bool muted) { muted_ = muted; }
    // The devices were opened again mid-call: the playout starts again at its target delay.
    void resync_playout() { jitter_buffer_.resync(); }
    // What is sent and what is played, scaled (sala/client/command.hpp, VolumeCommand).
    void set_volume(float microphone, float speaker) { microphone_gain_ = microphone, speaker_gain_ = speaker; }
    // End-to-end encryption: from now on every packet is protected, and only authenticated
    // ones are accepted (the rest are counted in rejected_packets).
    void protect_with(std::unique_ptr<SrtpSession> srtp) { srtp_ = std::move(srtp); }
    CallStatistics statistics() const;
    // When something last came from the peer (the start of the call until then).
    Clock::time_point last_heard() const { return last_heard_; }
    // When the output device took the first frame decoded from the peer's packets: once, the first
    // time it is asked after that happened; nullopt before and after.
    std::optional<Clock::time_point> take_first_audio();

private:
    void halt();
    void wait_for_wake();
    void arm_backstop();
    void tick();
    void receive();
    void accept(std::span<const std::uint8_t> data, Clock::time_point arrival);
    void reject() { ++foreign_; }
    void accept_rtp(std::span<const std::uint8_t> data, Clock::time_point arrival);
    void accept_rtcp(std::span<const std::uint8_t> data, Clock::time_point arrival);
    void play_when_due(Clock::time_point now);
    void play(Clock::time_point now);
    void send_frames();
    void send(std::span<const std::uint8_t> packet);
    void send_rtcp();
    void update_rates(Clock::time_point now);
    void follow_remote_loss();

    asio::io_context& io_;
    std::unique_ptr<MediaTransport> transport_;
    const MediaOptions options_;
    AudioPipes& pipes_;
    std::function<void()> on_timeout_;
    asio::posix::stream_descriptor wake_;  // the devices' WakeSignal
    asio::steady_timer backstop_;          // ticks when no device has woken us for a while
    asio::steady_timer late_play_;         // a tick's playout, waiting for the packet it needs
    bool late_play_pending_ = false;
    ReceiveImpairment impairment_;
    const ReceiveImpairment::Deliver deliver_;  // accept(), bound once
    Clock::time_point last_tick_;
    Clock::time_point next_rtcp_;
    Clock::time_point last_heard_;
    Clock::time_point rate_window_start_;
    std::shared_ptr<int> life_ = std::make_shared<int>(0);  // expires with the session
    bool stopped_ = false;
    bool muted_ = false;
    float microphone_gain_ = 1.0f, speaker_gain_ = 1.0f;
    std::mt19937 random_;
    PlayoutDepth playout_depth_;  // what the playback ring holds; device underruns and overruns

    VoiceEncoder encoder_;
    JitterBuffer jitter_buffer_;
    ReceiveStatistics receive_stats_;          // of the peer's stream: loss, jitter, report blocks
    std::vector<std::int16_t> capture_frame_;  // one encoder frame of the microphone
    std::vector<std::int16_t> playout_frame_;  // one device block of what the peer said
    std::vector<std::uint8_t> packet_;

    std::uint32_t ssrc_;
    std::uint16_t sequence_;
    std::uint32_t timestamp_;
    bool first_packet_ = true;
    bool first_audio_marked_ = false;  // the first decoded frame's place is in pipes_.first_audio_mark
    bool first_audio_told_ = false;
    std::uint64_t packets_sent_ = 0;
    std::uint64_t octets_sent_ = 0;                                    // RTP payload octets (for SR)
    std::uint64_t window_sent_bytes_ = 0, window_received_bytes_ = 0;  // IP + UDP + RTP + payload
    double send_kbps_ = 0.0, receive_kbps_ = 0.0;
    // What the rings hold between wake-ups (samples, summed at each tick's end), and their mean
    // over the last rate window in ms: the delay they add (Little's law).
    std::uint64_t window_capture_samples_ = 0, window_playback_samples_ = 0, window_ticks_ = 0;
    double capture_ring_ms_ = 0.0, playback_ring_ms_ = 0.0;

    std::optional<std::uint32_t> peer_ssrc_;
    std::uint64_t foreign_ = 0;           // every datagram rejected: truncated, wrong address or SSRC, not RTP/RTCP
    std::unique_ptr<SrtpSession> srtp_;   // the call's keys; none for an unencrypted call
    std::uint64_t rejected_ = 0;          // failed SRTP authentication or the replay check
    std::uint32_t last_sr_middle32_ = 0;  // LSR to echo back
    Clock::time_point last_sr_arrival_{};
    double rtt_ms_ = -1.0;
    double remote_loss_percent_ = -1.0;
    double expected_loss_ = 0.0;  // smoothed remote loss, %
    int fec_loss_percent_ = 0;    // what the encoder's FEC is sized for
};

}  // namespace sala::client
