// Issue 13's library choice, by measurement on the same recordings: WebRTC's audio processing
// module (libwebrtc-audio-processing 0.3, PulseAudio's echo canceller) against speexdsp's echo
// canceller and preprocessor, both in 10 ms blocks at 48 kHz as the capture path would run them.
//
// The microphone signal is built from real speech files: the far end's speech through an echo
// path (a delay, then a decaying reverberant tail, attenuated), the near end's speech, and a
// noise. Four stretches of 8 s: echo only; double talk (echo and the near talker); the near talker
// in noise at 10 dB SNR; noise only. Each processor gets the far-end signal as its reference,
// aligned by the known delay (as the client will from the device latencies), and the figures are:
//   ERLE       echo return loss enhancement over the echo-only stretch after 2 s (dB, higher better)
//   DT sim     the near talker in the output during double talk: sala-audio-compare's tracked
//              similarity against the clean near speech (the unprocessed microphone's is the
//              baseline; 1 is identical)
//   DT echo    echo left during double talk: output power minus the clean near speech's power
//              where the near talker pauses, relative to the echo there (dB, higher better)
//   noise sim  the near talker in noise: similarity to the clean near speech
//   NR         noise reduction over the noise-only stretch (dB)
//   CPU        processing time over the audio's duration (% of one core)
// Usage: sala-bench-voice-processing FAR.wav NEAR.wav NOISE.wav [DELAY_MS...]   (bench/voice_processing.sh)
// (then 150 ms again with the delay told 30 ms too long and 30 ms too short)
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "audio_similarity.hpp"
#include "sala/client/wav_file.hpp"

