#include "sala/client/output_feed.hpp"

#include "audio/device_factory.hpp"

namespace sala::client {

struct OutputFeed::Devices {
    AudioPipes pipes;
    std::unique_ptr<AudioOutput> output;
};

OutputFeed::OutputFeed() = default;
OutputFeed::~OutputFeed() { stop(); }

bool OutputFeed::start(const std::string& spec, std::string* error) {
    stop();
    auto devices = std::make_unique<Devices>();
    devices->output = make_audio_output(spec, error);
    if (!devices->output || !devices->output->start(devices->pipes, error)) return false;
    devices_ = std::move(devices);
    return true;
}

void OutputFeed::stop() {
    if (devices_) devices_->output->stop();
    devices_.reset();
}

bool OutputFeed::running() const { return devices_ != nullptr; }

std::size_t OutputFeed::queued() const { return devices_ ? devices_->pipes.playback.size() : 0; }

std::size_t OutputFeed::push(const std::int16_t* samples, std::size_t count) {
    return devices_ ? devices_->pipes.playback.push(samples, count) : 0;
}

}  // namespace sala::client
