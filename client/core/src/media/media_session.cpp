#include "media/media_session.hpp"

#include <unistd.h>
#include <algorithm>
#include <cmath>

#include "audio/gain.hpp"
#include "media/rtp/rtcp_packet.hpp"
#include "media/rtp/rtp_packet.hpp"

namespace sala::client {
namespace {
// The devices wake the engine once per frame; the backstop covers their absence.
constexpr auto kBackstop = std::chrono::milliseconds(200);
constexpr auto kLatePlayGuard = std::chrono::milliseconds(2);  // a late playout is queued this long before the request
constexpr std::size_t kIpUdpOverhead = 20 + 8;                 // IPv4 + UDP headers on the wire
constexpr double kSamplesPerMs = 48.0;                         // the pipes carry 48 kHz

// Playout pops one device block (10 ms) at a time whatever the packet length, so the
// playback ring holds what PlayoutDepth asks (one block for a sound card) and adds no more
// delay than the device needs. That block is buffering too: the jitter buffer's own floor is 10 ms, so audio waits at
// least 20 ms between arrival and the speaker (with 20 ms packets the buffer holds at least one packet, 20 ms, anyway).
JitterBufferConfig jitter_config() {
    JitterBufferConfig config;
    config.frame_ms = 5;
    config.min_delay_ms = 10;
    return config;
}
}  // namespace

MediaSession::MediaSession(asio::io_context& io, std::unique_ptr<MediaTransport> transport, const MediaOptions& options,
                           AudioPipes& pipes, std::function<void()> on_timeout)
    : io_(io),
      transport_(std::move(transport)),
      options_(options),
      pipes_(pipes),
      on_timeout_(std::move(on_timeout)),
      wake_(io, ::dup(pipes.wake.fd())),
      backstop_(io),
      late_play_(io),
      impairment_(options.impair),
      deliver_([this](std::span<const std::uint8_t> data, Clock::time_point arrival) { accept(data, arrival); }),
      random_(std::random_device{}()),
      playout_depth_(std::max(1, options.frame_ms / 10)),
      encoder_(options.frame_ms, options.bitrate_bps, options.complexity),
      jitter_buffer_(jitter_config()),
      capture_frame_(static_cast<std::size_t>(encoder_.frame_samples())),
      playout_frame_(static_cast<std::size_t>(jitter_buffer_.frame_samples())),
      packet_(1500) {
    ssrc_ = random_();
    sequence_ = static_cast<std::uint16_t>(random_());
    timestamp_ = random_();
    // Paced devices wake us once per frame; PlayoutDepth keeps that much queued for them.
    pipes_.paced.set_blocks_per_tick(std::max(1, options.frame_ms / 10));
    auto now = Clock::now();
    last_tick_ = now;
    next_rtcp_ = now + std::chrono::milliseconds(500);
    last_heard_ = now;
    rate_window_start_ = now;
    wait_for_wake();
    arm_backstop();
}

MediaSession::~MediaSession() { finish(); }

void MediaSession::finish() {
    halt();
    transport_.reset();
}

void MediaSession::halt() {
    stopped_ = true;
    asio::error_code ignored;
    wake_.close(ignored);
    backstop_.cancel();
    late_play_.cancel();
}

// A completion queued before finish() may still run after the session is gone: the handlers
// hold the session's life token, not just `this`.
void MediaSession::wait_for_wake() {
    wake_.async_wait(asio::posix::stream_descriptor::wait_read,
                     [this, alive = std::weak_ptr<int>(life_)](asio::error_code ec) {
                         if (ec || alive.expired() || stopped_) return;
                         std::uint64_t count = 0;
                         asio::error_code ignored;
                         wake_.read_some(asio::buffer(&count, sizeof count), ignored);
                         tick();
                         wait_for_wake();
                     });
}

// Without a device that wakes us (none, or one that died) the media still runs at this pace,
// so RTCP and the media timeout go on.
void MediaSession::arm_backstop() {
    backstop_.expires_after(kBackstop);
    backstop_.async_wait([this, alive = std::weak_ptr<int>(life_)](asio::error_code ec) {
        if (ec || alive.expired() || stopped_) return;
        if (Clock::now() - last_tick_ >= kBackstop) tick();
        if (!stopped_) arm_backstop();
    });
}

void MediaSession::tick() {
    if (stopped_) return;
    receive();
    // After the drain: no datagram read in this tick arrived later than the playout clock says.
    const auto now = Clock::now();
    last_tick_ = now;
    play_when_due(now);
    send_frames();
    window_capture_samples_ += pipes_.capture.size() + pipes_.voice.held();
    window_playback_samples_ += pipes_.playback.size();
    ++window_ticks_;
    if (now >= next_rtcp_) {
        send_rtcp();
        // RFC 3550 randomizes the interval (0.5..1.5 of nominal) to avoid synchronization.
        next_rtcp_ = now + std::chrono::milliseconds(500 + static_cast<int>(random_() % 1000));
    }
    update_rates(now);
    if (now - last_heard_ > options_.timeout) {
        halt();
        // Only for this session: if the call has ended meanwhile, the timeout is moot.
        asio::post(io_, [alive = std::weak_ptr<int>(life_), on_timeout = on_timeout_] {
            if (!alive.expired()) on_timeout();
        });
    }
}

void MediaSession::receive() {
    transport_->drain([this](const MediaTransport::Datagram& d) {
        if (d.foreign)
            reject();
        else
            impairment_.pass(d.data, d.arrival, deliver_);
    });
    impairment_.release(Clock::now(), deliver_);
}

void MediaSession::accept(std::span<const std::uint8_t> data, Clock::time_point arrival) {
    if (srtp_) {
        auto plain = srtp_->unprotect(data);
        if (!plain) return void(++rejected_);
        data = *plain;
    }
    if (looks_like_rtcp(data))
        accept_rtcp(data, arrival);
    else
        accept_rtp(data, arrival);
}

// A sound card plays the block queued for it at its next request, whether it was queued at
// this tick or a little later. So when the packet that block needs has not come yet, the
// playout waits for it until just before that request (kLatePlayGuard), then drains the socket
// and plays. The jitter buffer is given that time at every tick, waited or not, so its delay
// counts the wait it can rely on: on the device tests the peer's packets come 0.6 ms after our
// speaker's request, and were played a request (5 ms) after they came.
void MediaSession::play_when_due(Clock::time_point now) {
    if (late_play_pending_) return;
    const std::uint32_t block = pipes_.output_block_samples.load(std::memory_order_relaxed);
    const std::int64_t taken_ns = pipes_.output_taken_ns.load(std::memory_order_relaxed);
    if (block == 0 || taken_ns == 0) return play(now);
    const auto block_time = std::chrono::microseconds(std::lround(block * 1000.0 / kSamplesPerMs));
    const Clock::time_point request = Clock::time_point(std::chrono::nanoseconds(taken_ns)) + block_time;
    const Clock::time_point due = std::max(now, request - kLatePlayGuard);
    if (due == now || pipes_.playback.size() >= playout_depth_.target(block) || !jitter_buffer_.awaits_packet())
        return play(due);
    late_play_pending_ = true;
    late_play_.expires_at(due);
    late_play_.async_wait([this, alive = std::weak_ptr<int>(life_), due](asio::error_code ec) {
        if (ec || alive.expired() || stopped_) return;
        late_play_pending_ = false;
        receive();
        play(due);
    });
}

void MediaSession::play(Clock::time_point now) {
    // Keep what the device takes until our next wake-up queued: enough to never starve,
    // little enough to add no delay.
    playout_depth_.observe(now, pipes_.playback_underruns.load(std::memory_order_relaxed),
                           pipes_.capture_overruns.load(std::memory_order_relaxed));
    const std::size_t depth = playout_depth_.target(pipes_.output_block_samples.load(std::memory_order_relaxed));
    while (pipes_.playback.size() < depth) {
        const FrameKind kind = jitter_buffer_.pop(playout_frame_.data(), now);
        if (!first_audio_marked_ && (kind == FrameKind::decoded || kind == FrameKind::fec)) {
            pipes_.first_audio_mark.store(pipes_.playback.pushed() + 1, std::memory_order_release);
            first_audio_marked_ = true;
        }
        apply_gain(playout_frame_.data(), playout_frame_.size(), speaker_gain_);
        pipes_.playback.push(playout_frame_.data(), playout_frame_.size());
        if (options_.echo) pipes_.capture.push(playout_frame_.data(), playout_frame_.size());
    }
}

void MediaSession::send_frames() {
    const std::size_t n = capture_frame_.size();
    SpscRing<std::int16_t>& captured = pipes_.voice.pass(pipes_);  // the microphone, processed when on
    while (captured.size() >= n) {
        captured.pop(capture_frame_.data(), n);
        apply_gain(capture_frame_.data(), n, muted_ ? 0.0f : microphone_gain_);
        std::uint8_t payload[1275];
        std::size_t size = encoder_.encode(capture_frame_.data(), payload);
        if (size > 0) {
            RtpHeader header;
            header.marker = first_packet_;
            header.sequence = sequence_;
            header.timestamp = timestamp_;
            header.ssrc = ssrc_;
            std::size_t bytes = write_rtp(header, std::span<const std::uint8_t>(payload, size), packet_);
            send(std::span<const std::uint8_t>(packet_.data(), bytes));
            first_packet_ = false;
            ++packets_sent_;
            octets_sent_ += size;
        }
        ++sequence_;
        timestamp_ += static_cast<std::uint32_t>(n);
    }
}

void MediaSession::send(std::span<const std::uint8_t> packet) {
    if (srtp_ && (packet = srtp_->protect(packet)).empty()) return;
    transport_->send(packet);
    window_sent_bytes_ += packet.size() + kIpUdpOverhead;
}

void MediaSession::accept_rtp(std::span<const std::uint8_t> data, Clock::time_point arrival) {
    auto rtp = parse_rtp(data);
    if (!rtp || rtp->header.payload_type != kOpusPayloadType || rtp->payload.empty() ||
        VoiceDecoder::packet_samples(rtp->payload) <= 0)
        return reject();
    // The first valid packet from the peer's address names its SSRC; others are foreign.
    if (!peer_ssrc_) peer_ssrc_ = rtp->header.ssrc;
    if (rtp->header.ssrc != *peer_ssrc_) return reject();
    last_heard_ = arrival;
    window_received_bytes_ += data.size() + kIpUdpOverhead;
    receive_stats_.on_packet(rtp->header.sequence, rtp->header.timestamp, arrival);
    jitter_buffer_.push(rtp->header.sequence, rtp->header.timestamp, rtp->payload, arrival);
}

void MediaSession::accept_rtcp(std::span<const std::uint8_t> data, Clock::time_point arrival) {
    auto report = parse_rtcp(data);
    if (!report || (peer_ssrc_ && report->sender_ssrc != *peer_ssrc_)) return reject();
    last_heard_ = arrival;
    if (report->sender) {
        last_sr_middle32_ = ntp_middle32(report->sender->ntp);
        last_sr_arrival_ = arrival;
    }
    for (const auto& block : report->blocks) {
        if (block.ssrc != ssrc_) continue;
        remote_loss_percent_ = block.fraction_lost * 100.0 / 256.0;
        follow_remote_loss();
        if (block.lsr != 0) {
            // The report may have waited in the socket until this tick: measure to its arrival.
            const double waited_s = std::chrono::duration<double>(Clock::now() - arrival).count();
            const auto arrived = ntp_middle32(ntp_now()) - static_cast<std::uint32_t>(waited_s * 65536.0);
            double rtt = rtt_ms(arrived, block.lsr, block.dlsr);
            if (rtt >= 0) rtt_ms_ = rtt;
        }
    }
}

// The FEC is sized for the loss the peer reports: up at once, down slowly (a fifth less per
// report, so about 10 s from 10 % to none), as a loss burst tends to come back.
void MediaSession::follow_remote_loss() {
    expected_loss_ = std::max(remote_loss_percent_, expected_loss_ * 0.8);
    const int percent = std::clamp(static_cast<int>(std::ceil(expected_loss_)), 0, 30);
    if (percent == fec_loss_percent_) return;
    fec_loss_percent_ = percent;
    encoder_.set_expected_loss(percent);
}

void MediaSession::send_rtcp() {
    std::optional<ReportBlock> block;
    if (peer_ssrc_) {
        std::uint32_t dlsr = 0;
        if (last_sr_middle32_ != 0) {
            auto since = std::chrono::duration<double>(Clock::now() - last_sr_arrival_).count();
            dlsr = static_cast<std::uint32_t>(since * 65536.0);
        }
        block = receive_stats_.make_report_block(*peer_ssrc_, last_sr_middle32_, dlsr);
    }
    std::uint8_t buffer[256];
    std::size_t size = 0;
    if (packets_sent_ > 0) {
        SenderInfo info;
        info.ntp = ntp_now();
        info.rtp_timestamp = timestamp_;
        info.packet_count = static_cast<std::uint32_t>(packets_sent_);
        info.octet_count = static_cast<std::uint32_t>(octets_sent_);
        size = write_sender_report(ssrc_, info, block, buffer, "sala");
    } else {
        size = write_receiver_report(ssrc_, block, buffer, "sala");
    }
    if (size == 0) return;
    send(std::span<const std::uint8_t>(buffer, size));
}

void MediaSession::update_rates(Clock::time_point now) {
    auto elapsed = std::chrono::duration<double>(now - rate_window_start_).count();
    // Half-second windows: the once-a-second statistics never print the same window twice.
    if (elapsed < 0.5) return;
    send_kbps_ = window_sent_bytes_ * 8.0 / 1000.0 / elapsed;
    receive_kbps_ = window_received_bytes_ * 8.0 / 1000.0 / elapsed;
    window_sent_bytes_ = window_received_bytes_ = 0;
    rate_window_start_ = now;
    if (window_ticks_ == 0) return;
    const double per_ms = static_cast<double>(window_ticks_) * kSamplesPerMs;
    capture_ring_ms_ = static_cast<double>(window_capture_samples_) / per_ms;
    playback_ring_ms_ = static_cast<double>(window_playback_samples_) / per_ms;
    window_capture_samples_ = window_playback_samples_ = window_ticks_ = 0;
}

std::optional<MediaSession::Clock::time_point> MediaSession::take_first_audio() {
    const std::int64_t played = pipes_.first_audio_played_ns.load(std::memory_order_acquire);
    if (played == 0 || first_audio_told_) return std::nullopt;
    first_audio_told_ = true;
    return Clock::time_point(Clock::duration(played));
}

CallStatistics MediaSession::statistics() const {
    CallStatistics s;
    auto jb = jitter_buffer_.stats();
    s.frame_ms = options_.frame_ms;
    s.packets_sent = packets_sent_;
    s.packets_received = receive_stats_.packets_received();
    s.packets_lost = static_cast<std::uint64_t>(std::max<std::int64_t>(0, receive_stats_.packets_lost()));
    s.loss_percent = receive_stats_.loss_fraction() * 100.0;
    s.jitter_ms = receive_stats_.jitter_ms();
    s.jitter_buffer_ms = jb.current_delay_ms;
    s.jitter_target_ms = jb.target_delay_ms;
    s.send_kbps = send_kbps_;
    s.receive_kbps = receive_kbps_;
    s.rtt_ms = rtt_ms_;
    s.concealed_frames = jb.concealed;
    s.fec_recovered_frames = jb.fec_recovered;
    s.late_packets = jb.late;
    s.duplicate_packets = jb.duplicate;
    s.foreign_packets = foreign_;
    s.rejected_packets = rejected_;
    s.capture_overruns = pipes_.capture_overruns.load(std::memory_order_relaxed);
    s.playback_underruns = pipes_.playback_underruns.load(std::memory_order_relaxed);
    s.capture_overruns_per_minute = playout_depth_.overruns_per_minute();
    s.playback_underruns_per_minute = playout_depth_.underruns_per_minute();
    s.playback_margin_ms = playout_depth_.margin_ms();
    s.remote_loss_percent = remote_loss_percent_;
    // Our side of the mouth-to-ear delay: the sound server's part (when it reports one) and
    // the ring between the device callback and the engine.
    auto device_ms = [](const std::atomic<std::int64_t>& us) {
        const std::int64_t v = us.load(std::memory_order_relaxed);
        return v < 0 ? 0.0 : static_cast<double>(v) / 1000.0;
    };
    s.input_latency_ms = capture_ring_ms_ + device_ms(pipes_.input_device_latency_us);
    s.output_latency_ms = playback_ring_ms_ + device_ms(pipes_.output_device_latency_us);
    s.voice = pipes_.voice.settings();
    s.echo_delay_ms = pipes_.voice.echo_delay_ms();
    return s;
}

}  // namespace sala::client
