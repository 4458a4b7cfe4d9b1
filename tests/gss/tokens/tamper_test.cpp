// Receiving hostile and foreign-shaped tokens: EC filler and RRC rotation as Windows sends
// them (RFC 4121 §4.2.4, §4.2.5), bad EC/RRC (CVE-2024-37371), a tampered encrypted header
// copy (CVE-2024-37370), truncation at every length, every single-bit flip, reflection and
// flag mismatches.
#include "token_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

// The flags an initiator's token carries in a context without an acceptor subkey.
constexpr std::uint8_t kInitSealed = 0x02;

// A receiver without replay/sequence flags, so that a token accepted twice is not an error.
PairOptions lenient() {
  PairOptions o;
  o.flags = context_flags::kMutual | context_flags::kConf | context_flags::kInteg;
  return o;
}

}  // namespace

TEST_CASE("unwrap accepts any EC and RRC: the Windows shape (EC 16, RRC 28) and others") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(crypto::find_enctype(e)->name.data());
    Pair pair(e, lenient());
    const std::uint64_t seq = 0x1122334455667788u;  // the initiator's first
    for (std::size_t n : {0u, 1u, 16u, 33u, 1000u}) {
      const kerb::test::Bytes msg = bytes_of(n, 9);
      struct Shape {
        std::uint16_t ec, rrc, copy_rrc;
      } shapes[] = {{0, 0, 0},     {16, 28, 0},        {16, 28, 28}, {0, 12, 0},
                    {16, 12, 0},   {1, 1, 0},          {7, 60, 0},   {255, 3, 0},
                    {0, 65535, 0}, {16, 65535, 65535}, {32, 44, 0}};
      for (const Shape& s : shapes) {
        CAPTURE(n, s.ec, s.rrc, s.copy_rrc);
        const kerb::test::Bytes token =
            seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, s.ec, s.rrc, s.copy_rrc);
        kerb::test::Bytes plain;
        auto u = unwrap_checked(pair.acceptor, token, &plain);
        REQUIRE(u);
        CHECK(u->conf);
        CHECK(plain == msg);
        // Filler and header copy are not left in the caller's buffer.
        kerb::test::Bytes out(token.size(), 0xA5);
        auto u2 = pair.acceptor.unwrap(token, out);
        REQUIRE(u2);
        CHECK(all_zero(ByteView(out).subspan(n, s.ec + 16u)));
      }
      // A rotation by a multiple of the data length is the identity.
      auto sealed = pair.initiator.wrap(msg, true);
      REQUIRE(sealed);
      const std::size_t len = sealed->size() - 16;
      if (len <= 65535) {
        kerb::test::Bytes same = *sealed;
        put16(same, 6, static_cast<std::uint16_t>(len));
        CHECK(unwrap_checked(pair.acceptor, same));
      }
    }
  }
}

TEST_CASE("unwrap without confidentiality honours RRC too") {
  for (crypto::EncType e : kAllEnctypes) {
    Pair pair(e, lenient());
    for (std::size_t n : {0u, 1u, 17u, 100u}) {
      const kerb::test::Bytes msg = bytes_of(n, 3);
      for (std::uint16_t rrc : {1, 12, 16, 28, 99, 65535}) {
        CAPTURE(n, rrc);
        auto token = pair.acceptor.wrap(msg, false);
        REQUIRE(token);
        const kerb::test::Bytes rotated = rotate_right(*token, rrc);
        kerb::test::Bytes plain;
        auto u = unwrap_checked(pair.initiator, rotated, &plain);
        REQUIRE(u);
        CHECK_FALSE(u->conf);
        CHECK(plain == msg);
        // The rotation is not integrity protected, but a wrong one breaks the checksum.
        kerb::test::Bytes wrong = rotated;
        const auto wrong_rrc = static_cast<std::uint16_t>(rrc + 1);
        put16(wrong, 6, wrong_rrc);
        const std::size_t body = token->size() - 16;
        if (wrong_rrc % body != rrc % body) {
          auto bad = unwrap_checked(pair.initiator, wrong);
          REQUIRE_FALSE(bad);
          CHECK(bad.error().code() == major_status::kBadMic);
        }
      }
    }
  }
}

