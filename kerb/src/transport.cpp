// POSIX KDC transport (RFC 4120 §7.2.1 UDP, §7.2.2 TCP) with failover across a realm's KDCs.
#include <kerb/transport.hpp>

#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include <kerb/constants.hpp>
#include <kerb/der/tag.hpp>
#include <kerb/internal/endian.hpp>
#include <kerb/messages/krb_error.hpp>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0  // Apple: SO_NOSIGPIPE is set on the socket instead
#endif

namespace kerb {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxUdpPayload = 65507;      // IPv4 datagram less headers
constexpr std::size_t kMaxTcpLength = 0x7FFFFFFF;  // the high bit is reserved (§7.2.2)
constexpr std::uint32_t kTcpLengthReservedBit = 0x80000000;

// The error-code of a reply that is a KRB-ERROR (RFC 4120 §5.9.1), or nullopt: the transport
// reacts to KRB_ERR_RESPONSE_TOO_BIG and KDC_ERR_SVC_UNAVAILABLE, and passes the rest on.
std::optional<std::int32_t> krb_error_code(std::span<const std::uint8_t> reply) {
  if (reply.empty() ||
      reply[0] != der::app(static_cast<std::uint8_t>(MessageType::kError)).octet()) {
    return std::nullopt;  // a KDC-REP (or garbage, which the exchange will report)
  }
  const Result<KrbError> error = decode_krb_error(reply);
  if (!error) return std::nullopt;
  return error->error_code;
}

class Socket {
 public:
  explicit Socket(int fd) noexcept : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  Socket& operator=(Socket&&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }

 private:
  int fd_;
};

}  // namespace

// One resolved address of a KDC host; the text in place, so that no address allocates.
struct PosixKdcTransport::Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  // "127.0.0.1:88", "[::1]:88"; empty when getnameinfo failed (the KDC's name is shown).
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 8] = {};  // with a scope: "[fe80::1%eth0]:88"
  bool tcp_tried = false;
};

// A KDC's addresses for one exchange() call. Kept by the transport between calls, so that
// the vectors' storage is reused (each call still resolves anew).
struct PosixKdcTransport::ResolvedKdc {
  bool done = false;
  int gai_error = 0;
  std::vector<Address> addresses;
};

// Where an attempt puts the reply: a vector sized to it (exchange), or the caller's buffer
// (exchange_into), which a reply longer than it does not fit.
class PosixKdcTransport::ReplyStore {
 public:
  explicit ReplyStore(std::vector<std::uint8_t>& heap) noexcept : heap_(&heap) {}
  explicit ReplyStore(std::span<std::uint8_t> fixed) noexcept : fixed_(fixed) {}

  // Room for `n` bytes; empty (and too_small()) when the caller's buffer is shorter.
  std::span<std::uint8_t> room(std::size_t n) {
    size_ = 0;
    if (heap_ != nullptr) {
      heap_->resize(n);
      return *heap_;
    }
    if (n > fixed_.size()) {
      too_small_ = n;
      return {};
    }
    return fixed_.first(n);
  }
  void set_size(std::size_t n) {
    size_ = n;
    if (heap_ != nullptr) heap_->resize(n);
  }
  std::span<const std::uint8_t> bytes() const noexcept {
    return heap_ != nullptr ? std::span<const std::uint8_t>(*heap_).first(size_)
                            : std::span<const std::uint8_t>(fixed_).first(size_);
  }
  std::size_t capacity() const noexcept { return fixed_.size(); }
  std::size_t too_small() const noexcept { return too_small_; }  // the reply's size, or 0

 private:
  std::vector<std::uint8_t>* heap_ = nullptr;
  std::span<std::uint8_t> fixed_;
  std::size_t size_ = 0;
  std::size_t too_small_ = 0;
};

namespace {

using Address = PosixKdcTransport::Address;
using ReplyStore = PosixKdcTransport::ReplyStore;
using ResolvedKdc = PosixKdcTransport::ResolvedKdc;

void resolve(const KdcAddress& kdc, ResolvedKdc& out) {
  out.done = true;
  out.gai_error = 0;
  out.addresses.clear();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;  // one entry per address; TCP reuses it
  hints.ai_flags = AI_NUMERICSERV;
  char port[8];
  std::snprintf(port, sizeof port, "%u", static_cast<unsigned>(kdc.port));
  addrinfo* list = nullptr;
  out.gai_error = ::getaddrinfo(kdc.host.c_str(), port, &hints, &list);
  if (out.gai_error != 0) return;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    const bool duplicate =
        std::any_of(out.addresses.begin(), out.addresses.end(), [ai](const Address& a) {
          return a.length == ai->ai_addrlen && std::memcmp(&a.storage, ai->ai_addr, a.length) == 0;
        });
    if (duplicate) continue;
    Address& a = out.addresses.emplace_back();
    std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
    a.length = ai->ai_addrlen;
    char host[NI_MAXHOST];
    char service[NI_MAXSERV];
    if (::getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, service, sizeof service,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
      std::snprintf(a.text, sizeof a.text, ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
                    service);
    }
  }
  ::freeaddrinfo(list);
  if (out.addresses.empty()) out.gai_error = EAI_NONAME;
}

