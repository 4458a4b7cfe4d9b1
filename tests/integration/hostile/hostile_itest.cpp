// kerb's client and PosixKdcTransport on real sockets against a hostile KDC (hostile_kdc.hpp)
// that forwards to the fixture's MIT KDC, rewrites its replies or answers by itself.
// Scenarios (RFC 4120 §7.2 for the transport, §3.1.3-§3.1.5 and §3.3.3 for the replies):
//   - no answer: the next KDC of the list answers; the last KDC the only live one;
//     KDC_ERR_SVC_UNAVAILABLE: the next KDC; every reply duplicated
//   - a late answer (after the client moved on) is not taken for a later exchange's reply
//   - garbage over UDP and TCP, a TCP record cut short, a 4 GiB TCP length (no allocation),
//     a TCP reply dripped a byte at a time (the attempt's deadline ends it)
//   - KRB_ERR_RESPONSE_TOO_BIG over UDP: the same KDC over TCP
//   - KRB_AP_ERR_SKEW with stime: one clock-corrected retry; a second SKEW is final
//   - forged AS-REPs that decrypt fine: wrong nonce, another cname, an encrypted sname other
//     than the ticket's, a session key or reply enctype not permitted (rc4, DES, unrequested)
//   - ETYPE-INFO2: a huge PBKDF2 iteration count, an empty salt, an enormous salt
//   - KRB-ERROR with garbage e-data; a KDC that keeps asking again (bounded round trips)
//   - replies from another port or address (ignored: connected UDP sockets)
//   - a genuine AS-REP replayed into a later exchange; a forged TGS-REP
// Error codes are RFC 4120 §7.5.9's numbers, typed in.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/transport.hpp>

#include "../../largest_block.hpp"
#include "hostile_checks.hpp"
#include "hostile_kdc.hpp"
#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;
using hostile::bytes_of;
using hostile::check_error;
using hostile::HostileKdc;
using hostile::Request;
using hostile::Send;
using Sends = std::vector<Send>;

namespace {

constexpr std::int32_t kCPrincipalUnknown = 6;
constexpr std::int32_t kClientRevoked = 18;
constexpr std::int32_t kPreauthFailed = 24;
constexpr std::int32_t kPreauthRequired = 25;
constexpr std::int32_t kSvcUnavailable = 29;
constexpr std::int32_t kSkew = 37;
constexpr std::int32_t kResponseTooBig = 52;

constexpr std::chrono::milliseconds kUdpTimeout{300};
constexpr std::chrono::milliseconds kTcpTimeout{1500};

std::string realm() {
  return env("KERB_TEST_REALM");
}

KdcAddress real_kdc() {
  return KdcAddress{env("KERB_TEST_KDC_HOST"),
                    static_cast<std::uint16_t>(std::stoi(env("KERB_TEST_KDC_PORT")))};
}

struct Attempt {
  std::string kdc;
  TransportProtocol protocol;
  KdcAttemptOutcome outcome;
};

// A transport to `kdcs` in that order, recording every attempt.
struct Net {
  std::vector<Attempt> attempts;
  PosixKdcTransport transport;

  explicit Net(std::vector<KdcAddress> kdcs, bool tcp_first = false)
      : transport(options(tcp_first)) {
    transport.set_kdcs(realm(), std::move(kdcs));
  }
  PosixTransportOptions options(bool tcp_first) {
    PosixTransportOptions o;
    o.udp_timeout = kUdpTimeout;
    o.tcp_timeout = kTcpTimeout;
    if (tcp_first) o.udp_preference_limit = 1;
    o.trace = [this](const KdcAttempt& a) {
      attempts.push_back(Attempt{std::string(a.kdc), a.protocol, a.outcome});
    };
    return o;
  }
  // The outcomes of the attempts at `kdc`, in order.
  std::vector<KdcAttemptOutcome> outcomes(const KdcAddress& kdc, TransportProtocol p) const {
    std::vector<KdcAttemptOutcome> out;
    for (const Attempt& a : attempts) {
      if (a.kdc == kdc.to_string() && a.protocol == p) out.push_back(a.outcome);
    }
    return out;
  }
};

Sends forward(const Request& r) {
  return {Send{HostileKdc::forward(r.bytes)}};
}

Result<Credentials> login(Net& net, ClientOptions options = {}) {
  Client client(net.transport, std::move(options));
  return client.login_password(principal("alice"), password("alice"));
}

using O = KdcAttemptOutcome;
using Outcomes = std::vector<KdcAttemptOutcome>;
constexpr TransportProtocol kUdp = TransportProtocol::kUdp;
constexpr TransportProtocol kTcp = TransportProtocol::kTcp;

}  // namespace

