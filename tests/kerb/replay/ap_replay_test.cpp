// verify_ap_req with a replay cache (RFC 4120 §3.2.3): an AP server without GSS refuses a
// replayed AP-REQ with KRB_AP_ERR_REPEAT; without a cache the same AP-REQ passes every time.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <kerb/ap_exchange.hpp>
#include <kerb/constants.hpp>
#include <kerb/keytab.hpp>
#include <kerb/replay_cache.hpp>

#include "../exchange/fake_kdc.hpp"
#include "../exchange/service_ticket.hpp"

using namespace kerb;
using namespace kerb::test;

namespace {

struct Service {
  FixedClock client_clock{Timestamp{kNow, kNowUsec}};
  FixedClock service_clock{Timestamp{kNow, kNowUsec}};
  TestRandom random{7};
  TestRandom kdc_random{8};
  const Principal client = principal("alice@EXAMPLE.COM");
  const Principal service = principal("HTTP/www.example.com@EXAMPLE.COM");
  const crypto::Key service_key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x60);
  static constexpr std::uint32_t kKvno = 3;
  Keytab keytab;
  Credentials credentials;

  Service() {
    add_service_key(keytab, service, kKvno, service_key);
    TicketSpec t = service_ticket_spec(client, service, service_key, kKvno,
                                       EncType::kAes256CtsHmacSha1_96, 0x22);
    t.flags = ticket_flags::kPreAuthent;
    credentials = make_credentials(t, kdc_random);
  }

  std::vector<std::uint8_t> ap_req() {
    ApContext c;
    c.clock = &client_clock;
    c.random = &random;
    return must(build_ap_req(credentials, {}, c), "build_ap_req").bytes;
  }
  Result<ApReqVerified> verify(ByteView ap_req, ReplayCache* cache) {
    ApVerifyContext v;
    v.clock = &service_clock;
    v.replay_cache = cache;
    return verify_ap_req(ap_req, keytab, v);
  }
};

// The code a service puts in its KRB-ERROR: RFC 4120 §7.5.9 numbers, written out here.
constexpr std::int32_t kRepeat = 34;  // KRB_AP_ERR_REPEAT
constexpr std::int32_t kSkew = 37;    // KRB_AP_ERR_SKEW

void require_ap_error(const Result<ApReqVerified>& r, std::int32_t code) {
  REQUIRE_FALSE(r);
  INFO(describe(r.error()));
  CHECK(r.error().category() == ErrorCategory::kProtocol);
  CHECK(r.error().code() == code);
}

}  // namespace

TEST_CASE("verify_ap_req with a replay cache refuses the same AP-REQ twice (RFC 4120 §3.2.3)",
          "[kerb][replay][ap]") {
  Service s;
  const std::vector<std::uint8_t> req = s.ap_req();

  SECTION("without a cache, replay detection is the caller's: both pass") {
    CHECK(s.verify(req, nullptr));
    CHECK(s.verify(req, nullptr));
  }

  SECTION("in memory") {
    MemoryReplayCache cache;
    REQUIRE(s.verify(req, &cache));
    s.service_clock.advance(1);
    require_ap_error(s.verify(req, &cache), kRepeat);
    // Another authenticator of the same client and ticket is no replay.
    s.client_clock.advance(1);
    CHECK(s.verify(s.ap_req(), &cache));
  }

  SECTION("in a file, also across a restart of the service") {
    const std::string path =
        (std::filesystem::temp_directory_path() / ("kerb-ap-rcache-" + std::to_string(::getpid())))
            .string();
    std::filesystem::remove(path);
    {
      FileReplayCache cache(path);
      REQUIRE(s.verify(req, &cache));
    }
    FileReplayCache restarted(path);
    require_ap_error(s.verify(req, &restarted), kRepeat);
    std::filesystem::remove(path);
  }
}

TEST_CASE("verify_ap_req remembers only an AP-REQ that passed its other checks",
          "[kerb][replay][ap]") {
  Service s;
  const std::vector<std::uint8_t> req = s.ap_req();
  MemoryReplayCache cache;
  // Outside the skew: refused for that, and not remembered ...
  s.service_clock.advance(301);
  require_ap_error(s.verify(req, &cache), kSkew);
  // ... so within the skew it is accepted once.
  s.service_clock.advance(-301);
  REQUIRE(s.verify(req, &cache));
  require_ap_error(s.verify(req, &cache), kRepeat);
}

TEST_CASE("verify_ap_req fails closed when its replay cache fails", "[kerb][replay][ap]") {
  Service s;
  FileReplayCache cache("/nonexistent-kerb-dir/rcache");
  const Result<ApReqVerified> r = s.verify(s.ap_req(), &cache);
  REQUIRE_FALSE(r);
  CHECK(r.error().category() == ErrorCategory::kIo);
}