// How one attempt, or one step of it, ended.
struct Step {
  KdcAttemptOutcome outcome = KdcAttemptOutcome::kAnswered;
  int error_number = 0;
  const char* detail = "";
};

Step from_errno(int e, const char* call) {
  if (e == ECONNREFUSED) return {KdcAttemptOutcome::kRefused, e, call};
  if (e == ETIMEDOUT) return {KdcAttemptOutcome::kTimedOut, e, call};
  return {KdcAttemptOutcome::kNetworkError, e, call};
}
Step timed_out() {
  return {KdcAttemptOutcome::kTimedOut, 0, ""};
}
Step bad_reply(const char* what) {
  return {KdcAttemptOutcome::kBadReply, 0, what};
}

// Waits for `events` on fd until the deadline: 1 ready (or in error), 0 timed out, -1 failed.
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), INT_MAX)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return -1;
    if (rc > 0) return 1;
  }
}

Socket open_socket(int family, int type) {
#ifdef SOCK_CLOEXEC
  type |= SOCK_CLOEXEC;
#endif
  Socket s(::socket(family, type, 0));
  if (!s.valid()) return s;
#ifndef SOCK_CLOEXEC
  ::fcntl(s.fd(), F_SETFD, FD_CLOEXEC);
#endif
#ifdef SO_NOSIGPIPE
  const int on = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
  return s;
}

// The size of the next queued datagram, so that only what arrived is allocated. Linux gives
// that datagram's own size (MSG_PEEK | MSG_TRUNC), however many are queued behind it.
ssize_t next_datagram_size(int fd) {
#if defined(__linux__)
  std::uint8_t probe = 0;
  return ::recv(fd, &probe, 1, MSG_PEEK | MSG_TRUNC);
#else
  // BSDs: every queued byte, an upper bound for the first datagram. A reply with another
  // datagram queued behind it (a KDC's duplicate) may then be refused as over the limit or
  // the buffer.
  int pending = 0;
  if (::ioctl(fd, FIONREAD, &pending) != 0) return -1;
  return pending;
#endif
}

// RFC 4120 §7.2.1: one datagram out, one back, from the KDC's own address and port (the socket
// is connected, so the kernel drops datagrams from anywhere else and reports ICMP refusals).
Step udp_attempt(const Address& kdc, std::span<const std::uint8_t> request,
                 std::chrono::milliseconds timeout, std::size_t max_reply, ReplyStore& reply) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Socket s = open_socket(kdc.storage.ss_family, SOCK_DGRAM);
  if (!s.valid()) return from_errno(errno, "socket");
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&kdc.storage), kdc.length) != 0) {
    return from_errno(errno, "connect");
  }
  const ssize_t sent = ::send(s.fd(), request.data(), request.size(), MSG_NOSIGNAL);
  if (sent < 0) return from_errno(errno, "send");
  if (static_cast<std::size_t>(sent) != request.size()) return bad_reply("datagram cut short");
  for (;;) {
    const int ready = wait_for(s.fd(), POLLIN, deadline);
    if (ready == 0) return timed_out();
    if (ready < 0) return from_errno(errno, "poll");
    const ssize_t size = next_datagram_size(s.fd());
    if (size < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return from_errno(errno, "recv");
    }
    std::uint8_t discard = 0;
    if (size == 0) {  // an empty datagram is no reply; keep waiting
      // FIONREAD also says 0 when poll woke for a pending error (an ICMP refusal): this recv
      // is then what reports it.
      if (::recv(s.fd(), &discard, 1, MSG_DONTWAIT) < 0 && errno != EINTR && errno != EAGAIN &&
          errno != EWOULDBLOCK) {
        return from_errno(errno, "recv");
      }
      continue;
    }
    if (static_cast<std::size_t>(size) > max_reply) {
      (void)::recv(s.fd(), &discard, 1, MSG_DONTWAIT);
      return bad_reply("datagram larger than the reply limit");
    }
    const std::span<std::uint8_t> room = reply.room(static_cast<std::size_t>(size));
    if (room.empty()) {
      (void)::recv(s.fd(), &discard, 1, MSG_DONTWAIT);
      return bad_reply("datagram larger than the reply buffer");
    }
    const ssize_t got = ::recv(s.fd(), room.data(), room.size(), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return from_errno(errno, "recv");
    }
    if (got == 0) continue;
    reply.set_size(static_cast<std::size_t>(got));
    return {};
  }
}

