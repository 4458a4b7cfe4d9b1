// RFC 4121 per-message tokens between an initiator and an acceptor: round trips for every
// enctype, the exact token layout, and the key usages checked with the crypto layer directly.
#include <cstring>

#include "token_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

constexpr std::size_t kSizes[] = {0, 1, 15, 16, 17, 1000, 65536};

const char* name_of(crypto::EncType e) {
  return crypto::find_enctype(e)->name.data();
}

}  // namespace

TEST_CASE("wrap/unwrap and get_mic/verify_mic both ways, every enctype and size") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(name_of(e));
    for (bool subkey : {false, true}) {
      PairOptions o;
      o.acceptor_subkey = subkey;
      Pair pair(e, o);
      for (std::size_t n : kSizes) {
        CAPTURE(n, subkey);
        const kerb::test::Bytes msg = bytes_of(n, static_cast<std::uint8_t>(n));
        for (bool conf : {true, false}) {
          CAPTURE(conf);
          for (int dir = 0; dir < 2; ++dir) {
            SecurityContext& from = dir == 0 ? pair.initiator : pair.acceptor;
            SecurityContext& to = dir == 0 ? pair.acceptor : pair.initiator;
            auto token = from.wrap(msg, conf);
            REQUIRE(token);
            CHECK(token->size() == from.wrap_size(n, conf));
            if (conf && n >= 16) {
              // The plaintext does not appear in the sealed token.
              CHECK(std::search(token->begin(), token->end(), msg.begin(), msg.begin() + 16) ==
                    token->end());
            }
            std::uint32_t sup = 0xFFFF;
            auto plain = to.unwrap(*token, &sup);
            REQUIRE(plain);
            CHECK(*plain == msg);
            CHECK(sup == 0);

            kerb::test::Bytes out(token->size());
            auto again = from.wrap(msg, conf);
            REQUIRE(again);
            auto u = to.unwrap(*again, out);
            REQUIRE(u);
            CHECK(u->conf == conf);
            CHECK(u->length == n);
            CHECK(u->supplementary == 0);
            CHECK(std::equal(msg.begin(), msg.end(), out.begin()));
          }
        }
        for (int dir = 0; dir < 2; ++dir) {
          SecurityContext& from = dir == 0 ? pair.initiator : pair.acceptor;
          SecurityContext& to = dir == 0 ? pair.acceptor : pair.initiator;
          auto mic = from.get_mic(msg);
          REQUIRE(mic);
          CHECK(mic->size() == from.mic_size());
          auto sup = to.verify_mic(msg, *mic);
          REQUIRE(sup);
          CHECK(*sup == 0);
          if (n > 0) {
            kerb::test::Bytes other = msg;
            other[n / 2] ^= 0x01;
            auto mic2 = from.get_mic(msg);
            REQUIRE(mic2);
            auto bad = to.verify_mic(other, *mic2);
            REQUIRE_FALSE(bad);
            CHECK(bad.error().code() == major_status::kBadMic);
            auto good = to.verify_mic(msg, *mic2);  // keeps the sequence in step
            REQUIRE(good);
            CHECK(*good == 0);
          }
        }
      }
    }
  }
}

TEST_CASE("Wrap token layout (RFC 4121 §4.2.6.2) and sizes") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(name_of(e));
    PairOptions o;
    o.initiator_seq = 0x0102030405060708u;
    Pair pair(e, o);
    const crypto::EncTypeInfo* info = pair.key.info();
    const kerb::test::Bytes msg = bytes_of(21);

    auto sealed = pair.initiator.wrap(msg, true);
    REQUIRE(sealed);
    // 05 04 | Sealed | FF | EC 0 | RRC 0 | SND_SEQ
    const kerb::test::Bytes header = {0x05, 0x04, 0x02, 0xFF, 0x00, 0x00, 0x00, 0x00,
                                      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
    CHECK(kerb::test::Bytes(sealed->begin(), sealed->begin() + 16) == header);
    CHECK(sealed->size() == 16 + info->confounder_size + 21 + 16 + info->mac_size);
    CHECK(pair.initiator.wrap_size(21, true) == sealed->size());

    auto integ = pair.initiator.wrap(msg, false);
    REQUIRE(integ);
    // 05 04 | 00 | FF | EC = checksum length | RRC 0 | SND_SEQ + 1
    const kerb::test::Bytes header2 = {
        0x05, 0x04, 0x00, 0xFF, 0x00, static_cast<std::uint8_t>(info->checksum_size),
        0x00, 0x00, 0x01, 0x02, 0x03, 0x04,
        0x05, 0x06, 0x07, 0x09};
    CHECK(kerb::test::Bytes(integ->begin(), integ->begin() + 16) == header2);
    CHECK(integ->size() == 16 + 21 + info->checksum_size);
    CHECK(std::equal(msg.begin(), msg.end(), integ->begin() + 16));  // plaintext in the clear

    auto mic = pair.initiator.get_mic(msg);
    REQUIRE(mic);
    const kerb::test::Bytes header3 = {0x04, 0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A};
    CHECK(kerb::test::Bytes(mic->begin(), mic->begin() + 16) == header3);
    CHECK(mic->size() == 16 + info->checksum_size);
    CHECK(pair.initiator.mic_size() == mic->size());
  }
}

