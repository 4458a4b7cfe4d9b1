// kerb-gss-server and kerb-gss-client refuse authentic tokens that are not the next one
// expected (check_supplementary in samples/gss/gss_sample.hpp) whenever the context asked for
// replay or sequence detection, as MIT's gss-server ends a connection on any gss_unwrap status
// other than GSS_S_COMPLETE. The bits come from real contexts delivering tokens out of order
// (RFC 2743 §1.2.3).
#include <string>

#include "../../../samples/gss/gss_sample.hpp"
#include "token_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

constexpr std::uint32_t kBase =
    context_flags::kMutual | context_flags::kConf | context_flags::kInteg;

// What check_supplementary says about the next token from the peer: "" when it passes.
std::string verdict(SecurityContext& to, const kerb::test::Bytes& token) {
  std::uint32_t bits = 0;
  auto u = to.unwrap(token, &bits);
  REQUIRE(u);
  auto checked = sample::check_supplementary(to.flags(), bits);
  return checked ? std::string() : std::string(checked.error().detail());
}

std::string mic_verdict(SecurityContext& to, const kerb::test::Bytes& message,
                        const kerb::test::Bytes& mic) {
  auto bits = to.verify_mic(message, mic);
  REQUIRE(bits);
  auto checked = sample::check_supplementary(to.flags(), *bits);
  return checked ? std::string() : std::string(checked.error().detail());
}

}  // namespace

TEST_CASE(
    "samples: with replay or sequence detection, old, unsequenced and gap tokens are refused") {
  for (std::uint32_t detection : {context_flags::kReplay, context_flags::kSequence,
                                  context_flags::kReplay | context_flags::kSequence}) {
    CAPTURE(detection);
    PairOptions o;
    o.flags = kBase | detection;
    Pair pair(crypto::EncType::kAes256CtsHmacSha1_96, o);
    std::vector<kerb::test::Bytes> t;
    for (std::uint8_t i = 0; i < 80; ++i) {
      auto w = pair.initiator.wrap(bytes_of(6, i), true);
      REQUIRE(w);
      t.push_back(*w);
    }
    CHECK(verdict(pair.acceptor, t[0]).empty());
    CHECK_THAT(verdict(pair.acceptor, t[2]), Catch::Contains("after a gap"));
    CHECK_THAT(verdict(pair.acceptor, t[1]), Catch::Contains("out of sequence"));
    CHECK(verdict(pair.acceptor, t[3]).empty());
    CHECK_THAT(verdict(pair.acceptor, t[79]), Catch::Contains("after a gap"));
    // t[4] is now more than the window behind: authentic, possibly a replay, refused.
    const std::string old = verdict(pair.acceptor, t[4]);
    CHECK_THAT(old, Catch::Contains("old token"));
    CHECK_THAT(old, Catch::Contains("replay or sequence detection is on"));

    // The client's side: MICs from the server, the second before the first.
    const kerb::test::Bytes m0 = bytes_of(7, 1), m1 = bytes_of(7, 2);
    auto mic0 = pair.acceptor.get_mic(m0);
    auto mic1 = pair.acceptor.get_mic(m1);
    REQUIRE(mic0);
    REQUIRE(mic1);
    CHECK_THAT(mic_verdict(pair.initiator, m1, *mic1), Catch::Contains("after a gap"));
    CHECK_THAT(mic_verdict(pair.initiator, m0, *mic0), Catch::Contains("out of sequence"));
  }
}

TEST_CASE("samples: without replay or sequence detection the bits pass, as GSS-API allows") {
  PairOptions o;
  o.flags = kBase;
  Pair pair(crypto::EncType::kAes128CtsHmacSha256_128, o);
  std::vector<kerb::test::Bytes> t;
  for (std::uint8_t i = 0; i < 70; ++i) {
    auto w = pair.initiator.wrap(bytes_of(6, i), false);
    REQUIRE(w);
    t.push_back(*w);
  }
  CHECK(verdict(pair.acceptor, t[1]).empty());   // gap
  CHECK(verdict(pair.acceptor, t[0]).empty());   // out of sequence
  CHECK(verdict(pair.acceptor, t[69]).empty());  // gap
  CHECK(verdict(pair.acceptor, t[2]).empty());   // old
  CHECK(verdict(pair.acceptor, t[2]).empty());   // old again (a duplicate, undetected)
}

TEST_CASE("samples: check_supplementary names each bit") {
  using namespace supplementary;
  const std::uint32_t on = context_flags::kReplay;
  CHECK(sample::check_supplementary(on, 0).ok());
  CHECK(sample::check_supplementary(0, kOldToken | kDuplicateToken).ok());
  const std::pair<std::uint32_t, const char*> cases[] = {
      {kDuplicateToken, "duplicate"},
      {kOldToken, "old token"},
      {kUnseqToken, "out of sequence"},
      {kGapToken, "after a gap"},
  };
  for (const auto& [bit, words] : cases) {
    CAPTURE(bit);
    auto r = sample::check_supplementary(context_flags::kSequence, bit);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kFailure);
    CHECK_THAT(std::string(r.error().detail()), Catch::Contains(words));
  }
}
