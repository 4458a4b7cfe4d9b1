// The TGS exchange (RFC 4120 §3.3, RFC 6806 referrals) against the synthetic KDC: what the
// PA-TGS-REQ proves and over which bytes, which reply keys are accepted, the §3.3.4 checks,
// KRB-ERRORs, referrals and their bound, RENEW and VALIDATE.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <memory>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/tgs_exchange.hpp>

#include "fake_kdc.hpp"

using namespace kerb;
using namespace kerb::test;
using Step = TgsExchange::Step;

namespace {

#if KERB_WITH_CAMELLIA
const std::vector<std::int32_t> kDefaultEtypes = {18, 17, 20, 19, 26, 25};
#else
const std::vector<std::int32_t> kDefaultEtypes = {18, 17, 20, 19};  // Camellia not built in
#endif

struct TgsWorld {
  FixedClock clock{Timestamp{kNow, kNowUsec}};
  TestRandom random{77};
  FakeKdc kdc;
  Principal service = principal("HTTP/www.example.com@EXAMPLE.COM");
  test::Bytes tgt_session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, 0x11);
  Credentials tgt;

  TgsWorld() {
    TicketSpec t;
    t.server = kdc.tgs();
    t.client = kdc.client;
    t.service_key = &kdc.tgs_key;
    t.session_keytype = 18;
    t.session_key = tgt_session_key;
    t.flags = ticket_flags::kInitial | ticket_flags::kPreAuthent | ticket_flags::kRenewable;
    t.authtime = kNow - 3600;
    t.endtime = kNow + 32400;
    t.renew_till = kNow + 7 * 86400;
    tgt = make_credentials(t, kdc.random());
  }

  ApContext context() {
    ApContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  TgsExchange start(TgsOptions options = {}) {
    return must(TgsExchange::for_service(tgt, service, options, context()),
                "TgsExchange::for_service");
  }
  TgsReqSeen seen(const TgsExchange& tgs) { return see_tgs_req(tgs.request(), kdc.tgs_key); }
};

Step step(TgsExchange& tgs, ByteView reply) {
  return must(tgs.on_reply(reply), "on_reply");
}

Error refused(TgsExchange& tgs, ByteView reply) {
  Result<Step> r = tgs.on_reply(reply);
  REQUIRE_FALSE(r);
  return r.error();
}

void require_rejected(TgsExchange& tgs, ByteView reply) {
  const Error e = refused(tgs, reply);
  INFO(describe(e));
  CHECK((e.category() == ErrorCategory::kProtocol || e.category() == ErrorCategory::kCrypto));
}

// `kdc`'s genuine answer to the request it saw, but for a ticket naming `server` (clear and
// encrypted parts agreeing, RFC 4120 §5.3/§5.4.2) under `key`: what a KDC that chooses the
// name sends.
test::Bytes answer_as(FakeKdc& kdc, const TgsReqSeen& s, const Principal& server,
                      const crypto::Key& key) {
  return kdc.tgs_rep(s, true, [&](RepSpec& r) {
    r.ticket_server = r.enc_server = server;
    r.service_key = &key;
  });
}

// The key of the cross-realm TGTs krbtgt/OTHER@THIS the tests' KDCs share.
const crypto::Key& cross_key() {
  static const crypto::Key key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x77);
  return key;
}

// Home (EXAMPLE.COM) answers the first request with krbtgt/B.EXAMPLE@EXAMPLE.COM, whatever it
// was asked; the exchange moves on to B.EXAMPLE, whose KDC sees the returned request.
TgsReqSeen home_sends_to_b(TgsWorld& w, TgsExchange& tgs) {
  const TgsReqSeen s = w.seen(tgs);
  REQUIRE(step(tgs, answer_as(w.kdc, s, principal("krbtgt/B.EXAMPLE@EXAMPLE.COM"), cross_key())) ==
          Step::kSendAgain);
  REQUIRE(tgs.kdc_realm() == "B.EXAMPLE");
  const TgsReqSeen at_b = see_tgs_req(tgs.request(), cross_key());
  REQUIRE(at_b.authenticator_ok);
  return at_b;
}

}  // namespace

// --- the request --------------------------------------------------------------------------

TEST_CASE(
    "TGS §3.3.1/§5.4.1/§7.2: the PA-TGS-REQ AP-REQ presents the TGT, its authenticator "
    "(usage 7) checksums the exact req-body bytes sent (usage 6) with the session key") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  const TgsReqSeen s = w.seen(tgs);

  CHECK(s.ticket == w.tgt.ticket);  // the TGT travels exactly as issued
  CHECK(copy_of(s.session_key.expose_secret()) == w.tgt_session_key);
  REQUIRE(s.authenticator_ok);
  CHECK(s.authenticator_client == w.kdc.client);
  CHECK(s.ctime.seconds == kNow);
  CHECK(s.ctime.usec == kNowUsec);
  CHECK(s.ap_options == 0);

  REQUIRE(s.has_checksum);
  CHECK(s.cksumtype == static_cast<std::int32_t>(crypto::CksumType::kHmacSha1_96Aes256));
  CHECK(s.checksum_ok);
  // The checksum covers those bytes and no others, under usage 6 and no other.
  test::Bytes altered = s.body_raw;
  altered[altered.size() / 2] ^= 0x01;
  CHECK_FALSE(crypto::verify_keyed(s.session_key, usage::kTgsReqPaTgsReqCksum,
                                   crypto::CksumType::kHmacSha1_96Aes256, altered, s.checksum));
  CHECK_FALSE(crypto::verify_keyed(s.session_key, usage::kTgsReqPaTgsReqAuthenticator,
                                   crypto::CksumType::kHmacSha1_96Aes256, s.body_raw, s.checksum));

  // A fresh subkey of the session key's enctype (TgsOptions::subkey defaults to true).
  REQUIRE(s.subkey);
  CHECK(s.subkey->enctype() == EncType::kAes256CtsHmacSha1_96);
  CHECK(copy_of(s.subkey->expose_secret()) != w.tgt_session_key);

  CHECK(s.realm == "EXAMPLE.COM");
  CHECK(s.server == w.service);
  CHECK(s.kdc_options == kdc_options::kCanonicalize);
  CHECK(s.etypes == kDefaultEtypes);
  CHECK(s.till == w.tgt.endtime);  // lifetime 0: as long as the TGT allows
  CHECK_FALSE(s.rtime);
  CHECK(s.nonce <= 0x7FFFFFFFu);
}