TEST_CASE("Acceptor tokens carry SentByAcceptor, and AcceptorSubkey with an acceptor subkey") {
  PairOptions o;
  o.acceptor_subkey = true;
  o.acceptor_seq = 7;
  Pair pair(crypto::EncType::kAes256CtsHmacSha1_96, o);
  auto sealed = pair.acceptor.wrap(bytes_of(3), true);
  REQUIRE(sealed);
  CHECK((*sealed)[2] == 0x07);  // SentByAcceptor | Sealed | AcceptorSubkey
  CHECK(get64(*sealed, 8) == 7);
  auto mic = pair.acceptor.get_mic(bytes_of(3));
  REQUIRE(mic);
  CHECK((*mic)[2] == 0x05);
  auto from_init = pair.initiator.wrap(bytes_of(3), false);
  REQUIRE(from_init);
  CHECK((*from_init)[2] == 0x04);
}

TEST_CASE("Tokens use the RFC 4121 §2 key usages (checked with the crypto layer directly)") {
  for (crypto::EncType e : kAllEnctypes) {
    CAPTURE(name_of(e));
    Pair pair(e);
    const crypto::EncTypeInfo* info = pair.key.info();
    const kerb::test::Bytes msg = bytes_of(40);
    struct Dir {
      SecurityContext* from;
      std::uint32_t seal;
      std::uint32_t sign;
    } dirs[] = {{&pair.initiator, key_usage::kInitiatorSeal, key_usage::kInitiatorSign},
                {&pair.acceptor, key_usage::kAcceptorSeal, key_usage::kAcceptorSign}};
    for (const Dir& d : dirs) {
      // Sealed: E(seal usage, plaintext | header with RRC 0).
      auto sealed = d.from->wrap(msg, true);
      REQUIRE(sealed);
      kerb::test::Bytes plain(sealed->size());
      auto n = crypto::decrypt(pair.key, d.seal, ByteView(*sealed).subspan(16), plain);
      REQUIRE(n);
      REQUIRE(*n == msg.size() + 16);
      CHECK(std::equal(msg.begin(), msg.end(), plain.begin()));
      CHECK(std::equal(sealed->begin(), sealed->begin() + 16, plain.begin() + 40));

      // Integrity only: the SEAL usage too ("Even if the Wrap token does not provide for
      // confidentiality, the same usage values specified above are used"), over
      // plaintext | header with EC = RRC = 0.
      auto integ = d.from->wrap(msg, false);
      REQUIRE(integ);
      kerb::test::Bytes header(integ->begin(), integ->begin() + 16);
      header[4] = header[5] = header[6] = header[7] = 0;
      CHECK(crypto::verify_keyed(pair.key, d.seal, info->checksum_type, concat(msg, header),
                                 ByteView(*integ).subspan(16 + msg.size()))
                .ok());

      // MIC: the SIGN usage over message | header.
      auto mic = d.from->get_mic(msg);
      REQUIRE(mic);
      CHECK(crypto::verify_keyed(pair.key, d.sign, info->checksum_type,
                                 concat(msg, ByteView(*mic).first(16)), ByteView(*mic).subspan(16))
                .ok());
    }
  }
}

TEST_CASE("wrap into the caller's buffer: exact size, too small, failed randomness") {
  Pair pair(crypto::EncType::kAes128CtsHmacSha256_128);
  for (bool conf : {true, false}) {
    for (std::size_t n : {0u, 5u, 600u}) {  // 600: past the on-stack staging size
      CAPTURE(conf, n);
      const kerb::test::Bytes msg = bytes_of(n);
      const std::size_t size = pair.initiator.wrap_size(n, conf);
      kerb::test::Bytes small(size - 1, 0xEE);
      auto r = pair.initiator.wrap(msg, conf, small);
      REQUIRE_FALSE(r);
      CHECK(r.error().category() == ErrorCategory::kBufferTooSmall);
      CHECK(std::all_of(small.begin(), small.end(), [](std::uint8_t b) { return b == 0xEE; }));

      kerb::test::Bytes big(size + 9, 0xEE);
      auto w = pair.initiator.wrap(msg, conf, big);
      REQUIRE(w);
      CHECK(*w == size);
      CHECK(std::all_of(big.begin() + static_cast<std::ptrdiff_t>(size), big.end(),
                        [](std::uint8_t b) { return b == 0xEE; }));
      kerb::test::Bytes out(size);
      auto u = pair.acceptor.unwrap(ByteView(big).first(size), out);
      REQUIRE(u);
      CHECK(u->length == n);
      CHECK(u->supplementary == 0);  // the failed attempt did not use a sequence number

      // unwrap's output must hold the whole token.
      kerb::test::Bytes tiny(size - 1);
      auto w2 = pair.initiator.wrap(msg, conf);
      REQUIRE(w2);
      auto u2 = pair.acceptor.unwrap(*w2, tiny);
      REQUIRE_FALSE(u2);
      CHECK(u2.error().category() == ErrorCategory::kBufferTooSmall);
      CHECK(all_zero(tiny));
      CHECK(pair.acceptor.unwrap(*w2, out));
    }
  }
  FailingRandom broken;
  pair.initiator.set_random(broken);
  auto r = pair.initiator.wrap(bytes_of(4), true);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == major_status::kFailure);
  pair.initiator.set_random(pair.random);
  auto w = pair.initiator.wrap(bytes_of(4), true);
  REQUIRE(w);
  auto u = pair.acceptor.unwrap(*w);
  REQUIRE(u);  // the failure consumed no sequence number: no gap
}

