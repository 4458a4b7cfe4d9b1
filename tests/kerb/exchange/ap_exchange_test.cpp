// The AP exchange (RFC 4120 §3.2): build_ap_req -> verify_ap_req against an in-memory keytab,
// build_ap_rep -> verify_ap_rep, every §3.2.3/§3.2.5 rejection; and a whole cold login (AS with
// pre-authentication, TGS, AP with mutual authentication) against the synthetic KDC.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/ap_exchange.hpp>
#include <kerb/as_exchange.hpp>
#include <kerb/config.hpp>
#include <kerb/constants.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/tgs_exchange.hpp>
#include <kerb/transited.hpp>

#include "fake_kdc.hpp"
#include "service_ticket.hpp"

using namespace kerb;
using namespace kerb::test;

namespace {

struct ApWorld {
  FixedClock clock{Timestamp{kNow, kNowUsec}};          // the client's
  FixedClock service_clock{Timestamp{kNow, kNowUsec}};  // the service's
  TestRandom random{5};
  TestRandom kdc_random{6};
  const Principal client = principal("alice@EXAMPLE.COM");
  const Principal service = principal("HTTP/www.example.com@EXAMPLE.COM");
  const crypto::Key service_key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x60);
  static constexpr std::uint32_t kKvno = 3;
  Keytab keytab;

  ApWorld() { add_service_key(keytab, service, kKvno, service_key); }

  TicketSpec ticket() const {
    TicketSpec t = service_ticket_spec(client, service, service_key, kKvno,
                                       EncType::kAes256CtsHmacSha1_96, 0x22);
    t.flags = ticket_flags::kPreAuthent | ticket_flags::kForwardable;
    return t;
  }
  Credentials credentials(const TicketSpec& t) { return make_credentials(t, kdc_random); }
  Credentials credentials() { return credentials(ticket()); }

  ApContext context() {
    ApContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  ApVerifyContext verify_context() {
    ApVerifyContext v;
    v.clock = &service_clock;
    return v;
  }
  ApReqBuilt build(const Credentials& c, const ApReqOptions& o = {}) {
    return must(build_ap_req(c, o, context()), "build_ap_req");
  }
  Result<ApReqVerified> verify(ByteView ap_req) {
    return verify_ap_req(ap_req, keytab, verify_context());
  }
  ApReqVerified verified(ByteView ap_req) { return must(verify(ap_req), "verify_ap_req"); }
};

// A verify_ap_req refusal with the RFC 4120 §7.5.9 code the service would put in KRB-ERROR.
void require_ap_error(Result<ApReqVerified> r, std::int32_t code) {
  REQUIRE_FALSE(r);
  INFO(describe(r.error()));
  CHECK(r.error().category() == ErrorCategory::kProtocol);
  CHECK(r.error().code() == code);
}

const std::uint8_t kGssChecksum[24] = {16, 0,  0,  0,  1,  2,  3,  4,  5, 6, 7, 8,
                                       9,  10, 11, 12, 13, 14, 15, 16, 2, 0, 0, 0};

}  // namespace

// --- round trip ---------------------------------------------------------------------------

TEST_CASE(
    "AP §3.2.2-§3.2.4: build_ap_req -> verify_ap_req carries client, server, session key, "
    "subkey, sequence number, checksum, options and ctime") {
  ApWorld w;
  const Credentials c = w.credentials();
  ApReqOptions o;
  o.ap_options = ap_options::kMutualRequired;
  o.checksum = Checksum{0x8003, kGssChecksum};
  o.subkey = true;
  o.sequence_number = true;
  const ApReqBuilt built = w.build(c, o);
  CHECK(built.ctime.seconds == kNow);
  CHECK(built.ctime.usec == kNowUsec);
  REQUIRE(built.subkey);
  CHECK(built.subkey->enctype() == EncType::kAes256CtsHmacSha1_96);
  REQUIRE(built.seq_number);
  CHECK(*built.seq_number <= 0x3FFFFFFFu);

  const ApReq req = must(decode_ap_req(built.bytes));
  CHECK(copy_of(req.ticket.raw) == c.ticket);
  CHECK(req.authenticator.etype == crypto::EncType{18});
  CHECK_FALSE(req.authenticator.kvno);

  const ApReqVerified v = w.verified(built.bytes);
  CHECK(v.client == w.client);
  CHECK(v.server == w.service);
  CHECK(v.session_key == c.session_key);
  REQUIRE(v.subkey);
  CHECK(*v.subkey == KeyBlock::from_key(*built.subkey));
  CHECK(v.seq_number == built.seq_number);
  CHECK(v.ctime.seconds == kNow);
  CHECK(v.ctime.usec == kNowUsec);
  CHECK(v.ap_options == ap_options::kMutualRequired);
  CHECK(v.ticket_flags == (ticket_flags::kPreAuthent | ticket_flags::kForwardable));
  CHECK(v.authtime == kNow - 60);
  CHECK(v.endtime == kNow + 3600);
  CHECK(v.cksumtype == 0x8003);
  CHECK(copy_of(v.cksum.view()) == test::Bytes(std::begin(kGssChecksum), std::end(kGssChecksum)));
}