TEST_CASE(
    "TGS §5.4.1: lifetime sets till = now + lifetime, options pass through, "
    "canonicalize off drops CANONICALIZE") {
  TgsWorld w;
  TgsOptions o;
  o.lifetime = 600;
  o.kdc_options = kdc_options::kForwardable;
  o.canonicalize = false;
  TgsExchange tgs = w.start(o);
  const TgsReqSeen s = w.seen(tgs);
  CHECK(s.till == kNow + 600);
  CHECK(s.kdc_options == kdc_options::kForwardable);
}

TEST_CASE("TGS §3.3.1: the ApContext clock offset moves the authenticator's time") {
  TgsWorld w;
  ApContext ctx = w.context();
  ctx.clock_offset = 90;
  TgsExchange tgs = must(TgsExchange::for_service(w.tgt, w.service, {}, ctx));
  const TgsReqSeen s = w.seen(tgs);
  CHECK(s.ctime.seconds == kNow + 90);
}

// --- reply keys ---------------------------------------------------------------------------

TEST_CASE(
    "TGS §3.3.3/§5.4.2: a reply under the authenticator subkey (usage 9) is accepted and "
    "its credentials stored") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  const test::Bytes reply = w.kdc.tgs_rep(s, /*use_subkey=*/true);
  REQUIRE(step(tgs, reply) == Step::kDone);

  const Credentials& c = tgs.credentials();
  CHECK(c.client == w.kdc.client);
  CHECK(c.server == w.service);
  CHECK(c.session_key.enctype == crypto::EncType{18});
  CHECK(copy_of(c.session_key.contents.view()) == w.kdc.last_session_key);
  CHECK(c.authtime == kNow - 60);
  CHECK(c.starttime == kNow);
  CHECK(c.endtime == w.tgt.endtime);
  CHECK(c.ticket_flags == ticket_flags::kPreAuthent);
  CHECK(c.ticket == copy_of(must(decode_tgs_rep(reply)).ticket.raw));
  CHECK(tgs.referrals_followed() == 0);
}

TEST_CASE("TGS §5.4.2: a reply under the TGT session key (usage 8) is accepted as a fallback") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  REQUIRE(s.subkey);
  REQUIRE(step(tgs, w.kdc.tgs_rep(s, /*use_subkey=*/false)) == Step::kDone);
  CHECK(tgs.credentials().server == w.service);
}

TEST_CASE("TGS §5.4.2: the reply's caddr is copied up to Credentials::kMaxAddresses, no more") {
  TgsWorld w;
  static const std::uint8_t ipv4[4] = {192, 0, 2, 1};
  for (const std::size_t count : {std::size_t{2}, Credentials::kMaxAddresses + 1}) {
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    const test::Bytes reply = w.kdc.tgs_rep(s, true, [&](RepSpec& r) {
      r.caddr.assign(count, HostAddress{2, ipv4});
    });
    if (count <= Credentials::kMaxAddresses) {
      REQUIRE(step(tgs, reply) == Step::kDone);
      REQUIRE(tgs.credentials().addresses.size() == count);
      CHECK(tgs.credentials().addresses[1].addr_type == 2);
      CHECK(tgs.credentials().addresses[1].address == test::Bytes(ipv4, ipv4 + 4));
    } else {
      const Error e = refused(tgs, reply);
      CHECK(e.category() == ErrorCategory::kProtocol);
      CHECK(std::string(e.detail()).find("257 addresses") != std::string::npos);
    }
  }
}

TEST_CASE(
    "TGS §5.4.2: without a subkey the authenticator carries none and the session-key "
    "reply (usage 8) is accepted") {
  TgsWorld w;
  TgsOptions o;
  o.subkey = false;
  TgsExchange tgs = w.start(o);
  const TgsReqSeen s = w.seen(tgs);
  CHECK_FALSE(s.subkey);
  CHECK(s.checksum_ok);
  REQUIRE(step(tgs, w.kdc.tgs_rep(s)) == Step::kDone);
}

TEST_CASE(
    "TGS §3.3.4/§7.5.1: a reply under neither key, or the subkey with usage 8, or the "
    "session key with usage 9, is rejected") {
  TgsWorld w;
  const crypto::Key stranger = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x99);
  {
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, w.kdc.tgs_rep(s, true, [&](RepSpec& r) { r.reply_key = stranger; }));
  }
  {
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, w.kdc.tgs_rep(s, true, [&](RepSpec& r) {
      r.reply_usage = usage::kTgsRepEncPartSessionKey;
    }));
  }
  {
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, w.kdc.tgs_rep(s, false, [&](RepSpec& r) {
      r.reply_usage = usage::kTgsRepEncPartSubkey;
    }));
  }
}

// --- §3.3.4 reply checks ------------------------------------------------------------------

TEST_CASE("TGS §3.3.4: the TGS-REP's nonce must be the request's") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  require_rejected(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) { r.nonce ^= 0x100; }));
}

