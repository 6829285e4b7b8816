#pragma once
// How early the peer's packets can come and how widely they scatter after that, from each
// packet's arrival time and media time: what the jitter buffer's delay is measured from and
// sized by. Over a window of recent arrivals, with the sender's clock drift taken out.

#include <cstddef>
#include <vector>

namespace sala::client {

class TransitSpread {
public:
    TransitSpread();

    // Forgets every arrival, as for a new stream.
    void reset();
    // One packet: when it came and the media time of its first sample, both in ms.
    void record(double arrival_ms, double media_ms);

    // The earliest transit (arrival minus media time) now, in ms.
    double min_ms() const { return min_ms_; }
    // How far above it the high percentile of the window's transits comes, in ms.
    double spread_ms() const { return spread_ms_; }

private:
    struct Transit {
        double arrival_ms;
        double relative_ms;  // arrival minus media time
    };
    static constexpr std::size_t kHistory = 256;

    std::vector<Transit> transits_;  // ring of recent arrivals
    std::size_t next_ = 0;
    std::size_t count_ = 0;
    std::vector<double> scratch_;
    double min_ms_ = 0.0;
    double spread_ms_ = 0.0;
};

}  // namespace sala::client
