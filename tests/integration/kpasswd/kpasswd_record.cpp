// Records MIT kadmind's answers to kerb's password change requests, for the unit tests
// (tests/kerb/kpasswd/kpasswd_mit_recorded_test.cpp): the kadmin/changepw ticket (and its session
// key: a throwaway realm's), then requests built with a FixedClock at the current time and the
// unit tests' TestRandom, so that a unit test replaying the same clock and seed rebuilds the
// very requests kadmind answered. Run by tests/kerb/kpasswd/record.sh under the fixture's env
// file; writes "name: hex" lines to $KERB_RECORD_OUT. Not a test: a hidden Catch2 case.
#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <string>

#include <kerb/client.hpp>
#include <kerb/kpasswd.hpp>

#include "../../kerb/exchange/fake_kdc.hpp"
#include "hex_bytes.hpp"
#include "itest_util.hpp"

TEST_CASE("record MIT kadmind's replies to kerb's password changes", "[.record]") {
  using namespace kerb;
  std::ofstream out(itest::env("KERB_RECORD_OUT"));
  REQUIRE(out);
  const std::string user = "pwbench";
  const std::string kadmin =
      "PATH=$PATH:/usr/sbin kadmin.local -r " + itest::env("KERB_TEST_REALM");
  itest::run(kadmin + " -q 'cpw -randkey " + user + "'");
  itest::run(kadmin + " -q 'cpw -pw " + itest::password(user) + " " + user + "'");

  Config config = itest::load_config();
  PosixKdcTransport kdc = itest::make_transport(config);
  PosixKdcTransport kpasswd =
      itest::must(kpasswd_transport_from_config(config), "kpasswd_transport_from_config");
  ClientOptions options;
  options.policy = test::recording_policy();
  Client client(kdc, options);
  const Credentials changepw = itest::must(
      client.changepw_ticket(itest::principal(user), itest::password(user)), "changepw_ticket");

  const std::int64_t now = std::time(nullptr);
  constexpr std::uint64_t kSeed = 3244;
  FixedClock clock(Timestamp{now, 0});
  test::TestRandom random(kSeed);
  constexpr test::HexStyle kUpper{.upper = true};
  out << "time: " << now << "\nseed: " << kSeed << "\nclient: " << changepw.client.to_string()
      << "\nserver: " << changepw.server.to_string()
      << "\nsession_key_etype: " << static_cast<int>(changepw.session_key.enctype)
      << "\nsession_key: " << test::to_hex(changepw.session_key.contents.view(), kUpper)
      << "\nticket: " << test::to_hex(changepw.ticket, kUpper) << "\n";

  KpasswdContext context;
  context.clock = &clock;
  context.random = &random;
  context.policy = test::recording_policy();
  auto exchange = [&](const char* name, std::string_view new_password, bool corrupt_ap_req) {
    KpasswdExchange e =
        itest::must(KpasswdExchange::start(changepw, new_password, context), "start");
    std::vector<std::uint8_t> request(e.request().begin(), e.request().end());
    // A byte of the authenticator's ciphertext (the AP-REQ ends with it): kadmind cannot
    // verify the AP-REQ and answers with a KRB-ERROR.
    if (corrupt_ap_req) request[6 + (request[4] << 8 | request[5]) - 3] ^= 0x01;
    auto reply = itest::must(kpasswd.exchange(changepw.server.realm(), request), "exchange");
    out << "new_password_" << name << ": " << new_password << "\nrequest_" << name << ": "
        << test::to_hex(request, kUpper) << "\nreply_" << name << ": "
        << test::to_hex(reply, kUpper) << "\n";
  };
  exchange("short", "Short-1", false);
  exchange("krb_error", "Kerb-pwbench-never-1", true);
  exchange("ok", "Kerb-pwbench-recorded-1", false);
  REQUIRE(out.good());
}
