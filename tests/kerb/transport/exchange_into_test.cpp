// PosixKdcTransport::exchange_into over loopback sockets: the reply lands in the caller's buffer
// (RFC 4120 §7.2.1 UDP, §7.2.2 TCP), a reply longer than the buffer stops the call with
// kBufferTooSmall, nothing is written past the buffer and no attacker's length is allocated.
// The expected bytes are what the test KDC sent. Timeouts are short; nothing asserts on timing.
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/constants.hpp>
#include <kerb/transport.hpp>

#include "../../heap_hooks.hpp"
#include "fake_kdc.hpp"
#include "stand_ins.hpp"

using kerb::ErrorCategory;
using kerb::KdcAttempt;
using kerb::KdcAttemptOutcome;
using kerb::PosixKdcTransport;
using kerb::PosixTransportOptions;
using kerb::TransportProtocol;
using kerb::test::Bytes;
using kerb::test::FakeKdc;
using kerb::test::krb_error;
using kerb::test::kRealm;
using kerb::test::kRequest;

namespace {

// The largest single operator new while watching, on any thread (the KDC threads' included).
std::atomic<bool> g_watching{false};
std::atomic<std::size_t> g_largest{0};

}  // namespace

void heap_hook_allocated(std::size_t size) noexcept {
  if (!g_watching.load(std::memory_order_relaxed)) return;
  std::size_t seen = g_largest.load(std::memory_order_relaxed);
  while (size > seen && !g_largest.compare_exchange_weak(seen, size)) {
  }
}
void heap_hook_freeing(void*) noexcept {}

