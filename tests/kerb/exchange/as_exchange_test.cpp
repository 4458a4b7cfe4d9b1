// The AS exchange (RFC 4120 §3.1) driven byte for byte against the synthetic KDC: request
// contents, pre-authentication (PA-ENC-TIMESTAMP with ETYPE-INFO2), the retries it allows
// (PREAUTH_FAILED with new ETYPE-INFO2, KRB_AP_ERR_SKEW) and every check of §3.1.5.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/as_exchange.hpp>
#include <kerb/constants.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>

#include "fake_kdc.hpp"

using namespace kerb;
using namespace kerb::test;
using Step = AsExchange::Step;

namespace {

#if KERB_WITH_CAMELLIA
const std::vector<std::int32_t> kDefaultEtypes = {18, 17, 20, 19, 26, 25};
#else
const std::vector<std::int32_t> kDefaultEtypes = {18, 17, 20, 19};  // Camellia not built in
#endif

// s2kparams for 5000 PBKDF2 iterations: above the floor, and not the default, so a client
// that ignored them would derive another key.
const test::Bytes kIter5000 = {0x00, 0x00, 0x13, 0x88};

struct AsWorld {
  FixedClock clock{Timestamp{kNow, kNowUsec}};
  TestRandom random{42};
  FakeKdc kdc;

  AsContext context() {
    AsContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  AsExchange start(AsOptions options = {}) { return start(options, context()); }
  AsExchange start(AsOptions options, AsContext ctx) {
    return must(AsExchange::with_password(kdc.client, kdc.password, std::move(options), ctx),
                "AsExchange::with_password");
  }
  // The key of the KDC's default entry: aes256, default salt, default iterations.
  crypto::Key default_key() const { return kdc.client_key(EtypeInfo2Spec{18, std::nullopt, {}}); }

  // Bare AS-REQ answered with PREAUTH_REQUIRED(info): returns the pre-authenticated request.
  test::Bytes preauth_round(AsExchange& as, const std::vector<EtypeInfo2Spec>& info) {
    REQUIRE_FALSE(see_as_req(as.request()).has_padata);
    REQUIRE(must(as.on_reply(kdc.preauth_required(info)), "on_reply") == Step::kSendAgain);
    return copy_of(as.request());
  }
};

Step done(AsExchange& as, ByteView reply) {
  return must(as.on_reply(reply), "on_reply");
}

Error refused(AsExchange& as, ByteView reply) {
  Result<Step> r = as.on_reply(reply);
  REQUIRE_FALSE(r);
  return r.error();
}

// A reply check failed: never kDone, and a protocol or integrity error.
void require_rejected(AsExchange& as, ByteView reply) {
  const Error e = refused(as, reply);
  INFO(describe(e));
  CHECK((e.category() == ErrorCategory::kProtocol || e.category() == ErrorCategory::kCrypto));
}

}  // namespace

// --- the request --------------------------------------------------------------------------

TEST_CASE(
    "AS §3.1.1/§5.4.1: the first AS-REQ has no padata, asks krbtgt/REALM and lists the "
    "policy's enctypes in order") {
  AsWorld w;
  AsExchange as = w.start();
  const AsReqSeen req = see_as_req(as.request());
  CHECK_FALSE(req.has_padata);
  CHECK(req.client == w.kdc.client);
  CHECK(req.server == w.kdc.tgs());
  CHECK(req.etypes == kDefaultEtypes);
  CHECK(req.till == kNow + 86400);
  CHECK_FALSE(req.rtime);
  CHECK(req.kdc_options == 0);
  CHECK(req.nonce <= 0x7FFFFFFFu);
  CHECK(as.requests_sent() == 1);
}

TEST_CASE(
    "AS §5.4.1: renew_lifetime asks RENEWABLE with rtime, canonicalize sets CANONICALIZE, "
    "kdc_options pass through") {
  AsWorld w;
  AsOptions o;
  o.kdc_options = kdc_options::kForwardable;
  o.lifetime = 3600;
  o.renew_lifetime = 7 * 86400;
  o.canonicalize = true;
  AsExchange as = w.start(o);
  const AsReqSeen req = see_as_req(as.request());
  CHECK(req.kdc_options ==
        (kdc_options::kForwardable | kdc_options::kRenewable | kdc_options::kCanonicalize));
  CHECK(req.till == kNow + 3600);
  REQUIRE(req.rtime);
  CHECK(*req.rtime == kNow + 7 * 86400);
}

#if KERB_WITH_RC4_HMAC
TEST_CASE("AS §5.4.1: rc4-hmac is listed (last) only when the policy allows it") {
  AsWorld w;
  AsContext ctx = w.context();
  ctx.policy.allow_rc4_hmac();
  AsExchange as = w.start({}, ctx);
  std::vector<std::int32_t> expected = kDefaultEtypes;
  expected.push_back(23);
  CHECK(see_as_req(as.request()).etypes == expected);
}
#else
TEST_CASE("AS §5.4.1: without rc4-hmac built in, allow_rc4_hmac() lists nothing more") {
  AsWorld w;
  AsContext ctx = w.context();
  ctx.policy.allow_rc4_hmac();
  AsExchange as = w.start({}, ctx);
  CHECK(see_as_req(as.request()).etypes == kDefaultEtypes);
}
#endif

// --- pre-authentication -------------------------------------------------------------------

TEST_CASE(
    "AS §3.1.1/§5.2.7.2/§5.2.7.5: PREAUTH_REQUIRED with ETYPE-INFO2 -> PA-ENC-TIMESTAMP "
    "under the first permitted entry in the KDC's order, fresh nonce, AS-REP completes "
    "and hints() keep etype, salt and s2kparams") {
  AsWorld w;
  AsExchange as = w.start();
  const std::uint32_t first_nonce = see_as_req(as.request()).nonce;

  // rc4 first (not permitted), then aes128 with a custom salt and count, then aes256.
  const std::vector<EtypeInfo2Spec> info = {
      {23, std::nullopt, std::nullopt},
      {17, std::string("EXAMPLE.COMalice-17"), kIter5000},
      {18, std::string("EXAMPLE.COMsomeone-else"), std::nullopt},
  };
  const test::Bytes second = w.preauth_round(as, info);
  const AsReqSeen req = see_as_req(second);
  CHECK(req.has_padata);
  CHECK(req.timestamp_etype == 17);
  CHECK(req.nonce != first_nonce);
  CHECK(req.etypes == kDefaultEtypes);
  CHECK(as.requests_sent() == 2);

  const crypto::Key key17 = w.kdc.client_key(info[1]);
  const std::optional<Timestamp> ts = enc_timestamp(second, key17);
  REQUIRE(ts);
  CHECK(ts->seconds == kNow);
  CHECK(ts->usec == kNowUsec);
  // Not under the aes256 entry, nor under aes128 with the default salt.
  CHECK_FALSE(enc_timestamp(second, w.kdc.client_key(info[2])));
  CHECK_FALSE(enc_timestamp(second, w.kdc.client_key({17, std::nullopt, kIter5000})));

  const test::Bytes reply = w.kdc.as_rep(second, key17);
  REQUIRE(done(as, reply) == Step::kDone);

  const Credentials& c = as.credentials();
  CHECK(c.client == w.kdc.client);
  CHECK(c.server == w.kdc.tgs());
  CHECK(c.session_key.enctype == crypto::EncType{18});
  CHECK(copy_of(c.session_key.contents.view()) == w.kdc.last_session_key);
  CHECK(c.authtime == kNow);
  CHECK(c.endtime == kNow + 86400);
  CHECK(c.ticket_flags == (ticket_flags::kInitial | ticket_flags::kPreAuthent));
  const KdcRep rep = must(decode_as_rep(reply));
  CHECK(c.ticket == copy_of(rep.ticket.raw));

  const ClientHints& hints = as.hints();
  REQUIRE(hints.etype_info);
  CHECK(hints.etype_info->etype == crypto::EncType{17});
  CHECK(hints.etype_info->salt == std::optional<std::string>("EXAMPLE.COMalice-17"));
  CHECK(hints.etype_info->s2kparams == kIter5000);
  CHECK(hints.clock_offset == 0);
}

TEST_CASE(
    "AS §3.1.1: a returning client (saved hints) sends PA-ENC-TIMESTAMP in its first "
    "request and finishes in one round trip") {
  AsWorld w;
  AsContext ctx = w.context();
  ClientHints::EtypeInfo saved;
  saved.etype = crypto::EncType{17};
  saved.salt = "EXAMPLE.COMalice-17";
  saved.s2kparams = kIter5000;
  ctx.hints.etype_info = saved;
  AsExchange as = w.start({}, ctx);

  const test::Bytes first = copy_of(as.request());
  const AsReqSeen req = see_as_req(first);
  CHECK(req.has_padata);
  CHECK(req.timestamp_etype == 17);
  const crypto::Key key17 = w.kdc.client_key({17, std::string("EXAMPLE.COMalice-17"), kIter5000});
  const std::optional<Timestamp> ts = enc_timestamp(first, key17);
  REQUIRE(ts);
  CHECK(ts->seconds == kNow);

  REQUIRE(done(as, w.kdc.as_rep(first, key17)) == Step::kDone);
  CHECK(as.requests_sent() == 1);
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->etype == crypto::EncType{17});
}

