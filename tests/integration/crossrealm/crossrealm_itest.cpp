// kerb's client across the fixture's realms (kdc-fixtures/): KERB.TEST and OTHER.TEST trust each
// other, EVIL.TEST is trusted by OTHER.TEST only. What MIT's KDCs issue is the oracle: the
// tickets must decrypt with the keytabs kadmin.local wrote, name the client, and have come
// from the KDC of the service's realm.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/keytab.hpp>
#include <kerb/transited.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;

namespace {

// Remembers the realm of each KDC asked, in order.
class RecordingTransport final : public KdcTransport {
 public:
  explicit RecordingTransport(KdcTransport& inner) noexcept : inner_(inner) {}
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override {
    realms.emplace_back(realm);
    return inner_.exchange(realm, request);
  }
  std::vector<std::string> realms;

 private:
  KdcTransport& inner_;
};

// KRB5_CONFIG (KERB.TEST's side), or another krb5.conf such as EVIL.TEST's side.
struct Fixture {
  Fixture() = default;
  explicit Fixture(const std::string& krb5_conf)
      : config(must(Config::load_path_list(krb5_conf), "Config::load_path_list")) {}

  Config config = load_config();
  PosixKdcTransport posix = make_transport(config);
  RecordingTransport transport{posix};
  Client client{transport, must(ClientOptions::from_config(config), "ClientOptions")};

  Credentials login(const std::string& who, const std::string& password) {
    return must(client.login_password(must(Principal::parse(who), "Principal::parse"), password),
                "login_password");
  }
};

// What the service with `keytab_path` makes of `ticket` in an AP-REQ, its transited policy
// read from `config`'s [capaths] for `service_realm`.
Result<ApReqVerified> present(const Credentials& ticket, const std::string& keytab_path,
                              const Config& config, std::string_view service_realm) {
  const ApReqBuilt req = must(build_ap_req(ticket, ApReqOptions{}, ApContext{}), "build_ap_req");
  const Keytab keytab = must(Keytab::open(keytab_path), "Keytab::open");
  ApVerifyContext verify;
  verify.transit = must(TransitPolicy::from_config(config, service_realm), "from_config");
  return verify_ap_req(req.bytes, keytab, verify);
}

ApReqVerified accepted(Result<ApReqVerified> seen) {
  INFO((seen ? "" : describe(seen.error())));
  REQUIRE(seen.ok());
  return *std::move(seen);
}

}  // namespace

TEST_CASE("alice follows the home KDC's referral to host/www.other.test",
          "[integration][crossrealm][referral]") {
  Fixture f;
  const std::string realm = env("KERB_TEST_REALM");
  const std::string other = env("KERB_TEST_OTHER_REALM");
  const std::string host = env("KERB_TEST_OTHER_HOST");
  const Credentials tgt = f.login("alice@" + realm, password("alice"));

  // Named in the home realm, as a host-based service (NT-SRV-HST): MIT's KDC refers only those
  // (and only with canonicalize, TgsOptions' default), from its [domain_realm].
  const Principal asked(realm, PrincipalName(NameType::kSrvHst, {"host", host}));
  f.transport.realms.clear();
  auto ticket = f.client.service_ticket(tgt, asked);
  INFO((ticket ? "" : describe(ticket.error())));
  REQUIRE(ticket.ok());
  // Named as asked, as MIT stores a referral's result; the ticket is OTHER.TEST's.
  CHECK(ticket->server == asked);
  CHECK(ticket->client.to_string() == "alice@" + realm);
  CHECK(f.transport.realms == std::vector<std::string>{realm, other});

  const ApReqVerified seen =
      accepted(present(*ticket, env("KERB_TEST_OTHER_KEYTAB"), f.config, other));
  CHECK(seen.client.to_string() == "alice@" + realm);
  CHECK(seen.server.to_string() == "host/" + host + "@" + other);
  // One hop, nothing transited: OTHER.TEST's KDC checked the (empty) path.
  CHECK((seen.ticket_flags & ticket_flags::kTransitedPolicyChecked) != 0);
}

TEST_CASE("carol@OTHER.TEST follows her KDC's referral to host/bank.test@KERB.TEST",
          "[integration][crossrealm][referral]") {
  Fixture f;
  const std::string realm = env("KERB_TEST_REALM");
  const std::string other = env("KERB_TEST_OTHER_REALM");
  const Credentials tgt = f.login(env("KERB_TEST_OTHER_USER"), password("carol"));
  CHECK(tgt.server.to_string() == "krbtgt/" + other + "@" + other);

  // OTHER.TEST's KDC reads KERB.TEST's krb5.conf, whose [domain_realm] maps bank.test.
  const Principal asked(other, PrincipalName(NameType::kSrvHst, {"host", "bank.test"}));
  f.transport.realms.clear();
  auto ticket = f.client.service_ticket(tgt, asked);
  INFO((ticket ? "" : describe(ticket.error())));
  REQUIRE(ticket.ok());
  CHECK(ticket->server == asked);
  CHECK(f.transport.realms == std::vector<std::string>{other, realm});

  const ApReqVerified seen = accepted(present(*ticket, env("KERB_TEST_KEYTAB"), f.config, realm));
  CHECK(seen.server.to_string() == "host/bank.test@" + realm);
  CHECK(seen.client.to_string() == env("KERB_TEST_OTHER_USER"));
  CHECK((seen.ticket_flags & ticket_flags::kTransitedPolicyChecked) != 0);
}

