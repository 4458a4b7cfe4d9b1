// Policy and the API's refusals: weak and unsupported enctypes, unkeyed checksums where a
// keyed one is required, buffer sizes, and error text that never carries key material.
#include <catch2/catch.hpp>

#include <string>

#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;
using kerb::ErrorCategory;

namespace {

std::string detail(const kerb::Error& e) {
  return std::string(e.detail());
}

}  // namespace

TEST_CASE("policy: default order is 18, 17, 20, 19, 26, 25", "[crypto][policy]") {
  const Policy p = Policy::defaults();
  std::vector<int> got;
  for (EncType e : p.enctypes())
    got.push_back(static_cast<int>(e));
#if KERB_WITH_CAMELLIA
  CHECK(got == std::vector<int>{18, 17, 20, 19, 26, 25});
#else
  CHECK(got == std::vector<int>{18, 17, 20, 19});  // Camellia is not built in
#endif
  CHECK_FALSE(p.allows_weak());
  for (EncType e : p.enctypes())
    CHECK(p.check(e).ok());
}

#if KERB_WITH_RC4_HMAC  // without it, features_test.cpp checks the refusal
TEST_CASE("policy: rc4-hmac is refused unless explicitly allowed", "[crypto][policy][rc4]") {
  const Bytes k16(16, 7);
  auto r = Key::from_bytes(EncType::kRc4Hmac, k16);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kPolicy);
  CHECK(detail(r.error()).find("rc4-hmac") != std::string::npos);
  CHECK_FALSE(Key::from_password(EncType::kRc4Hmac, "password", {}).ok());
  CountingRandom rng;
  CHECK_FALSE(Key::generate(EncType::kRc4Hmac, rng).ok());
  CHECK(Policy::defaults().check(EncType::kRc4Hmac).error().category() == ErrorCategory::kPolicy);

  auto listed =
      Policy::from_list(std::vector<EncType>{EncType::kAes256CtsHmacSha1_96, EncType::kRc4Hmac});
  REQUIRE_FALSE(listed.ok());
  CHECK(listed.error().category() == ErrorCategory::kPolicy);

  Policy weak = Policy::defaults();
  weak.allow_rc4_hmac();
  CHECK(weak.allows_weak());
  CHECK(weak.enctypes().back() == EncType::kRc4Hmac);  // last in preference
  CHECK(Key::from_bytes(EncType::kRc4Hmac, k16, weak).ok());
  auto explicit_list = Policy::from_list(std::vector<EncType>{EncType::kRc4Hmac}, true);
  REQUIRE(explicit_list.ok());
  CHECK(Key::from_bytes(EncType::kRc4Hmac, k16, *explicit_list).ok());
}
#endif

TEST_CASE("policy: DES and 3DES are named as weak or unsupported, never implemented",
          "[crypto][policy]") {
  Policy weak = Policy::defaults();
  weak.allow_rc4_hmac();  // even with weak crypto allowed
  for (int n : {1, 2, 3, 5, 7, 16, 24}) {
    const auto e = static_cast<EncType>(n);
    INFO("enctype " << n);
    CHECK(find_enctype(e) == nullptr);
    auto r = Key::from_bytes(e, Bytes(24, 1), weak);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kPolicy);
    CHECK(detail(r.error()).find("weak or unsupported") != std::string::npos);
    CHECK(detail(r.error()).find(std::string(enctype_name(e))) != std::string::npos);
    CHECK_FALSE(Key::from_password(e, "password", bytes("salt"), {}, weak).ok());
    CHECK_FALSE(Policy::from_list(std::vector<EncType>{e}, true).ok());
    CHECK(ciphertext_size(e, 10) == 0);
    CHECK_FALSE(plaintext_size(e, 100).ok());
  }
  auto unknown = Key::from_bytes(static_cast<EncType>(99), Bytes(16), weak);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().category() == ErrorCategory::kPolicy);
}

TEST_CASE("policy: an enctype left out of an explicit list is refused", "[crypto][policy]") {
  auto only17 = Policy::from_list(std::vector<EncType>{EncType::kAes128CtsHmacSha1_96});
  REQUIRE(only17.ok());
  CHECK(Key::from_bytes(EncType::kAes128CtsHmacSha1_96, Bytes(16), *only17).ok());
  auto r = Key::from_bytes(EncType::kAes256CtsHmacSha1_96, Bytes(32), *only17);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kPolicy);
  CHECK(detail(r.error()).find("not permitted") != std::string::npos);
  CHECK_FALSE(Policy::from_list(std::vector<EncType>{}).ok());
  CHECK_FALSE(Policy::from_list(std::vector<EncType>{EncType::kAes128CtsHmacSha1_96,
                                                     EncType::kAes128CtsHmacSha1_96})
                  .ok());
}

namespace {

Bytes iterations_be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

}  // namespace

