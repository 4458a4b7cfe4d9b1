// PosixKdcTransport against fake KDCs on loopback (RFC 4120 §7.2.1 UDP, §7.2.2 TCP): protocol
// choice, RESPONSE_TOO_BIG retry, failover, spoofed datagrams, TCP framing limits. Timeouts are
// short and nothing asserts on timing.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/config.hpp>
#include <kerb/constants.hpp>
#include <kerb/transport.hpp>

#include "fake_kdc.hpp"
#include "stand_ins.hpp"

using kerb::Config;
using kerb::CountingTransport;
using kerb::ErrorCategory;
using kerb::KdcAddress;
using kerb::KdcAttempt;
using kerb::KdcAttemptOutcome;
using kerb::PosixKdcTransport;
using kerb::PosixTransportOptions;
using kerb::TransportProtocol;
using kerb::test::Bytes;
using kerb::test::FakeKdc;
using kerb::test::FakeKdcOptions;
using kerb::test::krb_error;
using kerb::test::kRealm;
using kerb::test::kRequest;

namespace {

// A stand-in reply, beside kRequest.
const Bytes kReply = {0x6B, 0x03, 0x02, 0x01, 0x05};  // [APPLICATION 11] "AS-REP"

struct Seen {
  std::string address;
  TransportProtocol protocol;
  KdcAttemptOutcome outcome;
  std::size_t reply_size;
};

// Options with short timeouts and a trace that records every attempt.
struct Harness {
  std::mutex mutex;
  std::vector<Seen> seen;
  PosixTransportOptions options() {
    PosixTransportOptions o;
    o.udp_timeout = std::chrono::milliseconds(150);
    o.tcp_timeout = std::chrono::milliseconds(200);
    o.trace = [this](const KdcAttempt& a) {
      CHECK_FALSE(a.realm.empty());
      CHECK(a.request_size > 0);
      std::lock_guard<std::mutex> lock(mutex);
      seen.push_back({std::string(a.address), a.protocol, a.outcome, a.reply_size});
    };
    return o;
  }
};

std::string udp_name(const FakeKdc& kdc) {
  return kdc.address().to_string();
}

Bytes answer(const Bytes&) {
  return kReply;
}
Bytes silence(const Bytes&) {
  return {};
}

}  // namespace

TEST_CASE("transport: UDP happy path, IPv4 and IPv6", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  FakeKdc kdc({.tcp = false, .ipv6 = ipv6}, answer);
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {kdc.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  CHECK(kdc.received() == std::vector<Bytes>{kRequest});
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].address == udp_name(kdc));
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kAnswered);
  CHECK(h.seen[0].reply_size == kReply.size());
}

#if KERB_WITH_KRB5_CONF  // the KDCs come from krb5.conf text
TEST_CASE("transport: a Config with host names and IPv6 literals", "[transport]") {
  FakeKdc v4({}, answer);
  FakeKdc v6({.ipv6 = true}, answer);
  const std::string text =
      "[libdefaults]\n udp_preference_limit = 2000\n[realms]\n KERB.TEST = {\n"
      "  kdc = localhost:" +
      std::to_string(v4.port()) +
      "\n }\n"
      " V6.TEST = {\n  kdc = [::1]:" +
      std::to_string(v6.port()) + "\n }\n";
  auto config = Config::parse(text);
  REQUIRE(config);
  Harness h;
  auto transport = PosixKdcTransport::from_config(*config, h.options());
  REQUIRE(transport);
  CHECK(transport->kdcs(kRealm).size() == 1);
  auto reply = transport->exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  auto reply6 = transport->exchange("V6.TEST", kRequest);
  REQUIRE(reply6);
  CHECK(*reply6 == kReply);
  CHECK(v4.requests() == 1);
  CHECK(v6.requests() == 1);

  // udp_preference_limit came from the Config: a 1500-byte request still goes over UDP.
  const Bytes big(1500, 0x6A);
  h.seen.clear();
  REQUIRE(transport->exchange(kRealm, big));
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
}
#endif

TEST_CASE("transport: requests at or above udp_preference_limit go over TCP", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  FakeKdc tcp({.tcp = true, .ipv6 = ipv6}, answer);
  Harness h;
  PosixTransportOptions options = h.options();
  options.udp_preference_limit = 1465;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {tcp.address()});

  Bytes large(3000);
  for (std::size_t i = 0; i < large.size(); ++i)
    large[i] = static_cast<std::uint8_t>(i);
  auto reply = transport.exchange(kRealm, large);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  CHECK(tcp.received() == std::vector<Bytes>{large});
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].protocol == TransportProtocol::kTcp);

  // Exactly the limit is "not smaller": TCP too.
  h.seen.clear();
  REQUIRE(transport.exchange(kRealm, Bytes(1465, 0x6A)));
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].protocol == TransportProtocol::kTcp);
}