TEST_CASE(
    "AP §5.5.1: without options the authenticator has no subkey, sequence number or "
    "checksum") {
  ApWorld w;
  const ApReqBuilt built = w.build(w.credentials());
  CHECK_FALSE(built.subkey);
  CHECK_FALSE(built.seq_number);
  const ApReqVerified v = w.verified(built.bytes);
  CHECK_FALSE(v.subkey);
  CHECK_FALSE(v.seq_number);
  CHECK(v.cksumtype == 0);
  CHECK(v.cksum.empty());
  CHECK(v.ap_options == 0);
}

TEST_CASE("AP §3.2.3: a ticket without kvno is decrypted with the highest key version") {
  ApWorld w;
  TicketSpec t = w.ticket();
  t.kvno = std::nullopt;
  CHECK(w.verify(w.build(w.credentials(t)).bytes));
}

#if !KERB_WITH_CAMELLIA || !KERB_WITH_RC4_HMAC
TEST_CASE(
    "AP §3.2.3: a ticket of an enctype this kerb is built without is refused as not built "
    "(kCrypto), even with the keytab holding its key") {
  struct NotBuilt {
    crypto::EncType etype;
    std::size_t key_size;
    const char* detail;
  };
  const std::vector<NotBuilt> cases = {
#if !KERB_WITH_CAMELLIA
    {crypto::EncType{25}, 16,
     "enctype camellia128-cts-cmac (25) is not built into this kerb (KERB_WITH_CAMELLIA=OFF)"},
    {crypto::EncType{26}, 32,
     "enctype camellia256-cts-cmac (26) is not built into this kerb (KERB_WITH_CAMELLIA=OFF)"},
#endif
#if !KERB_WITH_RC4_HMAC
    {crypto::EncType{23}, 16,
     "enctype rc4-hmac (23) is not built into this kerb (KERB_WITH_RC4_HMAC=OFF)"},
#endif
  };
  for (const NotBuilt& c : cases) {
    INFO(c.detail);
    ApWorld w;
    // The service's key of that enctype, as a keytab from the KDC would hold it.
    add_service_key(w.keytab, w.service, ApWorld::kKvno,
                    must(KeyBlock::from_bytes(c.etype, test::Bytes(c.key_size, 0x5A))));
    // The AP-REQ names a ticket of that enctype (its ciphertext never gets looked at).
    const ApReqBuilt built = w.build(w.credentials());
    ApReq req = must(decode_ap_req(built.bytes));
    req.ticket.raw = {};
    req.ticket.enc_part.etype = c.etype;
    const test::Bytes ap_req = der_of(req);
    for (bool allow_weak : {false, true}) {
      ApVerifyContext v = w.verify_context();
      if (allow_weak) v.policy.allow_rc4_hmac();
      const Result<ApReqVerified> r = verify_ap_req(ap_req, w.keytab, v);
      REQUIRE_FALSE(r);
      CHECK(r.error().category() == ErrorCategory::kCrypto);
      CHECK(r.error().detail() == std::string_view(c.detail));
    }
  }
}
#endif

// --- AP-REP (§3.2.4, §3.2.5) ---------------------------------------------------------------