TEST_CASE("TGS §3.3.4: the TGS-REP's cname and crealm must be the TGT's client") {
  TgsWorld w;
  for (const char* other : {"bob@EXAMPLE.COM", "alice@OTHER.COM"}) {
    INFO(other);
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, w.kdc.tgs_rep(s, true, [&](RepSpec& r) { r.client = principal(other); }));
  }
}

TEST_CASE("TGS §3.3.4 (CVE-2017-11103): the encrypted part's sname/srealm must be the ticket's") {
  TgsWorld w;
  for (bool canonicalize : {true, false}) {
    INFO("canonicalize " << canonicalize);
    TgsOptions o;
    o.canonicalize = canonicalize;
    {
      TgsExchange tgs = w.start(o);
      const TgsReqSeen s = w.seen(tgs);
      require_rejected(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) {
        r.ticket_server = principal("HTTP/evil.example.com@EXAMPLE.COM");
      }));
    }
    {
      TgsExchange tgs = w.start(o);
      const TgsReqSeen s = w.seen(tgs);
      require_rejected(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) {
        r.enc_server = principal("HTTP/www.example.com@EVIL.COM");
      }));
    }
  }
}

TEST_CASE("TGS §3.3.4: without canonicalize a ticket for another service is rejected") {
  TgsWorld w;
  TgsOptions o;
  o.canonicalize = false;
  TgsExchange tgs = w.start(o);
  const TgsReqSeen s = w.seen(tgs);
  require_rejected(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) {
    r.ticket_server = r.enc_server = principal("HTTP/other.example.com@EXAMPLE.COM");
  }));
}

TEST_CASE("TGS §3.3.4: endtime must not be after the requested till") {
  TgsWorld w;
  TgsOptions o;
  o.lifetime = 600;
  {
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) { r.endtime = kNow + 601; }));
  }
  {
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    REQUIRE(step(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) { r.endtime = kNow + 600; })) ==
            Step::kDone);
  }
  {
    TgsExchange tgs = w.start();  // till = the TGT's endtime
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs,
                     w.kdc.tgs_rep(s, true, [&](RepSpec& r) { r.endtime = w.tgt.endtime + 1; }));
  }
}

TEST_CASE("TGS §3.3.4: a session key of an enctype policy refuses (rc4 23) is rejected") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  const Error e = refused(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) {
    r.session_keytype = 23;
    r.session_key = key_bytes(EncType::kRc4Hmac, 0x44);
  }));
  INFO(describe(e));
  CHECK((e.category() == ErrorCategory::kProtocol || e.category() == ErrorCategory::kCrypto ||
         e.category() == ErrorCategory::kPolicy));
}

TEST_CASE(
    "TGS §3.3.4/§5.2.9: a session key whose length does not fit its enctype (16 bytes "
    "for aes256) is rejected, not stored") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  Result<Step> r =
      tgs.on_reply(w.kdc.tgs_rep(s, true, [](RepSpec& rep) { rep.session_key.resize(16); }));
  if (r) {
    const Result<crypto::Key> key = tgs.credentials().session_key.to_key();
    FAIL("accepted (kDone) and stored a session key that cannot be used: "
         << (key ? std::string("to_key() succeeded") : describe(key.error())));
  }
}

TEST_CASE("TGS §3.3.4: a tampered enc-part fails its integrity check") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  const test::Bytes reply = w.kdc.tgs_rep(s);
  const KdcRep rep = must(decode_tgs_rep(reply));
  const std::size_t offset = static_cast<std::size_t>(rep.enc_part.cipher.data() - reply.data());
  for (std::size_t i = 0; i < rep.enc_part.cipher.size(); ++i) {
    test::Bytes bad = reply;
    bad[offset + i] ^= 0x80;
    Result<Step> r = tgs.on_reply(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().category() == ErrorCategory::kCrypto);
  }
  CHECK(step(tgs, reply) == Step::kDone);
}

TEST_CASE("TGS §3.3.3/§7.5.9: a KRB-ERROR is a kKdc error with its code (S_PRINCIPAL_UNKNOWN 7)") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const Error e = refused(tgs, w.kdc.error(error_code::kKdcErrSPrincipalUnknown));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrSPrincipalUnknown);
}

TEST_CASE(
    "TGS §3.3.3: a reply that is neither TGS-REP nor KRB-ERROR (an AS-REP), or a truncated "
    "one, is rejected") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  const Error e =
      refused(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) { r.msg_type = MessageType::kAsRep; }));
  CHECK(e.category() == ErrorCategory::kProtocol);
  const test::Bytes reply = w.kdc.tgs_rep(s);
  for (std::size_t n = 0; n < reply.size(); ++n) {
    Result<Step> r = tgs.on_reply(ByteView(reply.data(), n));
    REQUIRE_FALSE(r);
  }
  CHECK(step(tgs, reply) == Step::kDone);
}

// --- referrals (RFC 6806 §8) ----------------------------------------------------------------