namespace {
constexpr int kRate = 48000;
constexpr int kBlock = kRate / 100;  // 10 ms
constexpr std::size_t kStretch = 8 * kRate;
using Samples = std::vector<float>;

double power(const Samples& s, std::size_t from, std::size_t to) {
    double sum = 0;
    for (std::size_t i = from; i < to && i < s.size(); ++i) sum += double(s[i]) * s[i];
    return sum / double(std::max<std::size_t>(1, to - from)) + 1e-12;
}
double db(double ratio) { return 10 * std::log10(ratio); }

std::vector<std::int16_t> pcm(const Samples& s, std::size_t from, std::size_t to) {
    std::vector<std::int16_t> out;
    for (std::size_t i = from; i < to && i < s.size(); ++i)
        out.push_back(static_cast<std::int16_t>(std::clamp(s[i] * 32768.0f, -32768.0f, 32767.0f)));
    return out;
}

double similarity(const Samples& clean, const Samples& got, std::size_t from, std::size_t to) {
    auto result = sala::audio::compare(pcm(clean, from, to), pcm(got, from, to));
    return result ? result->tracked_similarity : 0.0;
}

Samples load(const char* path) {
    std::string error;
    auto wav = sala::client::read_wav_48k_mono(path, &error);
    if (!wav) {
        std::fprintf(stderr, "%s: %s\n", path, error.c_str());
        std::exit(1);
    }
    Samples s;
    for (auto v : wav->samples) s.push_back(v / 32768.0f);
    return s;
}

// Repeats `s` to `n` samples, scaled to `rms`.
Samples fit(const Samples& s, std::size_t n, double rms) {
    Samples out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = s[i % s.size()];
    const double now = std::sqrt(power(out, 0, n));
    for (auto& v : out) v = static_cast<float>(v * rms / now);
    return out;
}

// The echo path: `delay` samples, then 120 ms of exponentially decaying noise taps (a small
// room), scaled so the echo is `erl_db` below the far signal.
Samples echo_of(const Samples& far, std::size_t delay, double erl_db) {
    std::mt19937 random(3);
    std::normal_distribution<float> tap(0.0f, 1.0f);
    std::vector<float> h(kRate * 120 / 1000);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = tap(random) * std::exp(-double(i) / (kRate * 0.025));
    h[0] += 4.0f;  // the direct path
    Samples echo(far.size(), 0.0f);
    for (std::size_t n = delay; n < far.size(); ++n) {
        double sum = 0;
        const std::size_t taps = std::min(h.size(), n - delay + 1);
        for (std::size_t k = 0; k < taps; ++k) sum += h[k] * far[n - delay - k];
        echo[n] = static_cast<float>(sum);
    }
    const double scale =
        std::sqrt(power(far, 0, far.size()) / power(echo, 0, echo.size())) * std::pow(10, -erl_db / 20);
    for (auto& v : echo) v = static_cast<float>(v * scale);
    return echo;
}

// One processor: given the far-end block played now and the microphone block captured now
// (whose echo is `delay_ms` behind), returns the processed microphone block in place.
struct Processor {
    std::string name;
    std::function<void(const float* far, float* mic)> block;
};

Processor none() {
    return {"none (baseline)", [](const float*, float*) {}};
}

// full: echo cancellation at high suppression with noise suppression and gain control; else the
// echo canceller alone at moderate suppression (the linear filter with a milder suppressor).
Processor webrtc(int delay_ms, bool full) {
    auto config = std::make_shared<webrtc::Config>();
    config->Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
    std::shared_ptr<webrtc::AudioProcessing> apm(webrtc::AudioProcessing::Create(*config));
    apm->high_pass_filter()->Enable(true);
    apm->echo_cancellation()->enable_drift_compensation(false);
    apm->echo_cancellation()->set_suppression_level(full ? webrtc::EchoCancellation::kHighSuppression
                                                         : webrtc::EchoCancellation::kModerateSuppression);
    apm->echo_cancellation()->Enable(true);
    apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
    apm->noise_suppression()->Enable(full);
    apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
    apm->gain_control()->set_target_level_dbfs(20);
    apm->gain_control()->Enable(full);
    apm->voice_detection()->Enable(true);
    const webrtc::StreamConfig stream(kRate, 1);
    return {full ? "webrtc-apm 0.3 AEC(high)+NS+AGC" : "webrtc-apm 0.3 AEC(moderate) only",
            [apm, config, stream, delay_ms](const float* far, float* mic) {
                float reverse[kBlock];
                const float* in[] = {far};
                float* out[] = {reverse};
                apm->ProcessReverseStream(in, stream, stream, out);
                apm->set_stream_delay_ms(delay_ms);
                const float* capture[] = {mic};
                float* processed[] = {mic};
                apm->ProcessStream(capture, stream, stream, processed);
            }};
}

// speexdsp: the reference is delayed in a ring by the known delay less 10 ms, so the filter
// (tail_ms long) covers the room, not the device delay. full: with the preprocessor (residual echo
// suppression, denoise, AGC); else the echo canceller alone.
Processor speex(int delay_ms, int tail_ms, bool full) {
    struct State {
        SpeexEchoState* echo;
        SpeexPreprocessState* pre;
        std::vector<float> ring;
        std::size_t at = 0;
        ~State() {
            speex_preprocess_state_destroy(pre);
            speex_echo_state_destroy(echo);
        }
    };
    auto s = std::make_shared<State>();
    s->echo = speex_echo_state_init(kBlock, kRate * tail_ms / 1000);
    int rate = kRate;
    speex_echo_ctl(s->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    s->pre = speex_preprocess_state_init(kBlock, kRate);
    speex_preprocess_ctl(s->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, s->echo);
    int on = 1, level = 8000, suppress = -30;
    speex_preprocess_ctl(s->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
    speex_preprocess_ctl(s->pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &suppress);
    speex_preprocess_ctl(s->pre, SPEEX_PREPROCESS_SET_AGC, &on);
    float agc_level = static_cast<float>(level);
    speex_preprocess_ctl(s->pre, SPEEX_PREPROCESS_SET_AGC_LEVEL, &agc_level);
    const std::size_t lag = static_cast<std::size_t>(std::max(0, delay_ms - 10)) * kRate / 1000;
    s->ring.assign(lag + kBlock, 0.0f);
    return {"speexdsp 1.2.1 " + std::to_string(tail_ms) + " ms" + (full ? "+preprocess" : " echo only"),
            [s, lag, full](const float* far, float* mic) {
                spx_int16_t reference[kBlock], captured[kBlock], out[kBlock];
                for (int i = 0; i < kBlock; ++i) {
                    s->ring[(s->at + lag + i) % s->ring.size()] = far[i];  // played now, heard after lag
                    reference[i] = static_cast<spx_int16_t>(
                        std::clamp(s->ring[(s->at + i) % s->ring.size()] * 32768.0f, -32768.0f, 32767.0f));
                    captured[i] = static_cast<spx_int16_t>(std::clamp(mic[i] * 32768.0f, -32768.0f, 32767.0f));
                }
                s->at = (s->at + kBlock) % s->ring.size();
                speex_echo_cancellation(s->echo, captured, reference, out);
                if (full) speex_preprocess_run(s->pre, out);
                for (int i = 0; i < kBlock; ++i) mic[i] = out[i] / 32768.0f;
            }};
}

// hint_error_ms: the processors are told a delay this much off the echo's (device latencies as
// reported are not exact).
void run(const Samples& far_speech, const Samples& near_speech, const Samples& noise_in, int delay_ms,
         int hint_error_ms) {
    const std::size_t n = 4 * kStretch;
    // Far speech in the first two stretches; near speech in the second and third; noise in the
    // last two at 10 dB below the near speech.
    Samples far = fit(far_speech, n, 0.1), near(n, 0.0f), noise(n, 0.0f);
    for (std::size_t i = 2 * kStretch; i < n; ++i) far[i] = 0;
    Samples near_part = fit(near_speech, 2 * kStretch, 0.1),
            noise_part = fit(noise_in, 2 * kStretch, 0.1 / std::sqrt(10.0));
    for (std::size_t i = 0; i < 2 * kStretch; ++i) {
        near[kStretch + i] = near_part[i];
        noise[2 * kStretch + i] = noise_part[i];
    }
    for (std::size_t i = 3 * kStretch; i < n; ++i) near[i] = 0;
    const Samples echo = echo_of(far, static_cast<std::size_t>(delay_ms) * kRate / 1000, 6.0);
    Samples mic(n);
    for (std::size_t i = 0; i < n; ++i) mic[i] = echo[i] + near[i] + noise[i];

    std::printf(
        "\necho delay %d ms (the processors are told %d ms), echo 6 dB below the far speech, noise 10 dB "
        "below the near speech\n",
        delay_ms, delay_ms + hint_error_ms);
    const int hint = delay_ms + hint_error_ms;
    std::printf("%-40s %7s %7s %8s %9s %6s %6s\n", "processor", "ERLE", "DT sim", "DT echo", "noise sim", "NR", "CPU");
    for (auto make : std::vector<std::function<Processor()>>{
             [] { return none(); }, [=] { return webrtc(hint, false); }, [=] { return webrtc(hint, true); },
             [=] { return speex(hint, 100, false); }, [=] { return speex(hint, 100, true); },
             [=] { return speex(hint, 200, true); }}) {
        Processor p = make();
        Samples out = mic;
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t at = 0; at + kBlock <= n; at += kBlock) p.block(&far[at], &out[at]);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double erle = db(power(mic, 2 * kRate, kStretch) / power(out, 2 * kRate, kStretch));
        // Double talk: where the near talker pauses (its 20 ms frames 30 dB below its loudest),
        // what is left of the echo.
        double echo_in = 0, echo_out = 0;
        for (std::size_t at = kStretch; at + 960 <= 2 * kStretch; at += 960)
            if (power(near, at, at + 960) < 0.01 * 0.001) {
                echo_in += power(mic, at, at + 960);
                echo_out += power(out, at, at + 960);
            }
        std::printf("%-40s %6.1f %7.2f %8.1f %9.2f %6.1f %5.2f%%\n", p.name.c_str(), erle,
                    similarity(near, out, kStretch, 2 * kStretch), db((echo_in + 1e-12) / (echo_out + 1e-12)),
                    similarity(near, out, 2 * kStretch, 3 * kStretch),
                    db(power(mic, 3 * kStretch, n) / power(out, 3 * kStretch, n)),
                    100.0 * seconds / (double(n) / kRate));
    }
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: sala-bench-voice-processing FAR.wav NEAR.wav NOISE.wav [DELAY_MS...]\n");
        return 2;
    }
    const Samples far = load(argv[1]), near = load(argv[2]), noise = load(argv[3]);
    std::vector<int> delays;
    for (int i = 4; i < argc; ++i) delays.push_back(std::atoi(argv[i]));
    if (delays.empty()) delays = {40, 150, 300};
    for (int delay : delays) run(far, near, noise, delay, 0);
    run(far, near, noise, 150, +30);  // told too much
    run(far, near, noise, 150, -30);  // told too little
    return 0;
}
