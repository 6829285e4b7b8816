#include "audio/sound_card/pulse_device.hpp"

#include <algorithm>

namespace sala::client {

namespace {
// The most device frames converted at once: the server may ask for (or hand over) several
// blocks together, which are then done in pieces of this size.
constexpr unsigned kMaxBlocksAtOnce = 8;
}  // namespace

// ---- input ------------------------------------------------------------------------------------

PulseInput::PulseInput(std::string name) : stream_(std::move(name), true) {}
PulseInput::~PulseInput() { stop(); }

bool PulseInput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();  // before pipes_ changes under a running callback
    pipes_ = &pipes;
    return stream_.open(&PulseInput::prepare, &PulseInput::on_ready, this, &format_, error,
                        &pipes.input_device_latency_us);
}

void PulseInput::prepare(const DeviceStreamFormat& format, void* self) {
    auto* device = static_cast<PulseInput*>(self);
    device->max_frames_ = std::size_t(format.frames) * kMaxBlocksAtOnce;
    device->convert_ = std::make_unique<CaptureFormat>(format.rate, format.channels, device->max_frames_);
    device->block_.assign(device->convert_->max_output(), 0);
    device->watch_.reset(format.rate);
}

void PulseInput::on_ready(pa_stream* stream, std::size_t, void* self) {
    auto* device = static_cast<PulseInput*>(self);
    const std::int64_t begun = device->watch_.begin();
    AudioPipes& pipes = *device->pipes_;
    const std::size_t frame_bytes = std::size_t(device->format_.channels) * sizeof(int16_t);
    std::size_t frames_seen = 0;
    for (;;) {
        const void* data = nullptr;
        std::size_t size = 0;
        int peeked = 0;
        {
            const SoundServerCall library;
            peeked = pa_stream_peek(stream, &data, &size);
        }
        if (peeked < 0 || size == 0) break;
        const std::size_t frames = size / frame_bytes;
        frames_seen += frames;
        if (!data) {  // a hole: the server dropped what we did not read in time
            pipes.capture_overruns.fetch_add(frames, std::memory_order_relaxed);
        } else {
            const auto* in = static_cast<const int16_t*>(data);
            for (std::size_t done = 0; done < frames;) {
                const std::size_t n = std::min(frames - done, device->max_frames_);
                int16_t* block = device->block_.data();
                const std::size_t out = device->convert_->convert(in + done * device->format_.channels, n, block);
                pipes.take_captured(block, out);
                done += n;
            }
        }
        const SoundServerCall library;
        pa_stream_drop(stream);
    }
    device->watch_.end(begun, static_cast<unsigned>(frames_seen));
    pipes.note_callback_ns(device->watch_.max_callback_ns());
    pipes.wake.notify();
}

// ---- output -----------------------------------------------------------------------------------

PulseOutput::PulseOutput(std::string name) : stream_(std::move(name), false) {}
PulseOutput::~PulseOutput() { stop(); }

void PulseOutput::stop() {
    stream_.stop();
    if (pipes_) {
        pipes_->output_block_samples.store(0, std::memory_order_relaxed);
        pipes_->output_taken_ns.store(0, std::memory_order_relaxed);
    }
}

bool PulseOutput::start(AudioPipes& pipes, std::string* error) {
    stream_.stop();  // before pipes_ changes under a running callback
    pipes_ = &pipes;
    if (!stream_.open(&PulseOutput::prepare, &PulseOutput::on_ready, this, &format_, error,
                      &pipes.output_device_latency_us))
        return false;
    // A server that asks for more than a block at a time from the start says so (PipeWire: 256).
    raise_block(pipes, internal_samples(stream_.granted_request_frames()));
    return true;
}

std::uint32_t PulseOutput::internal_samples(std::size_t frames) const {
    return static_cast<std::uint32_t>(std::uint64_t(frames) * kInternalRate / std::max(1u, format_.rate));
}

void PulseOutput::raise_block(AudioPipes& pipes, std::uint32_t samples) {
    if (samples > pipes.output_block_samples.load(std::memory_order_relaxed) && samples <= kMaxBlockSamples)
        pipes.output_block_samples.store(samples, std::memory_order_relaxed);
}

void PulseOutput::prepare(const DeviceStreamFormat& format, void* self) {
    auto* device = static_cast<PulseOutput*>(self);
    device->max_frames_ = std::size_t(format.frames) * kMaxBlocksAtOnce;
    device->convert_ = std::make_unique<PlaybackFormat>(format.rate, format.channels, device->max_frames_);
    device->watch_.reset(format.rate);
    device->larger_requests_ = 0;
    device->largest_request_ = 0;
    // The server asks for a block at a time and the engine is woken after each: one block
    // queued in the ring is enough (PlayoutDepth).
    device->pipes_->output_block_samples.store(device->internal_samples(format.frames), std::memory_order_relaxed);
}

// The server may ask for more than the block we asked for, every time: PipeWire's pulse layer
// asks for its graph's cycle (256 samples, not 240), and a ring kept one block deep then came up
// short at every request. Once kSteadyRequests requests in a row have asked for more, the block
// the engine keeps queued (output_block_samples) is the largest of them; a single large request
// (PulseAudio catching up after a stall) changes nothing.
void PulseOutput::follow_request(AudioPipes& pipes, std::size_t frames) {
    const std::uint32_t asked = internal_samples(frames);
    if (asked <= pipes.output_block_samples.load(std::memory_order_relaxed)) {
        larger_requests_ = 0;
        largest_request_ = 0;
        return;
    }
    largest_request_ = std::max(largest_request_, asked);
    if (++larger_requests_ >= kSteadyRequests) raise_block(pipes, largest_request_);
}

void PulseOutput::on_ready(pa_stream* stream, std::size_t bytes, void* self) {
    auto* device = static_cast<PulseOutput*>(self);
    AudioPipes& pipes = *device->pipes_;
    const std::int64_t begun = device->watch_.begin();
    pipes.output_taken_ns.store(begun, std::memory_order_relaxed);
    const std::size_t frame_bytes = std::size_t(device->format_.channels) * sizeof(int16_t);
    const std::size_t frames = bytes / frame_bytes;
    device->follow_request(pipes, frames);
    std::size_t done = 0;
    while (done < frames) {
        std::size_t n = std::min(frames - done, device->max_frames_);
        void* data = nullptr;
        std::size_t size = n * frame_bytes;
        int begun_write = 0;
        {
            const SoundServerCall library;
            begun_write = pa_stream_begin_write(stream, &data, &size);
        }
        if (begun_write < 0 || !data || size < frame_bytes) break;
        n = std::min(n, size / frame_bytes);
        auto* out = static_cast<int16_t*>(data);
        if (!device->convert_->fill(pipes.playback, out, n))
            pipes.playback_underruns.fetch_add(1, std::memory_order_relaxed);
        pipes.note_heard(device->convert_->last_input(), device->convert_->last_input_count());
        int written = 0;
        {
            const SoundServerCall library;
            written = pa_stream_write(stream, data, n * frame_bytes, nullptr, 0, PA_SEEK_RELATIVE);
        }
        if (written < 0) break;
        done += n;
    }
    device->watch_.end(begun, static_cast<unsigned>(done));
    pipes.note_callback_ns(device->watch_.max_callback_ns());
    pipes.wake.notify();
}

}  // namespace sala::client