TEST_CASE(
    "AP §3.2.4/§3.2.5: verify_ap_rep accepts the service's AP-REP echoing ctime/cusec, "
    "with its subkey and sequence number") {
  ApWorld w;
  const Credentials c = w.credentials();
  ApReqOptions o;
  o.ap_options = ap_options::kMutualRequired;
  o.subkey = true;
  const ApReqBuilt built = w.build(c, o);
  const ApReqVerified v = w.verified(built.bytes);

  TestRandom service_random(9);
  const crypto::Key service_subkey =
      must(crypto::Key::generate(EncType::kAes256CtsHmacSha1_96, service_random));
  const test::Bytes rep = must(build_ap_rep(v, service_subkey, 0x1234u, service_random));
  const crypto::Key session = must(c.session_key.to_key());
  const ApRepVerified r = must(verify_ap_rep(rep, session, built), "verify_ap_rep");
  REQUIRE(r.subkey);
  CHECK(copy_of(r.subkey->expose_secret()) == copy_of(service_subkey.expose_secret()));
  CHECK(r.seq_number == 0x1234u);

  // Without subkey or sequence number too.
  const test::Bytes bare = must(build_ap_rep(v, std::nullopt, std::nullopt, service_random));
  const ApRepVerified r2 = must(verify_ap_rep(bare, session, built));
  CHECK_FALSE(r2.subkey);
  CHECK_FALSE(r2.seq_number);
}

TEST_CASE("AP §3.2.5: an AP-REP whose ctime or cusec differs is KRB_AP_ERR_MUT_FAIL (46)") {
  ApWorld w;
  const Credentials c = w.credentials();
  const ApReqBuilt built = w.build(c);
  const crypto::Key session = must(c.session_key.to_key());
  TestRandom service_random(9);
  for (int which = 0; which < 2; ++which) {
    INFO((which == 0 ? "ctime + 1" : "cusec + 1"));
    ApReqVerified v = w.verified(built.bytes);
    if (which == 0) v.ctime.seconds += 1;
    if (which == 1) v.ctime.usec += 1;
    const test::Bytes rep = must(build_ap_rep(v, std::nullopt, std::nullopt, service_random));
    Result<ApRepVerified> r = verify_ap_rep(rep, session, built);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == error_code::kKrbApErrMutFail);
  }
}

TEST_CASE("AP §3.2.5: an AP-REP under another key, or another key usage, is rejected") {
  ApWorld w;
  const Credentials c = w.credentials();
  const ApReqBuilt built = w.build(c);
  const crypto::Key session = must(c.session_key.to_key());
  TestRandom service_random(9);

  ApReqVerified v = w.verified(built.bytes);
  v.session_key = KeyBlock::from_key(fixed_key(EncType::kAes256CtsHmacSha1_96, 0x99));
  const test::Bytes other_key = must(build_ap_rep(v, std::nullopt, std::nullopt, service_random));
  Result<ApRepVerified> r = verify_ap_rep(other_key, session, built);
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kCrypto);

  // A correct EncAPRepPart sealed under usage 11 (an authenticator's) instead of 12.
  EncApRepPart part;
  part.ctime = KerberosTime{built.ctime.seconds};
  part.cusec = Microseconds{built.ctime.usec};
  const test::Bytes cipher =
      seal(session, usage::kApReqAuthenticator, der_of(part), service_random);
  ApRep rep;
  rep.enc_part = EncryptedData{crypto::EncType{18}, std::nullopt, cipher};
  Result<ApRepVerified> r2 = verify_ap_rep(der_of(rep), session, built);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().category() == ErrorCategory::kCrypto);
}

// --- verify_ap_req rejections (§3.2.3) ---------------------------------------------------------

TEST_CASE(
    "AP §3.2.3: an authenticator naming another client than the ticket is "
    "KRB_AP_ERR_BADMATCH (36)") {
  ApWorld w;
  for (const char* other : {"mallory@EXAMPLE.COM", "alice@OTHER.COM"}) {
    INFO(other);
    Credentials c = w.credentials();  // the ticket says alice@EXAMPLE.COM
    c.client = principal(other);
    require_ap_error(w.verify(w.build(c).bytes), error_code::kKrbApErrBadmatch);
  }
}

TEST_CASE("AP §3.2.3: an authenticator time outside the clock skew is KRB_AP_ERR_SKEW (37)") {
  ApWorld w;
  const ApReqBuilt built = w.build(w.credentials());
  for (std::int64_t delta : {301, -301}) {
    INFO("service clock " << delta);
    w.service_clock.set(Timestamp{kNow + delta, 0});
    require_ap_error(w.verify(built.bytes), error_code::kKrbApErrSkew);
  }
  for (std::int64_t delta : {300, -300}) {
    INFO("service clock " << delta);
    w.service_clock.set(Timestamp{kNow + delta, 0});
    CHECK(w.verify(built.bytes));
  }
}

