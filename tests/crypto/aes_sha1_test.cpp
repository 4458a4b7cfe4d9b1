// aes128/256-cts-hmac-sha1-96 (RFC 3962): string-to-key vectors from Appendix B, the
// default iteration count, and encrypt/checksum/PRF behaviour.
#include <catch2/catch.hpp>

#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;

namespace {

Bytes be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// The RFC's counts (1, 2, 5, 50, 1200) are below the 4096 default, which kerb refuses
// unless the policy explicitly allows weak s2kparams.
Policy low_counts_ok() {
  return Policy::defaults().allow_weak_s2kparams();
}

std::string s2k(EncType e, const std::string& password, const Bytes& salt, std::uint32_t iter) {
  auto k = Key::from_password(e, password, salt, be32(iter), low_counts_ok());
  REQUIRE(k.ok());
  CHECK(k->enctype() == e);
  return to_hex(k->expose_secret());
}

}  // namespace

TEST_CASE("aes-sha1 string-to-key: RFC 3962 Appendix B", "[crypto][aes-sha1][rfc3962]") {
  struct Vec {
    std::string password;
    Bytes salt;
    std::uint32_t iterations;
    const char* aes128;
    const char* aes256;
  };
  const Vec vecs[] = {
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 1, "42263c6e89f4fc28b8df68ee09799f15",
       "fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161"},
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 2, "c651bf29e2300ac27fa469d693bdda13",
       "a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff"},
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 1200, "4c01cd46d632d01e6dbe230a01ed642a",
       "55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a"},
      {"password", hex("1234567878563412"), 5, "e9b23d52273747dd5c35cb55be619d8e",
       "97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31"},
      {std::string(64, 'X'), bytes("pass phrase equals block size"), 1200,
       "59d1bb789a828b1aa54ef9c2883f69ed",
       "89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34"},
      {std::string(65, 'X'), bytes("pass phrase exceeds block size"), 1200,
       "cb8005dc5f90179a7f02104c0018751d",
       "d78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b"},
      {"\xf0\x9d\x84\x9e" /* g-clef U+1011E */, bytes("EXAMPLE.COMpianist"), 50,
       "f149c1f2e154a73452d43e7fe62a56e5",
       "4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e"},
  };
  for (const Vec& v : vecs) {
    INFO("iterations " << v.iterations << ", password length " << v.password.size());
    CHECK(s2k(EncType::kAes128CtsHmacSha1_96, v.password, v.salt, v.iterations) == v.aes128);
    CHECK(s2k(EncType::kAes256CtsHmacSha1_96, v.password, v.salt, v.iterations) == v.aes256);
  }
}

TEST_CASE("aes-sha1 string-to-key: absent s2kparams means 4096 iterations (RFC 3962 §4)",
          "[crypto][aes-sha1][rfc3962]") {
  const Bytes salt = bytes("EXAMPLE.COMuser");
  auto dflt = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt);
  auto explicit4096 = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt, be32(4096));
  REQUIRE(dflt.ok());
  REQUIRE(explicit4096.ok());
  CHECK(to_hex(dflt->expose_secret()) == to_hex(explicit4096->expose_secret()));
  // Malformed and excessive parameters.
  auto bad = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt, hex("0010"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category() == kerb::ErrorCategory::kInvalidArgument);
  auto huge = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt, hex("00000000"));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().category() == kerb::ErrorCategory::kPolicy);
  huge = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt,
                            be32(kMaxStringToKeyIterations + 1));
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().category() == kerb::ErrorCategory::kPolicy);
  CHECK(kMaxStringToKeyIterations + 1 == (1u << 24));  // MIT's limit: 2^24 is refused
}

TEST_CASE("string-to-key refuses s2kparams below the enctype default unless allowed",
          "[crypto][aes-sha1][policy]") {
  const Bytes salt = bytes("EXAMPLE.COMuser");
  const EncType enctypes[] = {
    EncType::kAes128CtsHmacSha1_96,
    EncType::kAes256CtsHmacSha1_96,
    EncType::kAes128CtsHmacSha256_128,
#if KERB_WITH_CAMELLIA
    EncType::kCamellia128CtsCmac,
#endif
  };
  for (EncType e : enctypes) {
    const std::uint32_t dflt = find_enctype(e)->default_iterations;
    INFO(enctype_name(e) << " default " << dflt);
    for (std::uint32_t n : {1u, dflt - 1}) {
      auto r = Key::from_password(e, "pw", salt, be32(n));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().category() == kerb::ErrorCategory::kPolicy);
    }
    CHECK(Key::from_password(e, "pw", salt, be32(2), low_counts_ok()).ok());
    CHECK(Key::from_password(e, "pw", salt, be32(dflt)).ok());
  }
}

TEST_CASE("aes-sha1 round trip at every plaintext length 0..70, UsageKey and one-shot",
          "[crypto][aes-sha1]") {
  for (EncType e : {EncType::kAes128CtsHmacSha1_96, EncType::kAes256CtsHmacSha1_96}) {
    CountingRandom rng;
    auto key = Key::generate(e, rng);
    REQUIRE(key.ok());
    auto u = UsageKey::derive(*key, 7);
    REQUIRE(u.ok());
    for (std::size_t n = 0; n <= 70; ++n) {
      Bytes pt(n, static_cast<std::uint8_t>(n));
      Bytes ct(u->ciphertext_size(n));
      CHECK(ct.size() == 16 + n + 12);
      auto w = u->encrypt(pt, ct, rng);
      REQUIRE(w.ok());
      CHECK(*w == ct.size());
      Bytes back(n);
      auto r = decrypt(*key, 7, ct, back);  // the one-shot path derives the same keys
      REQUIRE(r.ok());
      CHECK(*r == n);
      CHECK(back == pt);
      // A different usage derives different keys: integrity failure.
      auto wrong = decrypt(*key, 8, ct, back);
      REQUIRE_FALSE(wrong.ok());
      CHECK(wrong.error().category() == kerb::ErrorCategory::kCrypto);
    }
  }
}