TEST_CASE(
    "policy: the default s2k iteration limit is the build's KERB_MAX_S2K_ITERATIONS, above "
    "MIT's KDC defaults (4096, 32768) and below MIT's own ceiling 2^24",
    "[crypto][policy][s2k]") {
  const Policy p = Policy::defaults();
  CHECK(p.s2k_iteration_limit() == KERB_MAX_S2K_ITERATIONS);
  CHECK(p.s2k_iteration_limit() >= 32768u);
  CHECK(p.s2k_iteration_limit() < (1u << 24));
  // An enctype list made from krb5.conf keeps the default limit.
  auto listed = Policy::from_list(std::vector<EncType>{EncType::kAes256CtsHmacSha1_96});
  REQUIRE(listed.ok());
  CHECK(listed->s2k_iteration_limit() == KERB_MAX_S2K_ITERATIONS);
  // A count one past the default limit is refused before any derivation, naming both.
  const Bytes salt = bytes("EXAMPLE.COMuser");
  auto r = Key::from_password(EncType::kAes256CtsHmacSha1_96, "pw", salt,
                              iterations_be32(KERB_MAX_S2K_ITERATIONS + 1));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kPolicy);
  CHECK(detail(r.error()).find(std::to_string(KERB_MAX_S2K_ITERATIONS + 1)) != std::string::npos);
  CHECK(detail(r.error()).find(std::to_string(KERB_MAX_S2K_ITERATIONS)) != std::string::npos);
}

TEST_CASE(
    "policy: max_s2k_iterations(n) accepts s2kparams up to n and refuses n + 1 with a kPolicy "
    "error naming count and limit, omitted s2kparams are not affected",
    "[crypto][policy][s2k]") {
  const Bytes salt = bytes("EXAMPLE.COMuser");
  Policy p = Policy::defaults();
  p.max_s2k_iterations(40000);
  CHECK(p.s2k_iteration_limit() == 40000u);
  for (EncType e : {EncType::kAes256CtsHmacSha1_96, EncType::kAes256CtsHmacSha384_192}) {
    INFO(enctype_name(e));
    // At the limit: the same key the default policy derives for that count.
    auto at = Key::from_password(e, "pw", salt, iterations_be32(40000), p);
    auto reference = Key::from_password(e, "pw", salt, iterations_be32(40000));
    REQUIRE(at.ok());
    REQUIRE(reference.ok());
    CHECK(to_hex(at->expose_secret()) == to_hex(reference->expose_secret()));

    auto over = Key::from_password(e, "pw", salt, iterations_be32(40001), p);
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().category() == ErrorCategory::kPolicy);
    CHECK(detail(over.error()) ==
          "string-to-key iteration count 40001 exceeds the policy limit of 40000");
    // The enctype's own default count (4096, 32768) needs no s2kparams and no permission.
    CHECK(Key::from_password(e, "pw", salt, {}, p).ok());
  }
  // Lower than an enctype's default: explicit counts are refused, omitted ones still work.
  p.max_s2k_iterations(1000);
  CHECK_FALSE(
      Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt, iterations_be32(4096), p)
          .ok());
  CHECK(Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt, {}, p).ok());
  // No policy can lift MIT's ceiling.
  p.max_s2k_iterations(0xFFFFFFFFu);
  CHECK(p.s2k_iteration_limit() == kMaxStringToKeyIterations);
  auto beyond = Key::from_password(EncType::kAes128CtsHmacSha1_96, "pw", salt,
                                   iterations_be32(kMaxStringToKeyIterations + 1), p);
  REQUIRE_FALSE(beyond.ok());
  CHECK(beyond.error().category() == ErrorCategory::kPolicy);
}

TEST_CASE("checksums: unkeyed types are refused where a keyed checksum is required",
          "[crypto][policy][checksum]") {
  auto key = Key::from_bytes(EncType::kAes256CtsHmacSha1_96, Bytes(32, 3));
  REQUIRE(key.ok());
  const Bytes data = bytes("data");
  for (CksumType t : {CksumType::kCrc32, CksumType::kRsaMd5, CksumType::kSha1}) {
    INFO(checksum_name(t));
    // Computing one for display is fine...
    Bytes digest(20);
    auto d = compute_unkeyed(t, data, digest);
    REQUIRE(d.ok());
    // ...but it never satisfies a keyed verification, even when it matches.
    auto r = verify_keyed(*key, 10, t, data,
                          Bytes(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(*d)));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kPolicy);
    CHECK(detail(r.error()).find("unkeyed") != std::string::npos);
    CHECK_FALSE(ChecksumKey::derive(*key, 10, t).ok());
  }
  // DES/3DES-based and MD4 checksums are not implemented at all.
  for (CksumType t : {CksumType::kRsaMd4, CksumType::kRsaMd4Des, CksumType::kDesMac,
                      CksumType::kRsaMd5Des, CksumType::kHmacSha1Des3Kd}) {
    INFO(checksum_name(t));
    auto r = verify_keyed(*key, 10, t, data, Bytes(16));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kPolicy);
    CHECK(detail(r.error()).find("weak or unsupported") != std::string::npos);
    Bytes out(32);
    CHECK_FALSE(compute_unkeyed(t, data, out).ok());
  }
  // A keyed type is not an unkeyed digest.
  Bytes out(32);
  auto k = compute_unkeyed(CksumType::kHmacSha1_96Aes256, data, out);
  REQUIRE_FALSE(k.ok());
  CHECK(k.error().category() == ErrorCategory::kInvalidArgument);
  // A keyed type for another key's enctype.
  auto m = verify_keyed(*key, 10, CksumType::kHmacSha1_96Aes128, data, Bytes(12));
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().category() == ErrorCategory::kCrypto);
  CHECK(find_checksum(CksumType::kHmacSha1_96Aes128)->size == 12);
}