TEST_CASE("AS §3.1.1: a returning client's PA-ENC-TIMESTAMP carries its saved clock offset") {
  AsWorld w;
  AsContext ctx = w.context();
  ctx.hints.etype_info = ClientHints::EtypeInfo{crypto::EncType{18}, std::nullopt, {}};
  ctx.hints.clock_offset = -120;
  AsExchange as = w.start({}, ctx);
  const std::optional<Timestamp> ts = enc_timestamp(as.request(), w.default_key());
  REQUIRE(ts);
  CHECK(ts->seconds == kNow - 120);
  CHECK(see_as_req(as.request()).till == kNow - 120 + 86400);
}

TEST_CASE(
    "AS §3.1.1: a returning client whose saved hint went stale starts afresh once from the "
    "KDC's PREAUTH_REQUIRED") {
  AsWorld w;
  AsContext ctx = w.context();
  // The KDC dropped 26 (20 in a build without Camellia: the hint must be one policy permits).
  const std::int32_t stale = KERB_WITH_CAMELLIA ? 26 : 20;
  ctx.hints.etype_info = ClientHints::EtypeInfo{crypto::EncType{stale}, std::nullopt, {}};
  AsExchange as = w.start({}, ctx);
  CHECK(see_as_req(as.request()).timestamp_etype == stale);
  const EtypeInfo2Spec now{18, std::string("EXAMPLE.COMalice"), std::nullopt};
  REQUIRE(done(as, w.kdc.preauth_required({now})) == Step::kSendAgain);
  const test::Bytes second = copy_of(as.request());
  CHECK(enc_timestamp(second, w.kdc.client_key(now)));
  REQUIRE(done(as, w.kdc.as_rep(second, w.kdc.client_key(now))) == Step::kDone);
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->etype == crypto::EncType{18});
  // A second PREAUTH_REQUIRED after that fresh start is final.
  AsExchange again = w.start({}, ctx);
  REQUIRE(done(again, w.kdc.preauth_required({now})) == Step::kSendAgain);
  const Error e = refused(again, w.kdc.preauth_required({now}));
  CHECK(e.code() == error_code::kKdcErrPreauthRequired);
}

TEST_CASE("AS §3.1.1: PREAUTH_REQUIRED again after pre-authenticating is final (kKdc 25)") {
  AsWorld w;
  AsExchange as = w.start();
  w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  const Error e = refused(as, w.kdc.preauth_required({{18, std::nullopt, std::nullopt}}));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrPreauthRequired);
  CHECK(as.requests_sent() == 2);
}

