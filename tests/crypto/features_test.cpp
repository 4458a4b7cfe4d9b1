// The optional enctypes (kerb/crypto/features.hpp: KERB_WITH_CAMELLIA, KERB_WITH_RC4_HMAC).
// In every build the tables agree with the header and the names stay known; in a build without
// one, every way of using it fails with the same kCrypto "not built into this kerb" error and
// nothing else changes. (With both built, the per-profile tests cover them.)
#include <catch2/catch.hpp>

#include <string>

#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/features.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;
using kerb::ErrorCategory;

TEST_CASE("features: the enctype and checksum tables agree with kerb/crypto/features.hpp",
          "[crypto][features]") {
  CHECK((find_enctype(EncType::kCamellia128CtsCmac) != nullptr) == bool(KERB_WITH_CAMELLIA));
  CHECK((find_enctype(EncType::kCamellia256CtsCmac) != nullptr) == bool(KERB_WITH_CAMELLIA));
  CHECK((find_checksum(CksumType::kCmacCamellia128) != nullptr) == bool(KERB_WITH_CAMELLIA));
  CHECK((find_checksum(CksumType::kCmacCamellia256) != nullptr) == bool(KERB_WITH_CAMELLIA));
  CHECK((find_enctype(EncType::kRc4Hmac) != nullptr) == bool(KERB_WITH_RC4_HMAC));
  CHECK((find_checksum(CksumType::kHmacMd5) != nullptr) == bool(KERB_WITH_RC4_HMAC));
  // Built or not, the numbers keep their names (logs, krbdump, error text).
  CHECK(enctype_name(EncType::kCamellia128CtsCmac) == "camellia128-cts-cmac");
  CHECK(enctype_name(EncType::kCamellia256CtsCmac) == "camellia256-cts-cmac");
  CHECK(enctype_name(EncType::kRc4Hmac) == "rc4-hmac");
  CHECK(checksum_name(CksumType::kCmacCamellia128) == "cmac-camellia128");
  CHECK(checksum_name(CksumType::kHmacMd5) == "hmac-md5");
  // AES is never optional.
  for (EncType e : {EncType::kAes128CtsHmacSha1_96, EncType::kAes256CtsHmacSha1_96,
                    EncType::kAes128CtsHmacSha256_128, EncType::kAes256CtsHmacSha384_192}) {
    CHECK(find_enctype(e) != nullptr);
    CHECK(Policy::defaults().permits(e));
  }
}

#if !KERB_WITH_CAMELLIA || !KERB_WITH_RC4_HMAC

namespace {

std::string detail(const kerb::Error& e) {
  return std::string(e.detail());
}

// Every entry point that takes an enctype refuses `e` with kCrypto and exactly `message`.
void check_not_built(EncType e, std::size_t key_size, const std::string& message) {
  INFO(message);
  Policy weak = Policy::defaults();
  weak.allow_rc4_hmac().allow_weak_s2kparams();
  const Bytes key_bytes(key_size, 0x5A);
  const auto expect = [&](const kerb::Error& error) {
    CHECK(error.category() == ErrorCategory::kCrypto);
    CHECK(detail(error) == message);
  };
  CHECK(find_enctype(e) == nullptr);
  for (const Policy& policy : {Policy::defaults(), weak}) {
    CHECK_FALSE(policy.permits(e));
    auto checked = policy.check(e);
    REQUIRE_FALSE(checked.ok());
    expect(checked.error());
    auto from_bytes = Key::from_bytes(e, key_bytes, policy);
    REQUIRE_FALSE(from_bytes.ok());
    expect(from_bytes.error());
    auto from_password = Key::from_password(e, "password", bytes("EXAMPLE.COMuser"), {}, policy);
    REQUIRE_FALSE(from_password.ok());
    expect(from_password.error());
    auto random_to_key = Key::random_to_key(e, key_bytes, policy);
    REQUIRE_FALSE(random_to_key.ok());
    expect(random_to_key.error());
    CountingRandom rng;
    auto generated = Key::generate(e, rng, policy);
    REQUIRE_FALSE(generated.ok());
    expect(generated.error());
  }
  for (bool allow_weak : {false, true}) {
    auto listed =
        Policy::from_list(std::vector<EncType>{EncType::kAes256CtsHmacSha1_96, e}, allow_weak);
    REQUIRE_FALSE(listed.ok());
    expect(listed.error());
  }
  CHECK(ciphertext_size(e, 10) == 0);
  auto size = plaintext_size(e, 100);
  REQUIRE_FALSE(size.ok());
  expect(size.error());
}

// A keyed checksum type that is not built: refused with kCrypto for any key, never computed.
void check_checksum_not_built(CksumType type, const std::string& message) {
  INFO(message);
  CHECK(find_checksum(type) == nullptr);
  auto key = Key::from_bytes(EncType::kAes128CtsHmacSha1_96, Bytes(16, 3));
  REQUIRE(key.ok());
  const Bytes data = bytes("data");
  auto derived = ChecksumKey::derive(*key, 10, type);
  REQUIRE_FALSE(derived.ok());
  CHECK(derived.error().category() == ErrorCategory::kCrypto);
  CHECK(detail(derived.error()) == message);
  auto verified = verify_keyed(*key, 10, type, data, Bytes(16));
  REQUIRE_FALSE(verified.ok());
  CHECK(detail(verified.error()) == message);
  Bytes out(32);
  auto unkeyed = compute_unkeyed(type, data, out);
  REQUIRE_FALSE(unkeyed.ok());
  CHECK(detail(unkeyed.error()) == message);
}

}  // namespace

