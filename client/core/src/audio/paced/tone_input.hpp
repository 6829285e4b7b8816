#pragma once
// An input that generates a sine tone at -12 dBFS, paced like a sound card.

#include "audio/paced/paced_input.hpp"

namespace sala::client {

// A continuous sine at a fixed frequency (test signal, "tone:HZ").
class ToneInput final : public PacedInput {
public:
    static constexpr double kLevelDbfs = -12.0;

    explicit ToneInput(double frequency_hz);
    ~ToneInput() override { stop(); }
    std::string description() const override;

private:
    void rewind() override { phase_ = 0.0; }
    void fill(int16_t* block, std::size_t n) override;

    double frequency_hz_;
    double phase_ = 0.0;  // radians, kept in [0, 2*pi)
};

}  // namespace sala::client
