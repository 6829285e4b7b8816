#pragma once
// An input that plays 48 kHz mono samples (usually a WAV file) once from the start, then
// silence, paced like a sound card.

#include "audio/paced/paced_input.hpp"

#include <vector>

namespace sala::client {

// Plays samples once per start(), then silence.
class WavInput final : public PacedInput {
public:
    WavInput(std::vector<int16_t> samples, std::string name);
    ~WavInput() override { stop(); }
    std::string description() const override;
    std::size_t position() const { return position_; }  // only meaningful while stopped

private:
    void rewind() override { position_ = 0; }
    void fill(int16_t* block, std::size_t n) override;

    std::vector<int16_t> samples_;
    std::string name_;
    std::size_t position_ = 0;
};

}  // namespace sala::client