TEST_CASE("AP §3.2.3: a ticket ended more than the skew ago is KRB_AP_ERR_TKT_EXPIRED (32)") {
  ApWorld w;
  TicketSpec t = w.ticket();
  t.authtime = kNow - 7200;
  t.endtime = kNow - 301;
  require_ap_error(w.verify(w.build(w.credentials(t)).bytes), error_code::kKrbApErrTktExpired);
  t.endtime = kNow - 299;  // within the skew
  CHECK(w.verify(w.build(w.credentials(t)).bytes));
}

TEST_CASE(
    "AP §3.2.3: a ticket whose starttime is beyond the skew, or flagged INVALID, is "
    "KRB_AP_ERR_TKT_NYV (33)") {
  ApWorld w;
  TicketSpec t = w.ticket();
  t.starttime = kNow + 301;
  t.flags |= ticket_flags::kPostdated;
  require_ap_error(w.verify(w.build(w.credentials(t)).bytes), error_code::kKrbApErrTktNyv);

  TicketSpec invalid = w.ticket();
  invalid.flags |= ticket_flags::kInvalid;
  require_ap_error(w.verify(w.build(w.credentials(invalid)).bytes), error_code::kKrbApErrTktNyv);

  t.starttime = kNow + 299;  // within the skew
  CHECK(w.verify(w.build(w.credentials(t)).bytes));
}

TEST_CASE("AP §3.2.3: no keytab key for the ticket's service or enctype is KRB_AP_ERR_NOKEY (45)") {
  ApWorld w;
  {
    TicketSpec t = w.ticket();
    t.server = principal("HTTP/unknown.example.com@EXAMPLE.COM");
    require_ap_error(w.verify(w.build(w.credentials(t)).bytes), error_code::kKrbApErrNokey);
  }
  {
    const crypto::Key aes128 = fixed_key(EncType::kAes128CtsHmacSha1_96, 0x60);
    TicketSpec t = w.ticket();
    t.service_key = &aes128;
    require_ap_error(w.verify(w.build(w.credentials(t)).bytes), error_code::kKrbApErrNokey);
  }
}

TEST_CASE(
    "AP §3.2.3: a key version the keytab lacks, for a service and enctype it holds, is "
    "KRB_AP_ERR_BADKEYVER (44)") {
  ApWorld w;
  TicketSpec t = w.ticket();
  t.kvno = ApWorld::kKvno + 1;
  require_ap_error(w.verify(w.build(w.credentials(t)).bytes), error_code::kKrbApErrBadkeyver);
}

TEST_CASE(
    "AP §3.2.3: a ticket under another key of the same kvno and enctype fails its "
    "integrity check") {
  ApWorld w;
  const crypto::Key other = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x61);
  TicketSpec t = w.ticket();
  t.service_key = &other;
  Result<ApReqVerified> r = w.verify(w.build(w.credentials(t)).bytes);
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kCrypto);
}

TEST_CASE("AP §3.2.3: every single-bit change of the authenticator ciphertext is rejected") {
  ApWorld w;
  const ApReqBuilt built = w.build(w.credentials());
  const ApReq req = must(decode_ap_req(built.bytes));
  const std::size_t offset =
      static_cast<std::size_t>(req.authenticator.cipher.data() - built.bytes.data());
  for (std::size_t i = 0; i < req.authenticator.cipher.size(); ++i) {
    test::Bytes bad = built.bytes;
    bad[offset + i] ^= 0x04;
    Result<ApReqVerified> r = w.verify(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().category() == ErrorCategory::kCrypto);
  }
  CHECK(w.verify(built.bytes));
}

TEST_CASE(
    "AP §3.2.3/§7.5.1: an authenticator under another key usage (7 instead of 11) is "
    "rejected") {
  ApWorld w;
  ApReqOptions o;
  o.usage = usage::kTgsReqPaTgsReqAuthenticator;
  Result<ApReqVerified> r = w.verify(w.build(w.credentials(), o).bytes);
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kCrypto);
  // And accepted when the service expects that usage.
  ApVerifyContext v = w.verify_context();
  v.usage = usage::kTgsReqPaTgsReqAuthenticator;
  CHECK(verify_ap_req(w.build(w.credentials(), o).bytes, w.keytab, v));
}

