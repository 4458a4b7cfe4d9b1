// Records a login and a service ticket as MIT's krb5kdc answers them, for the exchange unit
// tests (tests/kerb/exchange/mit_recorded_test.cpp): kerb builds the requests with a
// FixedClock at the current time and the unit tests' TestRandom, so a unit test that replays
// the same clock and seed rebuilds the very requests MIT answered and can be handed MIT's
// replies. Run by tests/data/mit_exchange/record.sh under the fixture's env file; writes
// "name: hex" lines to $KERB_RECORD_OUT. Not a test: it is a hidden Catch2 case that
// record.sh selects by name.
#include <catch2/catch.hpp>

#include <ctime>
#include <fstream>
#include <string>

#include <kerb/as_exchange.hpp>
#include <kerb/tgs_exchange.hpp>

#include "../../kerb/exchange/fake_kdc.hpp"
#include "hex_bytes.hpp"
#include "itest_util.hpp"

TEST_CASE("record MIT's replies to kerb's requests", "[.record]") {
  using namespace kerb;
  std::ofstream out(itest::env("KERB_RECORD_OUT"));
  REQUIRE(out);
  const std::int64_t now = std::time(nullptr);
  constexpr std::uint64_t kSeed = 4120;
  FixedClock clock(Timestamp{now, 0});
  test::TestRandom random(kSeed);
  const std::string realm = itest::env("KERB_TEST_REALM");
  const Principal alice = itest::principal("alice");
  const std::string password = itest::password("alice");
  out << "time: " << now << "\nseed: " << kSeed << "\nclient: " << alice.to_string()
      << "\npassword: " << password << "\n";

  Config config = itest::load_config();
  PosixKdcTransport transport = itest::make_transport(config);
  constexpr test::HexStyle kUpper{.upper = true};  // the recording's spelling, one value a line
  auto exchange = [&](const char* request_name, const char* reply_name, test::ByteView request) {
    auto reply = itest::must(transport.exchange(realm, request), "transport.exchange");
    out << request_name << ": " << test::to_hex(request, kUpper) << "\n"
        << reply_name << ": " << test::to_hex(reply, kUpper) << "\n";
    return reply;
  };

  AsContext as_context;
  as_context.clock = &clock;
  as_context.policy = kerb::test::recording_policy();
  as_context.random = &random;
  AsExchange as = itest::must(AsExchange::with_password(alice, password, AsOptions{}, as_context),
                              "AsExchange::with_password");
  auto first = exchange("as_req_1", "krb_error_preauth_required", as.request());
  REQUIRE(itest::must(as.on_reply(first), "AS on_reply 1") == AsExchange::Step::kSendAgain);
  auto second = exchange("as_req_2", "as_rep", as.request());
  REQUIRE(itest::must(as.on_reply(second), "AS on_reply 2") == AsExchange::Step::kDone);
  const Credentials tgt = as.take_credentials();

  ApContext ap_context;
  ap_context.clock = &clock;
  ap_context.policy = kerb::test::recording_policy();
  ap_context.random = &random;
  ap_context.clock_offset = as.hints().clock_offset;
  const Principal bank = itest::principal("bank/bank.test");
  out << "service: " << bank.to_string() << "\n";
  TgsExchange tgs = itest::must(TgsExchange::for_service(tgt, bank, TgsOptions{}, ap_context),
                                "TgsExchange::for_service");
  auto rep = exchange("tgs_req", "tgs_rep", tgs.request());
  REQUIRE(itest::must(tgs.on_reply(rep), "TGS on_reply") == TgsExchange::Step::kDone);

  // A service the realm does not have: KDC_ERR_S_PRINCIPAL_UNKNOWN.
  TgsExchange unknown = itest::must(
      TgsExchange::for_service(tgt, itest::principal("nosuch/bank.test"), TgsOptions{}, ap_context),
      "TgsExchange::for_service");
  auto error = exchange("tgs_req_unknown", "krb_error_unknown", unknown.request());
  REQUIRE_FALSE(unknown.on_reply(error).ok());
  REQUIRE(out.good());
}