TEST_CASE("unwrap rejects EC beyond the decrypted data and a wrong RRC (CVE-2024-37371)") {
  Pair pair(crypto::EncType::kAes256CtsHmacSha1_96, lenient());
  const std::uint64_t seq = 0x1122334455667788u;
  const kerb::test::Bytes msg = bytes_of(10);

  // The sender claims more filler than there is, consistently in both header copies: only
  // the bounds check stands between this and reading before the buffer.
  for (std::uint16_t claimed : {11, 26, 27, 100, 65535}) {
    CAPTURE(claimed);
    const kerb::test::Bytes token =
        seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, 0, 0, 0,
                 [&](kerb::test::Bytes& copy) { put16(copy, 4, claimed); });
    kerb::test::Bytes outer = token;
    put16(outer, 4, claimed);
    auto u = unwrap_checked(pair.acceptor, outer);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == major_status::kDefectiveToken);
  }
  // EC exactly consuming the plaintext is fine: an empty message.
  {
    const kerb::test::Bytes token =
        seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, 0, 0, 0,
                 [&](kerb::test::Bytes& copy) { put16(copy, 4, 10); });
    kerb::test::Bytes outer = token;
    put16(outer, 4, 10);
    kerb::test::Bytes plain;
    auto u = unwrap_checked(pair.acceptor, outer, &plain);
    REQUIRE(u);
    CHECK(plain.empty());
  }
  // A changed outer EC alone no longer matches the encrypted copy (CVE-2024-37370).
  {
    auto sealed = pair.initiator.wrap(msg, true);
    REQUIRE(sealed);
    kerb::test::Bytes truncating = *sealed;
    put16(truncating, 4, 4);
    auto u = unwrap_checked(pair.acceptor, truncating);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == major_status::kBadMic);
  }
  // Windows-shaped token announced with the wrong rotation.
  const kerb::test::Bytes windows =
      seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, 16, 28);
  for (std::uint16_t rrc : {0, 27, 29, 12}) {
    kerb::test::Bytes wrong = windows;
    put16(wrong, 6, rrc);
    auto u = unwrap_checked(pair.acceptor, wrong);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == major_status::kBadMic);
  }
  // Without confidentiality EC must be the checksum length.
  auto integ = pair.initiator.wrap(msg, false);
  REQUIRE(integ);
  for (std::uint16_t ec : {0, 11, 13, 16, 0xFFFF}) {
    kerb::test::Bytes bad = *integ;
    put16(bad, 4, ec);
    auto u = unwrap_checked(pair.acceptor, bad);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == major_status::kDefectiveToken);
  }
}

TEST_CASE("unwrap rejects a tampered encrypted header copy (CVE-2024-37370)") {
  Pair pair(crypto::EncType::kAes128CtsHmacSha1_96, lenient());
  const std::uint64_t seq = 0x1122334455667788u;
  const kerb::test::Bytes msg = bytes_of(24);
  struct Edit {
    const char* what;
    std::size_t at;
    std::uint8_t xor_with;
  } edits[] = {{"TOK_ID", 0, 0x01},      {"flags", 2, 0x01}, {"unknown flag", 2, 0x80},
               {"filler", 3, 0x01},      {"EC", 5, 0x04},    {"SND_SEQ", 15, 0x01},
               {"SND_SEQ high", 8, 0x80}};
  for (const Edit& ed : edits) {
    CAPTURE(ed.what);
    const kerb::test::Bytes token =
        seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, 0, 0, 0,
                 [&](kerb::test::Bytes& copy) { copy[ed.at] ^= ed.xor_with; });
    auto u = unwrap_checked(pair.acceptor, token);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == major_status::kBadMic);
  }
  // RRC alone may differ in the copy.
  const kerb::test::Bytes token =
      seal_raw(pair.key, Role::kInitiator, msg, seq, kInitSealed, 0, 0, 0,
               [&](kerb::test::Bytes& copy) { put16(copy, 6, 0x1234); });
  CHECK(unwrap_checked(pair.acceptor, token));
}