TEST_CASE("AP §3.2.3: USE-SESSION-KEY (user-to-user) is KRB_AP_ERR_METHOD (48)") {
  ApWorld w;
  ApReqOptions o;
  o.ap_options = ap_options::kUseSessionKey;
  require_ap_error(w.verify(w.build(w.credentials(), o).bytes), error_code::kKrbApErrMethod);
}

TEST_CASE("AP §5.5.1: a malformed or truncated AP-REQ is a DER error") {
  ApWorld w;
  const ApReqBuilt built = w.build(w.credentials());
  for (std::size_t n = 0; n < built.bytes.size(); ++n) {
    Result<ApReqVerified> r = w.verify(ByteView(built.bytes.data(), n));
    REQUIRE_FALSE(r);
    REQUIRE(r.error().category() == ErrorCategory::kDer);
  }
}

// --- a whole login ------------------------------------------------------------------------

TEST_CASE(
    "RFC 4120 §3.1-§3.2: cold login -- AS with pre-authentication, TGS, AP-REQ verified by "
    "the service, mutual AP-REP") {
  FixedClock clock{Timestamp{kNow, kNowUsec}};
  TestRandom random{11};
  FakeKdc kdc;
  const Principal service = principal("HTTP/www.example.com@EXAMPLE.COM");

  AsContext as_ctx;
  as_ctx.clock = &clock;
  as_ctx.random = &random;
  AsExchange as = must(AsExchange::with_password(kdc.client, kdc.password, {}, as_ctx));
  const EtypeInfo2Spec entry{18, std::string("EXAMPLE.COMalice"), std::nullopt};
  REQUIRE(must(as.on_reply(kdc.preauth_required({entry}))) == AsExchange::Step::kSendAgain);
  REQUIRE(must(as.on_reply(kdc.as_rep(as.request(), kdc.client_key(entry)))) ==
          AsExchange::Step::kDone);
  const Credentials tgt = as.take_credentials();

  ApContext ap_ctx;
  ap_ctx.clock = &clock;
  ap_ctx.random = &random;
  ap_ctx.clock_offset = as.hints().clock_offset;
  TgsExchange tgs = must(TgsExchange::for_service(tgt, service, {}, ap_ctx));
  const TgsReqSeen seen = see_tgs_req(tgs.request(), kdc.tgs_key);
  REQUIRE(seen.authenticator_ok);
  REQUIRE(seen.checksum_ok);
  REQUIRE(must(tgs.on_reply(kdc.tgs_rep(seen))) == TgsExchange::Step::kDone);
  const Credentials ticket = tgs.take_credentials();
  CHECK(ticket.server == service);

  Keytab keytab;
  keytab.add(KeytabEntry{service, kNow, 1, KeyBlock::from_key(kdc.service_key)});
  ApReqOptions o;
  o.ap_options = ap_options::kMutualRequired;
  o.subkey = true;
  o.sequence_number = true;
  const ApReqBuilt built = must(build_ap_req(ticket, o, ap_ctx));
  ApVerifyContext v;
  v.clock = &clock;
  const ApReqVerified verified = must(verify_ap_req(built.bytes, keytab, v), "verify_ap_req");
  CHECK(verified.client == kdc.client);
  CHECK(verified.session_key == ticket.session_key);

  const test::Bytes rep = must(build_ap_rep(verified, std::nullopt, 7u, random));
  const ApRepVerified mutual =
      must(verify_ap_rep(rep, must(ticket.session_key.to_key()), built), "verify_ap_rep");
  CHECK(mutual.seq_number == 7u);
}

// --- transited policy (RFC 4120 §2.7, §3.3.3.2) --------------------------------------------

