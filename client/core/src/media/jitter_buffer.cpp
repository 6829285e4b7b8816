#include "media/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace sala::client {
namespace {

constexpr double kSamplesPerMs = kVoiceSampleRate / 1000.0;
constexpr double kTargetFallPerSecondMs = 20.0;  // the target rises at once, falls this fast
constexpr double kLossAverageWeight = 0.01;      // per packet slot: ~2 s at 20 ms
constexpr double kLossyAverage = 0.02;           // above this, keep one packet of FEC lookahead
constexpr double kMinShrinkIntervalMs = 250.0;
constexpr int kConcealStep = 120;                             // Opus conceals in multiples of 2.5 ms
constexpr double kShrinkPatienceMs = 1000.0;                  // then drop a frame even if it is not quiet
constexpr double kQuietMeanAbs = 150.0;                       // about -47 dBFS
constexpr int kMaxConcealedRunMs = 100;                       // then silence instead of PLC
constexpr std::int64_t kMaxTimestampJump = kVoiceSampleRate;  // 1 s off the expected: restart

double ms_of(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

std::int64_t extend16(std::int64_t reference, std::uint16_t value) {
    return reference +
           static_cast<std::int16_t>(static_cast<std::uint16_t>(value - static_cast<std::uint16_t>(reference)));
}

std::int64_t extend32(std::int64_t reference, std::uint32_t value) {
    return reference + static_cast<std::int32_t>(value - static_cast<std::uint32_t>(reference));
}

bool valid_opus_duration(std::int64_t samples) {
    return samples > 0 && samples <= kMaxVoicePacketSamples && samples % 120 == 0;
}

}  // namespace

JitterBuffer::JitterBuffer(JitterBufferConfig config)
    : config_(config), frame_samples_(config.frame_ms * kVoiceSampleRate / 1000) {
    if (config.frame_ms <= 0 || config.frame_ms > 120 || frame_samples_ % 120 != 0)
        throw std::invalid_argument("jitter buffer frame must be a multiple of 2.5 ms up to 120 ms");
    if (config.min_delay_ms < 0 || config.max_delay_ms < config.min_delay_ms)
        throw std::invalid_argument("jitter buffer delays must satisfy 0 <= min <= max");
    if (config.max_packets < 2) throw std::invalid_argument("jitter buffer needs at least 2 packets");
    slots_.resize(config.max_packets);
    payloads_.resize(config.max_packets * kMaxPayload);
    pcm_.resize(static_cast<std::size_t>(frame_samples_ + 2 * kMaxVoicePacketSamples));
    reset();
}

void JitterBuffer::reset() {
    stats_ = {};
    restart_stream();
    stats_.restarts = 0;
}

void JitterBuffer::restart_stream() {
    for (Slot& s : slots_) s = Slot{};
    pcm_size_ = 0;
    pcm_kind_ = FrameKind::decoded;
    transit_.reset();
    loss_average_ = 0.0;
    phase_ = Phase::no_stream;
    have_resync_ = false;
    packet_samples_ = frame_samples_;
    concealed_run_ = 0;
    unconfirmed_lost_ = 0;
    last_shrink_ms_ = -1e18;
    last_arrival_ms_ = -1e18;
    shrink_due_since_ms_ = -1.0;
    target_ms_ = 0.0;
    update_target();
    decoder_.reset();
    ++stats_.restarts;
}

void JitterBuffer::begin_stream(std::uint16_t sequence, std::uint32_t timestamp) {
    phase_ = Phase::first_fill;
    newest_seq_ = lowest_seq_ = next_seq_ = sequence;
    newest_ts_ = next_ts_ = timestamp;
}

std::size_t JitterBuffer::slot_index(std::int64_t seq) const {
    const auto n = static_cast<std::int64_t>(slots_.size());
    return static_cast<std::size_t>(((seq % n) + n) % n);
}

JitterBuffer::Slot& JitterBuffer::slot(std::int64_t seq) { return slots_[slot_index(seq)]; }

bool JitterBuffer::holds(std::int64_t seq) const {
    const Slot& s = slots_[slot_index(seq)];
    return s.state == SlotState::stored && s.seq == seq;
}

JitterBuffer::Slot* JitterBuffer::stored(std::int64_t seq) { return holds(seq) ? &slot(seq) : nullptr; }

std::span<const std::uint8_t> JitterBuffer::payload_of(std::int64_t seq) const {
    const std::size_t index = slot_index(seq);
    return {payloads_.data() + index * kMaxPayload, slots_[index].size};
}

double JitterBuffer::packet_ms() const { return packet_samples_ / kSamplesPerMs; }

void JitterBuffer::push(std::uint16_t sequence, std::uint32_t timestamp, std::span<const std::uint8_t> payload,
                        std::chrono::steady_clock::time_point arrival) {
    ++stats_.received;
    if (payload.empty() || payload.size() > kMaxPayload) {
        ++stats_.dropped;
        return;
    }
    const double now_ms = ms_of(arrival);
    last_arrival_ms_ = now_ms;
    if (phase_ == Phase::no_stream) begin_stream(sequence, timestamp);

    std::int64_t seq = extend16(newest_seq_, sequence);
    std::int64_t ts = extend32(newest_ts_, timestamp);
    const auto window = static_cast<std::int64_t>(slots_.size());

    const bool far_behind = (played() ? next_seq_ : newest_seq_) - seq > window;
    if (played() && seq < next_seq_ && !far_behind) {
        const Slot& s = slot(seq);
        if (s.seq == seq && s.state != SlotState::empty) {
            ++stats_.duplicate;
        } else {
            ++stats_.late;
            confirm_losses();
            transit_.record(now_ms, static_cast<double>(ts) / kSamplesPerMs);
        }
        return;
    }
    if (!played() && !far_behind && newest_seq_ - seq >= window) {
        ++stats_.late;
        return;
    }
    const std::int64_t low = played() ? next_seq_ : std::min(lowest_seq_, seq);
    const std::int64_t expected_ts = newest_ts_ + (seq - newest_seq_) * static_cast<std::int64_t>(packet_samples_);
    const bool timestamp_jump = std::llabs(ts - expected_ts) > kMaxTimestampJump;
    if (far_behind || seq - low >= window || timestamp_jump) {
        // Far outside the window: a new stream only if the next packet confirms it, in sequence
        // and timestamp (RFC 3550 A.1 does the same), so stray packets cannot flush the buffer.
        if (have_resync_ && sequence == resync_seq_ &&
            valid_opus_duration(static_cast<std::uint32_t>(timestamp - resync_ts_))) {
            restart_stream();
            begin_stream(sequence, timestamp);
            seq = newest_seq_;
            ts = newest_ts_;
        } else {
            have_resync_ = true;
            resync_seq_ = static_cast<std::uint16_t>(sequence + 1);
            resync_ts_ = timestamp;
            ++stats_.dropped;
            return;
        }
    }
    have_resync_ = false;

    Slot& s = slot(seq);
    if (s.seq == seq && s.state != SlotState::empty) {
        ++stats_.duplicate;
        return;
    }
    const int samples = VoiceDecoder::packet_samples(payload);
    if (samples > 0) packet_samples_ = samples;
    s.seq = seq;
    s.ts = ts;
    s.samples = samples > 0 ? samples : packet_samples_;
    s.size = static_cast<std::uint16_t>(payload.size());
    s.state = SlotState::stored;
    std::copy(
        payload.begin(), payload.end(),
        payloads_.begin() + static_cast<std::ptrdiff_t>(&s - slots_.data()) * static_cast<std::ptrdiff_t>(kMaxPayload));
    if (seq > newest_seq_) {
        newest_seq_ = seq;
        newest_ts_ = ts;
    }
    if (!played()) lowest_seq_ = std::min(lowest_seq_, seq);
    confirm_losses();
    transit_.record(now_ms, static_cast<double>(ts) / kSamplesPerMs);
}

void JitterBuffer::confirm_losses() {
    stats_.lost += static_cast<std::uint64_t>(unconfirmed_lost_);
    unconfirmed_lost_ = 0;
}

void JitterBuffer::update_target() {
    double need = std::max<double>(config_.frame_ms, packet_ms()) + transit_.spread_ms();
    if (loss_average_ > kLossyAverage) need += packet_ms();  // lets FEC find the next packet
    need = std::clamp<double>(need, config_.min_delay_ms, config_.max_delay_ms);
    const double fall = kTargetFallPerSecondMs * config_.frame_ms / 1000.0;
    target_ms_ = need >= target_ms_ ? need : std::max(need, target_ms_ - fall);
}

// How long after its earliest possible arrival the packet starting at `ts` will be played, if
// it is the next one decoded, plus one packet: the audio buffered when packets come as fast as
// they ever do.
double JitterBuffer::delay_ms(double now_ms, std::int64_t ts) const {
    return now_ms + static_cast<double>(pcm_size_) / kSamplesPerMs - static_cast<double>(ts) / kSamplesPerMs -
           transit_.min_ms() + packet_ms();
}

bool JitterBuffer::try_start(double now_ms) {
    if (phase_ == Phase::no_stream) return false;
    const std::int64_t first = played() ? next_seq_ : lowest_seq_;
    const Slot* start = nullptr;
    const Slot* last = nullptr;
    for (std::int64_t seq = first; seq <= newest_seq_; ++seq) {
        const Slot* s = stored(seq);
        if (!s) continue;
        last = s;
        const double delay = delay_ms(now_ms, s->ts);
        if (delay > config_.max_delay_ms) continue;  // too old to start with
        if (delay < target_ms_) break;
        start = s;  // late enough to play; a later one may be too, keeping the delay near target
    }
    if (!start && last && delay_ms(now_ms, last->ts) > config_.max_delay_ms) start = last;
    if (!start) return false;
    next_seq_ = start->seq;
    next_ts_ = start->ts;
    for (std::int64_t seq = first; seq < next_seq_; ++seq)
        if (Slot* s = stored(seq)) s->state = SlotState::empty;
    phase_ = Phase::playing;
    concealed_run_ = 0;
    return true;
}

FrameKind JitterBuffer::pop(std::int16_t* out, std::chrono::steady_clock::time_point now) {
    const double now_ms = ms_of(now);
    update_target();
    stats_.current_delay_ms = 0;
    if (phase_ != Phase::playing && !try_start(now_ms)) {
        std::fill(out, out + frame_samples_, std::int16_t{0});
        return FrameKind::silence;
    }
    FrameKind kind = pcm_size_ > 0 ? pcm_kind_ : FrameKind::decoded;
    while (phase_ == Phase::playing && pcm_size_ < static_cast<std::size_t>(frame_samples_)) {
        pcm_kind_ = produce(now_ms);
        kind = std::max(kind, pcm_kind_);
    }
    if (phase_ == Phase::playing) stats_.current_delay_ms = static_cast<int>(std::lround(delay_ms(now_ms, next_ts_)));
    const std::size_t take = std::min<std::size_t>(pcm_size_, static_cast<std::size_t>(frame_samples_));
    std::copy_n(pcm_.begin(), take, out);
    std::fill(out + take, out + frame_samples_, std::int16_t{0});
    std::copy(pcm_.begin() + static_cast<std::ptrdiff_t>(take), pcm_.begin() + static_cast<std::ptrdiff_t>(pcm_size_),
              pcm_.begin());
    pcm_size_ -= take;
    if (phase_ != Phase::playing) {
        pcm_size_ = 0;
        return take == 0 ? FrameKind::silence : std::max(kind, FrameKind::concealed);
    }
    return kind;
}

// Appends one packet's worth of audio to pcm_ (or none, when a unit is dropped to shrink).
FrameKind JitterBuffer::produce(double now_ms) {
    const double delay = delay_ms(now_ms, next_ts_);
    const bool room_to_grow = delay + packet_ms() <= config_.max_delay_ms;
    std::int16_t* tail = pcm_.data() + pcm_size_;

    if (Slot* current = stored(next_seq_)) {
        if (delay < target_ms_ && room_to_grow) {
            // Raise the delay by what it lacks (in the concealer's 2.5 ms steps): play the packet later.
            ++stats_.stretched;
            const int lacking = static_cast<int>(std::ceil((target_ms_ - delay) * kSamplesPerMs / kConcealStep));
            return conceal_unit(std::min(packet_samples_, std::max(1, lacking) * kConcealStep));
        }
        const int samples = decoder_.decode(payload_of(next_seq_), tail, kMaxVoicePacketSamples);
        current->state = SlotState::played;
        if (samples == 0) {
            advance(current->ts + current->samples, false);
            return conceal_unit(current->samples);
        }
        ++stats_.decoded;
        advance(current->ts + samples, false);
        const bool next_there = stored(next_seq_) != nullptr;
        // What may go to lower the delay: the whole packet (when the next is here to follow it),
        // or, when less than a packet is in excess (after a device stall, say) or the next has
        // not come, whole playout units of it: otherwise an excess under one packet would stay
        // for the rest of the call; the delay left still covers the next packet's jitter. Never
        // less than a unit: that moves the packets' edges off the playout ticks, and the next
        // packet is then wanted a tick before it comes (tried: a device call's 31.4 ms became
        // 38.6).
        const double packet_ms = samples / kSamplesPerMs;
        const double excess_units = std::floor((delay - target_ms_) / config_.frame_ms);
        double shrink_ms =
            delay - packet_ms >= target_ms_ ? packet_ms : std::min(packet_ms, excess_units * config_.frame_ms);
        if (shrink_ms >= packet_ms && !next_there) shrink_ms = packet_ms - config_.frame_ms;
        if (shrink_ms >= config_.frame_ms && may_shrink(now_ms, delay, shrink_ms)) {
            long sum = 0;
            for (int i = 0; i < samples; ++i) sum += std::abs(tail[i]);
            if (sum < kQuietMeanAbs * samples || now_ms - shrink_due_since_ms_ >= kShrinkPatienceMs ||
                delay > config_.max_delay_ms) {
                ++stats_.shrunk;
                last_shrink_ms_ = now_ms;
                shrink_due_since_ms_ = -1.0;
                const auto dropped = static_cast<int>(std::lround(shrink_ms * kSamplesPerMs));
                if (dropped >= samples) return FrameKind::decoded;  // decoded for the decoder's history, not played
                std::copy(tail + dropped, tail + samples, tail);    // the packet's start goes
                pcm_size_ += static_cast<std::size_t>(samples - dropped);
                concealed_run_ = 0;
                return FrameKind::decoded;
            }
        } else if (next_there && shrink_ms < config_.frame_ms) {
            may_shrink(now_ms, delay, packet_ms);  // nothing in excess: the patience clock stops
        }
        pcm_size_ += static_cast<std::size_t>(samples);
        concealed_run_ = 0;
        return FrameKind::decoded;
    }

    if (newest_seq_ > next_seq_) {  // this packet is lost (or will be late): something newer is here
        ++stats_.lost;
        const Slot* following = stored(next_seq_ + 1);
        int samples = packet_samples_;
        if (following && valid_opus_duration(following->ts - next_ts_))
            samples = static_cast<int>(following->ts - next_ts_);
        if (following) {
            const int recovered = decoder_.decode_fec(payload_of(next_seq_ + 1), tail, samples);
            advance(next_ts_ + samples, true);
            ++stats_.fec_recovered;
            pcm_size_ += static_cast<std::size_t>(recovered);
            concealed_run_ = 0;
            return FrameKind::fec;
        }
        if (may_shrink(now_ms, delay, samples / kSamplesPerMs)) {
            advance(next_ts_ + samples, true);  // skip the slot instead of concealing it
            ++stats_.shrunk;
            last_shrink_ms_ = now_ms;
            shrink_due_since_ms_ = -1.0;
            return FrameKind::concealed;
        }
        advance(next_ts_ + samples, true);
        return conceal_unit(samples);
    }

    // Underrun: wait for the packet (a playout unit at a time: a packet a little late costs
    // only the wait) while the delay allows, then give it up while packets still arrive, and
    // go idle when they have stopped.
    if (room_to_grow) return conceal_unit(std::min(frame_samples_, packet_samples_));
    if (now_ms - last_arrival_ms_ < config_.max_delay_ms) {
        ++unconfirmed_lost_;  // lost if the stream goes on; never sent if it has ended
        advance(next_ts_ + packet_samples_, true);
        return conceal_unit(packet_samples_);
    }
    go_idle();
    return FrameKind::silence;
}

FrameKind JitterBuffer::conceal_unit(int samples) {
    std::int16_t* tail = pcm_.data() + pcm_size_;
    ++stats_.concealed;
    FrameKind kind = FrameKind::concealed;
    int produced = 0;
    if (concealed_run_ < kMaxConcealedRunMs * kVoiceSampleRate / 1000) produced = decoder_.conceal(tail, samples);
    if (produced == 0) {
        std::fill(tail, tail + samples, std::int16_t{0});
        produced = samples;
        kind = FrameKind::silence;
    }
    concealed_run_ += produced;
    pcm_size_ += static_cast<std::size_t>(produced);
    return kind;
}

void JitterBuffer::advance(std::int64_t next_ts, bool lost) {
    ++next_seq_;
    next_ts_ = next_ts;
    loss_average_ += kLossAverageWeight * ((lost ? 1.0 : 0.0) - loss_average_);
}

bool JitterBuffer::may_shrink(double now_ms, double delay, double unit_ms) {
    if (delay - unit_ms < target_ms_) {
        shrink_due_since_ms_ = -1.0;
        return false;
    }
    if (shrink_due_since_ms_ < 0) shrink_due_since_ms_ = now_ms;
    return now_ms - last_shrink_ms_ >= kMinShrinkIntervalMs || delay > config_.max_delay_ms;
}

void JitterBuffer::go_idle() {
    next_seq_ -= unconfirmed_lost_;
    unconfirmed_lost_ = 0;
    phase_ = Phase::idle;
    concealed_run_ = 0;
}

bool JitterBuffer::awaits_packet() const {
    return phase_ == Phase::playing && pcm_size_ < static_cast<std::size_t>(frame_samples_) && !holds(next_seq_);
}

JitterBufferStats JitterBuffer::stats() const {
    JitterBufferStats s = stats_;
    s.target_delay_ms = static_cast<int>(std::lround(target_ms_));
    return s;
}

}  // namespace sala::client