TEST_CASE("every truncation of every token kind is rejected, output wiped") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(crypto::find_enctype(e)->name.data());
    Pair pair(e, lenient());
    const kerb::test::Bytes msg = bytes_of(37);
    auto sealed = pair.initiator.wrap(msg, true);
    auto integ = pair.initiator.wrap(msg, false);
    auto mic = pair.initiator.get_mic(msg);
    REQUIRE((sealed && integ && mic));
    const kerb::test::Bytes windows =
        seal_raw(pair.key, Role::kInitiator, msg, get64(*sealed, 8) + 3, kInitSealed, 16, 28);
    for (const kerb::test::Bytes* t :
         std::initializer_list<const kerb::test::Bytes*>{&*sealed, &*integ, &windows}) {
      for (std::size_t len = 0; len < t->size(); ++len) {
        CAPTURE(len);
        auto u = unwrap_checked(pair.acceptor, ByteView(*t).first(len));
        REQUIRE_FALSE(u);
        CHECK(is_token_rejection(u.error().code()));
      }
      REQUIRE(unwrap_checked(pair.acceptor, *t));
    }
    for (std::size_t len = 0; len < mic->size(); ++len) {
      auto v = pair.acceptor.verify_mic(msg, ByteView(*mic).first(len));
      REQUIRE_FALSE(v);
      CHECK(is_token_rejection(v.error().code()));
    }
    kerb::test::Bytes longer = *mic;
    longer.push_back(0);
    auto v = pair.acceptor.verify_mic(msg, longer);
    REQUIRE_FALSE(v);
    CHECK(v.error().code() == major_status::kDefectiveToken);
    REQUIRE(pair.acceptor.verify_mic(msg, *mic));
  }
}

TEST_CASE("every single-bit flip of every token kind is rejected, output wiped") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(crypto::find_enctype(e)->name.data());
    Pair pair(e, lenient());
    for (std::size_t n : {0u, 16u, 45u}) {
      const kerb::test::Bytes msg = bytes_of(n, 77);
      auto sealed = pair.initiator.wrap(msg, true);
      auto integ = pair.initiator.wrap(msg, false);
      auto mic = pair.initiator.get_mic(msg);
      REQUIRE((sealed && integ && mic));
      for (const kerb::test::Bytes* t : {&*sealed, &*integ}) {
        const std::size_t body = t->size() - 16;
        for (std::size_t bit = 0; bit < t->size() * 8; ++bit) {
          CAPTURE(n, bit);
          kerb::test::Bytes flipped = *t;
          flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
          auto u = unwrap_checked(pair.acceptor, flipped);
          // RRC is outside the integrity protection: a flip that rotates by a multiple of
          // the data length changes nothing.
          const bool in_rrc = bit / 8 == 6 || bit / 8 == 7;
          if (in_rrc && get16(flipped, 6) % body == 0) {
            CHECK(u);
            continue;
          }
          REQUIRE_FALSE(u);
          CHECK(is_token_rejection(u.error().code()));
        }
      }
      for (std::size_t bit = 0; bit < mic->size() * 8; ++bit) {
        CAPTURE(n, bit);
        kerb::test::Bytes flipped = *mic;
        flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
        auto v = pair.acceptor.verify_mic(msg, flipped);
        REQUIRE_FALSE(v);
        CHECK(is_token_rejection(v.error().code()));
      }
      // The untouched tokens still pass.
      CHECK(unwrap_checked(pair.acceptor, *sealed));
      CHECK(unwrap_checked(pair.acceptor, *integ));
      CHECK(pair.acceptor.verify_mic(msg, *mic));
    }
  }
}

TEST_CASE("a token sent back to its sender is rejected (direction, RFC 4121 §4.2.2)") {
  Pair pair(crypto::EncType::kAes256CtsHmacSha384_192);
  const kerb::test::Bytes msg = bytes_of(12);
  for (SecurityContext* ctx : {&pair.initiator, &pair.acceptor}) {
    for (bool conf : {true, false}) {
      auto token = ctx->wrap(msg, conf);
      REQUIRE(token);
      auto u = unwrap_checked(*ctx, *token);
      REQUIRE_FALSE(u);
      CHECK(u.error().code() == major_status::kBadMic);
    }
    auto mic = ctx->get_mic(msg);
    REQUIRE(mic);
    auto v = ctx->verify_mic(msg, *mic);
    REQUIRE_FALSE(v);
    CHECK(v.error().code() == major_status::kBadMic);
  }
  // Flipping the direction bit does not help: the keys differ per direction.
  auto token = pair.initiator.wrap(msg, true);
  REQUIRE(token);
  kerb::test::Bytes turned = *token;
  turned[2] ^= 0x01;
  auto u = unwrap_checked(pair.initiator, turned);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == major_status::kBadMic);
}

