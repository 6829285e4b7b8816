#include "audio/paced/wav_output.hpp"

namespace sala::client {

namespace {
constexpr unsigned kFlushEveryBlocks = 100;  // keeps the file valid (sizes patched) each second
}

bool WavOutput::open(const std::string& path, std::string* error) { return writer_.open(path, error); }

WavOutput::~WavOutput() {
    stop();
    writer_.close();
}

std::string WavOutput::description() const { return "WAV file '" + writer_.path() + "'"; }

std::uint64_t WavOutput::samples_written() const { return writer_.samples_written(); }

void WavOutput::consume(const int16_t* block, std::size_t n) {
    writer_.write(block, n);
    if (++blocks_since_flush_ >= kFlushEveryBlocks) {
        blocks_since_flush_ = 0;
        writer_.flush();
    }
}

}  // namespace sala::client