TEST_CASE("transport: KRB_ERR_RESPONSE_TOO_BIG over UDP retries the same KDC over TCP",
          "[transport]") {
  const std::uint16_t port = kerb::test::free_port(false);
  const Bytes too_big = krb_error(kerb::error_code::kKrbErrResponseTooBig);
  FakeKdc udp({.port = port}, [&too_big](const Bytes&) { return too_big; });
  FakeKdc tcp({.tcp = true, .port = port}, answer);
  FakeKdc other({}, answer);  // a second KDC that must not be asked
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {udp.address(), other.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  CHECK(udp.requests() == 1);
  CHECK(tcp.requests() == 1);
  CHECK(other.requests() == 0);
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kResponseTooBig);
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);
  CHECK(h.seen[1].protocol == TransportProtocol::kTcp);
  CHECK(h.seen[1].address == h.seen[0].address);
}

TEST_CASE("transport: other KRB-ERRORs are replies, KDC_ERR_SVC_UNAVAILABLE fails over",
          "[transport]") {
  const Bytes preauth = krb_error(kerb::error_code::kKdcErrPreauthRequired);
  const Bytes unavailable = krb_error(kerb::error_code::kKdcErrSvcUnavailable);
  FakeKdc busy({}, [&unavailable](const Bytes&) { return unavailable; });
  FakeKdc kdc({}, [&preauth](const Bytes&) { return preauth; });
  Harness h;
  PosixTransportOptions options = h.options();
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {busy.address(), kdc.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == preauth);
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kUnavailable);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("transport: failover from a refused port and a silent server", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  const std::uint16_t dead = kerb::test::free_port(ipv6);
  FakeKdc silent({.ipv6 = ipv6}, silence);
  FakeKdc live({.ipv6 = ipv6}, answer);
  const std::string host = ipv6 ? "::1" : "127.0.0.1";
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {{host, dead}, silent.address(), live.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  CHECK(silent.requests() == 1);
  CHECK(live.requests() == 1);
  REQUIRE(h.seen.size() == 3);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kRefused);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kTimedOut);
  CHECK(h.seen[1].address == udp_name(silent));
  CHECK(h.seen[2].outcome == KdcAttemptOutcome::kAnswered);
  CHECK(h.seen[2].address == udp_name(live));
}

TEST_CASE("transport: UDP that gets nowhere falls back to TCP", "[transport]") {
  FakeKdc tcp({.tcp = true}, answer);  // nothing on the UDP port of the same number
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {tcp.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  CHECK(*reply == kReply);
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].protocol == TransportProtocol::kUdp);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kRefused);
  CHECK(h.seen[1].protocol == TransportProtocol::kTcp);
  CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);
}

TEST_CASE("transport: a spoofed datagram from another port is ignored", "[transport]") {
  const bool ipv6 = GENERATE(false, true);
  FakeKdc kdc({.ipv6 = ipv6, .spoof_first = true}, answer);
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {kdc.address()});
  for (int i = 0; i < 5; ++i) {
    auto reply = transport.exchange(kRealm, kRequest);
    REQUIRE(reply);
    CHECK(*reply == kReply);  // never the spoof, which is a different "AS-REP"
  }
  CHECK(kdc.requests() == 5);
}

TEST_CASE("transport: a spoof alone is no answer", "[transport]") {
  FakeKdc kdc({.spoof_first = true}, silence);
  Harness h;
  PosixTransportOptions options = h.options();
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE_FALSE(reply);
  CHECK(reply.error().category() == ErrorCategory::kIo);
  CHECK(reply.error().detail() ==
        "no KDC of KERB.TEST answered: " + udp_name(kdc) + " timed out (udp)");
}

TEST_CASE("transport: TCP framing limits", "[transport]") {
  struct Case {
    const char* what;
    Bytes raw;  // what the fake KDC writes back, length prefix included
  };
  Bytes over_limit = {0x00, 0x01, 0x00, 0x01};  // 65537 > 64 KiB: refused unread
  const Case cases[] = {
      {"oversize length", over_limit},
      {"huge length", {0x7F, 0xFF, 0xFF, 0xFF}},
      {"reserved high bit", {0x80, 0x00, 0x00, 0x05, 0x6B, 0x03, 0x02, 0x01, 0x05}},
      {"empty reply", {0x00, 0x00, 0x00, 0x00}},
      {"cut short", {0x00, 0x00, 0x00, 0x09, 0x6B, 0x03}},
      {"cut in the prefix", {0x00, 0x00}},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    FakeKdc bad({.tcp = true, .raw_tcp = true}, [&c](const Bytes&) { return c.raw; });
    FakeKdc good({.tcp = true}, answer);
    Harness h;
    PosixTransportOptions options = h.options();
    options.udp_preference_limit = 1;  // TCP first
    options.try_other_protocol = false;
    PosixKdcTransport transport(options);
    transport.set_kdcs(kRealm, {bad.address(), good.address()});
    auto reply = transport.exchange(kRealm, kRequest);
    REQUIRE(reply);
    CHECK(*reply == kReply);
    CHECK(bad.requests() == 1);
    REQUIRE(h.seen.size() == 2);
    CHECK(h.seen[0].outcome == KdcAttemptOutcome::kBadReply);
    CHECK(h.seen[1].outcome == KdcAttemptOutcome::kAnswered);
  }
}

