#include <kerb/https/kdc_proxy_transport.hpp>

#include <utility>

#include <kerb/kpasswd.hpp>

namespace kerb::https {

namespace {

// Routes each realm as krb5.conf says: through its proxies when it has any (its plain servers
// after them, as MIT tries every kdc or kpasswd_server entry in order), else straight to its
// servers. The same for KDC and kpasswd messages: only the lists differ.
class ConfiguredTransport final : public KdcTransport {
 public:
  ConfiguredTransport(HttpsKdcTransport https, PosixKdcTransport posix) noexcept
      : https_(std::move(https)), posix_(std::move(posix)) {}

  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override {
    if (!https_.has_proxies(realm)) return posix_.exchange(realm, request);
    Result<std::vector<std::uint8_t>> reply = https_.exchange(realm, request);
    if (reply || !fall_back(realm, reply.error())) return reply;
    return posix_.exchange(realm, request);
  }

  Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) override {
    if (!https_.has_proxies(realm)) return posix_.exchange_into(realm, request, reply_buffer);
    Result<std::span<const std::uint8_t>> reply =
        https_.exchange_into(realm, request, reply_buffer);
    if (reply || !fall_back(realm, reply.error())) return reply;
    return posix_.exchange_into(realm, request, reply_buffer);
  }

 private:
  // Only a proxy that did not answer sends the request on to the realm's plain KDCs.
  bool fall_back(std::string_view realm, const Error& e) const noexcept {
    return e.category() == ErrorCategory::kIo && !posix_.kdcs(realm).empty();
  }

  HttpsKdcTransport https_;
  PosixKdcTransport posix_;
};

}  // namespace

Result<std::unique_ptr<KdcTransport>> transport_from_config(const Config& config,
                                                            HttpsTransportOptions https_options,
                                                            PosixTransportOptions posix_options) {
  KERB_TRY(HttpsKdcTransport https,
           HttpsKdcTransport::from_config(config, https_options, ProxyService::kKdc));
  KERB_TRY(PosixKdcTransport posix, PosixKdcTransport::from_config(config, posix_options));
  return std::unique_ptr<KdcTransport>(
      std::make_unique<ConfiguredTransport>(std::move(https), std::move(posix)));
}

Result<std::unique_ptr<KdcTransport>> kpasswd_transport_from_config(
    const Config& config, HttpsTransportOptions https_options,
    PosixTransportOptions posix_options) {
  KERB_TRY(HttpsKdcTransport https,
           HttpsKdcTransport::from_config(config, https_options, ProxyService::kKpasswd));
  KERB_TRY(PosixKdcTransport posix,
           kerb::kpasswd_transport_from_config(config, std::move(posix_options)));
  return std::unique_ptr<KdcTransport>(
      std::make_unique<ConfiguredTransport>(std::move(https), std::move(posix)));
}

}  // namespace kerb::https
