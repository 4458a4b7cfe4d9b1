// prot_ready (RFC 2743 §1.2.7): the initiator wraps and signs before the AP-REP arrives, under
// its authenticator subkey with the AcceptorSubkey flag clear (RFC 4121 §2, §4.2.2), sequence
// numbers from the authenticator's; the acceptor takes those tokens although it asserted a
// subkey of its own. Every token is opened here with kerb::crypto and the keys read out of the
// AP-REQ and AP-REP (establish_world.hpp), not through the code under test.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

#include "establish_world.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

constexpr std::uint8_t kSealed = 0x02;

std::uint64_t snd_seq(const kerb::test::Bytes& token) {
  REQUIRE(token.size() >= 16);
  std::uint64_t v = 0;
  for (std::size_t i = 8; i < 16; ++i)
    v = v << 8 | token[i];
  return v;
}

// A MIC token (RFC 4121 §4.2.6.1) checked with `key` and `usage`: header, then the checksum
// over message | header.
void check_mic_token(const kerb::test::Bytes& token, const kerb::test::Bytes& message,
                     const crypto::Key& key, std::uint8_t flags, std::uint64_t seq) {
  REQUIRE(token.size() == 16 + key.info()->checksum_size);
  CHECK(token[0] == 0x04);
  CHECK(token[1] == 0x04);
  CHECK(int{token[2]} == int{flags});
  CHECK(snd_seq(token) == seq);
  kerb::test::Bytes data = message;
  data.insert(data.end(), token.begin(), token.begin() + 16);
  const auto verified = crypto::verify_keyed(
      key, key_usage::kInitiatorSign, key.info()->checksum_type, data, ByteView(token).subspan(16));
  INFO((verified ? "" : describe(verified.error())));
  CHECK(verified.ok());
}

// A sealed Wrap token (RFC 4121 §4.2.6.2) from the initiator, EC = RRC = 0 as kerb sends it:
// decrypted with `key`, it holds message | header.
void check_sealed_token(const kerb::test::Bytes& token, const kerb::test::Bytes& message,
                        const crypto::Key& key, std::uint8_t flags, std::uint64_t seq) {
  REQUIRE(token.size() > 16);
  CHECK(token[0] == 0x05);
  CHECK(token[1] == 0x04);
  CHECK(int{token[2]} == int{flags | kSealed});
  CHECK(snd_seq(token) == seq);
  kerb::test::Bytes plain(token.size());
  auto n = crypto::decrypt(key, key_usage::kInitiatorSeal, ByteView(token).subspan(16), plain);
  INFO((n ? "" : describe(n.error())));
  REQUIRE(n.ok());
  REQUIRE(*n == message.size() + 16);
  CHECK(kerb::test::Bytes(plain.begin(),
                          plain.begin() + static_cast<std::ptrdiff_t>(message.size())) == message);
  CHECK(kerb::test::Bytes(plain.begin() + static_cast<std::ptrdiff_t>(message.size()),
                          plain.begin() + static_cast<std::ptrdiff_t>(*n)) ==
        kerb::test::Bytes(token.begin(), token.begin() + 16));
}

kerb::test::Bytes text(const char* s) {
  return kerb::test::Bytes(s, s + std::char_traits<char>::length(s));
}

void check_refused(const Result<std::vector<std::uint8_t>>& r, std::int32_t code) {
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().code() == code);
}

}  // namespace

