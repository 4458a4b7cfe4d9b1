// Password change (RFC 3244) against the fixture's MIT kadmind: users whose password has
// expired change it over UDP and over TCP and log in with the new one, and the realm's password
// policy refuses a short one with kadmind's message. Each test resets its own principal with
// kadmin.local first, so the tests run again against the same fixture.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/kpasswd.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;

namespace {

// The principal back to the fixture's password, expired (kadmin.local, as kdc-fixture made it).
// A random key first, so that setting the original password again never meets the history.
void reset_expired(const std::string& user) {
  const std::string kadmin = "PATH=$PATH:/usr/sbin kadmin.local -r " + env("KERB_TEST_REALM");
  run(kadmin + " -q 'cpw -randkey " + user + "'");
  run(kadmin + " -q 'cpw -pw " + password(user) + " " + user + "'");
  run(kadmin + " -q 'modprinc -pwexpire 2000-01-01 " + user + "'");
}

struct Fixture {
  Config config = load_config();
  PosixKdcTransport kdc = make_transport(config);
  std::vector<TransportProtocol> kpasswd_protocols;  // of every kpasswd attempt

  PosixKdcTransport kpasswd_transport(std::optional<std::size_t> udp_preference_limit) {
    PosixTransportOptions options;
    options.udp_preference_limit = udp_preference_limit;
    options.try_other_protocol = false;
    options.trace = [this](const KdcAttempt& a) { kpasswd_protocols.push_back(a.protocol); };
    return must(kpasswd_transport_from_config(config, std::move(options)),
                "kpasswd_transport_from_config");
  }
};

void change_expired_password(TransportProtocol protocol) {
  const std::string user = protocol == TransportProtocol::kUdp ? "pwudp" : "pwtcp";
  reset_expired(user);
  Fixture f;
  // UDP first for a request below the limit (about 600 octets), TCP first above it.
  PosixKdcTransport kpasswd = f.kpasswd_transport(protocol == TransportProtocol::kUdp ? 65000 : 1);
  Client client(f.kdc);
  client.set_kpasswd_transport(kpasswd);
  const Principal who = principal(user);
  const std::string new_password = "Kerb-" + user + "-new-" + std::to_string(::getpid());

  auto expired = client.login_password(who, password(user));
  REQUIRE_FALSE(expired.ok());
  CHECK(password_expired(expired.error()));
  CHECK(expired.error().code() == 23);  // KDC_ERR_KEY_EXPIRED

  auto changed = client.change_password(who, password(user), new_password);
  INFO((changed ? "" : describe(changed.error())));
  REQUIRE(changed.ok());
  REQUIRE(f.kpasswd_protocols.size() == 1);
  CHECK(f.kpasswd_protocols[0] == protocol);

  auto tgt = client.login_password(who, new_password);
  INFO((tgt ? "" : describe(tgt.error())));
  REQUIRE(tgt.ok());
  CHECK(tgt->client == who);
  auto old = client.login_password(who, password(user));
  REQUIRE_FALSE(old.ok());
  CHECK_FALSE(password_expired(old.error()));
}

}  // namespace

TEST_CASE("an expired password is changed over UDP, then the new one logs in",
          "[integration][kpasswd][udp]") {
  change_expired_password(TransportProtocol::kUdp);
}

TEST_CASE("an expired password is changed over TCP, then the new one logs in",
          "[integration][kpasswd][tcp]") {
  change_expired_password(TransportProtocol::kTcp);
}

TEST_CASE("the password policy refuses a short password with kadmind's message",
          "[integration][kpasswd][policy]") {
  reset_expired("pwpolicy");
  Fixture f;
  PosixKdcTransport kpasswd = f.kpasswd_transport(std::nullopt);
  Client client(f.kdc);
  client.set_kpasswd_transport(kpasswd);
  const Principal who = principal("pwpolicy");

  Credentials changepw = must(client.changepw_ticket(who, password("pwpolicy")), "changepw_ticket");
  CHECK(changepw.server.to_string() == "kadmin/changepw@" + env("KERB_TEST_REALM"));
  auto refused = client.change_password(changepw, "Short-1");
  REQUIRE_FALSE(refused.ok());
  INFO(describe(refused.error()));
  CHECK(password_rejected(refused.error()));
  CHECK(refused.error().category() == ErrorCategory::kPolicy);
  // kadmind's words for the policy's minimum length (what MIT's kinit prints too).
  const std::string detail(refused.error().detail());
  CHECK(detail.starts_with("Password change rejected: "));
  CHECK(detail.find("too short") != std::string::npos);
  CHECK(detail.find(env("KERB_TEST_PWPOLICY_MINLENGTH") + " characters") != std::string::npos);

  // Nothing changed: the password is still the old one, still expired. The same ticket serves
  // another attempt with a password the policy accepts.
  auto still = client.login_password(who, password("pwpolicy"));
  REQUIRE_FALSE(still.ok());
  CHECK(password_expired(still.error()));
  auto changed = client.change_password(changepw, "Kerb-pwpolicy-long-enough");
  INFO((changed ? "" : describe(changed.error())));
  REQUIRE(changed.ok());
  CHECK(client.login_password(who, "Kerb-pwpolicy-long-enough").ok());
}

TEST_CASE("change_password without a kpasswd transport is a configuration error",
          "[integration][kpasswd][policy]") {
  Fixture f;
  Client client(f.kdc);
  auto r = client.change_password(Credentials{}, "Kerb-whatever-long");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kConfig);
}

TEST_CASE("a cold password change takes three round trips: two to the KDC, one to kadmind",
          "[integration][kpasswd][rtt]") {
  reset_expired("pwbench");
  Config config = load_config();
  struct Wire {
    std::size_t round_trips = 0, sent = 0, received = 0;
  } kdc_wire, kpasswd_wire;
  auto tracing = [](Wire& w) {
    PosixTransportOptions options;
    options.trace = [&w](const KdcAttempt& a) {
      ++w.round_trips;
      w.sent += a.request_size;
      w.received += a.reply_size;
    };
    return options;
  };
  PosixKdcTransport kdc =
      must(PosixKdcTransport::from_config(config, tracing(kdc_wire)), "PosixKdcTransport");
  PosixKdcTransport kpasswd =
      must(kpasswd_transport_from_config(config, tracing(kpasswd_wire)), "kpasswd transport");
  Client client(kdc);
  client.set_kpasswd_transport(kpasswd);
  const Principal who = principal("pwbench");
  const std::string new_password = "Kerb-pwbench-rtt-" + std::to_string(::getpid());
  auto changed = client.change_password(who, password("pwbench"), new_password);
  INFO((changed ? "" : describe(changed.error())));
  REQUIRE(changed.ok());
  // AS-REQ, KDC_ERR_PREAUTH_REQUIRED, AS-REQ with PA-ENC-TIMESTAMP: as MIT's kpasswd does.
  CHECK(kdc_wire.round_trips == 2);
  CHECK(kpasswd_wire.round_trips == 1);
  WARN("KDC: " << kdc_wire.round_trips << " round trips, " << kdc_wire.sent << " octets sent, "
               << kdc_wire.received << " received; kpasswd: " << kpasswd_wire.round_trips
               << " round trip, " << kpasswd_wire.sent << " sent, " << kpasswd_wire.received
               << " received");
}
