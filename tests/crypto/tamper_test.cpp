// Tamper loops (DESIGN.md conventions 10 and 12): for every enctype, every single-bit flip,
// every truncation and an extension of a ciphertext is rejected with kCrypto and leaves the
// output buffer wiped; the same for every keyed checksum.
#include <catch2/catch.hpp>

#include <algorithm>

#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;

namespace {

Policy weak_ok() {
  return Policy::defaults().allow_rc4_hmac();
}

bool all_zero(const Bytes& v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

TEST_CASE("tamper: every bit flip, truncation and extension of a ciphertext is rejected",
          "[crypto][tamper]") {
  CountingRandom rng;
  for (EncType e : kImplementedEnctypes) {
    auto key = Key::generate(e, rng, weak_ok());
    REQUIRE(key.ok());
    auto u = UsageKey::derive(*key, 12);
    REQUIRE(u.ok());
    // Lengths around the CTS edge cases: empty, partial block, one block, block + 1.
    for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 40u}) {
      INFO(enctype_name(e) << ", plaintext " << n << " bytes");
      Bytes pt(n);
      for (std::size_t i = 0; i < n; ++i)
        pt[i] = static_cast<std::uint8_t>(0xC0 + i);
      Bytes ct(u->ciphertext_size(n));
      REQUIRE(u->encrypt(pt, ct, rng).ok());

      Bytes out(n, 0xCC);
      auto good = u->decrypt(ct, out);
      REQUIRE(good.ok());
      REQUIRE(out == pt);

      std::size_t rejected = 0;
      for (std::size_t bit = 0; bit < 8 * ct.size(); ++bit) {
        Bytes bad = ct;
        bad[bit / 8] = static_cast<std::uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
        std::fill(out.begin(), out.end(), 0xCC);
        auto r = u->decrypt(bad, out);
        if (!r.ok() && r.error().category() == kerb::ErrorCategory::kCrypto && all_zero(out)) {
          ++rejected;
        }
      }
      CHECK(rejected == 8 * ct.size());

      for (std::size_t len = 0; len < ct.size(); ++len) {
        Bytes shorter(ct.begin(), ct.begin() + static_cast<std::ptrdiff_t>(len));
        Bytes big(ct.size(), 0xCC);  // room for any plaintext the short input could claim
        auto r = u->decrypt(shorter, big);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().category() == kerb::ErrorCategory::kCrypto);
        auto claimed = u->plaintext_size(len);
        if (claimed.ok()) {
          CHECK(all_zero(Bytes(big.begin(), big.begin() + static_cast<std::ptrdiff_t>(*claimed))));
        }
      }

      Bytes longer = ct;
      longer.push_back(0);
      Bytes big(ct.size(), 0xCC);
      auto r = u->decrypt(longer, big);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().category() == kerb::ErrorCategory::kCrypto);
      CHECK(all_zero(Bytes(big.begin(), big.begin() + static_cast<std::ptrdiff_t>(n + 1))));
    }
  }
}

TEST_CASE("tamper: every bit flip and truncation of a keyed checksum is rejected",
          "[crypto][tamper]") {
  CountingRandom rng;
  const Bytes data = bytes("KRB-SAFE body that is being protected");
  for (EncType e : kImplementedEnctypes) {
    INFO(enctype_name(e));
    auto key = Key::generate(e, rng, weak_ok());
    REQUIRE(key.ok());
    auto c = ChecksumKey::derive(*key, 15);
    REQUIRE(c.ok());
    CHECK(c->type() == key->info()->checksum_type);
    CHECK(c->size() == key->info()->checksum_size);
    Bytes mac(c->size());
    REQUIRE(c->make(data, mac).ok());
    REQUIRE(c->verify(data, mac).ok());

    for (std::size_t bit = 0; bit < 8 * mac.size(); ++bit) {
      Bytes bad = mac;
      bad[bit / 8] = static_cast<std::uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
      auto r = c->verify(data, bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().category() == kerb::ErrorCategory::kCrypto);
    }
    for (std::size_t len = 0; len < mac.size(); ++len) {
      CHECK_FALSE(
          c->verify(data, Bytes(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(len))).ok());
    }
    Bytes longer = mac;
    longer.push_back(0);
    CHECK_FALSE(c->verify(data, longer).ok());
    for (std::size_t bit = 0; bit < 8 * data.size(); ++bit) {
      Bytes bad = data;
      bad[bit / 8] = static_cast<std::uint8_t>(bad[bit / 8] ^ (1u << (bit % 8)));
      CHECK_FALSE(c->verify(bad, mac).ok());
    }
    // Usage separation: the same key under another usage does not verify.
    CHECK_FALSE(verify_keyed(*key, 16, c->type(), data, mac).ok());
  }
}