TEST_CASE("AS §3.1.1: PREAUTH_FAILED without e-data (wrong password) is kKdc 24") {
  AsWorld w;
  AsExchange as = w.start();
  w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  const Error e = refused(as, w.kdc.error(error_code::kKdcErrPreauthFailed));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrPreauthFailed);
}

TEST_CASE(
    "AS §5.2.7.5: PREAUTH_FAILED with different ETYPE-INFO2 re-derives the key once, a "
    "second PREAUTH_FAILED is final") {
  AsWorld w;
  AsExchange as = w.start();
  const EtypeInfo2Spec old_salt{18, std::string("EXAMPLE.COMalice-old"), std::nullopt};
  const EtypeInfo2Spec new_salt{18, std::string("EXAMPLE.COMalice-new"), std::nullopt};
  const test::Bytes second = w.preauth_round(as, {old_salt});
  REQUIRE(enc_timestamp(second, w.kdc.client_key(old_salt)));

  REQUIRE(done(as, w.kdc.preauth_failed({new_salt})) == Step::kSendAgain);
  const test::Bytes third = copy_of(as.request());
  CHECK(see_as_req(third).nonce != see_as_req(second).nonce);
  CHECK(enc_timestamp(third, w.kdc.client_key(new_salt)));
  CHECK_FALSE(enc_timestamp(third, w.kdc.client_key(old_salt)));
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->salt == new_salt.salt);

  const EtypeInfo2Spec newer_salt{18, std::string("EXAMPLE.COMalice-newer"), std::nullopt};
  const Error e = refused(as, w.kdc.preauth_failed({newer_salt}));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrPreauthFailed);
  CHECK(as.requests_sent() == 3);
}

TEST_CASE("AS §5.2.7.5: PREAUTH_FAILED repeating the ETYPE-INFO2 already used is final at once") {
  AsWorld w;
  AsExchange as = w.start();
  const EtypeInfo2Spec entry{18, std::string("EXAMPLE.COMalice"), std::nullopt};
  w.preauth_round(as, {entry});
  const Error e = refused(as, w.kdc.preauth_failed({entry}));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrPreauthFailed);
  CHECK(as.requests_sent() == 2);
}

TEST_CASE(
    "AS §3.1.3/§5.9.1: KRB_AP_ERR_SKEW with stime -> one retry whose PA-ENC-TIMESTAMP is "
    "the KDC's time, the offset lands in hints()") {
  AsWorld w;
  AsExchange as = w.start();
  const test::Bytes second = w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  REQUIRE(enc_timestamp(second, w.default_key())->seconds == kNow);

  w.kdc.now = Timestamp{kNow + 3600, 0};  // the KDC is an hour ahead
  REQUIRE(done(as, w.kdc.error(error_code::kKrbApErrSkew)) == Step::kSendAgain);
  const test::Bytes third = copy_of(as.request());
  const std::optional<Timestamp> ts = enc_timestamp(third, w.default_key());
  REQUIRE(ts);
  CHECK(ts->seconds == kNow + 3600);
  CHECK(see_as_req(third).nonce != see_as_req(second).nonce);
  CHECK(see_as_req(third).till == kNow + 3600 + 86400);

  REQUIRE(done(as, w.kdc.as_rep(third, w.default_key())) == Step::kDone);
  CHECK(as.hints().clock_offset == 3600);
  CHECK(as.credentials().authtime == kNow + 3600);
}

TEST_CASE(
    "AS §3.1.3 (kdc_timesync): KRB_AP_ERR_SKEW's unauthenticated stime is adopted only with "
    "kdc_timesync, without it the error is final (kKdc 37), no retry, no offset") {
  for (bool timesync : {true, false}) {
    INFO("kdc_timesync " << timesync);
    AsWorld w;
    AsContext ctx = w.context();
    ctx.kdc_timesync = timesync;
    ctx.hints.clock_offset = 7;
    AsExchange as = w.start({}, ctx);
    const test::Bytes second = w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
    w.kdc.now = Timestamp{kNow + 3600, 0};
    const int fills = w.random.fills();
    Result<Step> r = as.on_reply(w.kdc.error(error_code::kKrbApErrSkew));
    if (timesync) {
      REQUIRE(r);
      CHECK(*r == Step::kSendAgain);
      CHECK(as.requests_sent() == 3);
      CHECK(enc_timestamp(as.request(), w.default_key())->seconds == kNow + 3600);
    } else {
      REQUIRE_FALSE(r);
      CHECK(r.error().category() == ErrorCategory::kKdc);
      CHECK(r.error().code() == error_code::kKrbApErrSkew);
      CHECK(as.requests_sent() == 2);
      CHECK(copy_of(as.request()) == second);  // nothing new to send
      CHECK(w.random.fills() == fills);
      CHECK(as.hints().clock_offset == 7);
    }
  }
}

TEST_CASE("AS §3.1.3: a second KRB_AP_ERR_SKEW is final (kKdc 37)") {
  AsWorld w;
  AsExchange as = w.start();
  w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  w.kdc.now = Timestamp{kNow + 3600, 0};
  REQUIRE(done(as, w.kdc.error(error_code::kKrbApErrSkew)) == Step::kSendAgain);
  const Error e = refused(as, w.kdc.error(error_code::kKrbApErrSkew));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKrbApErrSkew);
  CHECK(as.requests_sent() == 3);
}