TEST_CASE(
    "TGS RFC 6806 §8: a referral krbtgt/B@A moves kdc_realm() to B, the next request "
    "presents the referral TGT, B's ticket completes the exchange") {
  TgsWorld w;
  // Asked of the home realm, whose KDC knows the name lives in B (RFC 6806 §8's example).
  w.service = principal("HTTP/www.b.example@EXAMPLE.COM");
  const crypto::Key cross = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x77);  // krbtgt/B@A
  TgsExchange tgs = w.start();
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  const TgsReqSeen first = w.seen(tgs);
  CHECK(first.realm == "EXAMPLE.COM");
  CHECK(first.kdc_options == kdc_options::kCanonicalize);

  const Principal referral = principal("krbtgt/B.EXAMPLE@EXAMPLE.COM");
  const test::Bytes reply = w.kdc.tgs_rep(first, true, [&](RepSpec& r) {
    r.ticket_server = r.enc_server = referral;
    r.service_key = &cross;
  });
  const test::Bytes referral_session_key = w.kdc.last_session_key;
  REQUIRE(step(tgs, reply) == Step::kSendAgain);
  CHECK(tgs.kdc_realm() == "B.EXAMPLE");
  CHECK(tgs.referrals_followed() == 1);

  const TgsReqSeen second = see_tgs_req(tgs.request(), cross);
  CHECK(second.ticket == copy_of(must(decode_tgs_rep(reply)).ticket.raw));
  CHECK(copy_of(second.session_key.expose_secret()) == referral_session_key);
  REQUIRE(second.authenticator_ok);  // under the referral TGT's session key
  CHECK(second.authenticator_client == w.kdc.client);
  CHECK(second.checksum_ok);
  CHECK(second.realm == "B.EXAMPLE");  // the referred-to realm, the same name (RFC 6806 §8)
  CHECK(second.server == principal("HTTP/www.b.example@B.EXAMPLE"));
  CHECK(second.kdc_options == kdc_options::kCanonicalize);
  CHECK(second.nonce != first.nonce);

  FakeKdc kdc_b("B.EXAMPLE", 2000);
  REQUIRE(step(tgs, kdc_b.tgs_rep(second)) == Step::kDone);
  CHECK(tgs.credentials().server == w.service);
  CHECK(tgs.credentials().client == w.kdc.client);
  CHECK(copy_of(tgs.credentials().session_key.contents.view()) == kdc_b.last_session_key);
}

TEST_CASE("TGS RFC 6806 §8: a referral loop stops when a realm comes round again") {
  for (int max : {5, 1}) {
    INFO("max_referrals " << max);
    TgsWorld w;
    w.service = principal("HTTP/www.b.example@EXAMPLE.COM");
    const crypto::Key cross = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x77);
    TgsOptions o;
    o.max_referrals = max;
    TgsExchange tgs = w.start(o);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    int followed = 0;
    std::optional<Error> failure;
    for (int round = 0; round < 20 && !failure; ++round) {
      const bool at_a = tgs.kdc_realm() == "EXAMPLE.COM";
      const crypto::Key& presented = round == 0 ? w.kdc.tgs_key : cross;
      const TgsReqSeen s = see_tgs_req(tgs.request(), presented);
      REQUIRE(s.authenticator_ok);
      FakeKdc& kdc = at_a ? w.kdc : kdc_b;
      // A says "ask B", B says "ask A".
      const Principal next = at_a ? principal("krbtgt/B.EXAMPLE@EXAMPLE.COM")
                                  : principal("krbtgt/EXAMPLE.COM@B.EXAMPLE");
      Result<Step> r = tgs.on_reply(kdc.tgs_rep(s, true, [&](RepSpec& rep) {
        rep.ticket_server = rep.enc_server = next;
        rep.service_key = &cross;
      }));
      if (!r) {
        failure = r.error();
      } else {
        REQUIRE(*r == Step::kSendAgain);
        ++followed;
      }
    }
    REQUIRE(failure);
    CHECK(failure->category() == ErrorCategory::kProtocol);
    // A -> B is followed; B's "ask A" revisits A and is refused (or exceeds max 1).
    CHECK(followed == 1);
    CHECK(tgs.referrals_followed() == 1);
  }
}

TEST_CASE("TGS RFC 6806 §8: a chain of new realms stops after max_referrals") {
  const char* realms[] = {"R1.EXAMPLE", "R2.EXAMPLE", "R3.EXAMPLE", "R4.EXAMPLE",
                          "R5.EXAMPLE", "R6.EXAMPLE", "R7.EXAMPLE"};
  TgsWorld w;
  w.service = principal("HTTP/www.far.example@EXAMPLE.COM");
  const crypto::Key cross = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x77);
  TgsOptions o;
  o.max_referrals = 3;
  TgsExchange tgs = w.start(o);
  std::vector<std::unique_ptr<FakeKdc>> kdcs;
  int followed = 0;
  std::optional<Error> failure;
  for (int round = 0; round < 10 && !failure; ++round) {
    const crypto::Key& presented = round == 0 ? w.kdc.tgs_key : cross;
    const TgsReqSeen s = see_tgs_req(tgs.request(), presented);
    REQUIRE(s.authenticator_ok);
    FakeKdc* kdc = &w.kdc;
    if (round > 0) {
      kdcs.push_back(std::make_unique<FakeKdc>(std::string(tgs.kdc_realm()), 3000 + round));
      kdc = kdcs.back().get();
    }
    // Each realm refers on to the next one, never back.
    const Principal next =
        principal(std::string("krbtgt/") + realms[round] + "@" + std::string(tgs.kdc_realm()));
    Result<Step> r = tgs.on_reply(kdc->tgs_rep(s, true, [&](RepSpec& rep) {
      rep.ticket_server = rep.enc_server = next;
      rep.service_key = &cross;
    }));
    if (!r) {
      failure = r.error();
    } else {
      REQUIRE(*r == Step::kSendAgain);
      ++followed;
    }
  }
  REQUIRE(failure);
  CHECK(failure->category() == ErrorCategory::kProtocol);
  CHECK(followed == 3);
}

TEST_CASE("TGS RFC 6806 §8: a referral to the realm just asked is rejected") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  require_rejected(tgs, w.kdc.tgs_rep(s, true, [&](RepSpec& r) {
    r.ticket_server = r.enc_server = w.kdc.tgs();
    r.service_key = &w.kdc.tgs_key;
  }));
}

// --- which service a reply may name (RFC 4120 §3.3.4, RFC 6806 §8/§9) -----------------------