TEST_CASE("hostile: a KDC that never answers is passed over for the next one",
          "[hostile][failover]") {
  HostileKdc silent([](HostileKdc&, const Request&) { return Sends{}; });
  SECTION("the next KDC answers") {
    Net net({silent.address(), real_kdc()});
    auto tgt = login(net);
    REQUIRE(tgt.ok());
    // Both AS-REQs (bare, then pre-authenticated) tried the silent KDC first, over UDP only.
    CHECK(net.outcomes(silent.address(), kUdp) == Outcomes{O::kTimedOut, O::kTimedOut});
    CHECK(silent.count(true) == 0);
    CHECK(net.outcomes(real_kdc(), kUdp) == Outcomes{O::kAnswered, O::kAnswered});
  }
  SECTION("the last KDC of the list is the only live one") {
    const KdcAddress dead{"127.0.0.1", hostile::dead_port()};
    Net net({dead, silent.address(), real_kdc()});
    auto tgt = login(net);
    REQUIRE(tgt.ok());
    CHECK(net.outcomes(dead, kUdp) == Outcomes{O::kRefused, O::kRefused});
    CHECK(net.outcomes(silent.address(), kUdp) == Outcomes{O::kTimedOut, O::kTimedOut});
    CHECK(net.outcomes(real_kdc(), kUdp) == Outcomes{O::kAnswered, O::kAnswered});
  }
}

TEST_CASE("hostile: KDC_ERR_SVC_UNAVAILABLE passes to the next KDC", "[hostile][failover]") {
  const hostile::Bytes unavailable = hostile::krb_error(realm(), kSvcUnavailable);
  HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{unavailable}}; });
  Net net({kdc.address(), real_kdc()});
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(kdc.address(), kUdp) == Outcomes{O::kUnavailable, O::kUnavailable});
  CHECK(net.outcomes(real_kdc(), kUdp) == Outcomes{O::kAnswered, O::kAnswered});
}

TEST_CASE("hostile: every reply sent twice, the first copy is the reply", "[hostile][failover]") {
  const bool tcp = GENERATE(false, true);
  HostileKdc kdc([](HostileKdc&, const Request& r) {
    const hostile::Bytes reply = HostileKdc::forward(r.bytes);
    return Sends{Send{reply}, Send{reply}};
  });
  Net net({kdc.address()}, tcp);
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(kdc.address(), tcp ? kTcp : kUdp) == Outcomes{O::kAnswered, O::kAnswered});
}

TEST_CASE("hostile: a late answer is not taken for a later exchange's reply",
          "[hostile][failover]") {
  // The first KDC answers each request too late, with an error that would end the login if it
  // were believed: after the client's timeout, and again to the first request's source when
  // the client has already come back with its next request.
  const hostile::Bytes revoked = hostile::krb_error(realm(), kClientRevoked);
  HostileKdc late([&](HostileKdc&, const Request& r) {
    Send s{revoked};
    if (r.index == 0) {
      s.delay = kUdpTimeout * 2;
    } else {
      s.to_request = 0;
    }
    return Sends{s};
  });
  Net net({late.address(), real_kdc()});
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(late.address(), kUdp) == Outcomes{O::kTimedOut, O::kTimedOut});
  CHECK(net.outcomes(real_kdc(), kUdp) == Outcomes{O::kAnswered, O::kAnswered});
}

