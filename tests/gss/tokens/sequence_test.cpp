// Sequence numbers (RFC 4121 §4.2.1), the receive window and the supplementary status bits
// of RFC 2743 §1.2.3, and context expiry.
#include "token_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

// Tokens t[0..count) from the initiator, alternating Wrap kinds.
std::vector<kerb::test::Bytes> wraps(SecurityContext& from, std::size_t count) {
  std::vector<kerb::test::Bytes> out;
  for (std::size_t i = 0; i < count; ++i) {
    auto t = from.wrap(bytes_of(5, static_cast<std::uint8_t>(i)), i % 2 == 0);
    REQUIRE(t);
    out.push_back(*t);
  }
  return out;
}

std::uint32_t sup_of(SecurityContext& to, const kerb::test::Bytes& token) {
  std::uint32_t sup = 0xDEAD;
  auto u = to.unwrap(token, &sup);
  REQUIRE(u);
  return sup;
}

PairOptions with_flags(std::uint32_t flags) {
  PairOptions o;
  o.flags = flags;
  return o;
}

}  // namespace

TEST_CASE("sequence numbers count up per token sent, Wrap and MIC alike") {
  PairOptions o;
  o.initiator_seq = 41;
  Pair pair(crypto::EncType::kAes128CtsHmacSha1_96, o);
  auto a = pair.initiator.wrap(bytes_of(1), true);
  auto b = pair.initiator.get_mic(bytes_of(1));
  auto c = pair.initiator.wrap(bytes_of(1), false);
  REQUIRE((a && b && c));
  CHECK(get64(*a, 8) == 41);
  CHECK(get64(*b, 8) == 42);
  CHECK(get64(*c, 8) == 43);
  CHECK(sup_of(pair.acceptor, *a) == 0);
  auto v = pair.acceptor.verify_mic(bytes_of(1), *b);
  REQUIRE(v);
  CHECK(*v == 0);
  CHECK(sup_of(pair.acceptor, *c) == 0);
}

TEST_CASE("replay: with kReplay a duplicate is an error, without, a supplementary bit") {
  for (std::uint32_t flags : {context_flags::kReplay, context_flags::kSequence,
                              context_flags::kReplay | context_flags::kSequence}) {
    CAPTURE(flags);
    Pair pair(crypto::EncType::kAes256CtsHmacSha1_96, with_flags(flags));
    auto t = pair.initiator.wrap(bytes_of(8), true);
    REQUIRE(t);
    CHECK(sup_of(pair.acceptor, *t) == 0);
    kerb::test::Bytes out(t->size(), 0xA5);
    auto again = pair.acceptor.unwrap(*t, out);
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == major_status::kFailure);
    CHECK(again.error().category() == ErrorCategory::kProtocol);
    CHECK(std::string(again.error().detail()) == "duplicate token (replay)");
    CHECK(all_zero(out));  // the plaintext of a refused token is not handed out

    auto mic = pair.initiator.get_mic(bytes_of(8));
    REQUIRE(mic);
    CHECK(pair.acceptor.verify_mic(bytes_of(8), *mic));
    auto v = pair.acceptor.verify_mic(bytes_of(8), *mic);
    REQUIRE_FALSE(v);
    CHECK(v.error().code() == major_status::kFailure);
    // The stream goes on.
    auto next = pair.initiator.wrap(bytes_of(8), false);
    REQUIRE(next);
    CHECK(sup_of(pair.acceptor, *next) == 0);
  }

  Pair pair(crypto::EncType::kAes256CtsHmacSha1_96, with_flags(context_flags::kConf));
  auto t = pair.initiator.wrap(bytes_of(8), true);
  REQUIRE(t);
  CHECK(sup_of(pair.acceptor, *t) == 0);
  CHECK(sup_of(pair.acceptor, *t) == supplementary::kDuplicateToken);
  auto mic = pair.initiator.get_mic(bytes_of(2));
  REQUIRE(mic);
  CHECK(*pair.acceptor.verify_mic(bytes_of(2), *mic) == 0);
  CHECK(*pair.acceptor.verify_mic(bytes_of(2), *mic) == supplementary::kDuplicateToken);
}

