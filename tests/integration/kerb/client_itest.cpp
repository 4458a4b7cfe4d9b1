// kerb's client against the MIT KDC fixture (kdc-fixtures/): logins for every enctype family
// the realm offers, typed KDC errors, TGS, renewal, round trips, and credentials caches that
// MIT's own tools read and write. The fixture's env file provides KRB5_CONFIG and the
// KERB_TEST_* passwords.
#include <catch2/catch.hpp>

#include <string>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/keytab.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;

namespace {

const Scratch scratch("client-itest");

// The fixture's realm through its krb5.conf, with a round-trip counter in front.
struct Fixture {
  Config config = load_config();
  PosixKdcTransport posix = make_transport(config);
  CountingTransport transport{posix};

  Client make_client(ClientOptions options = {}) { return Client(transport, std::move(options)); }
};

}  // namespace

TEST_CASE("password logins for every enctype family the fixture offers", "[integration][as]") {
  Fixture f;
  Client client = f.make_client();
  struct Case {
    const char* user;
    crypto::EncType key_etype;  // the etype of the user's long-term key (ETYPE-INFO2)
  };
  const Case cases[] = {
    Case{"alice", crypto::EncType{18}},
    Case{"sha2user", crypto::EncType{20}},
#if KERB_WITH_CAMELLIA  // without it, see "the camellia-only user ..." below
    Case{"camuser", crypto::EncType{26}},
#endif
    Case{"nopreauth", crypto::EncType{18}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.user) {
      const Principal who = principal(c.user);
      auto tgt = client.login_password(who, password(c.user));
      INFO((tgt ? "" : std::string(tgt.error().detail())));
      REQUIRE(tgt.ok());
      CHECK(tgt->client == who);
      CHECK(tgt->server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
      CHECK(tgt->ticket.size() > 100);
      CHECK(tgt->ticket[0] == 0x61);  // [APPLICATION 1] Ticket
      CHECK(tgt->endtime > tgt->authtime);
      REQUIRE(client.hints(who) != nullptr);
      REQUIRE(client.hints(who)->etype_info.has_value());
      CHECK(client.hints(who)->etype_info->etype == c.key_etype);
      if (std::string(c.user) != "nopreauth") {
        CHECK((tgt->ticket_flags & ticket_flags::kPreAuthent) != 0);
      }
    }
  }
}

TEST_CASE("a keytab from kadmin.local ktadd logs the service in", "[integration][as][keytab]") {
  Fixture f;
  auto keytab = Keytab::open(env("KERB_TEST_KEYTAB"));
  REQUIRE(keytab.ok());
  Client client = f.make_client();
  const Principal bank = principal("bank/bank.test");
  auto tgt = client.login_keytab(bank, *keytab);
  INFO((tgt ? "" : std::string(tgt.error().detail())));
  REQUIRE(tgt.ok());
  CHECK(tgt->client == bank);
}

#if !KERB_WITH_CAMELLIA
TEST_CASE("the camellia-only user is refused by a kerb built without Camellia",
          "[integration][as]") {
  Fixture f;
  Client client = f.make_client();
  auto tgt = client.login_password(principal("camuser"), password("camuser"));
  REQUIRE_FALSE(tgt.ok());
  INFO(tgt.error().detail());
  CHECK(tgt.error().category() == ErrorCategory::kPolicy);
}
#endif

#if KERB_WITH_RC4_HMAC
TEST_CASE("the rc4-only user is refused unless weak crypto is allowed", "[integration][as][weak]") {
  Fixture f;
  const Principal rc4 = principal("rc4user");
  {
    Client client = f.make_client();
    auto tgt = client.login_password(rc4, password("RC4USER"));
    REQUIRE_FALSE(tgt.ok());
    CHECK(tgt.error().category() == ErrorCategory::kPolicy);
    CHECK_THAT(std::string(tgt.error().detail()), Catch::Contains("weak"));
  }
  ClientOptions weak;
  weak.policy.allow_rc4_hmac();
  Client client = f.make_client(weak);
  auto tgt = client.login_password(rc4, password("RC4USER"));
  INFO((tgt ? "" : std::string(tgt.error().detail())));
  REQUIRE(tgt.ok());
  CHECK(client.hints(rc4)->etype_info->etype == crypto::EncType{23});
}
#else
TEST_CASE("the rc4-only user is refused by a kerb built without rc4-hmac, weak crypto or not",
          "[integration][as][weak]") {
  Fixture f;
  for (bool allow_weak : {false, true}) {
    ClientOptions options;
    if (allow_weak) options.policy.allow_rc4_hmac();  // nothing to allow
    Client client = f.make_client(options);
    auto tgt = client.login_password(principal("rc4user"), password("RC4USER"));
    REQUIRE_FALSE(tgt.ok());
    INFO(tgt.error().detail());
    CHECK(tgt.error().category() == ErrorCategory::kPolicy);
  }
}
#endif

TEST_CASE("KDC refusals are typed errors with clear messages", "[integration][as][errors]") {
  Fixture f;
  Client client = f.make_client();
  struct Case {
    const char* user;
    std::string password;
    std::int32_t code;
    const char* name;
  };
  for (const Case& c :
       {Case{"alice", "not-the-password", error_code::kKdcErrPreauthFailed,
             "KDC_ERR_PREAUTH_FAILED"},
        Case{"nosuchuser", "x", error_code::kKdcErrCPrincipalUnknown,
             "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
        Case{"expired", password("EXPIRED"), error_code::kKdcErrKeyExpired, "KDC_ERR_KEY_EXPIRED"},
        Case{"disabled", password("DISABLED"), error_code::kKdcErrClientRevoked,
             "KDC_ERR_CLIENT_REVOKED"}}) {
    DYNAMIC_SECTION(c.user) {
      auto tgt = client.login_password(principal(c.user), c.password);
      REQUIRE_FALSE(tgt.ok());
      CHECK(tgt.error().category() == ErrorCategory::kKdc);
      CHECK(tgt.error().code() == c.code);
      CHECK_THAT(std::string(tgt.error().detail()), Catch::StartsWith(c.name));
    }
  }
}

TEST_CASE("service tickets, renewal and an AS-REQ straight for the bank", "[integration][tgs]") {
  Fixture f;
  Client client = f.make_client();
  const Principal alice = principal("alice");
  const Principal bank = principal("bank/bank.test");
  AsOptions renewable;
  renewable.renew_lifetime = 2 * 86400;
  auto tgt = client.login_password(alice, password("ALICE"), renewable);
  REQUIRE(tgt.ok());
  CHECK((tgt->ticket_flags & ticket_flags::kRenewable) != 0);

  for (bool subkey : {true, false}) {
    TgsOptions options;
    options.subkey = subkey;
    auto ticket = client.service_ticket(*tgt, bank, options);
    INFO((ticket ? "" : std::string(ticket.error().detail())));
    REQUIRE(ticket.ok());
    CHECK(ticket->server == bank);
    CHECK(ticket->client == alice);
  }

  auto renewed = client.renew(*tgt);
  INFO((renewed ? "" : std::string(renewed.error().detail())));
  REQUIRE(renewed.ok());
  CHECK(renewed->server == tgt->server);
  CHECK(renewed->endtime >= tgt->endtime);

  AsOptions direct;
  direct.service = bank;
  auto straight = client.login_password(alice, password("ALICE"), direct);
  REQUIRE(straight.ok());
  CHECK(straight->server == bank);

  auto unknown = client.service_ticket(*tgt, principal("nosuch/service"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code() == error_code::kKdcErrSPrincipalUnknown);
}

TEST_CASE("a first login costs two AS round trips, a returning user's one", "[integration][rtt]") {
  Fixture f;
  Client client = f.make_client();
  const Principal alice = principal("alice");
  f.transport.reset();
  REQUIRE(client.login_password(alice, password("ALICE")).ok());
  CHECK(f.transport.round_trips() == 2);  // bare AS-REQ -> PREAUTH_REQUIRED, then PA-ENC-TIMESTAMP

  // The same app later, or a new one that saved the hints with its credentials.
  ClientHints saved = *client.hints(alice);
  Client returning = f.make_client();
  returning.set_hints(alice, saved);
  f.transport.reset();
  auto tgt = returning.login_password(alice, password("ALICE"));
  REQUIRE(tgt.ok());
  CHECK(f.transport.round_trips() == 1);
  f.transport.reset();
  REQUIRE(returning.service_ticket(*tgt, principal("bank/bank.test")).ok());
  CHECK(f.transport.round_trips() == 1);
}

TEST_CASE("MIT's klist and kvno use a ccache kerb wrote", "[integration][ccache]") {
  Fixture f;
  Client client = f.make_client();
  const Principal alice = principal("alice");
  auto tgt = client.login_password(alice, password("ALICE"));
  REQUIRE(tgt.ok());
  auto bank = client.service_ticket(*tgt, principal("bank/bank.test"));
  REQUIRE(bank.ok());

  CcacheContents cache;
  cache.default_principal = alice;
  cache.store(*tgt);
  cache.store(*bank);
  const std::string path = scratch("kerb-written.ccache");
  REQUIRE(cache.write(path).ok());

  auto [status, out] = shell("klist -e -c FILE:" + path);
  INFO(out);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("Default principal: alice@KERB.TEST"));
  CHECK_THAT(out, Catch::Contains("krbtgt/KERB.TEST@KERB.TEST"));
  CHECK_THAT(out, Catch::Contains("bank/bank.test@KERB.TEST"));
  CHECK_THAT(out, Catch::Contains("aes256-cts-hmac-sha1-96"));

  // MIT's kvno presents kerb's TGT to the KDC for a ticket kerb did not fetch.
  auto [kvno_status, kvno_out] = shell("kvno -c FILE:" + path + " host/bank.test");
  INFO(kvno_out);
  CHECK(kvno_status == 0);
  CHECK_THAT(kvno_out, Catch::Contains("host/bank.test@KERB.TEST: kvno = 1"));
}

TEST_CASE("a ccache written by MIT's kinit serves kerb's TGS request", "[integration][ccache]") {
  Fixture f;
  const std::string path = scratch("mit-written.ccache");
  auto [status, out] =
      shell("echo '" + password("ALICE") + "' | kinit -c FILE:" + path + " alice >/dev/null");
  INFO(out);
  REQUIRE(status == 0);
  auto cache = CcacheContents::open(path);
  REQUIRE(cache.ok());
  const Credentials* tgt = cache->find(principal("krbtgt/KERB.TEST"));
  REQUIRE(tgt != nullptr);
  Client client = f.make_client();
  auto bank = client.service_ticket(*tgt, principal("bank/bank.test"));
  INFO((bank ? "" : std::string(bank.error().detail())));
  REQUIRE(bank.ok());
  CHECK(bank->client == principal("alice"));
}

TEST_CASE(
    "canonicalize: MIT's KDC answers PA-REQ-ENC-PA-REP with a checksum over the request that "
    "kerb verifies (RFC 6806 §11), for sha1 and sha2 reply keys",
    "[integration][as]") {
  Fixture f;
  Client client = f.make_client();
  AsOptions as;
  as.canonicalize = true;
  for (const char* user : {"alice", "sha2user"}) {
    DYNAMIC_SECTION(user) {
      const Principal who = principal(user);
      auto tgt = client.login_password(who, password(user), as);
      INFO((tgt ? "" : std::string(tgt.error().detail())));
      REQUIRE(tgt.ok());
      CHECK(tgt->client == who);
      // The flag says the KDC sent PA-REQ-ENC-PA-REP; kerb refuses a reply with the flag and
      // without a checksum that verifies.
      CHECK((tgt->ticket_flags & ticket_flags::kEncPaRep) != 0);
    }
  }
}
