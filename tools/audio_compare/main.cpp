// sala-audio-compare: how a recorded WAV relates to the one that was sent (delay,
// waveform correlation, spectral similarity, levels).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audio_similarity.hpp"
#include "sala/cli_flags.hpp"
#include "sala/client/wav_file.hpp"

int main(int argc, char** argv) {
    // The two file names are positional; everything else goes to the shared flag parser.
    std::vector<const char*> flag_args{argv[0]};
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("-", 0) == 0 && arg.size() > 1) {
            flag_args.push_back(argv[i]);
            if ((arg == "--max-delay-ms" || arg == "--segments") && i + 1 < argc) flag_args.push_back(argv[++i]);
        } else
            files.push_back(arg);
    }
    sala::FlagParser parser("sala-audio-compare", "SENT.wav RECORDED.wav [options]",
                            "Measures RECORDED against SENT: delay (cross-correlation offset of RECORDED\n"
                            "relative to SENT, 0..2 s), waveform correlation at that delay, spectral\n"
                            "similarity over SENT's speech, and both RMS levels.");
    parser.flag("json", "print the result as one JSON object")
        .option("max-delay-ms", "MS", "largest delay searched (default 2000)")
        .option("segments", "MS", "also the delay of each MS-long stretch of SENT's speech");
    const auto flags = parser.parse_or_exit(int(flag_args.size()), flag_args.data());
    if (files.size() != 2) {
        std::cerr << "sala-audio-compare: expected two WAV files, SENT and RECORDED (try --help)\n";
        return 2;
    }
    sala::audio::SimilarityOptions options;
    if (flags.has("max-delay-ms")) {
        auto ms = sala::parse_integer(flags.get("max-delay-ms"), 1, 60000);
        if (!ms) {
            std::cerr << "sala-audio-compare: --max-delay-ms needs a whole number of ms in 1..60000\n";
            return 2;
        }
        options.max_delay_ms = double(*ms);
    }

    std::string error;
    const auto sent = sala::client::read_wav_48k_mono(files[0], &error);
    if (!sent) {
        std::cerr << "sala-audio-compare: " << files[0] << ": " << error << "\n";
        return 1;
    }
    const auto recorded = sala::client::read_wav_48k_mono(files[1], &error);
    if (!recorded) {
        std::cerr << "sala-audio-compare: " << files[1] << ": " << error << "\n";
        return 1;
    }
    const auto result = sala::audio::compare(sent->samples, recorded->samples, options);
    if (!result) {
        std::cerr << "sala-audio-compare: no delay found: a file is silent or they do not overlap\n";
        return 1;
    }
    std::vector<sala::audio::SegmentDelay> segments;
    if (flags.has("segments")) {
        auto ms = sala::parse_integer(flags.get("segments"), 100, 60000);
        if (!ms) {
            std::cerr << "sala-audio-compare: --segments needs a whole number of ms in 100..60000\n";
            return 2;
        }
        segments = sala::audio::segment_delays(sent->samples, recorded->samples, double(*ms), options);
    }
    if (flags.has("json")) {
        nlohmann::json out{{"delay_ms", result->delay_ms},
                           {"delay_samples", result->delay_samples},
                           {"waveform_correlation", result->waveform_correlation},
                           {"spectral_similarity", result->spectral_similarity},
                           {"speech_frames", result->speech_frames},
                           {"tracked_similarity", result->tracked_similarity},
                           {"delay_min_ms", result->delay_min_ms},
                           {"delay_max_ms", result->delay_max_ms},
                           {"sent_rms_dbfs", result->sent_rms_dbfs},
                           {"recorded_rms_dbfs", result->recorded_rms_dbfs}};
        if (flags.has("segments")) {
            out["segments"] = nlohmann::json::array();
            for (const auto& segment : segments)
                out["segments"].push_back({{"start_ms", segment.start_ms},
                                           {"delay_ms", segment.delay_ms},
                                           {"correlation", segment.correlation}});
        }
        std::cout << out.dump() << "\n";
    } else {
        std::printf("delay_ms             %.2f (%td samples at 48 kHz)\n", result->delay_ms, result->delay_samples);
        std::printf("waveform_correlation %.3f\n", result->waveform_correlation);
        std::printf("spectral_similarity  %.3f (over %zu speech frames of 20 ms)\n", result->spectral_similarity,
                    result->speech_frames);
        std::printf("tracked_similarity   %.3f (delay re-estimated each second: %.2f .. %.2f ms)\n",
                    result->tracked_similarity, result->delay_min_ms, result->delay_max_ms);
        std::printf("sent_rms_dbfs        %.1f\n", result->sent_rms_dbfs);
        std::printf("recorded_rms_dbfs    %.1f\n", result->recorded_rms_dbfs);
        for (const auto& segment : segments)
            std::printf("segment at %7.0f ms: delay %7.2f ms, correlation %.3f\n", segment.start_ms, segment.delay_ms,
                        segment.correlation);
    }
    return 0;
}
