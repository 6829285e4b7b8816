#pragma once
// Adaptive jitter buffer: reorders the peer's Opus packets and plays one frame per call at a
// delay that follows the measured jitter, with FEC recovery and packet-loss concealment.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/opus_codec.hpp"
#include "media/transit_spread.hpp"

namespace sala::client {

// Sizes and delay bounds of a JitterBuffer.
struct JitterBufferConfig {
    int frame_ms = 20;  // what pop() produces; a multiple of 2.5 ms up to 120
    int min_delay_ms = 20;
    int max_delay_ms = 200;
    std::size_t max_packets = 64;  // storage, preallocated; also the reordering window
};

// What one pop() produced.
enum class FrameKind { decoded, fec, concealed, silence /*nothing received yet or buffer idle*/ };

// Counters and delays of a JitterBuffer since construction or reset().
struct JitterBufferStats {
    std::uint64_t received = 0;       // every push()
    std::uint64_t late = 0;           // arrived after its playout time, dropped
    std::uint64_t duplicate = 0;      // same sequence number twice, dropped
    std::uint64_t lost = 0;           // sequence numbers played without their own packet
    std::uint64_t concealed = 0;      // PLC units (lost packets and inserted frames)
    std::uint64_t fec_recovered = 0;  // lost packets recovered from the next packet's FEC
    std::uint64_t decoded = 0;        // packets decoded and played
    int target_delay_ms = 0;
    int current_delay_ms = 0;     // 0 while not playing
    std::uint64_t dropped = 0;    // empty, oversized, or far outside the window
    std::uint64_t stretched = 0;  // concealed units inserted to raise the delay
    std::uint64_t shrunk = 0;     // units dropped or skipped to lower the delay
    std::uint64_t restarts = 0;   // sequence or timestamp jumps that restarted the stream
};

// Packets in by sequence number, exactly one frame of 48 kHz mono PCM out per pop().
class JitterBuffer {
public:
    explicit JitterBuffer(JitterBufferConfig config = {});

    // Called when an RTP packet of the peer arrives (already accepted by address and SSRC).
    void push(std::uint16_t sequence, std::uint32_t timestamp, std::span<const std::uint8_t> payload,
              std::chrono::steady_clock::time_point arrival);
    // Called once per frame period by the playout side: writes frame_samples() samples into out.
    FrameKind pop(std::int16_t* out, std::chrono::steady_clock::time_point now);

    // Whether the next pop() starts on a packet that has not come (yet).
    bool awaits_packet() const;
    JitterBufferStats stats() const;
    int frame_samples() const { return frame_samples_; }
    // Forgets everything, statistics included, as for a new call.
    void reset();
    // Starts again from the next packet at the target delay, as for a new stream (the counters
    // stay): after the playout stalled, for a device reopened mid-call, whose stall would
    // otherwise stay in the delay, and in the loss and spread estimates, for many seconds.
    void resync() { restart_stream(); }

private:
    static constexpr std::size_t kMaxPayload = 1500;

    enum class SlotState : std::uint8_t { empty, stored, played };
    struct Slot {
        std::int64_t seq = 0;
        std::int64_t ts = 0;
        int samples = 0;
        std::uint16_t size = 0;
        SlotState state = SlotState::empty;
    };

    std::size_t slot_index(std::int64_t seq) const;
    Slot& slot(std::int64_t seq);
    bool holds(std::int64_t seq) const;  // the packet is stored, not yet played
    Slot* stored(std::int64_t seq);
    std::span<const std::uint8_t> payload_of(std::int64_t seq) const;
    void restart_stream();
    void begin_stream(std::uint16_t sequence, std::uint32_t timestamp);
    void update_target();
    double delay_ms(double now_ms, std::int64_t ts) const;
    double packet_ms() const;
    bool try_start(double now_ms);
    FrameKind produce(double now_ms);
    FrameKind conceal_unit(int samples);
    void advance(std::int64_t next_ts, bool lost);
    bool may_shrink(double now_ms, double delay, double unit_ms);
    void go_idle();
    void confirm_losses();

    JitterBufferConfig config_;
    int frame_samples_;
    VoiceDecoder decoder_;
    JitterBufferStats stats_;

    std::vector<Slot> slots_;
    std::vector<std::uint8_t> payloads_;
    std::vector<std::int16_t> pcm_;  // decoded samples not yet popped
    std::size_t pcm_size_ = 0;
    FrameKind pcm_kind_ = FrameKind::decoded;

    TransitSpread transit_;  // how early packets can come, and how they scatter
    double target_ms_ = 0.0;
    double loss_average_ = 0.0;

    // Where playout stands; changed by begin_stream(), try_start(), go_idle() and reset().
    enum class Phase {
        no_stream,   // nothing received since the start or the last restart
        first_fill,  // a packet set the sequence and timestamp origin; waiting to start
        playing,     // next_seq_ is the playout point (older packets are late)
        idle,        // ran dry after playing; next_seq_ still the playout point
    };
    bool played() const { return phase_ == Phase::playing || phase_ == Phase::idle; }
    Phase phase_ = Phase::no_stream;
    std::int64_t newest_seq_ = 0;
    std::int64_t newest_ts_ = 0;
    std::int64_t lowest_seq_ = 0;  // oldest stored while never played
    std::int64_t next_seq_ = 0;
    std::int64_t next_ts_ = 0;
    int packet_samples_ = 0;
    bool have_resync_ = false;
    std::uint16_t resync_seq_ = 0;
    std::uint32_t resync_ts_ = 0;
    int concealed_run_ = 0;              // samples concealed in a row
    std::int64_t unconfirmed_lost_ = 0;  // skipped in an underrun, before any newer arrival
    double last_arrival_ms_ = -1e18;
    double last_shrink_ms_ = -1e18;
    double shrink_due_since_ms_ = -1.0;
};

}  // namespace sala::client