TEST_CASE("hostile: garbage is a typed error, never a crash", "[hostile][garbage]") {
  const bool tcp = GENERATE(false, true);
  for (const hostile::GarbageReply& c : hostile::garbage_replies()) {
    DYNAMIC_SECTION(c.name << (tcp ? " over TCP" : " over UDP")) {
      HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{c.reply}}; });
      Net net({kdc.address()}, tcp);
      auto tgt = login(net);
      check_error(tgt, c.category, 0);
      CHECK(kdc.count(tcp) == 1);
      CHECK(kdc.count(!tcp) == 0);
    }
  }
}

TEST_CASE("hostile: a TCP record cut short or 4 GiB long is refused, the next KDC answers",
          "[hostile][tcp]") {
  struct Case {
    const char* name;
    hostile::Bytes stream;  // written as is, then the connection closes
  };
  const Case cases[] = {
      Case{"a record cut short", bytes_of({0x00, 0x00, 0x03, 0xE8, 0x6B, 0x82, 0x03, 0xE4, 0x30})},
      Case{"a length of 4 GiB - 1 (reserved bit set)", bytes_of({0xFF, 0xFF, 0xFF, 0xFF, 0x6B})},
      Case{"a length of 2 GiB - 1", bytes_of({0x7F, 0xFF, 0xFF, 0xFF, 0x6B})},
      Case{"a length just above 64 KiB", bytes_of({0x00, 0x01, 0x00, 0x01, 0x6B})},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      HostileKdc kdc([&](HostileKdc&, const Request&) {
        Send s{c.stream};
        s.raw = true;
        return Sends{s};
      });
      Net net({kdc.address(), real_kdc()}, /*tcp_first=*/true);
      largest_block::largest = 0;
      largest_block::watching = true;
      auto tgt = login(net);
      largest_block::watching = false;
      INFO((tgt ? "" : describe(tgt.error())));
      REQUIRE(tgt.ok());
      CHECK(net.outcomes(kdc.address(), kTcp) == Outcomes{O::kBadReply, O::kBadReply});
      CHECK(net.outcomes(real_kdc(), kTcp) == Outcomes{O::kAnswered, O::kAnswered});
      // Nothing was allocated for the announced length: the largest block of the whole login
      // is far below it (MIT's replies here are a few KiB).
      CHECK(largest_block::largest.load() < 64 * 1024);
    }
  }
}

TEST_CASE("hostile: a TCP reply dripped a byte at a time ends at the attempt's deadline",
          "[hostile][tcp]") {
  // Each byte comes before a per-read timeout would fire; only a deadline for the whole
  // attempt stops it (RFC 4120 §7.2.2 says nothing of time; an endless reply must not hold
  // the client).
  HostileKdc kdc([](HostileKdc&, const Request& r) {
    const hostile::Bytes reply = HostileKdc::forward(r.bytes);
    hostile::Bytes stream{0x00, 0x00, static_cast<std::uint8_t>(reply.size() >> 8),
                          static_cast<std::uint8_t>(reply.size())};
    stream.insert(stream.end(), reply.begin(), reply.end());
    // Twelve bytes a sixth of the timeout apart (twice the timeout in all), then the rest.
    constexpr std::size_t kDripped = 12;
    Sends sends;
    for (std::size_t i = 0; i <= kDripped; ++i) {
      Send s{i < kDripped ? hostile::Bytes{stream[i]}
                          : hostile::Bytes(stream.begin() + kDripped, stream.end())};
      s.raw = true;
      s.delay = kTcpTimeout / 6;
      sends.push_back(s);
    }
    return sends;
  });
  Net net({kdc.address(), real_kdc()}, /*tcp_first=*/true);
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(kdc.address(), kTcp) == Outcomes{O::kTimedOut, O::kTimedOut});
  CHECK(net.outcomes(real_kdc(), kTcp) == Outcomes{O::kAnswered, O::kAnswered});
}

