#include "media/opus_codec.hpp"

#include <opus/opus.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace sala::client {
namespace {

[[noreturn]] void fail(const char* what, int error) {
    throw std::runtime_error(std::string(what) + ": " + opus_strerror(error));
}

void check(int result, const char* what) {
    if (result != OPUS_OK) fail(what, result);
}

}  // namespace

VoiceEncoder::VoiceEncoder(int frame_ms, int bitrate_bps, int complexity) {
    if (frame_ms != 10 && frame_ms != 20 && frame_ms != 40 && frame_ms != 60)
        throw std::invalid_argument("Opus frame length must be 10, 20, 40 or 60 ms");
    frame_samples_ = kVoiceSampleRate / 1000 * frame_ms;
    int error = OPUS_OK;
    encoder_ = opus_encoder_create(kVoiceSampleRate, 1, OPUS_APPLICATION_VOIP, &error);
    if (error != OPUS_OK || encoder_ == nullptr) fail("opus_encoder_create", error);
    try {
        check(opus_encoder_ctl(encoder_, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)), "OPUS_SET_SIGNAL");
        check(opus_encoder_ctl(encoder_, OPUS_SET_INBAND_FEC(1)), "OPUS_SET_INBAND_FEC");
        check(opus_encoder_ctl(encoder_, OPUS_SET_DTX(0)), "OPUS_SET_DTX");
        check(opus_encoder_ctl(encoder_, OPUS_SET_VBR(1)), "OPUS_SET_VBR");
        set_expected_loss(0);
        set_complexity(complexity);
        set_bitrate(bitrate_bps);
    } catch (...) {
        opus_encoder_destroy(encoder_);
        throw;
    }
}

VoiceEncoder::~VoiceEncoder() {
    if (encoder_) opus_encoder_destroy(encoder_);
}

VoiceEncoder::VoiceEncoder(VoiceEncoder&& other) noexcept
    : encoder_(std::exchange(other.encoder_, nullptr)), frame_samples_(other.frame_samples_) {}

VoiceEncoder& VoiceEncoder::operator=(VoiceEncoder&& other) noexcept {
    std::swap(encoder_, other.encoder_);
    std::swap(frame_samples_, other.frame_samples_);
    return *this;
}

std::size_t VoiceEncoder::encode(const std::int16_t* pcm, std::span<std::uint8_t> out) {
    if (!encoder_) return 0;
    const int bytes = opus_encode(encoder_, pcm, frame_samples_, out.data(),
                                  static_cast<opus_int32>(std::min<std::size_t>(out.size(), 0x7fffffff)));
    return bytes > 0 ? static_cast<std::size_t>(bytes) : 0;
}

void VoiceEncoder::set_bitrate(int bitrate_bps) {
    check(opus_encoder_ctl(encoder_, OPUS_SET_BITRATE(bitrate_bps)), "OPUS_SET_BITRATE");
    const int widest = bitrate_bps < kFullbandFromBps ? OPUS_BANDWIDTH_WIDEBAND : OPUS_BANDWIDTH_FULLBAND;
    check(opus_encoder_ctl(encoder_, OPUS_SET_MAX_BANDWIDTH(widest)), "OPUS_SET_MAX_BANDWIDTH");
}

void VoiceEncoder::set_expected_loss(int percent) {
    check(opus_encoder_ctl(encoder_, OPUS_SET_PACKET_LOSS_PERC(percent)), "OPUS_SET_PACKET_LOSS_PERC");
}

void VoiceEncoder::set_complexity(int complexity) {
    check(opus_encoder_ctl(encoder_, OPUS_SET_COMPLEXITY(complexity)), "OPUS_SET_COMPLEXITY");
}

VoiceDecoder::VoiceDecoder() {
    int error = OPUS_OK;
    decoder_ = opus_decoder_create(kVoiceSampleRate, 1, &error);
    if (error != OPUS_OK || decoder_ == nullptr) fail("opus_decoder_create", error);
}

VoiceDecoder::~VoiceDecoder() {
    if (decoder_) opus_decoder_destroy(decoder_);
}

VoiceDecoder::VoiceDecoder(VoiceDecoder&& other) noexcept : decoder_(std::exchange(other.decoder_, nullptr)) {}

VoiceDecoder& VoiceDecoder::operator=(VoiceDecoder&& other) noexcept {
    std::swap(decoder_, other.decoder_);
    return *this;
}

int VoiceDecoder::decode(std::span<const std::uint8_t> packet, std::int16_t* out, int max_samples) {
    if (!decoder_ || packet.empty() || packet.size() > 0x7fffffff) return 0;
    const int samples =
        opus_decode(decoder_, packet.data(), static_cast<opus_int32>(packet.size()), out, max_samples, 0);
    return samples > 0 ? samples : 0;
}

int VoiceDecoder::conceal(std::int16_t* out, int samples) {
    if (!decoder_) return 0;
    const int produced = opus_decode(decoder_, nullptr, 0, out, samples, 0);
    return produced > 0 ? produced : 0;
}

int VoiceDecoder::decode_fec(std::span<const std::uint8_t> next_packet, std::int16_t* out, int samples) {
    if (!decoder_ || next_packet.empty() || next_packet.size() > 0x7fffffff) return conceal(out, samples);
    const int produced =
        opus_decode(decoder_, next_packet.data(), static_cast<opus_int32>(next_packet.size()), out, samples, 1);
    return produced > 0 ? produced : conceal(out, samples);
}

void VoiceDecoder::reset() {
    if (decoder_) opus_decoder_ctl(decoder_, OPUS_RESET_STATE);
}

int VoiceDecoder::packet_samples(std::span<const std::uint8_t> packet) {
    if (packet.empty() || packet.size() > 0x7fffffff) return 0;
    const int samples =
        opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()), kVoiceSampleRate);
    return samples > 0 ? samples : 0;
}

}  // namespace sala::client