TEST_CASE(
    "AS §5.2.7.5 + policy: ETYPE-INFO2 asking for more PBKDF2 iterations than the policy "
    "limit fails at once with kPolicy naming count and limit, deriving nothing") {
  const auto be32 = [](std::uint32_t v) {
    return test::Bytes{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                       static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  };
  struct Case {
    std::optional<std::uint32_t> limit;  // nullopt: the default policy
    std::uint32_t asked;
  };
  for (const Case& c : {Case{std::nullopt, KERB_MAX_S2K_ITERATIONS + 1},
                        Case{std::nullopt, (1u << 24) - 1}, Case{100000, 100001}}) {
    const std::uint32_t limit = c.limit.value_or(KERB_MAX_S2K_ITERATIONS);
    INFO("limit " << limit << ", asked " << c.asked);
    AsWorld w;
    AsContext ctx = w.context();
    if (c.limit) ctx.policy.max_s2k_iterations(*c.limit);
    AsExchange as = w.start({}, ctx);
    const test::Bytes first = copy_of(as.request());
    const int fills = w.random.fills();
    const Error e =
        refused(as, w.kdc.preauth_required({{18, std::string("EXAMPLE.COMalice"), be32(c.asked)}}));
    INFO(describe(e));
    CHECK(e.category() == ErrorCategory::kPolicy);
    const std::string detail(e.detail());
    CHECK(detail.find(std::to_string(c.asked)) != std::string::npos);
    CHECK(detail.find(std::to_string(limit)) != std::string::npos);
    // No key was made and no request built: the old request stands, no randomness was drawn.
    CHECK(as.requests_sent() == 1);
    CHECK(copy_of(as.request()) == first);
    CHECK(w.random.fills() == fills);
    CHECK_FALSE(as.hints().etype_info);
  }
  // At the limit the count is honoured (the key differs from the default count's).
  AsWorld w;
  AsContext ctx = w.context();
  ctx.policy.max_s2k_iterations(40000);
  AsExchange as = w.start({}, ctx);
  const EtypeInfo2Spec at_limit{18, std::nullopt, be32(40000)};
  const test::Bytes second = w.preauth_round(as, {at_limit});
  CHECK(enc_timestamp(second, w.kdc.client_key(at_limit)));
  CHECK_FALSE(enc_timestamp(second, w.default_key()));
}

TEST_CASE("AS §3.1.3: other KRB-ERRORs are kKdc errors with their code (C_PRINCIPAL_UNKNOWN 6)") {
  AsWorld w;
  AsExchange as = w.start();
  const Error e = refused(as, w.kdc.error(error_code::kKdcErrCPrincipalUnknown));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrCPrincipalUnknown);
}

TEST_CASE("AS §5.2.7.5 + policy: a KDC offering only rc4-hmac (23) is refused by default") {
  AsWorld w;
  AsExchange as = w.start();
  const Error e = refused(as, w.kdc.preauth_required({{23, std::nullopt, std::nullopt}}));
  CHECK(e.category() == ErrorCategory::kPolicy);
  CHECK(as.requests_sent() == 1);
}

#if KERB_WITH_RC4_HMAC
TEST_CASE("AS policy: with allow_rc4_hmac() an rc4-only principal logs in") {
  AsWorld w;
  AsContext ctx = w.context();
  ctx.policy.allow_rc4_hmac();
  AsExchange as = w.start({}, ctx);
  const EtypeInfo2Spec rc4{23, std::nullopt, std::nullopt};
  const test::Bytes second = w.preauth_round(as, {rc4});
  const crypto::Key key = w.kdc.client_key(rc4);
  REQUIRE(enc_timestamp(second, key));
  CHECK(see_as_req(second).timestamp_etype == 23);
  REQUIRE(done(as, w.kdc.as_rep(second, key)) == Step::kDone);
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->etype == crypto::EncType{23});
}
#endif

TEST_CASE(
    "AS §5.2.7.5: a KDC sharing no enctype (no ETYPE-INFO2, no PA-ENC-TIMESTAMP) is a "
    "kPolicy KDC_ERR_ETYPE_NOSUPP") {
  AsWorld w;
  AsExchange as = w.start();
  const Error e = refused(as, w.kdc.error(error_code::kKdcErrPreauthRequired,
                                          method_data({}, /*enc_timestamp=*/false)));
  CHECK(e.category() == ErrorCategory::kPolicy);
  CHECK(e.code() == error_code::kKdcErrEtypeNosupp);
}

TEST_CASE(
    "AS §5.2.7.5: an ETYPE-INFO2 s2kparams below the enctype's iteration floor (a "
    "spoofed cheap key) is refused by policy") {
  AsWorld w;
  AsExchange as = w.start();
  const test::Bytes one_iteration = {0x00, 0x00, 0x00, 0x01};
  const Error e = refused(as, w.kdc.preauth_required({{18, std::nullopt, one_iteration}}));
  CHECK(e.category() == ErrorCategory::kPolicy);
  CHECK(as.requests_sent() == 1);
}

TEST_CASE(
    "AS §5.2.7.4: from a KDC sending only the old PA-ETYPE-INFO, its entry and salt are "
    "used") {
  AsWorld w;
  AsExchange as = w.start();
  const std::string salt = "EXAMPLE.COMalice-etype-info";
  const EtypeInfoEntry entries[2] = {EtypeInfoEntry{crypto::EncType{23}, std::nullopt},
                                     EtypeInfoEntry{crypto::EncType{17}, ByteView(bytes_of(salt))}};
  const test::Bytes info = der_of(EtypeInfo(std::span<const EtypeInfoEntry>(entries)));
  const PaData pa[2] = {PaData{padata_type::kPaEtypeInfo, info},
                        PaData{padata_type::kPaEncTimestamp, {}}};
  const test::Bytes e_data = der_of(MethodData(std::span<const PaData>(pa)));
  REQUIRE(done(as, w.kdc.error(error_code::kKdcErrPreauthRequired, e_data)) == Step::kSendAgain);
  const crypto::Key key = w.kdc.client_key({17, salt, std::nullopt});
  CHECK(see_as_req(as.request()).timestamp_etype == 17);
  REQUIRE(enc_timestamp(as.request(), key));
  CHECK(done(as, w.kdc.as_rep(as.request(), key)) == Step::kDone);
}