TEST_CASE("prot_ready: wrap and MIC before the AP-REP, then the acceptor's subkey",
          "[gss][establish][prot_ready]") {
  World w;
  Initiator init = w.start();
  CHECK(init.prot_ready());
  CHECK_FALSE(init.established());
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  REQUIRE(a.seq_number.has_value());
  REQUIRE(a.subkey_type.has_value());
  const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
  const std::uint64_t seq0 = *a.seq_number;

  // The first request goes with the AP-REQ.
  const kerb::test::Bytes request = text("transfer 100 to bob");
  const kerb::test::Bytes early_sealed = must(init.wrap(request, true), "Initiator::wrap");
  const kerb::test::Bytes early_mic = must(init.get_mic(request), "Initiator::get_mic");
  const kerb::test::Bytes early_plain = must(init.wrap(request, false), "Initiator::wrap");
  check_sealed_token(early_sealed, request, initiator_subkey, 0, seq0);
  check_mic_token(early_mic, request, initiator_subkey, 0, seq0 + 1);
  CHECK(int{early_plain[2]} == 0);
  CHECK(snd_seq(early_plain) == seq0 + 2);

  Accepted accepted = must(w.accept(init.token()), "accept");
  SecurityContext& acc = accepted.context;
  const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key());
  REQUIRE(rep.subkey_type.has_value());
  const crypto::Key acceptor_subkey = key_of(*rep.subkey_type, rep.subkey);

  // The acceptor asserted its own subkey, yet takes the early tokens in order.
  std::uint32_t sup = 0xFF;
  CHECK(must(acc.unwrap(early_sealed, &sup), "unwrap early sealed") == request);
  CHECK(sup == 0);
  CHECK(must(acc.verify_mic(request, early_mic), "verify_mic early") == 0);
  CHECK(must(acc.unwrap(early_plain, &sup), "unwrap early integrity-only") == request);
  CHECK(sup == 0);
  // A replay of an early token is a duplicate (kReplay and kSequence are on).
  check_refused(acc.unwrap(early_sealed), major_status::kFailure);

  SECTION("after the AP-REP the initiator's tokens use the acceptor's subkey, sequence going on") {
    REQUIRE(must(init.step(accepted.output_token), "step") == Initiator::Step::kDone);
    CHECK(init.prot_ready());
    const kerb::test::Bytes second = text("balance?");
    const kerb::test::Bytes late = must(init.wrap(second, true), "Initiator::wrap after step");
    check_sealed_token(late, second, acceptor_subkey, kAcceptorSubkey, seq0 + 3);
    CHECK(must(acc.unwrap(late, &sup), "unwrap") == second);
    CHECK(sup == 0);

    SecurityContext ctx = must(init.take_context(), "take_context");
    CHECK_FALSE(init.prot_ready());
    check_refused(init.wrap(second, true), major_status::kNoContext);
    check_mic(ctx, acceptor_subkey, key_usage::kInitiatorSign, kAcceptorSubkey, seq0 + 4);
    const kerb::test::Bytes third = must(ctx.wrap(second, false), "wrap");
    CHECK(snd_seq(third) == seq0 + 5);
    CHECK(must(acc.unwrap(third, &sup), "unwrap") == second);
    CHECK(sup == supplementary::kGapToken);  // seq0 + 4, the MIC above, went elsewhere
  }
  SECTION("the acceptor's replies reach the taken context") {
    REQUIRE(init.step(accepted.output_token).ok());
    SecurityContext ctx = must(init.take_context(), "take_context");
    check_mic(acc, acceptor_subkey, key_usage::kAcceptorSign, kSentByAcceptor | kAcceptorSubkey,
              *rep.seq_number);
    const kerb::test::Bytes reply = text("done");
    const kerb::test::Bytes sealed = must(acc.wrap(reply, true), "acceptor wrap");
    CHECK(snd_seq(sealed) == *rep.seq_number + 1);
    CHECK(must(ctx.unwrap(sealed, &sup), "unwrap") == reply);
    CHECK(sup == supplementary::kGapToken);  // the MIC above went elsewhere
    const kerb::test::Bytes mic = must(acc.get_mic(reply), "acceptor get_mic");
    CHECK(must(ctx.verify_mic(reply, mic), "verify_mic") == 0);
  }
}