namespace {

// A stand-in "AS-REP" of exactly `size` bytes: [APPLICATION 11] and a pattern the transport
// cannot produce by accident (it never looks past a reply's first octet unless it is a KRB-ERROR).
Bytes reply_of(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<std::uint8_t>(seed + i * 7);
  out[0] = 0x6B;
  return out;
}

Bytes be32(std::uint32_t n) {
  return {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}

// The caller's buffer: `capacity` bytes followed by guard bytes that must stay as they are.
constexpr std::size_t kGuard = 64;
constexpr std::uint8_t kGuardByte = 0xA5;
struct GuardedBuffer {
  explicit GuardedBuffer(std::size_t capacity) : storage(capacity + kGuard, 0x00), size(capacity) {
    std::fill(storage.begin() + static_cast<std::ptrdiff_t>(size), storage.end(), kGuardByte);
  }
  std::span<std::uint8_t> span() { return std::span<std::uint8_t>(storage).first(size); }
  bool guard_intact() const {
    return std::all_of(storage.begin() + static_cast<std::ptrdiff_t>(size), storage.end(),
                       [](std::uint8_t b) { return b == kGuardByte; });
  }
  Bytes storage;
  std::size_t size;
};

// One end of a connection as the KDC's script sees it.
struct Peer {
  int fd = -1;
  bool tcp = false;
  sockaddr_storage from{};
  socklen_t from_length = 0;

  // UDP: one datagram back to the client.
  void datagram(const Bytes& b) const {
    ::sendto(fd, b.data(), b.size(), 0, reinterpret_cast<const sockaddr*>(&from), from_length);
  }
  // UDP: several datagrams in one system call, so that they are queued together.
  void datagrams(std::vector<Bytes>& list) const {
    std::vector<iovec> iov(list.size());
    std::vector<mmsghdr> msgs(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      iov[i] = {list[i].data(), list[i].size()};
      msgs[i].msg_hdr.msg_name = const_cast<sockaddr_storage*>(&from);
      msgs[i].msg_hdr.msg_namelen = from_length;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(msgs.size()), 0);
  }
  // TCP: these bytes as they are (the script writes the length prefix itself).
  void write(const Bytes& b) const { ::send(fd, b.data(), b.size(), MSG_NOSIGNAL); }
};

using Script = std::function<void(const Peer&, const Bytes& request)>;

// A loopback KDC that runs a script per request, for what FakeKdc does not say: several
// datagrams, a reply in pieces, a length prefix with nothing after it. Over TCP the connection
// stays open until the client closes it, so a client waiting for more bytes times out.
class ScriptedKdc {
 public:
  ScriptedKdc(bool tcp, std::uint16_t port, Script script, bool ipv6 = false)
      : tcp_(tcp), ipv6_(ipv6), script_(std::move(script)) {
    fd_ = kerb::test::bind_loopback(tcp, ipv6, port);
    if (fd_ < 0)
      throw std::runtime_error(std::string("scripted KDC bind: ") + std::strerror(errno));
    port_ = kerb::test::local_port(fd_);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedKdc() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  ScriptedKdc(const ScriptedKdc&) = delete;
  ScriptedKdc& operator=(const ScriptedKdc&) = delete;

  kerb::KdcAddress address() const { return {ipv6_ ? "::1" : "127.0.0.1", port_}; }
  std::uint16_t port() const { return port_; }
  std::size_t requests() const { return requests_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      Peer peer;
      peer.tcp = tcp_;
      Bytes request;
      if (tcp_) {
        peer.fd = ::accept(fd_, nullptr, nullptr);
        if (peer.fd < 0) continue;
        const int on = 1;
        ::setsockopt(peer.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        std::uint8_t header[4];
        if (read_exact(peer.fd, header, 4)) {
          const std::uint32_t length = static_cast<std::uint32_t>(header[0]) << 24 |
                                       static_cast<std::uint32_t>(header[1]) << 16 |
                                       static_cast<std::uint32_t>(header[2]) << 8 | header[3];
          request.resize(std::min<std::uint32_t>(length, 100000));
          if (length <= 100000 && read_exact(peer.fd, request.data(), request.size())) {
            ++requests_;
            script_(peer, request);
            wait_for_close(peer.fd);
          }
        }
        ::close(peer.fd);
      } else {
        request.resize(70000);
        peer.fd = fd_;
        peer.from_length = sizeof peer.from;
        const ssize_t n = ::recvfrom(fd_, request.data(), request.size(), 0,
                                     reinterpret_cast<sockaddr*>(&peer.from), &peer.from_length);
        if (n < 0) continue;
        request.resize(static_cast<std::size_t>(n));
        ++requests_;
        script_(peer, request);
      }
    }
  }

  bool read_exact(int fd, std::uint8_t* out, std::size_t size) {
    while (size > 0) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return false;
      const ssize_t n = ::recv(fd, out, size, 0);
      if (n <= 0) return false;
      out += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  // Until the client closes (recv sees the end), or 5 s, or the KDC is stopped.
  void wait_for_close(int fd) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      std::uint8_t sink[256];
      if (::recv(fd, sink, sizeof sink, 0) <= 0) return;
    }
  }

  bool tcp_;
  bool ipv6_;
  Script script_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> requests_{0};
  std::thread thread_;
};

struct Seen {
  TransportProtocol protocol;
  KdcAttemptOutcome outcome;
  std::string detail;
};

// Options with short timeouts and a trace that records every attempt.
struct Harness {
  std::mutex mutex;
  std::vector<Seen> seen;
  PosixTransportOptions options() {
    PosixTransportOptions o;
    o.udp_timeout = std::chrono::milliseconds(150);
    o.tcp_timeout = std::chrono::milliseconds(300);
    o.trace = [this](const KdcAttempt& a) {
      std::lock_guard<std::mutex> lock(mutex);
      seen.push_back({a.protocol, a.outcome, std::string(a.detail)});
    };
    return o;
  }
};

std::string too_small_detail(std::size_t capacity, std::size_t reply) {
  return "the reply buffer holds " + std::to_string(capacity) + " bytes; the KDC's reply has " +
         std::to_string(reply);
}

}  // namespace

TEST_CASE("exchange_into: a UDP reply that fills the buffer exactly", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  const Bytes sent = reply_of(300, 1);
  FakeKdc kdc({.ipv6 = ipv6}, [&sent](const Bytes&) { return sent; });
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {kdc.address()});
  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(reply->data() == buffer.storage.data());  // in the caller's buffer, not a copy
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  CHECK(kdc.received() == std::vector<Bytes>{kRequest});
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("exchange_into: a UDP reply one byte longer than the buffer is kBufferTooSmall",
          "[transport]") {
  const Bytes sent = reply_of(300, 2);
  const std::uint16_t port = kerb::test::free_port(false);
  FakeKdc kdc({.port = port}, [&sent](const Bytes&) { return sent; });
  // Neither the same KDC over TCP nor the next KDC is asked: each would send the same reply.
  FakeKdc tcp({.tcp = true, .port = port}, [&sent](const Bytes&) { return sent; });
  FakeKdc next({}, [&sent](const Bytes&) { return sent; });
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {kdc.address(), next.address()});
  GuardedBuffer buffer(sent.size() - 1);
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE_FALSE(reply);
  CHECK(reply.error().category() == ErrorCategory::kBufferTooSmall);
  CHECK(reply.error().detail() == too_small_detail(299, 300));
  CHECK(kdc.requests() == 1);
  CHECK(tcp.requests() == 0);
  CHECK(next.requests() == 0);
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kBadReply);
}

