#pragma once
// An output that plays into nothing, paced like a sound card.

#include "audio/paced/paced_output.hpp"

namespace sala::client {

// Discards what would be heard ("null"), still draining the ring and metering it.
class NullOutput final : public PacedOutput {
public:
    ~NullOutput() override { stop(); }
    std::string description() const override { return "null"; }
};

}  // namespace sala::client
