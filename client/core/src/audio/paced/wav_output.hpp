#pragma once
// An output that records what is played into a 48 kHz mono 16-bit WAV file, paced like a
// sound card.

#include "audio/paced/paced_output.hpp"
#include "sala/client/wav_file.hpp"

namespace sala::client {

// Records every played block (silence included); successive start()s append.
class WavOutput final : public PacedOutput {
public:
    // Creates the file now, so an unwritable path is reported before any call.
    bool open(const std::string& path, std::string* error);
    ~WavOutput() override;
    std::string description() const override;
    std::uint64_t samples_written() const;  // only meaningful while stopped

private:
    void consume(const int16_t* block, std::size_t n) override;
    void stopped() override { writer_.flush(); }

    WavWriter writer_;
    unsigned blocks_since_flush_ = 0;
};

}  // namespace sala::client