TEST_CASE("exchange_into: KRB_ERR_RESPONSE_TOO_BIG over UDP, the TCP reply into the buffer",
          "[transport]") {
  const std::uint16_t port = kerb::test::free_port(false);
  const Bytes too_big = krb_error(kerb::error_code::kKrbErrResponseTooBig);
  const Bytes sent = reply_of(2000, 3);
  FakeKdc udp({.port = port}, [&too_big](const Bytes&) { return too_big; });
  FakeKdc tcp({.tcp = true, .port = port}, [&sent](const Bytes&) { return sent; });
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {udp.address()});

  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(reply->data() == buffer.storage.data());
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  CHECK(udp.requests() == 1);
  CHECK(tcp.received() == std::vector<Bytes>{kRequest});
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kResponseTooBig);
  CHECK(h.seen[1].protocol == TransportProtocol::kTcp);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);

  // One byte less: the TCP reply does not fit.
  h.seen.clear();
  GuardedBuffer short_buffer(sent.size() - 1);
  auto refused = transport.exchange_into(kRealm, kRequest, short_buffer.span());
  CHECK(short_buffer.guard_intact());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().category() == ErrorCategory::kBufferTooSmall);
  CHECK(refused.error().detail() == too_small_detail(sent.size() - 1, sent.size()));
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kBadReply);
}

