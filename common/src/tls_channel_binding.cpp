#include "sala/tls_channel_binding.hpp"

#include <openssl/ssl.h>

namespace sala {

std::optional<protocol::ChannelBinding> tls_channel_binding(SSL* ssl) {
    static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
    protocol::ChannelBinding binding{};
    if (!ssl ||
        SSL_export_keying_material(ssl, binding.data(), binding.size(), kLabel, sizeof kLabel - 1, nullptr, 0, 0) != 1)
        return std::nullopt;
    return binding;
}

}  // namespace sala