TEST_CASE("sizes, buffers and misuse", "[crypto][api]") {
  CountingRandom rng;
  auto key = Key::generate(EncType::kAes128CtsHmacSha256_128, rng);
  REQUIRE(key.ok());
  CHECK(ciphertext_size(EncType::kAes128CtsHmacSha256_128, 100) == 16 + 100 + 16);
  CHECK(ciphertext_size(EncType::kAes256CtsHmacSha384_192, 100) == 16 + 100 + 24);
  CHECK(*plaintext_size(EncType::kAes256CtsHmacSha1_96, 16 + 12 + 5) == 5);
  CHECK(plaintext_size(EncType::kAes256CtsHmacSha1_96, 27).error().category() ==
        ErrorCategory::kCrypto);

  auto u = UsageKey::derive(*key, 1);
  REQUIRE(u.ok());
  CHECK(u->enctype() == EncType::kAes128CtsHmacSha256_128);
  CHECK(u->usage() == 1);
  const Bytes pt = bytes("hello");
  Bytes small(u->ciphertext_size(pt.size()) - 1);
  auto e = u->encrypt(pt, small, rng);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().category() == ErrorCategory::kBufferTooSmall);
  Bytes ct(u->ciphertext_size(pt.size()) + 10);  // larger is fine; the length is returned
  auto w = u->encrypt(pt, ct, rng);
  REQUIRE(w.ok());
  ct.resize(*w);
  Bytes out(pt.size() - 1);
  auto d = u->decrypt(ct, out);
  REQUIRE_FALSE(d.ok());
  CHECK(d.error().category() == ErrorCategory::kBufferTooSmall);
  // A copy of a UsageKey works the same.
  UsageKey copy = *u;
  Bytes back(pt.size());
  REQUIRE(copy.decrypt(ct, back).ok());
  CHECK(back == pt);

  UsageKey empty;
  CHECK(empty.empty());
  CHECK(empty.encrypt(pt, ct, rng).error().category() == ErrorCategory::kInvalidArgument);
  CHECK_FALSE(UsageKey::derive(Key{}, 1).ok());
  CHECK_FALSE(ChecksumKey::derive(Key{}, 1).ok());

  // A failing Random fails the encryption rather than using a predictable confounder.
  FixedRandom dry({});
  auto f = u->encrypt(pt, ct, dry);
  REQUIRE_FALSE(f.ok());

  std::uint8_t tiny[4];
  CHECK(prf(*key, pt, tiny).error().category() == ErrorCategory::kBufferTooSmall);
  CHECK(make_checksum(*key, 1, pt, tiny).error().category() == ErrorCategory::kBufferTooSmall);

  CHECK(Key::from_bytes(EncType::kAes128CtsHmacSha1_96, Bytes(15)).error().category() ==
        ErrorCategory::kCrypto);
  CHECK(Key::random_to_key(EncType::kAes256CtsHmacSha1_96, Bytes(31)).error().category() ==
        ErrorCategory::kInvalidArgument);
}

TEST_CASE("errors never quote key material", "[crypto][secret]") {
  const Bytes secret = bytes("SECRETKEYBYTES!!");  // 16 printable bytes
  auto key = Key::from_bytes(EncType::kAes128CtsHmacSha1_96, secret);
  REQUIRE(key.ok());
  Bytes garbage(60, 0x11);
  Bytes out(60);
  auto d = decrypt(*key, 2, garbage, out);
  REQUIRE_FALSE(d.ok());
  auto wrong_size = Key::from_bytes(EncType::kAes256CtsHmacSha1_96, secret);
  REQUIRE_FALSE(wrong_size.ok());
  auto rc4 = Key::from_bytes(EncType::kRc4Hmac, secret);
  REQUIRE_FALSE(rc4.ok());
  for (const kerb::Error& e : {d.error(), wrong_size.error(), rc4.error()}) {
    const std::string s = detail(e);
    INFO(s);
    CHECK(s.find("SECRET") == std::string::npos);
    CHECK(s.find(to_hex(secret).substr(0, 8)) == std::string::npos);
  }
}