namespace {

struct CrossRealm {
  std::string_view client = "bob@OTHER.ORG";
  std::string transited = {};
  std::uint32_t extra_flags = 0;
  std::int32_t tr_type = transited_type::kDomainX500Compress;
};

// A ticket for the world's service (realm EXAMPLE.COM) naming `c`, verified under `policy`.
Result<ApReqVerified> verify_with(ApWorld& w, const CrossRealm& c, const TransitPolicy& policy) {
  TicketSpec t = w.ticket();
  t.client = principal(c.client);
  t.transited = c.transited;
  t.flags |= c.extra_flags;
  t.tr_type = c.tr_type;
  const ApReqBuilt built = w.build(w.credentials(t));
  ApVerifyContext v = w.verify_context();
  v.transit = policy;
  return verify_ap_req(built.bytes, w.keytab, v);
}

std::vector<std::string> decoded(std::string_view contents, std::string_view client_realm = "C.ORG",
                                 std::string_view server_realm = "S.ORG") {
  return must(decode_transited(contents, client_realm, server_realm), "decode_transited");
}

void require_malformed(std::string_view contents, std::string_view client_realm = "C.ORG",
                       std::string_view server_realm = "S.ORG") {
  INFO(contents);
  auto r = decode_transited(contents, client_realm, server_realm);
  REQUIRE_FALSE(r);
  INFO(describe(r.error()));
  CHECK(r.error().category() == ErrorCategory::kProtocol);
  CHECK(r.error().code() == error_code::kKrbApPathNotAccepted);
}

using Realms = std::vector<std::string>;

}  // namespace

TEST_CASE(
    "AP §2.7: a client of the service's own realm is accepted with an empty transited field "
    "and refused with KRB_AP_PATH_NOT_ACCEPTED (51) when it names realms") {
  ApWorld w;
  CHECK(verify_with(w, {.client = "alice@EXAMPLE.COM"}, {}));
  require_ap_error(verify_with(w, {.client = "alice@EXAMPLE.COM", .transited = "EVIL.NET"}, {}),
                   error_code::kKrbApPathNotAccepted);
}

TEST_CASE(
    "AP §2.7: by default a client of another realm is KRB_AP_PATH_NOT_ACCEPTED (51), "
    "TRANSITED-POLICY-CHECKED or not") {
  ApWorld w;
  require_ap_error(verify_with(w, {}, {}), error_code::kKrbApPathNotAccepted);
  require_ap_error(
      verify_with(w, {.extra_flags = ticket_flags::kTransitedPolicyChecked}, TransitPolicy{}),
      error_code::kKrbApPathNotAccepted);
  // Trust for another service realm does not carry over.
  TransitPolicy elsewhere;
  elsewhere.trust("OTHER.ORG", "ELSEWHERE.COM");
  require_ap_error(verify_with(w, {}, elsewhere), error_code::kKrbApPathNotAccepted);
}

TEST_CASE(
    "AP §2.7: a directly trusted client realm is accepted, any realm in its ticket's transited "
    "field is refused") {
  ApWorld w;
  TransitPolicy direct;
  direct.trust("OTHER.ORG", "EXAMPLE.COM");
  const ApReqVerified v = must(verify_with(w, {}, direct), "verify_ap_req");
  CHECK(v.client == principal("bob@OTHER.ORG"));
  require_ap_error(verify_with(w, {.transited = "EVIL.NET"}, direct),
                   error_code::kKrbApPathNotAccepted);
  // A null subfield claims the hierarchical path A.B.EXAMPLE.COM -> B.EXAMPLE.COM ->
  // EXAMPLE.COM: not direct.
  TransitPolicy child;
  child.trust("A.B.EXAMPLE.COM", "EXAMPLE.COM");
  CHECK(verify_with(w, {.client = "bob@A.B.EXAMPLE.COM"}, child));
  require_ap_error(verify_with(w, {.client = "bob@A.B.EXAMPLE.COM", .transited = ","}, child),
                   error_code::kKrbApPathNotAccepted);
  child.trust("A.B.EXAMPLE.COM", "EXAMPLE.COM", {"B.EXAMPLE.COM"});
  CHECK(verify_with(w, {.client = "bob@A.B.EXAMPLE.COM", .transited = ","}, child));
}