Step send_all(int fd, std::span<const std::uint8_t> data, Clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data = data.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return from_errno(errno, "send");
    const int ready = wait_for(fd, POLLOUT, deadline);
    if (ready == 0) return timed_out();
    if (ready < 0) return from_errno(errno, "poll");
  }
  return {};
}

Step recv_exact(int fd, std::span<std::uint8_t> out, Clock::time_point deadline) {
  while (!out.empty()) {
    const ssize_t n = ::recv(fd, out.data(), out.size(), 0);
    if (n > 0) {
      out = out.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return bad_reply("connection closed before a whole reply");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return from_errno(errno, "recv");
    const int ready = wait_for(fd, POLLIN, deadline);
    if (ready == 0) return timed_out();
    if (ready < 0) return from_errno(errno, "poll");
  }
  return {};
}

// RFC 4120 §7.2.2: each message preceded by its length in 4 octets, network byte order, high
// bit zero. The whole attempt (connect, send, reply) shares one deadline.
Step tcp_attempt(const Address& kdc, std::span<const std::uint8_t> request,
                 std::chrono::milliseconds timeout, std::size_t max_reply, ReplyStore& reply) {
  const Clock::time_point deadline = Clock::now() + timeout;
  Socket s = open_socket(kdc.storage.ss_family, SOCK_STREAM);
  if (!s.valid()) return from_errno(errno, "socket");
  const int flags = ::fcntl(s.fd(), F_GETFL, 0);
  if (flags < 0 || ::fcntl(s.fd(), F_SETFL, flags | O_NONBLOCK) != 0) {
    return from_errno(errno, "fcntl");
  }
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&kdc.storage), kdc.length) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) return from_errno(errno, "connect");
    const int ready = wait_for(s.fd(), POLLOUT, deadline);
    if (ready == 0) return timed_out();
    if (ready < 0) return from_errno(errno, "poll");
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
      return from_errno(errno, "getsockopt");
    }
    if (so_error != 0) return from_errno(so_error, "connect");
  }

  std::uint8_t prefix[4];
  detail::store_be32(static_cast<std::uint32_t>(request.size()), prefix);
  Step step = send_all(s.fd(), prefix, deadline);
  if (step.outcome != KdcAttemptOutcome::kAnswered) return step;
  step = send_all(s.fd(), request, deadline);
  if (step.outcome != KdcAttemptOutcome::kAnswered) return step;

  std::uint8_t header[4];
  step = recv_exact(s.fd(), header, deadline);
  if (step.outcome != KdcAttemptOutcome::kAnswered) return step;
  const std::uint32_t length = detail::load_be32(header);
  if ((length & kTcpLengthReservedBit) != 0) return bad_reply("reserved high bit set in length");
  if (length == 0) return bad_reply("empty reply");
  if (length > max_reply) return bad_reply("length prefix above the reply limit");
  const std::span<std::uint8_t> room = reply.room(length);
  if (room.empty()) return bad_reply("length prefix above the reply buffer");
  step = recv_exact(s.fd(), room, deadline);
  if (step.outcome == KdcAttemptOutcome::kAnswered) reply.set_size(length);
  return step;
}

// One exchange: attempts, the trace, and the summary for the error if nothing answers.
class ExchangeRun {
 public:
  ExchangeRun(const PosixTransportOptions& options, std::string_view realm,
              std::span<const std::uint8_t> request, ReplyStore& reply)
      : options_(options), realm_(realm), request_(request), reply_(reply) {}

  // One attempt at one address; a UDP KRB_ERR_RESPONSE_TOO_BIG is retried there over TCP.
  // True when answered: the reply is in the store.
  bool try_address(TransportProtocol protocol, std::string_view kdc, Address& address) {
    const bool udp = protocol == TransportProtocol::kUdp;
    Step step =
        udp ? udp_attempt(address, request_, options_.udp_timeout, options_.max_reply_size, reply_)
            : tcp_attempt(address, request_, options_.tcp_timeout, options_.max_reply_size, reply_);
    if (!udp) address.tcp_tried = true;
    if (step.outcome == KdcAttemptOutcome::kAnswered) {
      const std::optional<std::int32_t> code = krb_error_code(reply_.bytes());
      if (udp && code == error_code::kKrbErrResponseTooBig) {
        step.outcome = KdcAttemptOutcome::kResponseTooBig;
      } else if (code == error_code::kKdcErrSvcUnavailable) {
        step.outcome = KdcAttemptOutcome::kUnavailable;
      }
    }
    report(protocol, kdc, address.text[0] != '\0' ? address.text : kdc, step,
           reply_.bytes().size());
    if (step.outcome == KdcAttemptOutcome::kAnswered) return true;
    if (step.outcome == KdcAttemptOutcome::kResponseTooBig && !address.tcp_tried) {
      return try_address(TransportProtocol::kTcp, kdc, address);
    }
    return false;
  }