TEST_CASE("prot_ready without mutual authentication: one sequence from the first early token",
          "[gss][establish][prot_ready]") {
  World w;
  InitiatorOptions o;
  o.flags = context_flags::kReplay | context_flags::kSequence | context_flags::kConf |
            context_flags::kInteg;
  Initiator init = w.start(o);
  CHECK(init.prot_ready());
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
  const kerb::test::Bytes m = text("hello");
  const kerb::test::Bytes t0 = must(init.wrap(m, true), "Initiator::wrap");
  check_sealed_token(t0, m, initiator_subkey, 0, *a.seq_number);
  SecurityContext ctx = must(init.take_context(), "take_context");
  const kerb::test::Bytes t1 = must(ctx.wrap(m, true), "wrap");
  check_sealed_token(t1, m, initiator_subkey, 0, *a.seq_number + 1);

  Accepted accepted = must(w.accept(init.token()), "accept");
  std::uint32_t sup = 0xFF;
  CHECK(must(accepted.context.unwrap(t0, &sup), "unwrap") == m);
  CHECK(sup == 0);
  CHECK(must(accepted.context.unwrap(t1, &sup), "unwrap") == m);
  CHECK(sup == 0);
}

TEST_CASE("an acceptor without a subkey of its own takes early tokens as any other",
          "[gss][establish][prot_ready]") {
  World w;
  Initiator init = w.start();
  const kerb::test::Bytes m = text("hello");
  const kerb::test::Bytes t0 = must(init.wrap(m, true), "Initiator::wrap");
  AcceptorOptions o = w.acceptor();
  o.acceptor_subkey = false;
  Accepted accepted = must(w.accept(init.token(), o), "accept");
  CHECK(must(accepted.context.unwrap(t0), "unwrap") == m);
  REQUIRE(init.step(accepted.output_token).ok());
  SecurityContext ctx = must(init.take_context(), "take_context");
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  check_mic(ctx, key_of(*a.subkey_type, a.subkey), key_usage::kInitiatorSign, 0, *a.seq_number + 1);
}

TEST_CASE("early tokens under the wrong key or with the wrong flag are refused",
          "[gss][establish][prot_ready]") {
  World w;
  Initiator init = w.start();
  const kerb::test::Bytes m = text("transfer 100 to bob");
  const kerb::test::Bytes early = must(init.get_mic(m), "Initiator::get_mic");
  const kerb::test::Bytes early_sealed = must(init.wrap(m, true), "Initiator::wrap");
  Accepted accepted = must(w.accept(init.token()), "accept");
  SecurityContext& acc = accepted.context;
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key());

  // A MIC token with the flag clear, its checksum made here under another key.
  const auto forged_under = [&](const crypto::Key& key) {
    kerb::test::Bytes token(early.begin(), early.begin() + 16);
    kerb::test::Bytes data = m;
    data.insert(data.end(), token.begin(), token.end());
    kerb::test::Bytes cksum(key.info()->checksum_size);
    REQUIRE(crypto::make_checksum(key, key_usage::kInitiatorSign, data, cksum).ok());
    token.insert(token.end(), cksum.begin(), cksum.end());
    return token;
  };
  SECTION("the session key") {
    auto r = acc.verify_mic(m, forged_under(w.session_key()));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kBadMic);
  }
  SECTION("the acceptor's subkey without the AcceptorSubkey flag") {
    auto r = acc.verify_mic(m, forged_under(key_of(*rep.subkey_type, rep.subkey)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kBadMic);
  }
  SECTION("the initiator's subkey is right: the oracle token passes") {
    CHECK(forged_under(key_of(*a.subkey_type, a.subkey)) == early);
    CHECK(acc.verify_mic(m, early).ok());
  }
  SECTION("the AcceptorSubkey flag set on an early token: checked under the acceptor's subkey") {
    kerb::test::Bytes flagged = early;
    flagged[2] = kAcceptorSubkey;
    auto r = acc.verify_mic(m, flagged);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kBadMic);
    kerb::test::Bytes sealed = early_sealed;
    sealed[2] = static_cast<std::uint8_t>(sealed[2] | kAcceptorSubkey);
    check_refused(acc.unwrap(sealed), major_status::kBadMic);
    // Neither failure used up the sequence numbers: the genuine tokens still pass in order.
    CHECK(must(acc.verify_mic(m, early), "verify_mic") == 0);
    CHECK(must(acc.unwrap(early_sealed), "unwrap") == m);
  }
  SECTION("every bit flip of an early token is refused") {
    for (const kerb::test::Bytes* original : {&early, &early_sealed}) {
      for (std::size_t i = 0; i < original->size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
          kerb::test::Bytes t = *original;
          t[i] = static_cast<std::uint8_t>(t[i] ^ (1u << bit));
          CAPTURE(i, bit);
          const bool ok = original == &early ? acc.verify_mic(m, t).ok() : acc.unwrap(t).ok();
          CHECK_FALSE(ok);  // the header too is under the checksum or the encryption
        }
      }
    }
    CHECK(must(acc.verify_mic(m, early), "verify_mic") == 0);
    CHECK(must(acc.unwrap(early_sealed), "unwrap") == m);
  }
  SECTION("the initiator's context refuses a flag-clear token from the acceptor") {
    REQUIRE(init.step(accepted.output_token).ok());
    SecurityContext ctx = must(init.take_context(), "take_context");
    // The acceptor's tokens carry the flag once it asserted a subkey (RFC 4121 §2); one
    // without it, whatever its key, is not taken.
    kerb::test::Bytes mic = must(acc.get_mic(m), "get_mic");
    mic[2] = kSentByAcceptor;
    auto r = ctx.verify_mic(m, mic);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kDefectiveToken);
  }
}

