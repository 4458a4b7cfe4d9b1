// Moving KDC messages (RFC 4120 §7.2): the byte pipe under the sans-I/O exchanges.
//
// An exchange state machine emits a KRB_AS_REQ/KRB_TGS_REQ and consumes the reply; a
// KdcTransport carries the one between them and knows nothing else about either. Tests and
// apps with their own event loop inject their own; PosixKdcTransport is the blocking default:
//
//   KERB_TRY(Config config, Config::load_from_env());
//   KERB_TRY(PosixKdcTransport transport, PosixKdcTransport::from_config(config));
//   KERB_TRY(std::vector<std::uint8_t> reply, transport.exchange("KERB.TEST", request));
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/config.hpp>
#include <kerb/result.hpp>

namespace kerb {

// One request/reply message exchange with a KDC of a realm.
class KdcTransport {
 public:
  virtual ~KdcTransport() = default;
  // Sends `request` (a DER KDC-REQ) to a KDC of `realm` and returns its reply (KDC-REP or
  // KRB-ERROR), as bytes: checking them is the exchange's job.
  virtual Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                                     std::span<const std::uint8_t> request) = 0;
  // The same with the reply received into `reply_buffer` (its first bytes), for callers with no
  // heap to spare; kBufferTooSmall when the reply is longer. The default calls exchange() and
  // copies; PosixKdcTransport receives into the buffer and allocates nothing for the reply.
  // (Inline, as every virtual here: the class has no key function, so code built with RTTI
  // can derive from it while the library is built without.)
  virtual Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) {
    KERB_TRY(std::vector<std::uint8_t> reply, exchange(realm, request));
    if (reply.size() > reply_buffer.size()) {
      return Error::format(ErrorCategory::kBufferTooSmall, 0,
                           "the reply buffer holds %zu bytes; the KDC's reply has %zu",
                           reply_buffer.size(), reply.size());
    }
    std::copy(reply.begin(), reply.end(), reply_buffer.begin());
    return std::span<const std::uint8_t>(reply_buffer.first(reply.size()));
  }
};

// Counts round trips through another transport (every call, answered or not), e.g. to assert
// the DESIGN.md budget of one KDC round trip for a returning user.
class CountingTransport final : public KdcTransport {
 public:
  explicit CountingTransport(KdcTransport& inner) noexcept : inner_(inner) {}
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override {
    ++round_trips_;
    Result<std::vector<std::uint8_t>> reply = inner_.exchange(realm, request);
    if (!reply) ++failures_;
    return reply;
  }
  Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) override {
    ++round_trips_;
    Result<std::span<const std::uint8_t>> reply =
        inner_.exchange_into(realm, request, reply_buffer);
    if (!reply) ++failures_;
    return reply;
  }
  std::size_t round_trips() const noexcept { return round_trips_; }
  std::size_t failures() const noexcept { return failures_; }
  void reset() noexcept { round_trips_ = failures_ = 0; }

 private:
  KdcTransport& inner_;
  std::size_t round_trips_ = 0;
  std::size_t failures_ = 0;
};

enum class TransportProtocol : std::uint8_t { kUdp, kTcp };
std::string_view to_string(TransportProtocol protocol) noexcept;  // "udp", "tcp"

enum class KdcAttemptOutcome : std::uint8_t {
  kAnswered,        // the reply is returned to the caller
  kResponseTooBig,  // UDP reply was KRB_ERR_RESPONSE_TOO_BIG: the same KDC is retried over TCP
  kUnavailable,     // reply was KDC_ERR_SVC_UNAVAILABLE: the next KDC is tried
  kTimedOut,        // no reply within the attempt's timeout
  kRefused,         // ECONNREFUSED: nothing listening (ICMP port unreachable, TCP RST)
  kNetworkError,    // another socket error (KdcAttempt::error_number)
  kNotResolved,     // getaddrinfo found no address for the host
  kBadReply,        // reply refused before use: too large, empty, reserved length bit, cut short
};
std::string_view to_string(KdcAttemptOutcome outcome) noexcept;  // "timed out", "refused", ...

