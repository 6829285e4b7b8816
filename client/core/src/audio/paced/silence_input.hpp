#pragma once
// An input that captures nothing but silence, paced like a sound card.

#include "audio/paced/paced_input.hpp"

#include <algorithm>

namespace sala::client {

// Digital silence ("silence"): keeps the call's media flowing with nothing to say.
class SilenceInput final : public PacedInput {
public:
    ~SilenceInput() override { stop(); }
    std::string description() const override { return "silence"; }

private:
    void fill(int16_t* block, std::size_t n) override { std::fill(block, block + n, int16_t{0}); }
};

}  // namespace sala::client