TEST_CASE(
    "AS §5.2.7.3: without enctype information, the first policy enctype and PA-PW-SALT's "
    "salt are used") {
  AsWorld w;
  AsExchange as = w.start();
  const std::string salt = "EXAMPLE.COMalice-pw-salt";
  const PaData pa[2] = {PaData{padata_type::kPaPwSalt, bytes_of(salt)},
                        PaData{padata_type::kPaEncTimestamp, {}}};
  const test::Bytes e_data = der_of(MethodData(std::span<const PaData>(pa)));
  REQUIRE(done(as, w.kdc.error(error_code::kKdcErrPreauthRequired, e_data)) == Step::kSendAgain);
  const crypto::Key key = w.kdc.client_key({18, salt, std::nullopt});
  REQUIRE(enc_timestamp(as.request(), key));
  CHECK(done(as, w.kdc.as_rep(as.request(), key)) == Step::kDone);
}

TEST_CASE(
    "AS §3.1.1/§5.9.1: PREAUTH_FAILED whose e-data is not METHOD-DATA (TYPED-DATA) still "
    "reports the KDC's code 24, as MIT does (undecodable e-data is ignored)") {
  AsWorld w;
  AsExchange as = w.start();
  w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  const TypedDataEntry td[1] = {TypedDataEntry{padata_type::kTdReqNonce, std::nullopt}};
  const test::Bytes e_data = der_of(TypedData(std::span<const TypedDataEntry>(td)));
  const Error e = refused(as, w.kdc.error(error_code::kKdcErrPreauthFailed, e_data));
  INFO(describe(e));
  CHECK(e.category() == ErrorCategory::kKdc);
  CHECK(e.code() == error_code::kKdcErrPreauthFailed);
}

// --- the AS-REP without pre-authentication -------------------------------------------------

TEST_CASE(
    "AS §3.1.5: an AS-REP to the bare request is decrypted with the default salt "
    "(realm + name)") {
  AsWorld w;
  AsExchange as = w.start();
  REQUIRE(done(as, w.kdc.as_rep(as.request(), w.default_key())) == Step::kDone);
  CHECK(as.requests_sent() == 1);
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->etype == crypto::EncType{18});
  CHECK_FALSE(as.hints().etype_info->salt);
}

TEST_CASE("AS §3.1.3/§5.2.7.5: an AS-REP's own PA-ETYPE-INFO2 gives the reply key's salt") {
  AsWorld w;
  AsExchange as = w.start();
  const EtypeInfo2Spec entry{18, std::string("EXAMPLE.COMreply-salt"), std::nullopt};
  const test::Bytes reply = w.kdc.as_rep(as.request(), w.kdc.client_key(entry),
                                         [&](RepSpec& s) { s.padata_etype_info2 = {entry}; });
  REQUIRE(done(as, reply) == Step::kDone);
  REQUIRE(as.hints().etype_info);
  CHECK(as.hints().etype_info->salt == entry.salt);
}

TEST_CASE("AS §3.1.5: an AS-REP under another password's key is a kCrypto error") {
  AsWorld w;
  AsExchange as = w.start();
  const crypto::Key wrong =
      password_key(EncType::kAes256CtsHmacSha1_96, "not the password", w.kdc.default_salt());
  const Error e = refused(as, w.kdc.as_rep(as.request(), wrong));
  CHECK(e.category() == ErrorCategory::kCrypto);
}

// --- §3.1.5 reply checks ------------------------------------------------------------------

namespace {

// A returning client (aes256, default salt) whose first request is pre-authenticated, so the
// reply key needs no string-to-key and each check runs on a fresh exchange.
struct ReplyCheck {
  AsWorld w;
  crypto::Key key = w.default_key();
  AsContext ctx() {
    AsContext c = w.context();
    c.hints.etype_info = ClientHints::EtypeInfo{crypto::EncType{18}, std::nullopt, {}};
    return c;
  }
  AsExchange start(AsOptions o = {}) { return w.start(std::move(o), ctx()); }
  test::Bytes reply(AsExchange& as, const std::function<void(RepSpec&)>& tweak = {}) {
    return w.kdc.as_rep(as.request(), key, tweak);
  }
};

}  // namespace

TEST_CASE("AS §3.1.5: the AS-REP's nonce must be the request's") {
  ReplyCheck t;
  AsExchange as = t.start();
  require_rejected(as, t.reply(as, [](RepSpec& s) { s.nonce ^= 1; }));
  AsExchange as2 = t.start();
  CHECK(done(as2, t.reply(as2)) == Step::kDone);  // the control
}

TEST_CASE(
    "AS §3.1.5: a late AS-REP answering the previous request (its nonce) is rejected "
    "once the exchange has moved on") {
  AsWorld w;
  AsExchange as = w.start();
  const test::Bytes first = copy_of(as.request());
  const test::Bytes stale = w.kdc.as_rep(first, w.default_key());  // e.g. a duplicated datagram
  const test::Bytes second = w.preauth_round(as, {{18, std::nullopt, std::nullopt}});
  require_rejected(as, stale);
  CHECK(done(as, w.kdc.as_rep(second, w.default_key())) == Step::kDone);
}

TEST_CASE("AS §3.1.5: the AS-REP's cname and crealm must be the request's") {
  ReplyCheck t;
  AsExchange a = t.start();
  require_rejected(a, t.reply(a, [](RepSpec& s) { s.client = principal("bob@EXAMPLE.COM"); }));
  AsExchange b = t.start();
  require_rejected(b, t.reply(b, [](RepSpec& s) { s.client = principal("alice@OTHER.COM"); }));
}

TEST_CASE(
    "AS RFC 6806 §11: canonicalize sends an empty PA-REQ-ENC-PA-REP (149) beside "
    "PA-ENC-TIMESTAMP, without canonicalize the request carries none") {
  ReplyCheck t;
  AsOptions o;
  o.canonicalize = true;
  AsExchange as = t.start(o);
  const KdcReq req = must(decode_as_req(as.request()));
  REQUIRE(req.padata);
  const std::optional<PaData> pa = find_padata(*req.padata, padata_type::kPaReqEncPaRep);
  REQUIRE(pa);
  CHECK(pa->padata_value.empty());
  CHECK(find_padata(*req.padata, padata_type::kPaEncTimestamp));

  AsExchange plain = t.start();
  const KdcReq plain_req = must(decode_as_req(plain.request()));
  REQUIRE(plain_req.padata);
  CHECK_FALSE(find_padata(*plain_req.padata, padata_type::kPaReqEncPaRep));
  // A first request without hints: PA-REQ-ENC-PA-REP only, still no PA-ENC-TIMESTAMP.
  AsWorld w;
  AsExchange bare = w.start(o);
  CHECK(see_as_req(bare.request()).padata_types ==
        std::vector<std::int32_t>{padata_type::kPaReqEncPaRep});
}