// One attempt, reported for debugging. Never carries message bytes. Views last for the call.
struct KdcAttempt {
  std::string_view realm;
  std::string_view kdc;      // as configured, "host:port"
  std::string_view address;  // the address tried, "127.0.0.1:88" / "[::1]:88"; empty if none
  TransportProtocol protocol = TransportProtocol::kUdp;
  KdcAttemptOutcome outcome = KdcAttemptOutcome::kAnswered;
  int error_number = 0;     // errno for kRefused and kNetworkError, 0 otherwise
  std::string_view detail;  // what was wrong with a kBadReply, or the failing call
  std::size_t request_size = 0;
  std::size_t reply_size = 0;
};
using KdcAttemptTrace = std::function<void(const KdcAttempt&)>;

struct PosixTransportOptions {
  // Requests smaller than this try UDP first, others TCP first; nullopt: the Config's
  // udp_preference_limit (1465 without one).
  std::optional<std::size_t> udp_preference_limit;
  std::chrono::milliseconds udp_timeout{1000};  // per attempt: one datagram out, one back
  std::chrono::milliseconds tcp_timeout{3000};  // per attempt: connect, send, read the reply
  // Replies longer than this are refused (a TCP length prefix above it is refused before
  // anything is allocated for it).
  std::size_t max_reply_size = 64 * 1024;
  // After every KDC failed over the first protocol, try them all over the other one (MIT:
  // "both protocols will be tried if the first attempt fails").
  bool try_other_protocol = true;
  KdcAttemptTrace trace;  // optional
};

// Blocking POSIX transport: UDP and TCP (4-octet big-endian length prefix, RFC 4120 §7.2.2)
// over IPv4 and IPv6, KDCs of a realm tried one after another in configured order (every
// address of each host), failing over on timeout, refusal and network errors. UDP sockets are
// connected, so datagrams from any other address or port are dropped by the kernel. Host
// names go through getaddrinfo (which blocks on its own terms; kerb never queries DNS SRV).
class PosixKdcTransport final : public KdcTransport {
 public:
  explicit PosixKdcTransport(PosixTransportOptions options = {});
  // KDCs of every realm in [realms] and udp_preference_limit from `config`.
  static Result<PosixKdcTransport> from_config(const Config& config,
                                               PosixTransportOptions options = {});

  // Replaces the KDC list of a realm (realm names compare exactly).
  void set_kdcs(std::string_view realm, std::vector<KdcAddress> kdcs);
  std::span<const KdcAddress> kdcs(std::string_view realm) const noexcept;
  const PosixTransportOptions& options() const noexcept { return options_; }

  // kConfig when the realm has no KDC; kInvalidArgument for an empty or oversized request;
  // kIo when no KDC answered, naming the realm and what was tried:
  //   "no KDC of KERB.TEST answered: 127.0.0.1:88 timed out (udp); ..."
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override;
  // The same, received into `reply_buffer`; a reply longer than it ends the call with
  // kBufferTooSmall. Memory: after the first call of a realm, no heap of kerb's (getaddrinfo
  // may still use the C library's).
  Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) override;

  // Not copyable (its resolver storage is its own); one call at a time.
  ~PosixKdcTransport() override;
  PosixKdcTransport(PosixKdcTransport&&) noexcept;
  PosixKdcTransport& operator=(PosixKdcTransport&&) noexcept;

  // Defined in transport.cpp.
  struct Address;
  struct ResolvedKdc;
  class ReplyStore;

 private:
  struct Realm {
    std::string name;
    std::vector<KdcAddress> kdcs;
    std::vector<std::string> kdc_names;  // "host:port", for traces and errors
  };
  const Realm* find(std::string_view realm) const noexcept;
  Result<void> run(std::string_view realm, std::span<const std::uint8_t> request,
                   ReplyStore& reply);

  PosixTransportOptions options_;
  std::size_t udp_preference_limit_;
  std::vector<Realm> realms_;
  std::vector<ResolvedKdc> resolved_;  // the last call's, reused
};

}  // namespace kerb