TEST_CASE("transport: the reply limit is configurable and applies to UDP too", "[transport]") {
  const Bytes big(2000, 0x6B);
  FakeKdc kdc({}, [&big](const Bytes&) { return big; });
  Harness h;
  PosixTransportOptions options = h.options();
  options.max_reply_size = 1000;
  options.try_other_protocol = false;
  PosixKdcTransport transport(options);
  transport.set_kdcs(kRealm, {kdc.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE_FALSE(reply);
  REQUIRE(h.seen.size() == 1);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kBadReply);

  PosixKdcTransport roomy(h.options());
  roomy.set_kdcs(kRealm, {kdc.address()});
  auto ok = roomy.exchange(kRealm, kRequest);
  REQUIRE(ok);
  CHECK(*ok == big);
}

TEST_CASE("transport: when nothing answers, the error names the realm and every try",
          "[transport]") {
  const std::uint16_t dead = kerb::test::free_port(false);
  FakeKdc silent({}, silence);
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {{"127.0.0.1", dead}, silent.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE_FALSE(reply);
  CHECK(reply.error().category() == ErrorCategory::kIo);
  const std::string dead_name = "127.0.0.1:" + std::to_string(dead);
  // UDP to both, then TCP to both; the detail is cut to fit with a count of the rest.
  REQUIRE(h.seen.size() == 4);
  CHECK(h.seen[2].protocol == TransportProtocol::kTcp);
  CHECK(h.seen[3].protocol == TransportProtocol::kTcp);
  const std::string detail(reply.error().detail());
  INFO(detail);
  CHECK(detail.rfind("no KDC of KERB.TEST answered: " + dead_name + " refused (udp); " +
                         udp_name(silent) + " timed out (udp)",
                     0) == 0);
  CHECK(detail.size() < kerb::Error::kDetailCapacity);
}

TEST_CASE("transport: unresolvable hosts and unknown realms", "[transport]") {
  FakeKdc live({}, answer);
  Harness h;
  PosixKdcTransport transport(h.options());
  transport.set_kdcs(kRealm, {{"no-such-host.invalid", 88}, live.address()});
  auto reply = transport.exchange(kRealm, kRequest);
  REQUIRE(reply);
  REQUIRE(h.seen.size() == 2);
  CHECK(h.seen[0].outcome == KdcAttemptOutcome::kNotResolved);
  CHECK(h.seen[0].address.empty());

  auto unknown = transport.exchange("OTHER.TEST", kRequest);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().category() == ErrorCategory::kConfig);
  CHECK(unknown.error().detail() == "no KDC configured for realm OTHER.TEST");

  auto empty = transport.exchange(kRealm, {});
  REQUIRE_FALSE(empty);
  CHECK(empty.error().category() == ErrorCategory::kInvalidArgument);
}

#if KERB_WITH_KRB5_CONF  // krb5.conf text
TEST_CASE("transport: from_config reports bad kdc lines", "[transport]") {
  auto config = Config::parse("[realms]\nKERB.TEST = {\nkdc = host:0\n}\n");
  REQUIRE(config);
  auto transport = PosixKdcTransport::from_config(*config);
  REQUIRE_FALSE(transport);
  CHECK(transport.error().detail() == "krb5.conf:3: kdc: bad port in 'host:0'");
}
#endif

namespace {

// A scripted transport: what an exchange or a test injects instead of sockets.
class ScriptedTransport final : public kerb::KdcTransport {
 public:
  kerb::Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                                   std::span<const std::uint8_t>) override {
    if (realm != kRealm) return kerb::Error(ErrorCategory::kIo, "unreachable");
    return kReply;
  }
};

}  // namespace

TEST_CASE("transport: CountingTransport counts round trips", "[transport]") {
  ScriptedTransport scripted;
  CountingTransport counting(scripted);
  kerb::KdcTransport& transport = counting;
  CHECK(counting.round_trips() == 0);
  REQUIRE(transport.exchange(kRealm, kRequest));
  REQUIRE(transport.exchange(kRealm, kRequest));
  REQUIRE_FALSE(transport.exchange("ELSEWHERE", kRequest));
  CHECK(counting.round_trips() == 3);
  CHECK(counting.failures() == 1);
  counting.reset();
  CHECK(counting.round_trips() == 0);
  CHECK(counting.failures() == 0);

  // Over the real thing too.
  FakeKdc kdc({}, answer);
  PosixKdcTransport posix;
  posix.set_kdcs(kRealm, {kdc.address()});
  CountingTransport counted(posix);
  REQUIRE(counted.exchange(kRealm, kRequest));
  CHECK(counted.round_trips() == 1);
  CHECK(kdc.requests() == 1);
}