TEST_CASE(
    "TGS RFC 6806 §8: after a genuine referral to B, a ticket from B naming a service of the "
    "home realm (HTTP/bank.example.com@EXAMPLE.COM) under B's key is refused") {
  // Whether the service is named in B or in the home realm (which then refers to B), B's KDC
  // issues tickets for B's realm only; a B-made "bank" ticket would let B pose as the bank.
  for (const char* asked : {"host/www.b.example@B.EXAMPLE", "host/www.b.example@EXAMPLE.COM"}) {
    INFO(asked);
    TgsWorld w;
    w.service = principal(asked);
    TgsExchange tgs = w.start();
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    const crypto::Key chosen_by_b = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x31);
    require_rejected(
        tgs, answer_as(kdc_b, at_b, principal("HTTP/bank.example.com@EXAMPLE.COM"), chosen_by_b));
  }
}

TEST_CASE(
    "TGS §3.3.4: without a referral, a ticket of another realm than the one asked is refused") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  require_rejected(
      tgs, answer_as(w.kdc, s, principal("HTTP/www.example.com@EVIL.COM"), w.kdc.service_key));
}

TEST_CASE(
    "TGS RFC 6806 §6: without allow_name_change a ticket for another name in the home realm "
    "is refused, canonicalize on or off") {
  for (bool canonicalize : {true, false}) {
    INFO("canonicalize " << canonicalize);
    TgsWorld w;
    TgsOptions o;
    o.canonicalize = canonicalize;
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, answer_as(w.kdc, s, principal("HTTP/bank.example.com@EXAMPLE.COM"),
                                    w.kdc.service_key));
  }
}

TEST_CASE(
    "TGS RFC 6806 §8: after a referral, B may answer only for the name asked, in B "
    "(not another name in B, not a third realm)") {
  for (const char* answered : {"HTTP/other.b.example@B.EXAMPLE", "host/www.b.example@C.EXAMPLE"}) {
    INFO(answered);
    TgsWorld w;
    w.service = principal("host/www.b.example@EXAMPLE.COM");
    TgsExchange tgs = w.start();
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    require_rejected(tgs, answer_as(kdc_b, at_b, principal(answered), kdc_b.service_key));
  }
}

TEST_CASE(
    "TGS RFC 6806 §8: a three-component krbtgt/B/x name is neither a referral nor the service "
    "asked") {
  TgsWorld w;
  TgsExchange tgs = w.start();
  const TgsReqSeen s = w.seen(tgs);
  require_rejected(tgs,
                   answer_as(w.kdc, s, principal("krbtgt/B.EXAMPLE/x@EXAMPLE.COM"), cross_key()));
}

TEST_CASE(
    "TGS RFC 6806 §8: credentials after a referral chase are named as asked (as MIT stores "
    "them), and hold the ticket B sent") {
  TgsWorld w;
  w.service = principal("host/www.b.example@EXAMPLE.COM");
  TgsExchange tgs = w.start();
  const TgsReqSeen at_b = home_sends_to_b(w, tgs);
  CHECK(at_b.realm == "B.EXAMPLE");
  CHECK(at_b.server == principal("host/www.b.example@B.EXAMPLE"));
  FakeKdc kdc_b("B.EXAMPLE", 2000);
  const test::Bytes reply = kdc_b.tgs_rep(at_b);
  REQUIRE(step(tgs, reply) == Step::kDone);
  const Credentials& c = tgs.credentials();
  CHECK(c.server == w.service);
  CHECK(c.ticket == copy_of(must(decode_tgs_rep(reply)).ticket.raw));
  const Ticket t = must(decode_der<Ticket>(c.ticket, "Ticket"));
  CHECK(t.realm == "B.EXAMPLE");
  CHECK(copy_of(c.session_key.contents.view()) == kdc_b.last_session_key);
}

TEST_CASE(
    "TGS RFC 6806 §6: a name the KDC changed is taken only with allow_name_change (and "
    "canonicalize), only in the realm asked, the credentials keep the asked name") {
  const Principal alias = principal("HTTP/alias.example.com@EXAMPLE.COM");
  {
    TgsWorld w;
    TgsOptions o;
    o.allow_name_change = true;
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    const test::Bytes reply = answer_as(w.kdc, s, alias, w.kdc.service_key);
    REQUIRE(step(tgs, reply) == Step::kDone);
    CHECK(tgs.credentials().server == w.service);
    CHECK(tgs.credentials().ticket == copy_of(must(decode_tgs_rep(reply)).ticket.raw));
  }
  {
    TgsWorld w;  // the default: refused
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, answer_as(w.kdc, s, alias, w.kdc.service_key));
  }
  {
    TgsWorld w;  // opted in, but without canonicalize the KDC was not asked to change it
    TgsOptions o;
    o.allow_name_change = true;
    o.canonicalize = false;
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, answer_as(w.kdc, s, alias, w.kdc.service_key));
  }
  {
    TgsWorld w;  // opted in: still not in another realm
    TgsOptions o;
    o.allow_name_change = true;
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(
        tgs, answer_as(w.kdc, s, principal("HTTP/alias.example.com@EVIL.COM"), w.kdc.service_key));
  }
  {
    TgsWorld w;  // opted in: a krbtgt asked for is never swapped for another name
    TgsOptions o;
    o.allow_name_change = true;
    w.service = principal("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, answer_as(w.kdc, s, alias, w.kdc.service_key));
  }
}

TEST_CASE(
    "TGS RFC 6806 §6/§8: with allow_name_change, after a referral B may rename within B but "
    "still not answer for the home realm's bank") {
  FakeKdc kdc_b("B.EXAMPLE", 2000);
  TgsOptions o;
  o.allow_name_change = true;
  {
    TgsWorld w;
    w.service = principal("host/www.b.example@EXAMPLE.COM");
    TgsExchange tgs = w.start(o);
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    REQUIRE(step(tgs, answer_as(kdc_b, at_b, principal("HTTP/web.b.example@B.EXAMPLE"),
                                kdc_b.service_key)) == Step::kDone);
    CHECK(tgs.credentials().server == w.service);
  }
  {
    TgsWorld w;
    w.service = principal("host/www.b.example@EXAMPLE.COM");
    TgsExchange tgs = w.start(o);
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    require_rejected(tgs, answer_as(kdc_b, at_b, principal("HTTP/bank.example.com@EXAMPLE.COM"),
                                    kdc_b.service_key));
  }
}