TEST_CASE("hostile: KRB_ERR_RESPONSE_TOO_BIG over UDP sends the request to the same KDC over TCP",
          "[hostile][tcp]") {
  const hostile::Bytes too_big = hostile::krb_error(realm(), kResponseTooBig);
  HostileKdc kdc(
      [&](HostileKdc&, const Request& r) { return r.tcp ? forward(r) : Sends{Send{too_big}}; });
  Net net({kdc.address(), real_kdc()});
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(kdc.address(), kUdp) == Outcomes{O::kResponseTooBig, O::kResponseTooBig});
  CHECK(net.outcomes(kdc.address(), kTcp) == Outcomes{O::kAnswered, O::kAnswered});
  CHECK(net.outcomes(real_kdc(), kUdp).empty());
  CHECK(net.outcomes(real_kdc(), kTcp).empty());
}

TEST_CASE("hostile: KRB_AP_ERR_SKEW brings one clock-corrected retry, a second is final",
          "[hostile][skew]") {
  constexpr std::int64_t kAhead = 120;  // within the real KDC's 300 s of skew
  SECTION("the retry uses the KDC's time and the login succeeds") {
    const hostile::Bytes skew = hostile::krb_error(realm(), kSkew, std::nullopt, kAhead);
    HostileKdc kdc([&](HostileKdc&, const Request& r) {
      return r.index == 0 ? Sends{Send{skew}} : forward(r);
    });
    Net net({kdc.address()});
    auto tgt = login(net);
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
    const auto requests = kdc.requests();
    REQUIRE(requests.size() == 3);  // SKEW, PREAUTH_REQUIRED, the AS-REP
    // The retry's till is the first's moved by the KDC's offset (RFC 4120 §3.1.3); a second
    // or two of slack for the time between the two requests.
    const auto first = must(decode_as_req(requests[0].bytes), "decode_as_req");
    const auto retry = must(decode_as_req(requests[1].bytes), "decode_as_req");
    const std::int64_t moved = retry.req_body.till.seconds - first.req_body.till.seconds;
    CHECK(moved >= kAhead - 5);
    CHECK(moved <= kAhead + 5);
  }
  SECTION("a second KRB_AP_ERR_SKEW ends the login") {
    const hostile::Bytes skew = hostile::krb_error(realm(), kSkew, std::nullopt, kAhead);
    HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{skew}}; });
    Net net({kdc.address()});
    check_error(login(net), ErrorCategory::kKdc, kSkew);
    CHECK(kdc.requests().size() == 2);
  }
  SECTION("without kdc_timesync the first is final") {
    const hostile::Bytes skew = hostile::krb_error(realm(), kSkew, std::nullopt, kAhead);
    HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{skew}}; });
    Net net({kdc.address()});
    ClientOptions options;
    options.kdc_timesync = false;
    check_error(login(net, options), ErrorCategory::kKdc, kSkew);
    CHECK(kdc.requests().size() == 1);
  }
}

namespace {

// A KDC that forwards to the real one and re-seals every AS-REP after `rewrite` (under
// `reseal_etype`'s key if given); `forged` counts the AS-REPs it forged.
struct AsForger {
  const Principal alice = principal("alice");
  const std::string alice_password = password("alice");
  const hostile::Rewrite rewrite;
  const std::optional<crypto::EncType> reseal_etype;
  std::atomic<int> forged{0};
  HostileKdc kdc{[this](HostileKdc&, const Request& r) {
    hostile::Bytes reply = HostileKdc::forward(r.bytes);
    if (reply.empty() || reply[0] != 0x6B) return Sends{Send{reply}};  // not an AS-REP
    hostile::Bytes out =
        hostile::reseal_as_rep(reply, alice, alice_password, rewrite, reseal_etype);
    if (!out.empty()) ++forged;
    return Sends{Send{out}};
  }};

  explicit AsForger(hostile::Rewrite r, std::optional<crypto::EncType> e = std::nullopt)
      : rewrite(std::move(r)), reseal_etype(e) {}
};

}  // namespace