TEST_CASE("exchange_into: a TCP reply that fills the buffer exactly", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  const Bytes sent = reply_of(5000, 4);
  FakeKdc kdc({.tcp = true, .ipv6 = ipv6}, [&sent](const Bytes&) { return sent; });
  Harness h;
  PosixTransportOptions options = h.options();
  options.udp_preference_limit = 1;  // TCP first
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(reply->data() == buffer.storage.data());
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].protocol == TransportProtocol::kTcp);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("exchange_into: a TCP reply in several segments", "[transport]") {
  const Bytes sent = reply_of(3000, 5);
  // The prefix in two pieces, then the message in uneven pieces, each its own segment.
  ScriptedKdc kdc(true, 0, [&sent](const Peer& peer, const Bytes&) {
    const Bytes prefix = be32(static_cast<std::uint32_t>(sent.size()));
    const std::size_t cuts[] = {0, 1, 4, 11, 1200, 2999, 3004};  // offsets into prefix+message
    Bytes all = prefix;
    all.insert(all.end(), sent.begin(), sent.end());
    for (std::size_t i = 0; i + 1 < std::size(cuts); ++i) {
      peer.write(Bytes(all.begin() + static_cast<std::ptrdiff_t>(cuts[i]),
                       all.begin() + static_cast<std::ptrdiff_t>(cuts[i + 1])));
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  Harness h;
  PosixTransportOptions options = h.options();
  options.udp_preference_limit = 1;
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("exchange_into: a TCP length prefix longer than the buffer is refused unread",
          "[transport]") {
  struct Case {
    const char* what;
    std::uint32_t length;
    std::size_t max_reply_size;
    ErrorCategory category;
    const char* trace_detail;
  };
  constexpr std::size_t kCapacity = 1000;
  constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
  const Case cases[] = {
      {"one byte too long", kCapacity + 1, 64 * 1024, ErrorCategory::kBufferTooSmall,
       "length prefix above the reply buffer"},
      {"2 GiB, no reply limit", 0x7FFFFFFF, kNoLimit, ErrorCategory::kBufferTooSmall,
       "length prefix above the reply buffer"},
      // Above the reply limit: a bad reply like any other, the next KDC would be asked.
      {"2 GiB, the default limit", 0x7FFFFFFF, 64 * 1024, ErrorCategory::kIo,
       "length prefix above the reply limit"},
      {"4 GiB", 0xFFFFFFFF, kNoLimit, ErrorCategory::kIo, "reserved high bit set in length"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    // The prefix and a few bytes of "message", then nothing: a client that read on would
    // time out instead of refusing.
    ScriptedKdc kdc(true, 0, [&c](const Peer& peer, const Bytes&) {
      Bytes out = be32(c.length);
      const Bytes some = reply_of(16, 6);
      out.insert(out.end(), some.begin(), some.end());
      peer.write(out);
    });
    Harness h;
    PosixTransportOptions options = h.options();
    options.udp_preference_limit = 1;
    options.try_other_protocol = false;
    options.max_reply_size = c.max_reply_size;
    PosixKdcTransport transport(options);
    transport.set_kdcs(kRealm, {kdc.address()});
    GuardedBuffer buffer(kCapacity);
    g_largest = 0;
    g_watching = true;
    auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
    CHECK(buffer.guard_intact());
    g_watching = false;
    REQUIRE_FALSE(reply);
    CHECK(reply.error().category() == c.category);
    if (c.category == ErrorCategory::kBufferTooSmall) {
      CHECK(reply.error().detail() == too_small_detail(kCapacity, c.length));
    }
    CHECK(g_largest.load() < 256 * 1024);  // nothing near the prefix's length
    REQUIRE(h.seen.size() == 1);
    CHECK(h.seen[0].outcome == KdcAttemptOutcome::kBadReply);
    CHECK(h.seen[0].detail == c.trace_detail);
  }
}

TEST_CASE("exchange_into: the second KDC answers when the first is dead", "[transport]") {
  const bool tcp_first = GENERATE(false, true);
  const std::uint16_t dead = kerb::test::free_port(false);
  const Bytes sent = reply_of(700, 7);
  FakeKdc live({.tcp = tcp_first}, [&sent](const Bytes&) { return sent; });
  Harness h;
  PosixTransportOptions options = h.options();
  if (tcp_first) options.udp_preference_limit = 1;
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {{"127.0.0.1", dead}, live.address()});
  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(reply->data() == buffer.storage.data());
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  CHECK(live.received() == std::vector<Bytes>{kRequest});
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kRefused);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("exchange_into and exchange give the bytes the KDC sent", "[transport]") {
  const bool tcp = GENERATE(false, true);
  // Each reply differs (a counter) and depends on the request; the KDC keeps what it sent.
  std::mutex mutex;
  std::vector<Bytes> sent;
  FakeKdc kdc({.tcp = tcp}, [&](const Bytes& request) {
    std::lock_guard<std::mutex> lock(mutex);
    Bytes out = reply_of(1000 + 37 * sent.size(), static_cast<std::uint8_t>(sent.size()));
    std::copy(request.begin(), request.end(), out.begin() + 10);
    sent.push_back(out);
    return out;
  });
  Harness h;
  PosixTransportOptions options = h.options();
  if (tcp) options.udp_preference_limit = 1;
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});

  auto first = transport.exchange(kRealm, kRequest);
  REQUIRE(first);
  GuardedBuffer buffer(4096);
  auto second = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(second);
  const Bytes second_bytes(second->begin(), second->end());  // the buffer is used again below
  auto third = transport.exchange(kRealm, kRequest);
  REQUIRE(third);
  auto fourth = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(fourth);
  std::lock_guard<std::mutex> lock(mutex);
  REQUIRE(sent.size() == 4);
  CHECK(*first == sent[0]);
  CHECK(second_bytes == sent[1]);
  CHECK(*third == sent[2]);
  CHECK(Bytes(fourth->begin(), fourth->end()) == sent[3]);
}

TEST_CASE("exchange_into: of two queued datagrams, the first's own size counts", "[transport]") {
  const Bytes sent = reply_of(400, 8);
  const Bytes extra = {0x6B, 0x03, 0x02, 0x01, 0x05};  // a second datagram from the KDC
  ScriptedKdc kdc(false, 0, [&](const Peer& peer, const Bytes&) {
    std::vector<Bytes> both = {sent, extra};
    peer.datagrams(both);
  });
  Harness h;
  PosixTransportOptions options = h.options();
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  // exchange(): the reply limit applies to the first datagram alone too.
  PosixTransportOptions limited = h.options();
  limited.max_reply_size = sent.size();
  limited.try_other_protocol = false;
  PosixKdcTransport heap(limited);
  heap.set_kdcs(kRealm, {kdc.address()});

  // The client may read the first datagram before the second is queued behind it; several
  // rounds make sure that some of them see both queued.
  for (int round = 0; round < 40; ++round) {
    INFO("round " << round);
    GuardedBuffer buffer(sent.size());  // room for the first, not for both
    auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
    CHECK(buffer.guard_intact());
    REQUIRE(reply);
    CHECK(Bytes(reply->begin(), reply->end()) == sent);

    auto heap_reply = heap.exchange(kRealm, kRequest);
    REQUIRE(heap_reply);
    CHECK(*heap_reply == sent);
  }
}

TEST_CASE("exchange_into: an empty datagram before the reply is skipped", "[transport]") {
  const Bytes sent = reply_of(200, 10);
  ScriptedKdc kdc(false, 0, [&](const Peer& peer, const Bytes&) {
    std::vector<Bytes> both = {Bytes{}, sent};
    peer.datagrams(both);
  });
  Harness h;
  PosixTransportOptions options = h.options();
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  GuardedBuffer buffer(sent.size());
  auto reply = transport.exchange_into(kRealm, kRequest, buffer.span());
  CHECK(buffer.guard_intact());
  REQUIRE(reply);
  CHECK(Bytes(reply->begin(), reply->end()) == sent);
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kAnswered);
}