TEST_CASE("Sealed, AcceptorSubkey and filler are checked, unknown flags are ignored") {
  PairOptions o = lenient();
#if KERB_WITH_CAMELLIA
  Pair pair(crypto::EncType::kCamellia256CtsCmac, o);
#else
  Pair pair(crypto::EncType::kAes256CtsHmacSha384_192, o);  // any enctype will do
#endif
  const kerb::test::Bytes msg = bytes_of(30);

  // Sealed cleared on a sealed token: read as integrity-only, its EC (0) is not a checksum
  // length.
  auto sealed = pair.initiator.wrap(msg, true);
  REQUIRE(sealed);
  kerb::test::Bytes unsealed = *sealed;
  unsealed[2] &= static_cast<std::uint8_t>(~0x02);
  auto u1 = unwrap_checked(pair.acceptor, unsealed);
  REQUIRE_FALSE(u1);
  CHECK(u1.error().code() == major_status::kDefectiveToken);

  // Sealed set on an integrity-only token: it does not decrypt.
  auto integ = pair.initiator.wrap(msg, false);
  REQUIRE(integ);
  kerb::test::Bytes resealed = *integ;
  resealed[2] |= 0x02;
  auto u2 = unwrap_checked(pair.acceptor, resealed);
  REQUIRE_FALSE(u2);
  CHECK(is_token_rejection(u2.error().code()));

  // Sealed is never valid in a MIC token.
  auto mic = pair.initiator.get_mic(msg);
  REQUIRE(mic);
  kerb::test::Bytes sealed_mic = *mic;
  sealed_mic[2] |= 0x02;
  auto v = pair.acceptor.verify_mic(msg, sealed_mic);
  REQUIRE_FALSE(v);
  CHECK(v.error().code() == major_status::kDefectiveToken);

  // Filler octets.
  kerb::test::Bytes bad_filler = *integ;
  bad_filler[3] = 0xFE;
  auto u3 = unwrap_checked(pair.acceptor, bad_filler);
  REQUIRE_FALSE(u3);
  CHECK(u3.error().code() == major_status::kDefectiveToken);
  for (std::size_t i = 3; i < 8; ++i) {
    kerb::test::Bytes f = *mic;
    f[i] = 0x00;
    auto vf = pair.acceptor.verify_mic(msg, f);
    REQUIRE_FALSE(vf);
    CHECK(vf.error().code() == major_status::kDefectiveToken);
  }
  // Wrong TOK_IDs: a MIC token is no Wrap token and the other way round.
  auto um = unwrap_checked(pair.acceptor, *mic);
  REQUIRE_FALSE(um);
  CHECK(um.error().code() == major_status::kDefectiveToken);
  auto vm = pair.acceptor.verify_mic(msg, *integ);
  REQUIRE_FALSE(vm);
  CHECK(vm.error().code() == major_status::kDefectiveToken);

  // AcceptorSubkey must match the context's key choice.
  PairOptions with_subkey = lenient();
  with_subkey.acceptor_subkey = true;
  SecurityContext subkey_acceptor = make_context(Role::kAcceptor, pair.key, with_subkey);
  subkey_acceptor.set_clock(pair.clock);
  auto plain_token = pair.initiator.wrap(msg, true);  // no AcceptorSubkey flag
  REQUIRE(plain_token);
  auto u4 = unwrap_checked(subkey_acceptor, *plain_token);
  REQUIRE_FALSE(u4);
  CHECK(u4.error().code() == major_status::kDefectiveToken);
  auto flagged = subkey_acceptor.wrap(msg, false);  // AcceptorSubkey set
  REQUIRE(flagged);
  auto u5 = unwrap_checked(pair.initiator, *flagged);
  REQUIRE_FALSE(u5);
  CHECK(u5.error().code() == major_status::kDefectiveToken);

  // Unknown flag bits (3..7) are ignored: a token built with them set is accepted.
  const std::uint64_t next = get64(*plain_token, 8) + 1;
  const kerb::test::Bytes extra =
      seal_raw(pair.key, Role::kInitiator, msg, next, 0x02 | 0xF8, 0, 0);
  kerb::test::Bytes plain;
  auto u6 = unwrap_checked(pair.acceptor, extra, &plain);
  REQUIRE(u6);
  CHECK(plain == msg);
}