#endif

#if !KERB_WITH_CAMELLIA
TEST_CASE("features: without Camellia, 25 and 26 are known by name but refused as not built",
          "[crypto][features][camellia]") {
  check_not_built(EncType::kCamellia128CtsCmac, 16,
                  "enctype camellia128-cts-cmac (25) is not built into this kerb "
                  "(KERB_WITH_CAMELLIA=OFF)");
  check_not_built(EncType::kCamellia256CtsCmac, 32,
                  "enctype camellia256-cts-cmac (26) is not built into this kerb "
                  "(KERB_WITH_CAMELLIA=OFF)");
  check_checksum_not_built(CksumType::kCmacCamellia128,
                           "checksum type cmac-camellia128 (17) is not built into this kerb "
                           "(KERB_WITH_CAMELLIA=OFF)");
  check_checksum_not_built(CksumType::kCmacCamellia256,
                           "checksum type cmac-camellia256 (18) is not built into this kerb "
                           "(KERB_WITH_CAMELLIA=OFF)");
  // The default list is the AES part of the usual one, in the same order.
  std::vector<int> got;
  for (EncType e : Policy::defaults().enctypes())
    got.push_back(static_cast<int>(e));
  CHECK(got == std::vector<int>{18, 17, 20, 19});
}
#endif

#if !KERB_WITH_RC4_HMAC
TEST_CASE("features: without rc4-hmac, 23 is known by name but refused as not built",
          "[crypto][features][rc4]") {
  check_not_built(EncType::kRc4Hmac, 16,
                  "enctype rc4-hmac (23) is not built into this kerb (KERB_WITH_RC4_HMAC=OFF)");
  check_checksum_not_built(
      CksumType::kHmacMd5,
      "checksum type hmac-md5 (-138) is not built into this kerb (KERB_WITH_RC4_HMAC=OFF)");
  // allow_rc4_hmac() has nothing to allow: the policy stays exactly as it was.
  const Policy before = Policy::defaults();
  Policy after = Policy::defaults();
  after.allow_rc4_hmac();
  CHECK_FALSE(after.allows_weak());
  REQUIRE(after.enctypes().size() == before.enctypes().size());
  for (std::size_t i = 0; i < before.enctypes().size(); ++i)
    CHECK(after.enctypes()[i] == before.enctypes()[i]);
  auto only_aes = Policy::from_list(std::vector<EncType>{EncType::kAes128CtsHmacSha1_96});
  REQUIRE(only_aes.ok());
  only_aes->allow_rc4_hmac();
  CHECK(only_aes->enctypes().size() == 1);
  CHECK_FALSE(only_aes->allows_weak());
}
#endif