TEST_CASE("hostile: forged AS-REPs that decrypt fine are refused", "[hostile][forgery]") {
  const crypto::EncType aes128{17}, aes256{18}, rc4{23};
  std::uint8_t key16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const std::string other_realm = "EVIL." + realm();

  SECTION("control: re-sealed unchanged, the reply is accepted") {
    AsForger f([](KdcRep&, EncKdcRepPart&) {});
    Net net({f.kdc.address()});
    auto tgt = login(net);
    INFO((tgt ? "" : describe(tgt.error())));
    REQUIRE(tgt.ok());
    CHECK(f.forged == 1);
  }
  SECTION("a wrong nonce") {
    AsForger f([](KdcRep&, EncKdcRepPart& part) { part.nonce ^= 1; });
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kProtocol, 0, "nonce");
    CHECK(f.forged == 1);
  }
  SECTION("another cname") {
    AsForger f([](KdcRep& rep, EncKdcRepPart&) {
      rep.cname = PrincipalName(NameType::kPrincipal, {"bob"});
    });
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kProtocol, 0, "client");
    CHECK(f.forged == 1);
  }
  SECTION("an encrypted sname other than the ticket's clear one (CVE-2017-11103)") {
    AsForger f([&](KdcRep&, EncKdcRepPart& part) {
      part.sname = PrincipalName(NameType::kSrvInst, {"krbtgt", other_realm});
    });
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kProtocol, 0, "another service than its ticket");
    CHECK(f.forged == 1);
  }
  SECTION("an rc4-hmac session key") {
    AsForger f([&](KdcRep&, EncKdcRepPart& part) {
      part.key = EncryptionKey{rc4, kerb::Bytes(key16)};
    });
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kPolicy, 0, "rc4-hmac");
    CHECK(f.forged == 1);
  }
  SECTION("a DES session key") {
    AsForger f([&](KdcRep&, EncKdcRepPart& part) {
      part.key = EncryptionKey{crypto::EncType{3}, kerb::Bytes(key16, 8)};  // des-cbc-md5
    });
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kPolicy, 0, "des-cbc-md5");
    CHECK(f.forged == 1);
  }
  SECTION("an aes128 session key when only aes256 is permitted") {
    AsForger f([&](KdcRep&, EncKdcRepPart& part) {
      part.key = EncryptionKey{aes128, kerb::Bytes(key16)};
    });
    Net net({f.kdc.address()});
    ClientOptions options;
    options.policy = must(crypto::Policy::from_list(std::span(&aes256, 1)), "Policy::from_list");
    check_error(login(net, options), ErrorCategory::kPolicy, 0, "aes128");
    CHECK(f.forged == 1);
  }
  SECTION("the enc-part sealed under the password's rc4-hmac key") {
    AsForger f([](KdcRep&, EncKdcRepPart&) {}, rc4);
    Net net({f.kdc.address()});
    check_error(login(net), ErrorCategory::kPolicy, 0, "rc4-hmac");
    CHECK(f.forged == 1);
  }
}