TEST_CASE(
    "TGS RFC 6806 §8: a referral TGT issued by another realm than the one asked is refused, "
    "at the first KDC and after a referral") {
  {
    TgsWorld w;
    TgsExchange tgs = w.start();
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs,
                     answer_as(w.kdc, s, principal("krbtgt/B.EXAMPLE@C.EXAMPLE"), cross_key()));
  }
  {
    TgsWorld w;
    w.service = principal("host/www.c.example@EXAMPLE.COM");
    TgsExchange tgs = w.start();
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    require_rejected(
        tgs, answer_as(kdc_b, at_b, principal("krbtgt/C.EXAMPLE@EXAMPLE.COM"), cross_key()));
  }
}

TEST_CASE(
    "TGS RFC 6806 §8: a referral back to any realm already asked (A -> B -> C -> B) or to the "
    "realm itself (B -> B) is refused") {
  for (const char* third : {"krbtgt/B.EXAMPLE@C.EXAMPLE", "krbtgt/EXAMPLE.COM@C.EXAMPLE",
                            "krbtgt/C.EXAMPLE@C.EXAMPLE"}) {
    INFO(third);
    TgsWorld w;
    w.service = principal("host/www.c.example@EXAMPLE.COM");
    TgsExchange tgs = w.start();
    const TgsReqSeen at_b = home_sends_to_b(w, tgs);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    REQUIRE(step(tgs, answer_as(kdc_b, at_b, principal("krbtgt/C.EXAMPLE@B.EXAMPLE"),
                                cross_key())) == Step::kSendAgain);
    REQUIRE(tgs.kdc_realm() == "C.EXAMPLE");
    FakeKdc kdc_c("C.EXAMPLE", 3000);
    const TgsReqSeen at_c = see_tgs_req(tgs.request(), cross_key());
    require_rejected(tgs, answer_as(kdc_c, at_c, principal(third), cross_key()));
    CHECK(tgs.referrals_followed() == 2);
  }
}

TEST_CASE(
    "TGS RFC 6806 §8: a service without a realm is asked of the TGT's realm, and named "
    "without one") {
  TgsWorld w;
  const Principal named = principal("host/www.b.example@EXAMPLE.COM");
  w.service = Principal("", named.name());
  TgsExchange tgs = w.start();
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  CHECK(w.seen(tgs).server == named);
  const TgsReqSeen at_b = home_sends_to_b(w, tgs);
  CHECK(at_b.server == principal("host/www.b.example@B.EXAMPLE"));
  FakeKdc kdc_b("B.EXAMPLE", 2000);
  REQUIRE(step(tgs, kdc_b.tgs_rep(at_b)) == Step::kDone);
  CHECK(tgs.credentials().server == w.service);
  CHECK(tgs.credentials().server.realm().empty());
}

// --- a service in another realm, by a known path (RFC 4120 §3.3.1, MIT [capaths]) -------------

TEST_CASE(
    "TGS §3.3.1: for a service in another realm the home KDC is asked for krbtgt/B@HOME "
    "(no CANONICALIZE), then B's KDC for the service, the credentials are named as asked") {
  TgsWorld w;
  w.service = principal("HTTP/www.b.example@B.EXAMPLE");
  TgsExchange tgs = w.start();
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  const TgsReqSeen first = w.seen(tgs);
  CHECK(first.realm == "EXAMPLE.COM");
  CHECK(first.server == principal("krbtgt/B.EXAMPLE@EXAMPLE.COM"));
  CHECK(first.kdc_options == 0);
  const test::Bytes hop =
      answer_as(w.kdc, first, principal("krbtgt/B.EXAMPLE@EXAMPLE.COM"), cross_key());
  REQUIRE(step(tgs, hop) == Step::kSendAgain);
  CHECK(tgs.kdc_realm() == "B.EXAMPLE");
  CHECK(tgs.referrals_followed() == 0);

  const TgsReqSeen second = see_tgs_req(tgs.request(), cross_key());
  CHECK(second.ticket == copy_of(must(decode_tgs_rep(hop)).ticket.raw));
  REQUIRE(second.authenticator_ok);
  CHECK(second.checksum_ok);
  CHECK(second.realm == "B.EXAMPLE");
  CHECK(second.server == w.service);
  CHECK(second.kdc_options == kdc_options::kCanonicalize);
  FakeKdc kdc_b("B.EXAMPLE", 2000);
  REQUIRE(step(tgs, kdc_b.tgs_rep(second)) == Step::kDone);
  CHECK(tgs.credentials().server == w.service);
  CHECK(copy_of(tgs.credentials().session_key.contents.view()) == kdc_b.last_session_key);
}