TEST_CASE(
    "AP §2.7: a path through the trusted intermediate realms is accepted, one through any other "
    "realm is refused") {
  ApWorld w;
  TransitPolicy p;
  p.trust("ANL.GOV", "EXAMPLE.COM", {"ES.NET", "DOE.GOV", "EDU", "MIT.EDU"});
  CHECK(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET"}, p));
  CHECK(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET,DOE.GOV"}, p));
  CHECK(verify_with(w, {.client = "bob@ANL.GOV", .transited = "EDU,MIT."}, p));  // compressed
  CHECK(verify_with(w, {.client = "bob@ANL.GOV"}, p));  // an empty path is a shorter one
  require_ap_error(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET,EVIL.NET"}, p),
                   error_code::kKrbApPathNotAccepted);
  // "EDU,MIT.,ATHENA." ends in ATHENA.MIT.EDU, which the path does not list.
  require_ap_error(verify_with(w, {.client = "bob@ANL.GOV", .transited = "EDU,MIT.,ATHENA."}, p),
                   error_code::kKrbApPathNotAccepted);
}

TEST_CASE(
    "AP §2.7: TRANSITED-POLICY-CHECKED spares the path check (as MIT's krb5_rd_req does) "
    "unless trust_kdc_check is off, the client realm is checked either way") {
  ApWorld w;
  TransitPolicy p;
  p.trust("OTHER.ORG", "EXAMPLE.COM");
  const CrossRealm checked{.transited = "ES.NET",
                           .extra_flags = ticket_flags::kTransitedPolicyChecked};
  CHECK(verify_with(w, checked, p));
  require_ap_error(verify_with(w, {.transited = "ES.NET"}, p), error_code::kKrbApPathNotAccepted);
  p.trust_kdc_check = false;
  require_ap_error(verify_with(w, checked, p), error_code::kKrbApPathNotAccepted);
}

TEST_CASE(
    "AP §3.3.3.2: a transited field of an unknown type is KDC_ERR_TRTYPE_NOSUPP (17) unless "
    "empty, a malformed DOMAIN-X500-COMPRESS one is refused") {
  ApWorld w;
  TransitPolicy p;
  p.trust("OTHER.ORG", "EXAMPLE.COM", {"ES.NET"});
  require_ap_error(verify_with(w, {.transited = "ES.NET", .tr_type = 2}, p),
                   error_code::kKdcErrTrtypeNosupp);
  CHECK(verify_with(w, {.tr_type = 2}, p));
  const Result<ApReqVerified> r = verify_with(w, {.transited = "ES.NET\\"}, p);
  require_ap_error(r, error_code::kKrbApPathNotAccepted);
  CHECK(r.error().detail().find("malformed") != std::string_view::npos);
}

#if KERB_WITH_KRB5_CONF  // [capaths] from krb5.conf text
TEST_CASE("AP §2.7: TransitPolicy::from_config trusts what [capaths] lists for the service realm") {
  const Config c = must(Config::parse(R"([capaths]
    ANL.GOV = {
        EXAMPLE.COM = ES.NET
        PNL.GOV = ES.NET
    }
    TEST.ANL.GOV = {
        EXAMPLE.COM = .
    }
    PNL.GOV = {
        ELSEWHERE.COM = .
    }
)"),
                        "Config::parse");
  const TransitPolicy p = must(TransitPolicy::from_config(c, "EXAMPLE.COM"), "from_config");
  ApWorld w;
  CHECK(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET"}, p));
  CHECK(verify_with(w, {.client = "bob@TEST.ANL.GOV"}, p));
  require_ap_error(verify_with(w, {.client = "bob@TEST.ANL.GOV", .transited = "ES.NET"}, p),
                   error_code::kKrbApPathNotAccepted);
  require_ap_error(verify_with(w, {.client = "bob@PNL.GOV"}, p), error_code::kKrbApPathNotAccepted);

  const Config bad =
      must(Config::parse("[capaths]\n A.ORG = {\n  EXAMPLE.COM = .\n  EXAMPLE.COM = B.ORG\n }\n"),
           "Config::parse");
  auto r = TransitPolicy::from_config(bad, "EXAMPLE.COM");
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kConfig);
}
#endif

TEST_CASE("transited §3.3.3.2: the RFC's own DOMAIN-X500-COMPRESS examples decode") {
  // Domain style: a name ending in "." is prepended to the previous realm.
  CHECK(decoded("EDU,MIT.,ATHENA.,WASHINGTON.EDU,CS.") ==
        Realms{"EDU", "MIT.EDU", "ATHENA.MIT.EDU", "WASHINGTON.EDU", "CS.WASHINGTON.EDU"});
  CHECK(decoded("EDU,MIT.,WASHINGTON.EDU") == Realms{"EDU", "MIT.EDU", "WASHINGTON.EDU"});
  // X.500 style: a name starting with "/" is appended to the previous one; " /" stands alone.
  CHECK(decoded("/COM,/HP,/APOLLO, /COM/DEC") ==
        Realms{"/COM", "/COM/HP", "/COM/HP/APOLLO", "/COM/DEC"});
  CHECK(decoded("/COM,/HP") == Realms{"/COM", "/COM/HP"});
  CHECK(decoded("") == Realms{});
}

TEST_CASE(
    "transited §3.3.3.2: null subfields stand for the realms between their neighbours, the "
    "client realm first and the server realm last") {
  // "," is every realm on the path from the client's realm to the server's.
  CHECK(decoded(",", "ATHENA.MIT.EDU", "CS.WASHINGTON.EDU") ==
        Realms{"MIT.EDU", "EDU", "WASHINGTON.EDU"});
  // ",EDU, /COM,": from the client's realm up to EDU, and from /COM down to the server's.
  CHECK(decoded(",EDU, /COM,", "ATHENA.MIT.EDU", "/COM/DEC/SRC") ==
        Realms{"MIT.EDU", "EDU", "/COM", "/COM/DEC"});
  CHECK(decoded("EDU,,MIT.EDU") == Realms{"EDU", "MIT.EDU"});  // adjacent: nothing between
  CHECK(decoded("EDU,,,CS.WASHINGTON.EDU") == Realms{"EDU", "WASHINGTON.EDU", "CS.WASHINGTON.EDU"});
  // Neighbours of different styles, or with nothing in common, have no path between them.
  require_malformed(",", "ATHENA.MIT.EDU", "/COM/DEC");
  require_malformed(",", "A.ORG", "B.NET");
}

TEST_CASE("transited §3.3.3.2: quoted special characters are part of a realm name") {
  CHECK(decoded("A\\,B") == Realms{"A,B"});
  CHECK(decoded("EDU,MIT\\.") == Realms{"EDU", "MIT."});  // a quoted trailing "." is no mark
  CHECK(decoded("\\ X,\\/Y") == Realms{" X", "/Y"});      // nor a quoted leading " " or "/"
  CHECK(decoded("A\\\\B") == Realms{"A\\B"});
}

TEST_CASE("transited §3.3.3.2: malformed or oversized encodings are refused") {
  require_malformed("EDU\\");      // a dangling quote
  require_malformed(" EDU");       // a leading space must be quoted unless "/" follows
  require_malformed("EDU, ");      // a lone space
  require_malformed("MIT.,EDU");   // "." compression with no previous realm
  require_malformed("EDU,.");      // nothing to prepend
  require_malformed("/COM,/");     // nothing to append
  require_malformed("/COM,/HP.");  // both marks at once
  require_malformed(std::string(kMaxTransitedSize + 1, 'A'));
  std::string many;
  for (std::size_t i = 0; i <= kMaxTransitedRealms; ++i)
    many += i == 0 ? "R" : ",R";
  require_malformed(many);
  require_malformed(std::string(kMaxTransitedRealmSize + 1, 'A'));
}

TEST_CASE("AP: the verified checksum (which may carry a delegated key) is in wiping storage") {
  STATIC_REQUIRE(std::is_same_v<decltype(ApReqVerified::cksum), crypto::SecretBuffer>);
}

#if KERB_WITH_KRB5_CONF  // [capaths] from krb5.conf text
TEST_CASE("AP §2.7: merged policies of several service realms trust what each one's does") {
  const Config c = must(Config::parse(R"([capaths]
    ANL.GOV = {
        EXAMPLE.COM = ES.NET
        OTHER.ORG = .
    }
    PNL.GOV = {
        OTHER.ORG = .
    }
)"),
                        "Config::parse");
  ApWorld w;  // the service is in EXAMPLE.COM
  TransitPolicy p = must(TransitPolicy::from_config(c, "OTHER.ORG"), "from_config");
  require_ap_error(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET"}, p),
                   error_code::kKrbApPathNotAccepted);
  p.merge(must(TransitPolicy::from_config(c, "EXAMPLE.COM"), "from_config"));
  CHECK(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET"}, p));
  // OTHER.ORG's entries say nothing about EXAMPLE.COM's services.
  require_ap_error(verify_with(w, {.client = "bob@PNL.GOV"}, p), error_code::kKrbApPathNotAccepted);
  // A merged entry for a pair already trusted replaces it, as trust() does.
  TransitPolicy direct;
  direct.trust("ANL.GOV", "EXAMPLE.COM");
  p.merge(direct);
  require_ap_error(verify_with(w, {.client = "bob@ANL.GOV", .transited = "ES.NET"}, p),
                   error_code::kKrbApPathNotAccepted);
  CHECK(verify_with(w, {.client = "bob@ANL.GOV"}, p));
}
#endif