TEST_CASE("hostile: absurd ETYPE-INFO2 is refused or used as given, never a hang or a crash",
          "[hostile][etype-info]") {
  const crypto::EncType aes256{18};
  SECTION("a PBKDF2 iteration count of 2^32-1 is refused by the ceiling, not computed") {
    const hostile::Bytes preauth =
        hostile::krb_error(realm(), kPreauthRequired,
                           hostile::etype_info2_method_data(aes256, "KERB.TESTalice",
                                                            bytes_of({0xFF, 0xFF, 0xFF, 0xFF})));
    HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{preauth}}; });
    Net net({kdc.address()});
    check_error(login(net), ErrorCategory::kPolicy, 0, "iteration count");
    CHECK(kdc.requests().size() == 1);
  }
  for (const std::size_t salt_size : {std::size_t{0}, std::size_t{60000}}) {
    DYNAMIC_SECTION("a salt of " << salt_size << " bytes") {
      const std::string salt(salt_size, 'x');
      const hostile::Bytes preauth = hostile::krb_error(
          realm(), kPreauthRequired, hostile::etype_info2_method_data(aes256, salt, std::nullopt));
      const hostile::Bytes failed = hostile::krb_error(realm(), kPreauthFailed);
      HostileKdc kdc([&](HostileKdc&, const Request& r) {
        return Sends{Send{r.index == 0 ? preauth : failed}};
      });
      Net net({kdc.address()});
      check_error(login(net), ErrorCategory::kKdc, kPreauthFailed);
      const auto requests = kdc.requests();
      REQUIRE(requests.size() == 2);
      // The PA-ENC-TIMESTAMP is under the key of exactly that salt (RFC 4120 §5.2.7.2, usage 1).
      const auto req = must(decode_as_req(requests[1].bytes), "decode_as_req");
      REQUIRE(req.padata.has_value());
      const auto pa = find_padata(*req.padata, 2);  // PA-ENC-TIMESTAMP
      REQUIRE(pa.has_value());
      const auto enc = must(decode_der<EncryptedData>(pa->padata_value, "EncryptedData"), "decode");
      CHECK(enc.etype == aes256);
      const auto key =
          must(crypto::Key::from_password(
                   aes256, password("alice"),
                   std::span(reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size())),
               "from_password");
      std::vector<std::uint8_t> plain(enc.cipher.size());
      CHECK(crypto::decrypt(key, 1, enc.cipher, plain).ok());
    }
  }
}

TEST_CASE("hostile: a KRB-ERROR with garbage e-data is the KDC's typed error",
          "[hostile][krb-error]") {
  const hostile::Bytes garbage = bytes_of({0x30, 0x80, 0xFF, 0x00, 0x13, 0x37});
  for (const std::int32_t code : {kPreauthRequired, kCPrincipalUnknown, kPreauthFailed}) {
    DYNAMIC_SECTION("error " << code) {
      const hostile::Bytes error = hostile::krb_error(realm(), code, garbage);
      HostileKdc kdc([&](HostileKdc&, const Request&) { return Sends{Send{error}}; });
      Net net({kdc.address()});
      check_error(login(net), ErrorCategory::kKdc, code);
      CHECK(kdc.requests().size() == 1);
    }
  }
}

TEST_CASE("hostile: a KDC that keeps asking again gets a bounded number of requests",
          "[hostile][krb-error]") {
  const crypto::EncType aes256{18};
  for (const std::int32_t code : {kPreauthRequired, kPreauthFailed, kSkew}) {
    DYNAMIC_SECTION("error " << code << " with fresh ETYPE-INFO2 each time") {
      std::vector<std::string> salts;
      for (int i = 0; i < 8; ++i)
        salts.push_back("salt" + std::to_string(i));
      HostileKdc kdc([&](HostileKdc&, const Request& r) {
        return Sends{Send{hostile::krb_error(
            realm(), code,
            hostile::etype_info2_method_data(aes256, salts[r.index % salts.size()], std::nullopt),
            code == kSkew ? 60 : 0)}};
      });
      Net net({kdc.address()});
      check_error(login(net), ErrorCategory::kKdc, code);
      CHECK(kdc.requests().size() == 2);
    }
  }
}

TEST_CASE("hostile: UDP replies from another port or address are ignored", "[hostile][failover]") {
  const hostile::Bytes revoked = hostile::krb_error(realm(), kClientRevoked);
  HostileKdc kdc([&](HostileKdc&, const Request& r) {
    if (r.tcp) return forward(r);
    Send other_port{revoked};
    other_port.from_other_port = true;
    Send other_address{revoked};
    other_address.from_other_address = true;
    return Sends{other_port, other_address};
  });
  Net net({kdc.address()});
  auto tgt = login(net);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(net.outcomes(kdc.address(), kUdp) == Outcomes{O::kTimedOut, O::kTimedOut});
  CHECK(net.outcomes(kdc.address(), kTcp) == Outcomes{O::kAnswered, O::kAnswered});
}