TEST_CASE("export and import keep the initiator's subkey for early tokens",
          "[gss][establish][prot_ready][export]") {
  World w;
  Initiator init = w.start();
  const kerb::test::Bytes m = text("transfer 100 to bob");
  const kerb::test::Bytes t0 = must(init.wrap(m, true), "Initiator::wrap");
  const kerb::test::Bytes t1 = must(init.get_mic(m), "Initiator::get_mic");
  Accepted accepted = must(w.accept(init.token()), "accept");
  REQUIRE(init.step(accepted.output_token).ok());
  const kerb::test::Bytes t2 = must(init.wrap(m, false), "Initiator::wrap");
  SecurityContext ctx = must(init.take_context(), "take_context");
  const kerb::test::Bytes t3 = must(ctx.wrap(m, true), "wrap");

  // The acceptor goes into storage before it reads anything, and comes back.
  const kerb::test::Bytes blob = must(accepted.context.export_context(), "export_context");
  CHECK(blob[7] == 2);  // the version
  SecurityContext acc = must(SecurityContext::import_context(blob), "import_context");
  acc.set_clock(w.service_clock);
  std::uint32_t sup = 0xFF;
  CHECK(must(acc.unwrap(t0, &sup), "unwrap") == m);
  CHECK(sup == 0);
  CHECK(must(acc.verify_mic(m, t1), "verify_mic") == 0);
  CHECK(must(acc.unwrap(t2, &sup), "unwrap") == m);
  CHECK(sup == 0);

  // The initiator's context too, after its early tokens: the sequence goes on.
  SecurityContext ctx2 =
      must(SecurityContext::import_context(must(ctx.export_context(), "export")), "import");
  ctx2.set_clock(w.clock);
  CHECK(must(acc.unwrap(t3, &sup), "unwrap") == m);
  const kerb::test::Bytes t4 = must(ctx2.wrap(m, true), "wrap");
  CHECK(must(acc.unwrap(t4, &sup), "unwrap") == m);
  CHECK(sup == 0);

  SECTION("a version 1 blob (no initiator subkey) is still read; early tokens are then refused") {
    // Version 1 is version 2 without the initiator-subkey tail: enctype(4) | length(1) | key.
    const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
    kerb::test::Bytes v1(blob.begin(),
                         blob.end() - static_cast<std::ptrdiff_t>(5 + a.subkey.size()));
    v1[7] = 1;
    SecurityContext old = must(SecurityContext::import_context(v1), "import v1");
    old.set_clock(w.service_clock);
    auto r = old.unwrap(t0);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == major_status::kDefectiveToken);
    CHECK(must(old.unwrap(t3), "unwrap under the acceptor's subkey") == m);
    std::uint8_t out[16];
    auto prf = old.pseudo_random(PrfKey::kPartial, {}, out);
    REQUIRE_FALSE(prf.ok());
    CHECK(old.pseudo_random(PrfKey::kFull, {}, out).ok());
  }
}