TEST_CASE("eve@EVIL.TEST reaches host/bank.test@KERB.TEST through OTHER.TEST",
          "[integration][crossrealm][referral][transited]") {
  // Eve's side of the world: EVIL.TEST's krb5.conf.
  Fixture f(env("KERB_TEST_EVIL_KRB5_CONFIG"));
  const std::string realm = env("KERB_TEST_REALM");
  const std::string other = env("KERB_TEST_OTHER_REALM");
  const std::string evil = env("KERB_TEST_EVIL_REALM");
  const Credentials tgt = f.login(env("KERB_TEST_EVIL_USER"), password("eve"));

  // EVIL.TEST's KDC has no krbtgt/KERB.TEST@EVIL.TEST: by its [capaths] it refers to
  // OTHER.TEST, whose KDC refers to KERB.TEST.
  const Principal asked(evil, PrincipalName(NameType::kSrvHst, {"host", "bank.test"}));
  f.transport.realms.clear();
  auto ticket = f.client.service_ticket(tgt, asked);
  INFO((ticket ? "" : describe(ticket.error())));
  REQUIRE(ticket.ok());
  CHECK(ticket->server == asked);
  CHECK(f.transport.realms == std::vector<std::string>{evil, other, realm});

  // A genuine ticket for the service, transited "OTHER.TEST", which KERB.TEST's KDC did not
  // vouch for (its [capaths] do not allow the path; reject_bad_transit = false): the service
  // must check the path itself (RFC 4120 §2.7). KERB.TEST's [capaths] have no path from
  // EVIL.TEST, so its service refuses eve, as MIT's acceptor does with the same krb5.conf.
  const Config home = load_config();
  auto refused = present(*ticket, env("KERB_TEST_KEYTAB"), home, realm);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == error_code::kKrbApPathNotAccepted);
  // EVIL.TEST's [capaths] allow EVIL.TEST -> OTHER.TEST -> KERB.TEST: a service reading those
  // accepts her, as MIT's acceptor does.
  const ApReqVerified seen = accepted(present(*ticket, env("KERB_TEST_KEYTAB"), f.config, realm));
  CHECK(seen.client.to_string() == env("KERB_TEST_EVIL_USER"));
  CHECK((seen.ticket_flags & ticket_flags::kTransitedPolicyChecked) == 0);
}

// A service named in its own realm: the client asks its KDC for the cross-realm TGT (along
// [capaths], direct when there is no entry), then the service realm's KDC; no referral.
TEST_CASE("a service named in another realm is reached by cross-realm TGTs, as MIT's kvno does",
          "[integration][crossrealm][capaths]") {
  const std::string realm = env("KERB_TEST_REALM");
  const std::string other = env("KERB_TEST_OTHER_REALM");
  const std::string evil = env("KERB_TEST_EVIL_REALM");
  const std::string host = env("KERB_TEST_OTHER_HOST");

  SECTION("alice@KERB.TEST -> host/www.other.test@OTHER.TEST, direct trust") {
    Fixture f;
    const Credentials tgt = f.login("alice@" + realm, password("alice"));
    const Principal asked(other, PrincipalName(NameType::kSrvHst, {"host", host}));
    f.transport.realms.clear();
    auto ticket = f.client.service_ticket(tgt, asked);
    INFO((ticket ? "" : describe(ticket.error())));
    REQUIRE(ticket.ok());
    CHECK(ticket->server == asked);
    CHECK(f.transport.realms == std::vector<std::string>{realm, other});
    const ApReqVerified seen =
        accepted(present(*ticket, env("KERB_TEST_OTHER_KEYTAB"), f.config, other));
    CHECK(seen.server.to_string() == "host/" + host + "@" + other);
    CHECK(seen.client.to_string() == "alice@" + realm);
  }
  SECTION("carol@OTHER.TEST -> host/bank.test@KERB.TEST, direct trust") {
    Fixture f;
    const Credentials tgt = f.login(env("KERB_TEST_OTHER_USER"), password("carol"));
    const Principal asked(realm, PrincipalName(NameType::kSrvHst, {"host", "bank.test"}));
    f.transport.realms.clear();
    auto ticket = f.client.service_ticket(tgt, asked);
    INFO((ticket ? "" : describe(ticket.error())));
    REQUIRE(ticket.ok());
    CHECK(f.transport.realms == std::vector<std::string>{other, realm});
    const ApReqVerified seen = accepted(present(*ticket, env("KERB_TEST_KEYTAB"), f.config, realm));
    CHECK(seen.client.to_string() == env("KERB_TEST_OTHER_USER"));
  }
  SECTION("eve@EVIL.TEST -> host/bank.test@KERB.TEST along EVIL.TEST's [capaths]") {
    Fixture f(env("KERB_TEST_EVIL_KRB5_CONFIG"));
    const Credentials tgt = f.login(env("KERB_TEST_EVIL_USER"), password("eve"));
    const Principal asked(realm, PrincipalName(NameType::kSrvHst, {"host", "bank.test"}));
    f.transport.realms.clear();
    auto ticket = f.client.service_ticket(tgt, asked);
    INFO((ticket ? "" : describe(ticket.error())));
    REQUIRE(ticket.ok());
    CHECK(f.transport.realms == std::vector<std::string>{evil, other, realm});
    const Config home = load_config();
    CHECK_FALSE(present(*ticket, env("KERB_TEST_KEYTAB"), home, realm).ok());
    const ApReqVerified seen = accepted(present(*ticket, env("KERB_TEST_KEYTAB"), f.config, realm));
    CHECK(seen.client.to_string() == env("KERB_TEST_EVIL_USER"));
  }
}