TEST_CASE("make() refuses what RFC 4121 tokens cannot use") {
  SecurityContext::Params empty;
  auto r = SecurityContext::make(std::move(empty));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == major_status::kFailure);

#if KERB_WITH_RC4_HMAC  // without it an rc4-hmac key cannot even be made
  crypto::Policy weak = crypto::Policy::defaults();
  weak.allow_rc4_hmac();
  const kerb::test::Bytes raw(16, 0x42);
  auto rc4 = crypto::Key::from_bytes(crypto::EncType::kRc4Hmac, raw, weak);
  REQUIRE(rc4);
  SecurityContext::Params p;
  p.key = *rc4;
  p.endtime = kEndtime;
  auto r2 = SecurityContext::make(std::move(p));
  REQUIRE_FALSE(r2);
  CHECK(r2.error().category() == ErrorCategory::kPolicy);
#endif
}

TEST_CASE("A context that is not established refuses everything with kNoContext") {
  SecurityContext none;
  CHECK_FALSE(none.established());
  CHECK(none.wrap_size(10, true) == 0);
  CHECK(none.mic_size() == 0);
  CHECK(none.flags() == 0);
  CHECK(none.initiator().realm().empty());
  auto check = [](const Error& e) { CHECK(e.code() == major_status::kNoContext); };
  check(none.wrap(bytes_of(3), true).error());
  kerb::test::Bytes buf(64, 0x11);
  check(none.wrap(bytes_of(3), true, buf).error());
  check(none.unwrap(bytes_of(30)).error());
  check(none.unwrap(bytes_of(30), buf).error());
  check(none.get_mic(bytes_of(3)).error());
  check(none.verify_mic(bytes_of(3), bytes_of(28)).error());
  check(none.export_context().error());

  Pair pair(crypto::EncType::kAes256CtsHmacSha1_96);
  CHECK(pair.initiator.established());
  CHECK(pair.initiator.role() == Role::kInitiator);
  CHECK(pair.acceptor.role() == Role::kAcceptor);
  CHECK(pair.initiator.endtime() == kEndtime);
  CHECK(pair.initiator.acceptor().to_string() == "HTTP/www.example.com@EXAMPLE.COM");
  CHECK(pair.acceptor.initiator().to_string() == "alice@EXAMPLE.COM");
  auto token = pair.initiator.wrap(bytes_of(3), true);
  REQUIRE(token);
  pair.acceptor.destroy();
  CHECK_FALSE(pair.acceptor.established());
  check(pair.acceptor.unwrap(*token).error());

  // Moving hands the context over.
  SecurityContext moved = std::move(pair.initiator);
  CHECK(moved.established());
  CHECK_FALSE(pair.initiator.established());  // NOLINT(bugprone-use-after-move)
}

TEST_CASE("wrap and unwrap refuse overlapping buffers without touching them") {
  Pair pair(crypto::EncType::kAes128CtsHmacSha1_96);
  for (bool conf : {true, false}) {
    CAPTURE(conf);
    auto token = pair.initiator.wrap(bytes_of(20), conf);
    REQUIRE(token);
    kerb::test::Bytes inplace = *token;
    auto u = pair.acceptor.unwrap(inplace, inplace);
    REQUIRE_FALSE(u);
    CHECK(u.error().category() == ErrorCategory::kInvalidArgument);
    CHECK(inplace == *token);
    // Shifted by one octet: still overlapping.
    kerb::test::Bytes shifted(token->size() + 1);
    std::copy(token->begin(), token->end(), shifted.begin());
    auto u2 =
        pair.acceptor.unwrap(ByteView(shifted).first(token->size()), std::span(shifted).subspan(1));
    REQUIRE_FALSE(u2);
    CHECK(u2.error().category() == ErrorCategory::kInvalidArgument);
    CHECK(pair.acceptor.unwrap(*token));

    kerb::test::Bytes buf(pair.initiator.wrap_size(20, conf) + 20, 0x33);
    auto w = pair.initiator.wrap(ByteView(buf).first(20), conf, std::span(buf).subspan(10));
    REQUIRE_FALSE(w);
    CHECK(w.error().category() == ErrorCategory::kInvalidArgument);
    CHECK(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0x33; }));
    // Adjacent is fine.
    auto w2 = pair.initiator.wrap(ByteView(buf).first(20), conf, std::span(buf).subspan(20));
    REQUIRE(w2);
    auto p = pair.acceptor.unwrap(ByteView(buf).subspan(20, *w2));
    REQUIRE(p);
    CHECK(*p == kerb::test::Bytes(20, 0x33));
  }
}
