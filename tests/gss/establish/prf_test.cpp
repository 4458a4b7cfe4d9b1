// GSS_Pseudo_random for krb5 (RFC 4401, RFC 7802): both ends of one context derive the same
// octets, under the key RFC 7802 §2 names for each PrfKey. The expected octets are computed
// here from the RFC text -- PRF(K, 0 | S) || PRF(K, 1 | S) || ..., a 32-bit big-endian counter
// from 0 -- with kerb::crypto's RFC 3961 PRF and the keys read out of the AP-REQ and AP-REP.
// tests/integration/gss checks the same against MIT's gss_pseudo_random.
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/crypto/key.hpp>

#include "establish_world.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

kerb::test::Bytes prf_plus_rfc7802(const crypto::Key& key, const kerb::test::Bytes& input,
                                   std::size_t length) {
  kerb::test::Bytes out;
  kerb::test::Bytes t(key.info()->prf_size);
  for (std::uint32_t i = 0; out.size() < length; ++i) {
    kerb::test::Bytes s = {static_cast<std::uint8_t>(i >> 24), static_cast<std::uint8_t>(i >> 16),
                           static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    s.insert(s.end(), input.begin(), input.end());
    REQUIRE(must(crypto::prf(key, s, t), "crypto::prf") == t.size());
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(length);
  return out;
}

kerb::test::Bytes prf_of(SecurityContext& ctx, PrfKey which, const kerb::test::Bytes& input,
                         std::size_t n) {
  kerb::test::Bytes out(n, 0xEE);
  auto r = ctx.pseudo_random(which, input, out);
  INFO((r ? "" : describe(r.error())));
  REQUIRE(r.ok());
  return out;
}

const std::size_t kLengths[] = {0, 1, 16, 32, 47, 48, 49, 100, 1000};

}  // namespace

TEST_CASE("pseudo_random: PRF+ under the initiator's or the acceptor's subkey, both sides",
          "[gss][establish][prf]") {
  for (EncType e : crypto::kImplementedEnctypes) {
    if (e == EncType::kRc4Hmac) continue;  // no RFC 4121 tokens, so no context
    DYNAMIC_SECTION(crypto::enctype_name(e)) {
      World w;
      Initiator init = w.start(w.ticket(e));
      Accepted accepted = must(w.accept(init.token()), "accept");
      REQUIRE(init.step(accepted.output_token).ok());
      SecurityContext ctx = must(init.take_context(), "take_context");
      const AuthenticatorSeen a = look_inside(init.token(), w.session_key(e));
      const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key(e));
      const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
      const crypto::Key acceptor_subkey = key_of(*rep.subkey_type, rep.subkey);
      const kerb::test::Bytes inputs[] = {
          {}, {'t', 'l', 's', '-', 'k', 'e', 'y'}, kerb::test::Bytes(300, 0xA5)};
      for (const kerb::test::Bytes& input : inputs) {
        for (std::size_t n : kLengths) {
          CAPTURE(input.size(), n);
          const kerb::test::Bytes partial = prf_plus_rfc7802(initiator_subkey, input, n);
          const kerb::test::Bytes full = prf_plus_rfc7802(acceptor_subkey, input, n);
          CHECK(prf_of(ctx, PrfKey::kPartial, input, n) == partial);
          CHECK(prf_of(accepted.context, PrfKey::kPartial, input, n) == partial);
          CHECK(prf_of(ctx, PrfKey::kFull, input, n) == full);
          CHECK(prf_of(accepted.context, PrfKey::kFull, input, n) == full);
        }
      }
    }
  }
}

TEST_CASE("pseudo_random without an acceptor subkey: both keys are the initiator's subkey",
          "[gss][establish][prf]") {
  World w;
  Initiator init = w.start();
  AcceptorOptions o = w.acceptor();
  o.acceptor_subkey = false;
  Accepted accepted = must(w.accept(init.token(), o), "accept");
  REQUIRE(init.step(accepted.output_token).ok());
  SecurityContext ctx = must(init.take_context(), "take_context");
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
  const kerb::test::Bytes input = {'x'};
  const kerb::test::Bytes expected = prf_plus_rfc7802(initiator_subkey, input, 100);
  for (PrfKey which : {PrfKey::kPartial, PrfKey::kFull}) {
    CHECK(prf_of(ctx, which, input, 100) == expected);
    CHECK(prf_of(accepted.context, which, input, 100) == expected);
  }
}

TEST_CASE("pseudo_random: the output bound, no context, and export/import",
          "[gss][establish][prf]") {
  World w;
  Initiator init = w.start();
  Accepted accepted = must(w.accept(init.token()), "accept");
  REQUIRE(init.step(accepted.output_token).ok());
  SecurityContext ctx = must(init.take_context(), "take_context");
  const kerb::test::Bytes input = {'k'};

  SECTION("up to kMaxPrfOutput octets; one more is an invalid argument") {
    kerb::test::Bytes big(SecurityContext::kMaxPrfOutput);
    CHECK(ctx.pseudo_random(PrfKey::kFull, input, big).ok());
    CHECK(kerb::test::Bytes(big.begin(), big.begin() + 1000) ==
          prf_of(ctx, PrfKey::kFull, input, 1000));
    kerb::test::Bytes too_big(SecurityContext::kMaxPrfOutput + 1);
    auto r = ctx.pseudo_random(PrfKey::kFull, input, too_big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kInvalidArgument);
  }
  SECTION("no context") {
    SecurityContext none;
    std::uint8_t out[4];
    auto r = none.pseudo_random(PrfKey::kFull, input, out);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kNoContext);
  }
  SECTION("an imported context derives the same octets") {
    for (SecurityContext* c : {&ctx, &accepted.context}) {
      SecurityContext back =
          must(SecurityContext::import_context(must(c->export_context(), "export")), "import");
      for (PrfKey which : {PrfKey::kPartial, PrfKey::kFull}) {
        CHECK(prf_of(back, which, input, 64) == prf_of(*c, which, input, 64));
      }
    }
  }
}