TEST_CASE(
    "TGS §3.3.1: with capath {M}, krbtgt/M@HOME from home, krbtgt/B@M from M, then the "
    "service from B") {
  TgsWorld w;
  w.service = principal("HTTP/www.b.example@B.EXAMPLE");
  TgsOptions o;
  o.capath = {"M.EXAMPLE"};
  TgsExchange tgs = w.start(o);
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  const TgsReqSeen first = w.seen(tgs);
  CHECK(first.realm == "EXAMPLE.COM");
  CHECK(first.server == principal("krbtgt/M.EXAMPLE@EXAMPLE.COM"));
  CHECK(first.kdc_options == 0);
  REQUIRE(step(tgs, answer_as(w.kdc, first, principal("krbtgt/M.EXAMPLE@EXAMPLE.COM"),
                              cross_key())) == Step::kSendAgain);
  CHECK(tgs.kdc_realm() == "M.EXAMPLE");

  FakeKdc kdc_m("M.EXAMPLE", 4000);
  const TgsReqSeen second = see_tgs_req(tgs.request(), cross_key());
  REQUIRE(second.authenticator_ok);
  CHECK(second.checksum_ok);
  CHECK(second.realm == "M.EXAMPLE");
  CHECK(second.server == principal("krbtgt/B.EXAMPLE@M.EXAMPLE"));
  CHECK(second.kdc_options == 0);
  const test::Bytes hop =
      answer_as(kdc_m, second, principal("krbtgt/B.EXAMPLE@M.EXAMPLE"), cross_key());
  REQUIRE(step(tgs, hop) == Step::kSendAgain);
  CHECK(tgs.kdc_realm() == "B.EXAMPLE");

  FakeKdc kdc_b("B.EXAMPLE", 2000);
  const TgsReqSeen third = see_tgs_req(tgs.request(), cross_key());
  CHECK(third.ticket == copy_of(must(decode_tgs_rep(hop)).ticket.raw));
  REQUIRE(third.authenticator_ok);
  CHECK(third.realm == "B.EXAMPLE");
  CHECK(third.server == w.service);
  CHECK(third.kdc_options == kdc_options::kCanonicalize);
  REQUIRE(step(tgs, kdc_b.tgs_rep(third)) == Step::kDone);
  CHECK(tgs.credentials().server == w.service);
  CHECK(copy_of(tgs.credentials().session_key.contents.view()) == kdc_b.last_session_key);
  CHECK(tgs.referrals_followed() == 0);
}

TEST_CASE(
    "TGS §3.3.1: a hop must answer exactly the krbtgt asked: not a 'closer' one, not one of "
    "another realm, not a service ticket") {
  struct Case {
    std::vector<std::string> capath;
    const char* answered;
  };
  const Case cases[] = {
      {{"M.EXAMPLE"}, "krbtgt/B.EXAMPLE@EXAMPLE.COM"},    // skips M
      {{"M.EXAMPLE"}, "krbtgt/M.EXAMPLE@C.EXAMPLE"},      // issued elsewhere
      {{"M.EXAMPLE"}, "krbtgt/M.EXAMPLE/x@EXAMPLE.COM"},  // three components
      {{"M.EXAMPLE"}, "HTTP/www.b.example@EXAMPLE.COM"},  // a service ticket
      {{}, "krbtgt/C.EXAMPLE@EXAMPLE.COM"},               // a detour
      {{}, "HTTP/www.b.example@EXAMPLE.COM"},
  };
  for (const Case& c : cases) {
    INFO(c.answered << " with " << c.capath.size() << " intermediate realms");
    TgsWorld w;
    w.service = principal("HTTP/www.b.example@B.EXAMPLE");
    TgsOptions o;
    o.capath = c.capath;
    TgsExchange tgs = w.start(o);
    const TgsReqSeen s = w.seen(tgs);
    require_rejected(tgs, answer_as(w.kdc, s, principal(c.answered), cross_key()));
  }
  {
    // The service's realm may refer on, but never back along the path.
    TgsWorld w;
    w.service = principal("HTTP/www.b.example@B.EXAMPLE");
    TgsOptions o;
    o.capath = {"M.EXAMPLE"};
    TgsExchange tgs = w.start(o);
    FakeKdc kdc_m("M.EXAMPLE", 4000);
    const TgsReqSeen first = w.seen(tgs);
    REQUIRE(step(tgs, answer_as(w.kdc, first, principal("krbtgt/M.EXAMPLE@EXAMPLE.COM"),
                                cross_key())) == Step::kSendAgain);
    const TgsReqSeen second = see_tgs_req(tgs.request(), cross_key());
    REQUIRE(step(tgs, answer_as(kdc_m, second, principal("krbtgt/B.EXAMPLE@M.EXAMPLE"),
                                cross_key())) == Step::kSendAgain);
    FakeKdc kdc_b("B.EXAMPLE", 2000);
    const TgsReqSeen third = see_tgs_req(tgs.request(), cross_key());
    require_rejected(tgs,
                     answer_as(kdc_b, third, principal("krbtgt/M.EXAMPLE@B.EXAMPLE"), cross_key()));
  }
}

TEST_CASE(
    "TGS §3.3.1: a capath naming an end of the path, repeating a realm or empty, or given for "
    "a service of the TGT's own realm, is an invalid argument") {
  const std::vector<std::vector<std::string>> bad = {
      {"EXAMPLE.COM"}, {"B.EXAMPLE"}, {"M.EXAMPLE", "M.EXAMPLE"}, {""}};
  for (const std::vector<std::string>& capath : bad) {
    TgsWorld w;
    TgsOptions o;
    o.capath = capath;
    Result<TgsExchange> r =
        TgsExchange::for_service(w.tgt, principal("HTTP/www.b.example@B.EXAMPLE"), o, w.context());
    REQUIRE_FALSE(r);
    CHECK(r.error().category() == ErrorCategory::kInvalidArgument);
  }
  TgsWorld w;
  TgsOptions o;
  o.capath = {"M.EXAMPLE"};
  Result<TgsExchange> r = TgsExchange::for_service(w.tgt, w.service, o, w.context());
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kInvalidArgument);
}

// --- RENEW and VALIDATE (§3.3.1) -------------------------------------------------------------

