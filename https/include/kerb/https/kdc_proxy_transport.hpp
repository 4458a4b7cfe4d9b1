// KDC messages through an HTTPS KDC proxy (MS-KKDCP), on libcurl.
//
// Each request goes as a KDC-PROXY-MESSAGE (<kerb/kkdcp.hpp>, target-domain = the realm) in
// an HTTP POST with Content-Type application/kerberos to one of the realm's proxy URLs (as
// krb5.conf names them: "kdc = https://proxy.bank.test/KdcProxy"), the next URL tried when
// one fails. The TLS connection is kept between calls, so a login's AS and TGS exchanges
// share one handshake. Certificate and host name verification are always on.
//
//   KERB_TRY(Config config, Config::load_from_env());
//   KERB_TRY(HttpsKdcTransport https, HttpsKdcTransport::from_config(config));
//   Client client(https);
//
// A separate component (kerb::https) so that the core libraries never link a TLS stack.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/config.hpp>
#include <kerb/result.hpp>
#include <kerb/transport.hpp>

namespace kerb::https {

// Which of a realm's krb5.conf entries name its proxies: "kdc" for KDC messages, or
// "kpasswd_server" for password changes (RFC 3244; a proxy tells them apart by the message,
// MS-KKDCP §3.2.5.1, and sends the latter to the realm's kpasswd servers).
enum class ProxyService { kKdc, kKpasswd };

struct HttpsTransportOptions {
  // Per attempt (one URL): TCP and TLS connection setup, and the whole request and reply.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{15000};
  // Reply bodies longer than this are refused while they arrive (a Content-Length above it
  // before anything is stored); nothing is allocated from a length the peer sends.
  std::size_t max_reply_size = 64 * 1024;
};

// Trust anchors for a proxy's certificate, as krb5.conf's http_anchors values say:
// "FILE:/path/ca.pem", "DIR:/path/certs" (OpenSSL hashed directory), or "ENV:NAME" (a variable
// holding one of those). None: the system's default store.
struct HttpsAnchors {
  std::string ca_file;
  std::string ca_dir;

  // kConfig for another prefix, an empty path, or more than one FILE: (or DIR:) value.
  static Result<HttpsAnchors> parse(std::span<const std::string_view> values);
};

// What went over the wire, for tests and benchmarks.
struct HttpsCounters {
  std::size_t round_trips = 0;      // HTTP requests sent (each URL tried counts)
  std::size_t connections = 0;      // TCP+TLS connections opened (CURLINFO_NUM_CONNECTS)
  std::size_t body_bytes_sent = 0;  // KDC-PROXY-MESSAGE bytes in request bodies
  std::size_t body_bytes_received = 0;
  std::size_t header_bytes_sent = 0;  // HTTP request line and headers
  std::size_t header_bytes_received = 0;
};

class HttpsKdcTransport final : public KdcTransport {
 public:
  // kIo if libcurl cannot make a handle.
  static Result<HttpsKdcTransport> create(HttpsTransportOptions options = {});
  // The https:// kdc (or kpasswd_server) entries and http_anchors of every realm in [realms].
  static Result<HttpsKdcTransport> from_config(const Config& config,
                                               HttpsTransportOptions options = {},
                                               ProxyService service = ProxyService::kKdc);

  // Replaces a realm's proxy URLs (tried in order) and trust anchors (realm names compare
  // exactly). kInvalidArgument for a URL that is not https://host....
  Result<void> set_proxies(std::string_view realm, std::vector<std::string> urls,
                           HttpsAnchors anchors = {});
  // True when `realm` has at least one proxy URL.
  bool has_proxies(std::string_view realm) const noexcept;

  // kConfig when the realm has no proxy; kInvalidArgument for an empty or oversized request;
  // kIo when no proxy answered with a KDC message, naming the URL and what failed (curl's
  // message for connection and TLS faults, the HTTP status, or what was wrong with the body).
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override;
  // The reply body is received into `reply_buffer` and the KDC message moved to its front:
  // no heap of kerb's for the reply. kBufferTooSmall when a whole 200 reply within
  // max_reply_size does not fit (a longer or failed one is kIo, and the next URL is tried).
  Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) override;

  const HttpsCounters& counters() const noexcept { return counters_; }
  void reset_counters() noexcept { counters_ = {}; }
  const HttpsTransportOptions& options() const noexcept { return options_; }

  // Not copyable (it owns a libcurl handle and its connection); one call at a time.
  ~HttpsKdcTransport() override;
  HttpsKdcTransport(HttpsKdcTransport&&) noexcept;
  HttpsKdcTransport& operator=(HttpsKdcTransport&&) noexcept;

  struct State;  // defined in kdc_proxy_transport.cpp

 private:
  explicit HttpsKdcTransport(std::unique_ptr<State> state, HttpsTransportOptions options);
  Result<std::span<const std::uint8_t>> run(std::string_view realm,
                                            std::span<const std::uint8_t> request,
                                            std::span<std::uint8_t> fixed,
                                            std::vector<std::uint8_t>* grown);

  std::unique_ptr<State> state_;
  HttpsTransportOptions options_;
  HttpsCounters counters_;
};

// The transport krb5.conf asks for: a realm whose kdc entries include https:// URLs goes
// through its proxies (then its plain KDCs, if every proxy failed); every other realm over
// PosixKdcTransport (UDP/TCP).
Result<std::unique_ptr<KdcTransport>> transport_from_config(
    const Config& config, HttpsTransportOptions https_options = {},
    PosixTransportOptions posix_options = {});

// The same for password changes (Client::set_kpasswd_transport): a realm whose kpasswd_server
// entries include https:// URLs changes passwords through those proxies (then its plain
// kpasswd servers, if every proxy failed); every other realm over UDP/TCP, as
// kerb::kpasswd_transport_from_config routes it. The KDC-PROXY-MESSAGE carries the kpasswd
// request as TCP would (RFC 3244 §2 framing after a 4-octet length); a proxy tells it from a
// KDC-REQ by its version field and sends it to the realm's kpasswd servers.
Result<std::unique_ptr<KdcTransport>> kpasswd_transport_from_config(
    const Config& config, HttpsTransportOptions https_options = {},
    PosixTransportOptions posix_options = {});

}  // namespace kerb::https