TEST_CASE("out of order: kGapToken, kUnseqToken, kOldToken beyond the 64-token window") {
  Pair pair(crypto::EncType::kAes128CtsHmacSha256_128);  // kReplay | kSequence
  const std::vector<kerb::test::Bytes> t = wraps(pair.initiator, 80);

  CHECK(sup_of(pair.acceptor, t[0]) == 0);
  CHECK(sup_of(pair.acceptor, t[2]) == supplementary::kGapToken);    // t[1] skipped
  CHECK(sup_of(pair.acceptor, t[1]) == supplementary::kUnseqToken);  // late, unseen
  CHECK(sup_of(pair.acceptor, t[3]) == 0);                           // back in step
  CHECK_FALSE(pair.acceptor.unwrap(t[1]));                           // seen: duplicate

  CHECK(sup_of(pair.acceptor, t[70]) == supplementary::kGapToken);
  // Newest is 70; the window holds 64 tokens, 70 down to 7; 6 is too old to tell.
  CHECK(sup_of(pair.acceptor, t[7]) == supplementary::kUnseqToken);
  CHECK(sup_of(pair.acceptor, t[6]) == supplementary::kOldToken);
  CHECK(sup_of(pair.acceptor, t[6]) == supplementary::kOldToken);  // never an error
  CHECK(sup_of(pair.acceptor, t[0]) == supplementary::kOldToken);
  CHECK(sup_of(pair.acceptor, t[69]) == supplementary::kUnseqToken);
  CHECK_FALSE(pair.acceptor.unwrap(t[69]));
  CHECK_FALSE(pair.acceptor.unwrap(t[7]));
  CHECK(sup_of(pair.acceptor, t[71]) == 0);
  // A jump of more than the window forgets everything behind.
  CHECK(sup_of(pair.acceptor, t[79]) == supplementary::kGapToken);
  CHECK(sup_of(pair.acceptor, t[72]) == supplementary::kUnseqToken);
}

TEST_CASE("forged or broken tokens do not move the window") {
#if KERB_WITH_CAMELLIA
  Pair pair(crypto::EncType::kCamellia128CtsCmac);
#else
  Pair pair(crypto::EncType::kAes128CtsHmacSha256_128);  // any enctype will do
#endif
  const std::vector<kerb::test::Bytes> t = wraps(pair.initiator, 3);
  kerb::test::Bytes forged = t[2];
  forged.back() ^= 1;
  CHECK_FALSE(pair.acceptor.unwrap(forged));
  CHECK(sup_of(pair.acceptor, t[0]) == 0);
  CHECK(sup_of(pair.acceptor, t[1]) == 0);
  CHECK(sup_of(pair.acceptor, t[2]) == 0);
}

TEST_CASE("the window works across the 64-bit wrap of the counter") {
  PairOptions o;
  o.initiator_seq = 0xFFFFFFFFFFFFFFFEu;
  Pair pair(crypto::EncType::kAes128CtsHmacSha1_96, o);
  const std::vector<kerb::test::Bytes> t = wraps(pair.initiator, 5);
  CHECK(get64(t[2], 8) == 0);
  CHECK(sup_of(pair.acceptor, t[0]) == 0);
  CHECK(sup_of(pair.acceptor, t[1]) == 0);
  CHECK(sup_of(pair.acceptor, t[3]) == supplementary::kGapToken);
  CHECK(sup_of(pair.acceptor, t[2]) == supplementary::kUnseqToken);
  CHECK_FALSE(pair.acceptor.unwrap(t[0]));
  CHECK(sup_of(pair.acceptor, t[4]) == 0);
}

TEST_CASE("an expired context refuses every per-message operation (kContextExpired)") {
  Pair pair(crypto::EncType::kAes256CtsHmacSha384_192);
  const kerb::test::Bytes msg = bytes_of(9);
  pair.clock.set(Timestamp{kEndtime, 999999});  // the last second is still good
  auto t = pair.initiator.wrap(msg, true);
  auto mic = pair.initiator.get_mic(msg);
  REQUIRE((t && mic));
  pair.clock.advance(1);
  auto expect_expired = [](const Error& e) { CHECK(e.code() == major_status::kContextExpired); };
  expect_expired(pair.initiator.wrap(msg, true).error());
  expect_expired(pair.initiator.wrap(msg, false).error());
  expect_expired(pair.initiator.get_mic(msg).error());
  kerb::test::Bytes out(t->size(), 0xA5);
  auto u = pair.acceptor.unwrap(*t, out);
  REQUIRE_FALSE(u);
  expect_expired(u.error());
  CHECK(all_zero(out));
  expect_expired(pair.acceptor.verify_mic(msg, *mic).error());
  // Back in time (the clock is the app's), the tokens are still good and unused.
  pair.clock.set(kNow);
  CHECK(pair.acceptor.unwrap(*t));
  CHECK(pair.acceptor.verify_mic(msg, *mic));
}