TEST_CASE(
    "AS RFC 6806 §11: with canonicalize a genuine reply's PA-REQ-ENC-PA-REP verifies and the "
    "credentials keep the enc-pa-rep flag") {
  ReplyCheck t;
  AsOptions o;
  o.canonicalize = true;
  AsExchange as = t.start(o);
  REQUIRE(done(as, t.reply(as)) == Step::kDone);
  CHECK(as.credentials().client == t.w.kdc.client);
  CHECK(as.credentials().ticket_flags ==
        (ticket_flags::kInitial | ticket_flags::kPreAuthent | ticket_flags::kEncPaRep));
  // Also on the two-round-trip path, where the checksum covers the second request.
  AsWorld w;
  AsExchange fresh = w.start(o);
  REQUIRE(done(fresh, w.kdc.preauth_required({{18, std::nullopt, std::nullopt}})) ==
          Step::kSendAgain);
  CHECK(done(fresh, w.kdc.as_rep(fresh.request(), w.default_key())) == Step::kDone);
}

TEST_CASE(
    "AS RFC 6806 §6/§13: with canonicalize, a genuine AS-REP whose cleartext cname or crealm "
    "was rewritten is refused although its PA-REQ-ENC-PA-REP verifies") {
  ReplyCheck t;
  AsOptions o;
  o.canonicalize = true;
  // The KDC answers alice genuinely; only the unencrypted cname/crealm are changed on the way
  // (the ticket inside still names alice, as the KDC issued it).
  auto rewrite = [](const test::Bytes& genuine, const Principal& to) {
    KdcRep rep = must(decode_as_rep(genuine));
    const PrincipalName cname = to.name();
    rep.crealm = to.realm();
    rep.cname = cname;
    return der_of(rep);
  };
  for (const char* forged : {"admin@EXAMPLE.COM", "alice@EVIL.COM", "Alice@EXAMPLE.COM"}) {
    INFO("rewritten to " << forged);
    AsExchange as = t.start(o);
    const test::Bytes reply = rewrite(t.reply(as), principal(forged));
    const Error e = refused(as, reply);
    INFO(describe(e));
    CHECK(e.category() == ErrorCategory::kProtocol);
    CHECK(std::string(e.detail()).find(forged) != std::string::npos);
    CHECK(as.credentials().ticket.empty());
  }
  // A KDC that itself names another client (an alias's canonical name) is refused the same
  // way: without FAST the change cannot be told from the forgery above.
  AsExchange alias = t.start(o);
  require_rejected(
      alias, t.reply(alias, [](RepSpec& s) { s.client = principal("alice.smith@EXAMPLE.COM"); }));
}

TEST_CASE(
    "AS RFC 6806 §11: a PA-REQ-ENC-PA-REP over other bytes than the AS-REQ sent (a request "
    "modified on its way) is refused") {
  ReplyCheck t;
  AsOptions o;
  o.canonicalize = true;
  AsExchange as = t.start(o);
  // What the KDC saw: our request with CANONICALIZE stripped by a man in the middle.
  KdcReq seen = must(decode_as_req(as.request()));
  seen.req_body.raw = {};
  seen.req_body.kdc_options.bits &= ~kdc_options::kCanonicalize;
  const test::Bytes modified = der_of(seen);
  REQUIRE(modified != copy_of(as.request()));
  const test::Bytes reply = t.reply(as, [&](RepSpec& s) {
    s.encrypted_pa_data.at(0).second = FakeKdc::enc_pa_rep_checksum(modified, t.key);
  });
  const Error e = refused(as, reply);
  INFO(describe(e));
  CHECK(e.category() == ErrorCategory::kProtocol);
  CHECK(std::string(e.detail()).find("PA-REQ-ENC-PA-REP") != std::string::npos);
  CHECK(as.credentials().ticket.empty());
}

TEST_CASE(
    "AS RFC 6806 §11: the enc-pa-rep flag without PA-REQ-ENC-PA-REP, a checksum of another "
    "type, or undecodable padata is refused") {
  ReplyCheck t;
  AsOptions o;
  o.canonicalize = true;
  AsExchange stripped = t.start(o);
  require_rejected(stripped, t.reply(stripped, [](RepSpec& s) {
    s.encrypted_pa_data.erase(s.encrypted_pa_data.begin());  // PA-FX-FAST stays
  }));

  // hmac-sha1-96-aes128 (15) is not the mandatory checksum of the aes256 reply key.
  AsExchange wrong_type = t.start(o);
  require_rejected(wrong_type, t.reply(wrong_type, [&](RepSpec& s) {
    Checksum c = must(decode_der<Checksum>(s.encrypted_pa_data.at(0).second, "Checksum"));
    const test::Bytes sum = copy_of(c.checksum);
    s.encrypted_pa_data.at(0).second = der_of(Checksum{15, sum});
  }));

  AsExchange garbage = t.start(o);
  const Error e = refused(garbage, t.reply(garbage, [](RepSpec& s) {
    s.encrypted_pa_data.at(0).second = {0x04, 0x01, 0x00};
  }));
  CHECK(e.category() != ErrorCategory::kKdc);

  // Without the flag and without the padata (a KDC predating RFC 6806): accepted.
  AsExchange old_kdc = t.start(o);
  CHECK(done(old_kdc, t.reply(old_kdc, [](RepSpec& s) {
          s.encrypted_pa_data.clear();
          s.enc_part_extra_flags = 0;
        })) == Step::kDone);
}