  // A reply did not fit the caller's buffer: every KDC would send the same, so stop there.
  std::optional<Error> too_small() const {
    if (reply_.too_small() == 0) return std::nullopt;
    return Error::format(ErrorCategory::kBufferTooSmall, 0,
                         "the reply buffer holds %zu bytes; the KDC's reply has %zu",
                         reply_.capacity(), reply_.too_small());
  }

  void not_resolved(TransportProtocol protocol, std::string_view kdc, int gai_error) {
    report(protocol, kdc, {}, Step{KdcAttemptOutcome::kNotResolved, 0, ::gai_strerror(gai_error)},
           0);
  }

  Error failure() const {
    std::string out = "no KDC of ";
    out += realm_;
    out += " answered: ";
    constexpr std::size_t kRoomForMore = 12;  // "; +NNN more"
    for (std::size_t i = 0; i < items_.size(); ++i) {
      const std::size_t separator = i == 0 ? 0 : 2;
      const std::size_t reserve = i + 1 < items_.size() ? kRoomForMore : 0;
      if (out.size() + separator + items_[i].size() + reserve >= Error::kDetailCapacity) {
        out += i == 0 ? "+" : "; +";
        out += std::to_string(items_.size() - i);
        out += " more";
        break;
      }
      if (separator != 0) out += "; ";
      out += items_[i];
    }
    return Error(ErrorCategory::kIo, out);
  }

 private:
  void report(TransportProtocol protocol, std::string_view kdc, std::string_view address,
              const Step& step, std::size_t reply_size) {
    if (options_.trace) {
      KdcAttempt attempt;
      attempt.realm = realm_;
      attempt.kdc = kdc;
      attempt.address = address;
      attempt.protocol = protocol;
      attempt.outcome = step.outcome;
      attempt.error_number = step.error_number;
      attempt.detail = step.detail;
      attempt.request_size = request_.size();
      attempt.reply_size = reply_size;
      options_.trace(attempt);
    }
    if (step.outcome == KdcAttemptOutcome::kAnswered) return;
    std::string item(address.empty() ? kdc : address);
    item += ' ';
    item += to_string(step.outcome);
    if (step.outcome != KdcAttemptOutcome::kNotResolved) {
      item += " (";
      item += to_string(protocol);
      item += ')';
    }
    items_.push_back(std::move(item));
  }

  const PosixTransportOptions& options_;
  std::string_view realm_;
  std::span<const std::uint8_t> request_;
  ReplyStore& reply_;
  std::vector<std::string> items_;
};

}  // namespace

std::string_view to_string(TransportProtocol protocol) noexcept {
  return protocol == TransportProtocol::kUdp ? "udp" : "tcp";
}

std::string_view to_string(KdcAttemptOutcome outcome) noexcept {
  switch (outcome) {
    case KdcAttemptOutcome::kAnswered:
      return "answered";
    case KdcAttemptOutcome::kResponseTooBig:
      return "response too big";
    case KdcAttemptOutcome::kUnavailable:
      return "service unavailable";
    case KdcAttemptOutcome::kTimedOut:
      return "timed out";
    case KdcAttemptOutcome::kRefused:
      return "refused";
    case KdcAttemptOutcome::kNetworkError:
      return "network error";
    case KdcAttemptOutcome::kNotResolved:
      return "not resolved";
    case KdcAttemptOutcome::kBadReply:
      return "bad reply";
  }
  return "unknown";
}

PosixKdcTransport::PosixKdcTransport(PosixTransportOptions options)
    : options_(std::move(options)),
      udp_preference_limit_(
          options_.udp_preference_limit.value_or(Config::kDefaultUdpPreferenceLimit)) {}
PosixKdcTransport::~PosixKdcTransport() = default;
PosixKdcTransport::PosixKdcTransport(PosixKdcTransport&&) noexcept = default;
PosixKdcTransport& PosixKdcTransport::operator=(PosixKdcTransport&&) noexcept = default;