TEST_CASE("hostile: a genuine AS-REP replayed into a later exchange is refused",
          "[hostile][replay]") {
  std::mutex m;
  hostile::Bytes kept;  // the first login's AS-REP
  HostileKdc kdc([&](HostileKdc&, const Request& r) {
    const std::lock_guard lock(m);
    if (r.index == 3) return Sends{Send{kept}};  // the second login's pre-authenticated request
    hostile::Bytes reply = HostileKdc::forward(r.bytes);
    if (!reply.empty() && reply[0] == 0x6B) kept = reply;
    return Sends{Send{reply}};
  });
  Net net({kdc.address()});
  auto first = login(net);
  INFO((first ? "" : describe(first.error())));
  REQUIRE(first.ok());
  check_error(login(net), ErrorCategory::kProtocol, 0, "nonce");
  CHECK(kdc.requests().size() == 4);
}

TEST_CASE("hostile: a forged TGS-REP that decrypts fine is refused", "[hostile][forgery][tgs]") {
  std::mutex m;
  std::optional<crypto::Key> session_key;  // the TGT's, once the login is done
  hostile::Rewrite rewrite;
  std::atomic<int> forged{0};
  HostileKdc kdc([&](HostileKdc&, const Request& r) {
    hostile::Bytes reply = HostileKdc::forward(r.bytes);
    const std::lock_guard lock(m);
    if (reply.empty() || reply[0] != 0x6D || !session_key) return Sends{Send{reply}};
    hostile::Bytes out = hostile::reseal_tgs_rep(reply, *session_key, rewrite);
    if (!out.empty()) ++forged;
    return Sends{Send{out}};
  });
  Net net({kdc.address()});
  Client client(net.transport);
  const Credentials tgt =
      must(client.login_password(principal("alice"), password("alice")), "login_password");
  {
    const std::lock_guard lock(m);
    session_key = must(tgt.session_key.to_key(crypto::Policy::defaults()), "session key");
  }
  const Principal bank = principal("bank/bank.test");
  // Without an authenticator subkey the reply comes under the TGT's session key (usage 8),
  // which the forger knows.
  TgsOptions no_subkey;
  no_subkey.subkey = false;
  const std::string other_realm = "EVIL." + realm();
  SECTION("control: re-sealed unchanged, the reply is accepted") {
    {
      const std::lock_guard lock(m);
      rewrite = [](KdcRep&, EncKdcRepPart&) {};
    }
    auto ticket = client.service_ticket(tgt, bank, no_subkey);
    INFO((ticket ? "" : describe(ticket.error())));
    REQUIRE(ticket.ok());
    CHECK(forged == 1);
  }
  SECTION("a wrong nonce") {
    {
      const std::lock_guard lock(m);
      rewrite = [](KdcRep&, EncKdcRepPart& part) { part.nonce ^= 1; };
    }
    auto ticket = client.service_ticket(tgt, bank, no_subkey);
    REQUIRE_FALSE(ticket.ok());
    INFO(describe(ticket.error()));
    CHECK(ticket.error().category() == ErrorCategory::kProtocol);
    CHECK_THAT(std::string(ticket.error().detail()), Catch::Contains("nonce"));
    CHECK(forged == 1);
  }
  SECTION("an encrypted sname other than the ticket's") {
    {
      const std::lock_guard lock(m);
      rewrite = [&](KdcRep&, EncKdcRepPart& part) {
        part.sname = PrincipalName(NameType::kSrvInst, {"krbtgt", other_realm});
      };
    }
    auto ticket = client.service_ticket(tgt, bank, no_subkey);
    REQUIRE_FALSE(ticket.ok());
    INFO(describe(ticket.error()));
    CHECK(ticket.error().category() == ErrorCategory::kProtocol);
    CHECK_THAT(std::string(ticket.error().detail()), Catch::Contains("another service"));
    CHECK(forged == 1);
  }
}