TEST_CASE("AS §3.1.5 (CVE-2017-11103): the encrypted part's sname/srealm must be the ticket's") {
  ReplyCheck t;
  const Principal evil = principal("krbtgt/EVIL.COM@EXAMPLE.COM");
  for (bool canonicalize : {false, true}) {
    INFO("canonicalize " << canonicalize);
    AsOptions o;
    o.canonicalize = canonicalize;
    // The encrypted part names the requested krbtgt; the unauthenticated ticket does not.
    AsExchange a = t.start(o);
    require_rejected(a, t.reply(a, [&](RepSpec& s) { s.ticket_server = evil; }));
    AsExchange b = t.start(o);
    require_rejected(b, t.reply(b, [&](RepSpec& s) {
      s.ticket_server = principal("krbtgt/EXAMPLE.COM@EVIL.COM");
    }));
    // And the other way round.
    AsExchange c = t.start(o);
    require_rejected(c, t.reply(c, [&](RepSpec& s) { s.enc_server = evil; }));
  }
}

TEST_CASE("AS §3.1.5: the ticket must be for the requested krbtgt") {
  ReplyCheck t;
  AsExchange as = t.start();
  require_rejected(as, t.reply(as, [&](RepSpec& s) {
    s.ticket_server = s.enc_server = principal("HTTP/www.example.com@EXAMPLE.COM");
  }));
  AsExchange as2 = t.start();
  require_rejected(as2, t.reply(as2, [&](RepSpec& s) {
    s.ticket_server = s.enc_server = principal("krbtgt/OTHER.COM@OTHER.COM");
  }));
}

TEST_CASE("AS §3.1.5: endtime must not be after the requested till") {
  ReplyCheck t;
  AsExchange as = t.start();
  require_rejected(as, t.reply(as, [](RepSpec& s) { s.endtime += 1; }));
  AsExchange ok_as = t.start();
  CHECK(done(ok_as, t.reply(ok_as, [](RepSpec& s) { s.endtime -= 1; })) == Step::kDone);
}

TEST_CASE(
    "AS §3.1.5: renew_till must not be beyond the requested rtime (nor till with "
    "RENEWABLE-OK)") {
  ReplyCheck t;
  AsOptions o;
  o.renew_lifetime = 7 * 86400;
  AsExchange as = t.start(o);
  require_rejected(as, t.reply(as, [](RepSpec& s) { *s.renew_till += 1; }));
  AsExchange at_limit = t.start(o);
  REQUIRE(done(at_limit, t.reply(at_limit)) == Step::kDone);
  CHECK(at_limit.credentials().renew_till == kNow + 7 * 86400);

  AsOptions ok_opt;
  ok_opt.kdc_options = kdc_options::kRenewableOk;
  AsExchange renewable_ok = t.start(ok_opt);
  require_rejected(renewable_ok, t.reply(renewable_ok, [](RepSpec& s) {
    s.renew_till = s.endtime + 1;
    s.flags |= ticket_flags::kRenewable;
  }));
}

TEST_CASE("AS §3.1.5: a session key of an enctype policy refuses (rc4 23, DES 1) is rejected") {
  ReplyCheck t;
  for (std::int32_t etype : {23, 1}) {
    INFO("session key enctype " << etype);
    AsExchange as = t.start();
    const Error e = refused(as, t.reply(as, [&](RepSpec& s) {
      s.session_keytype = etype;
      s.session_key = key_bytes(static_cast<EncType>(etype), 0x33);
    }));
    INFO(describe(e));
    CHECK((e.category() == ErrorCategory::kProtocol || e.category() == ErrorCategory::kCrypto ||
           e.category() == ErrorCategory::kPolicy));
    CHECK(as.credentials().ticket.empty());
  }
}

TEST_CASE(
    "AS §3.1.5/§5.2.9: a session key whose length does not fit its enctype (16 bytes "
    "for aes256) is rejected, not stored") {
  ReplyCheck t;
  AsExchange as = t.start();
  Result<Step> r = as.on_reply(t.reply(as, [](RepSpec& s) { s.session_key.resize(16); }));
  if (r) {
    const Result<crypto::Key> key = as.credentials().session_key.to_key();
    FAIL("accepted (kDone) and stored a session key that cannot be used: "
         << (key ? std::string("to_key() succeeded") : describe(key.error())));
  }
}

TEST_CASE(
    "AS §3.1.5: every single-bit change of the enc-part ciphertext fails its integrity "
    "check") {
  ReplyCheck t;
  AsExchange as = t.start();
  const test::Bytes reply = t.reply(as);
  const KdcRep rep = must(decode_as_rep(reply));
  const std::size_t offset = static_cast<std::size_t>(rep.enc_part.cipher.data() - reply.data());
  for (std::size_t i = 0; i < rep.enc_part.cipher.size(); ++i) {
    test::Bytes bad = reply;
    bad[offset + i] ^= 0x01;
    Result<Step> r = as.on_reply(bad);
    REQUIRE_FALSE(r);
    REQUIRE(r.error().category() == ErrorCategory::kCrypto);
  }
  // The rejected replies left the exchange as it was.
  CHECK(done(as, reply) == Step::kDone);
}

TEST_CASE(
    "AS §3.1.5/§7.5.1: an enc-part sealed under another key usage (8, 9 instead of 3) "
    "is rejected") {
  ReplyCheck t;
  for (std::uint32_t wrong : {usage::kTgsRepEncPartSessionKey, usage::kTgsRepEncPartSubkey,
                              usage::kAsReqPaEncTimestamp}) {
    INFO("usage " << wrong);
    AsExchange as = t.start();
    const Error e = refused(as, t.reply(as, [&](RepSpec& s) { s.reply_usage = wrong; }));
    CHECK(e.category() == ErrorCategory::kCrypto);
  }
}

TEST_CASE("AS §3.1.5: a reply that is neither AS-REP nor KRB-ERROR (a TGS-REP) is rejected") {
  ReplyCheck t;
  AsExchange as = t.start();
  const Error e = refused(as, t.reply(as, [](RepSpec& s) { s.msg_type = MessageType::kTgsRep; }));
  CHECK(e.category() == ErrorCategory::kProtocol);
  const Error empty = refused(as, ByteView());
  CHECK(empty.category() == ErrorCategory::kProtocol);
}