Result<PosixKdcTransport> PosixKdcTransport::from_config(const Config& config,
                                                         PosixTransportOptions options) {
  PosixKdcTransport transport(std::move(options));
  if (!transport.options_.udp_preference_limit) {
    KERB_TRY(transport.udp_preference_limit_, config.udp_preference_limit());
  }
  for (std::string_view realm : config.realms()) {
    KERB_TRY(std::vector<KdcAddress> kdcs, config.kdcs(realm));
    transport.set_kdcs(realm, std::move(kdcs));
  }
  return transport;
}

void PosixKdcTransport::set_kdcs(std::string_view realm, std::vector<KdcAddress> kdcs) {
  // The names for traces and errors, made once here rather than in every exchange.
  std::vector<std::string> names;
  names.reserve(kdcs.size());
  for (const KdcAddress& kdc : kdcs)
    names.push_back(kdc.to_string());
  for (Realm& r : realms_) {
    if (r.name == realm) {
      r.kdcs = std::move(kdcs);
      r.kdc_names = std::move(names);
      return;
    }
  }
  realms_.push_back(Realm{std::string(realm), std::move(kdcs), std::move(names)});
}

const PosixKdcTransport::Realm* PosixKdcTransport::find(std::string_view realm) const noexcept {
  for (const Realm& r : realms_) {
    if (r.name == realm) return &r;
  }
  return nullptr;
}

std::span<const KdcAddress> PosixKdcTransport::kdcs(std::string_view realm) const noexcept {
  const Realm* r = find(realm);
  return r != nullptr ? std::span<const KdcAddress>(r->kdcs) : std::span<const KdcAddress>();
}

Result<std::vector<std::uint8_t>> PosixKdcTransport::exchange(
    std::string_view realm, std::span<const std::uint8_t> request) {
  std::vector<std::uint8_t> reply;
  ReplyStore store(reply);
  KERB_TRY_VOID(run(realm, request, store));
  return reply;
}

Result<std::span<const std::uint8_t>> PosixKdcTransport::exchange_into(
    std::string_view realm, std::span<const std::uint8_t> request,
    std::span<std::uint8_t> reply_buffer) {
  ReplyStore store(reply_buffer);
  KERB_TRY_VOID(run(realm, request, store));
  return store.bytes();
}

Result<void> PosixKdcTransport::run(std::string_view realm, std::span<const std::uint8_t> request,
                                    ReplyStore& reply) {
  if (request.empty()) return Error(ErrorCategory::kInvalidArgument, "empty KDC request");
  if (request.size() > kMaxTcpLength) {
    return Error(ErrorCategory::kInvalidArgument, "KDC request too large");
  }
  const Realm* r = find(realm);
  if (r == nullptr || r->kdcs.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "no KDC configured for realm %.*s",
                         static_cast<int>(realm.size()), realm.data());
  }
  const std::span<const KdcAddress> kdcs = r->kdcs;

  // RFC 4120 §7.2.1 leaves the choice to the client; MIT's rule: UDP first below the limit.
  const bool udp_first = request.size() < udp_preference_limit_;
  const TransportProtocol order[] = {udp_first ? TransportProtocol::kUdp : TransportProtocol::kTcp,
                                     udp_first ? TransportProtocol::kTcp : TransportProtocol::kUdp};
  const std::size_t passes = options_.try_other_protocol ? 2 : 1;

  ExchangeRun run(options_, realm, request, reply);
  // Resolved lazily, once per call; the storage stays for the next call.
  if (resolved_.size() < kdcs.size()) resolved_.resize(kdcs.size());
  for (std::size_t i = 0; i < kdcs.size(); ++i)
    resolved_[i].done = false;
  for (std::size_t pass = 0; pass < passes; ++pass) {
    const TransportProtocol protocol = order[pass];
    if (protocol == TransportProtocol::kUdp && request.size() > kMaxUdpPayload) continue;
    for (std::size_t i = 0; i < kdcs.size(); ++i) {
      const std::string_view name = r->kdc_names[i];
      ResolvedKdc& kdc = resolved_[i];
      if (!kdc.done) {
        resolve(kdcs[i], kdc);
        if (kdc.gai_error != 0) run.not_resolved(protocol, name, kdc.gai_error);
      }
      for (Address& address : kdc.addresses) {
        if (protocol == TransportProtocol::kTcp && address.tcp_tried) continue;
        if (run.try_address(protocol, name, address)) return ok();
        if (std::optional<Error> e = run.too_small()) return *e;
      }
    }
  }
  return run.failure();
}

}  // namespace kerb