TEST_CASE(
    "TGS §3.3.1: renew sets RENEW, presents the ticket itself and asks till = rtime = "
    "renew_till") {
  TgsWorld w;
  TgsExchange tgs = must(TgsExchange::renew(w.tgt, w.context()), "TgsExchange::renew");
  CHECK(tgs.kdc_realm() == "EXAMPLE.COM");
  const TgsReqSeen s = w.seen(tgs);
  CHECK((s.kdc_options & kdc_options::kRenew) == kdc_options::kRenew);
  CHECK((s.kdc_options & kdc_options::kCanonicalize) == 0);
  CHECK(s.ticket == w.tgt.ticket);
  REQUIRE(s.authenticator_ok);
  CHECK(s.checksum_ok);
  CHECK(s.server == w.tgt.server);
  CHECK(s.till == w.tgt.renew_till);
  REQUIRE(s.rtime);
  CHECK(*s.rtime == w.tgt.renew_till);

  REQUIRE(step(tgs, w.kdc.tgs_rep(s, true, [&](RepSpec& r) {
            r.endtime = kNow + 36000;
            r.flags |= ticket_flags::kRenewable;
          })) == Step::kDone);
  CHECK(tgs.credentials().server == w.tgt.server);
  CHECK(tgs.credentials().endtime == kNow + 36000);
  CHECK(tgs.credentials().renew_till == w.tgt.renew_till);
}

TEST_CASE(
    "TGS §3.3.1: renew of a service ticket goes to its realm's TGS and asks for the same "
    "service") {
  TgsWorld w;
  TicketSpec t;
  t.server = w.service;
  t.client = w.kdc.client;
  t.service_key = &w.kdc.service_key;
  t.session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, 0x55);
  t.flags = ticket_flags::kRenewable;
  t.endtime = kNow + 600;
  t.renew_till = kNow + 86400;
  const Credentials ticket = make_credentials(t, w.kdc.random());
  TgsExchange tgs = must(TgsExchange::renew(ticket, w.context()));
  const TgsReqSeen s = see_tgs_req(tgs.request(), w.kdc.service_key);
  CHECK(s.ticket == ticket.ticket);
  CHECK(s.server == w.service);
  REQUIRE(s.authenticator_ok);
  REQUIRE(step(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) { r.endtime = kNow + 36000; })) ==
          Step::kDone);
  CHECK(tgs.credentials().server == w.service);
  // Another service in the reply is not a renewal of this ticket.
  TgsExchange other = must(TgsExchange::renew(ticket, w.context()));
  const TgsReqSeen s2 = see_tgs_req(other.request(), w.kdc.service_key);
  require_rejected(other, w.kdc.tgs_rep(s2, true, [](RepSpec& r) {
    r.ticket_server = r.enc_server = principal("HTTP/other.example.com@EXAMPLE.COM");
  }));
}

TEST_CASE(
    "TGS §3.3.1: renewing credentials named as asked after a referral goes to the realm that "
    "issued the ticket, asks for the ticket's own name, and keeps the asked name") {
  TgsWorld w;
  FakeKdc kdc_b("B.EXAMPLE", 2000);
  TicketSpec t;
  t.server = principal("host/www.b.example@B.EXAMPLE");
  t.client = w.kdc.client;
  t.service_key = &kdc_b.service_key;
  t.session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, 0x55);
  t.flags = ticket_flags::kRenewable;
  t.endtime = kNow + 600;
  t.renew_till = kNow + 86400;
  Credentials ticket = make_credentials(t, w.kdc.random());
  ticket.server = principal("host/www.b.example@EXAMPLE.COM");  // the name it was asked by
  {
    TgsExchange tgs = must(TgsExchange::renew(ticket, w.context()));
    CHECK(tgs.kdc_realm() == "B.EXAMPLE");
    const TgsReqSeen s = see_tgs_req(tgs.request(), kdc_b.service_key);
    CHECK(s.realm == "B.EXAMPLE");
    CHECK(s.server == t.server);
    REQUIRE(step(tgs, kdc_b.tgs_rep(s, true, [](RepSpec& r) { r.endtime = kNow + 36000; })) ==
            Step::kDone);
    CHECK(tgs.credentials().server == ticket.server);
  }
  {
    TgsExchange tgs = must(TgsExchange::renew(ticket, w.context()));
    const TgsReqSeen s = see_tgs_req(tgs.request(), kdc_b.service_key);
    require_rejected(
        tgs, answer_as(kdc_b, s, principal("host/www.b.example@EXAMPLE.COM"), kdc_b.service_key));
  }
}

TEST_CASE("TGS §3.3.1: validate sets VALIDATE and presents the (postdated) ticket itself") {
  TgsWorld w;
  TicketSpec t;
  t.server = w.kdc.tgs();
  t.client = w.kdc.client;
  t.service_key = &w.kdc.tgs_key;
  t.session_key = key_bytes(EncType::kAes256CtsHmacSha1_96, 0x66);
  t.flags = ticket_flags::kInvalid | ticket_flags::kPostdated;
  t.starttime = kNow;
  t.endtime = kNow + 36000;
  const Credentials ticket = make_credentials(t, w.kdc.random());
  TgsExchange tgs = must(TgsExchange::validate(ticket, w.context()), "TgsExchange::validate");
  const TgsReqSeen s = w.seen(tgs);
  CHECK((s.kdc_options & kdc_options::kValidate) == kdc_options::kValidate);
  CHECK((s.kdc_options & kdc_options::kRenew) == 0);
  CHECK(s.ticket == ticket.ticket);
  CHECK(s.server == ticket.server);
  REQUIRE(s.authenticator_ok);
  REQUIRE(step(tgs, w.kdc.tgs_rep(s, true, [](RepSpec& r) {
            r.flags = ticket_flags::kPostdated;
          })) == Step::kDone);
  CHECK(tgs.credentials().ticket_flags == ticket_flags::kPostdated);
}