TEST_CASE(
    "AS §5.4.2: every truncation of an AS-REP is rejected, the full reply still "
    "completes") {
  ReplyCheck t;
  AsExchange as = t.start();
  const test::Bytes reply = t.reply(as);
  for (std::size_t n = 0; n < reply.size(); ++n) {
    Result<Step> r = as.on_reply(ByteView(reply.data(), n));
    INFO("truncated to " << n << " of " << reply.size());
    REQUIRE_FALSE(r);
    REQUIRE((r.error().category() == ErrorCategory::kDer ||
             r.error().category() == ErrorCategory::kProtocol));
  }
  CHECK(done(as, reply) == Step::kDone);
}

TEST_CASE("AS §3.1.5 (kdc_timesync): a KDC clock far from ours is adopted as clock_offset") {
  ReplyCheck t;
  t.w.kdc.now = Timestamp{kNow + 1000, 0};
  AsExchange as = t.start();
  REQUIRE(done(as, t.reply(as)) == Step::kDone);
  CHECK(as.hints().clock_offset == 1000);
}

TEST_CASE(
    "AS §3.1.5: without kdc_timesync a KDC clock beyond the skew is KRB_AP_ERR_SKEW (37), "
    "within it, accepted with no offset") {
  ReplyCheck t;
  AsContext ctx = t.ctx();
  ctx.kdc_timesync = false;
  t.w.kdc.now = Timestamp{kNow + 1000, 0};
  AsExchange as = t.w.start({}, ctx);
  const Error e = refused(as, t.reply(as));
  CHECK(e.code() == error_code::kKrbApErrSkew);
  CHECK(e.category() != ErrorCategory::kKdc);  // our finding, not the KDC's

  t.w.kdc.now = Timestamp{kNow - 299, 0};
  AsExchange near = t.w.start({}, ctx);
  REQUIRE(done(near, t.reply(near)) == Step::kDone);
  CHECK(near.hints().clock_offset == 0);
}

// --- long-term keys, named services ---------------------------------------------------------

TEST_CASE(
    "AS with_keys §3.1.1: only the given keys' enctypes are offered, ETYPE-INFO2 picks "
    "among them in the KDC's order") {
  AsWorld w;
  const crypto::Key k17 = fixed_key(EncType::kAes128CtsHmacSha1_96, 0x21);
  const crypto::Key k20 = fixed_key(EncType::kAes256CtsHmacSha384_192, 0x31);
  const KeyBlock keys[2] = {KeyBlock::from_key(k20), KeyBlock::from_key(k17)};
  AsExchange as =
      must(AsExchange::with_keys(w.kdc.client, keys, {}, w.context()), "AsExchange::with_keys");
  const AsReqSeen first = see_as_req(as.request());
  CHECK_FALSE(first.has_padata);
  CHECK(first.etypes == std::vector<std::int32_t>{17, 20});  // policy order

  // The KDC prefers aes256-sha1 (no key for it), then aes256-sha2.
  REQUIRE(done(as, w.kdc.preauth_required({{18, std::nullopt, std::nullopt},
                                           {20, std::nullopt, std::nullopt}})) == Step::kSendAgain);
  const test::Bytes second = copy_of(as.request());
  CHECK(see_as_req(second).timestamp_etype == 20);
  REQUIRE(enc_timestamp(second, k20));
  REQUIRE(done(as, w.kdc.as_rep(second, k20)) == Step::kDone);
  CHECK(as.credentials().client == w.kdc.client);
}

TEST_CASE("AS with_keys: a KDC offering none of the keys' enctypes is kPolicy") {
  AsWorld w;
  const KeyBlock keys[1] = {KeyBlock::from_key(fixed_key(EncType::kAes128CtsHmacSha1_96, 0x21))};
  AsExchange as = must(AsExchange::with_keys(w.kdc.client, keys, {}, w.context()));
  const Error e = refused(as, w.kdc.preauth_required({{18, std::nullopt, std::nullopt}}));
  CHECK(e.category() == ErrorCategory::kPolicy);
}

TEST_CASE("AS with_keys: keys of no permitted enctype cannot make a request (kPolicy)") {
  AsWorld w;
  // An rc4-hmac key (KeyBlock holds any enctype, built into this kerb or not).
  const KeyBlock keys[1] = {must(KeyBlock::from_bytes(crypto::EncType{23}, test::Bytes(16, 0x21)))};
  Result<AsExchange> as = AsExchange::with_keys(w.kdc.client, keys, {}, w.context());
  REQUIRE_FALSE(as);
  CHECK(as.error().category() == ErrorCategory::kPolicy);
}

TEST_CASE("AS §3.1 AsOptions::service: an initial ticket for a named service of the realm") {
  ReplyCheck t;
  const Principal service = principal("HTTP/www.example.com@EXAMPLE.COM");
  AsOptions o;
  o.service = service;
  AsExchange as = t.start(o);
  CHECK(see_as_req(as.request()).server == service);
  REQUIRE(done(as, t.reply(as)) == Step::kDone);
  CHECK(as.credentials().server == service);

  // A krbtgt ticket is not what was asked for.
  AsExchange other = t.start(o);
  require_rejected(other, t.reply(other, [&](RepSpec& s) {
    s.ticket_server = s.enc_server = t.w.kdc.tgs();
    s.service_key = &t.w.kdc.tgs_key;
  }));
}

TEST_CASE(
    "AS §3.1: a service of another realm cannot be asked of this realm's AS "
    "(kInvalidArgument)") {
  AsWorld w;
  AsOptions o;
  o.service = principal("HTTP/www.other.com@OTHER.COM");
  Result<AsExchange> as = AsExchange::with_password(w.kdc.client, w.kdc.password, o, w.context());
  REQUIRE_FALSE(as);
  CHECK(as.error().category() == ErrorCategory::kInvalidArgument);
}
