// Shared pieces of the differential tests: a seeded PRNG, random Kerberos-shaped inputs, and
// a failure log that prints the seed and every input of a failing case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>

#include "mit_oracle.hpp"

namespace kerb_test {

namespace crypto = kerb::crypto;
using ::kerb::test::to_hex;
using mit::Bytes;
using mit::View;

// xoshiro256** seeded through splitmix64: fast, and the same sequence on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept;
  std::uint64_t next() noexcept;
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(next() >> 32); }
  std::size_t below(std::size_t n) noexcept;                     // [0, n), n > 0
  std::size_t between(std::size_t lo, std::size_t hi) noexcept;  // [lo, hi]
  bool percent(unsigned p) noexcept { return below(100) < p; }
  void fill(std::span<std::uint8_t> out) noexcept;
  Bytes bytes(std::size_t n);

 private:
  std::uint64_t s_[4];
};

// A kerb Random that draws confounders from an Rng, so a failing case replays exactly.
class RngRandom final : public crypto::Random {
 public:
  explicit RngRandom(Rng& rng) noexcept : rng_(rng) {}
  kerb::Result<void> fill(std::span<std::uint8_t> out) override;

 private:
  Rng& rng_;
};

// Every enctype this kerb is built with (kerb/crypto/features.hpp); rc4-hmac (23) needs the
// weak switch.
inline constexpr crypto::EncType kAllEnctypes[] = {
    crypto::EncType::kAes128CtsHmacSha1_96,
    crypto::EncType::kAes256CtsHmacSha1_96,
    crypto::EncType::kAes128CtsHmacSha256_128,
    crypto::EncType::kAes256CtsHmacSha384_192,
#if KERB_WITH_RC4_HMAC
    crypto::EncType::kRc4Hmac,
#endif
#if KERB_WITH_CAMELLIA
    crypto::EncType::kCamellia128CtsCmac,
    crypto::EncType::kCamellia256CtsCmac,
#endif
};

// The default policy plus Policy::allow_rc4_hmac(): accepts all of them. Like MIT by default,
// it refuses s2kparams below the enctype's default iteration count.
const crypto::Policy& weak_policy();
// weak_policy() plus Policy::allow_weak_s2kparams(): low iteration counts too (MIT's
// counterpart is its k5_allow_weak_pbkdf2iter test switch).
const crypto::Policy& weak_s2k_policy();

inline std::int32_t num(crypto::EncType e) {
  return static_cast<std::int32_t>(e);
}
inline std::int32_t num(crypto::CksumType c) {
  return static_cast<std::int32_t>(c);
}
const crypto::EncTypeInfo& info_of(crypto::EncType e);  // aborts the test if absent
crypto::Key key_of(crypto::EncType e, View bytes);      // Key::from_bytes under weak_policy()

inline View view_of(std::string_view s) {
  return View(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
std::string quoted(std::string_view s);  // C-style escaped, for passwords and peppers

// Kerberos-shaped random inputs.
// Key usages: the RFC 4120/4121 range (where rc4-hmac translates some), 0, and large values up
// to 0xFFFFFFFF (the 32-bit usage field is big-endian in RFC 3961 §5.3 derivation constants).
std::uint32_t random_usage(Rng& rng);
// A length in [0, max], biased towards the short and block-boundary (16n-1, 16n, 16n+1) cases.
std::size_t random_length(Rng& rng, std::size_t max);
// Valid UTF-8 of up to `max_chars` scalar values: ASCII, Latin-1, BMP (CJK, Cyrillic, ...) and
// supplementary-plane characters (4-byte UTF-8, surrogate pairs in UTF-16). `allow_nul` lets
// U+0000 appear.
std::string random_utf8(Rng& rng, std::size_t max_chars, bool allow_nul);

// Replays: KERB_MIT_DIFF_SEED=<n> fixes the run seed; otherwise each run draws a fresh one, so
// CI keeps exploring. Each (test, enctype) pair derives its own stream from the run seed.
std::uint64_t run_seed();

// Collects the failing cases of one (test, enctype) pair. fail() records a Catch failure
// whose message holds the run seed, the case number and every input; after kMaxReported
// failures the rest are only counted. The destructor prints a one-line summary to stdout.
class CaseLog {
 public:
  static constexpr std::size_t kMaxReported = 5;

  CaseLog(std::string_view what, crypto::EncType enctype);
  ~CaseLog();
  CaseLog(const CaseLog&) = delete;
  CaseLog& operator=(const CaseLog&) = delete;

  std::uint64_t seed() const { return seed_; }
  void next_case() { ++cases_; }
  std::size_t cases() const { return cases_; }
  std::size_t failures() const { return failures_; }
  void fail(const std::string& description);

 private:
  std::string what_;
  crypto::EncType enctype_;
  std::uint64_t seed_;
  std::size_t cases_ = 0;
  std::size_t failures_ = 0;
};

// "code -1765328353 (Decrypt integrity check failed)" or "ok".
std::string describe(const mit::Outcome& o);
std::string describe(const kerb::Error& e);

}  // namespace kerb_test

// Stamps out one Catch TEST_CASE per enctype this kerb is built with: X(name-literal, EncType
// member).
#if KERB_WITH_CAMELLIA
#define KERB_MIT_FOR_EACH_CAMELLIA(X)            \
  X("camellia128-cts-cmac", kCamellia128CtsCmac) \
  X("camellia256-cts-cmac", kCamellia256CtsCmac)
#else
#define KERB_MIT_FOR_EACH_CAMELLIA(X)
#endif
#if KERB_WITH_RC4_HMAC
#define KERB_MIT_FOR_EACH_RC4(X) X("rc4-hmac (weak switch on)", kRc4Hmac)
#else
#define KERB_MIT_FOR_EACH_RC4(X)
#endif
#define KERB_MIT_FOR_EACH_ENCTYPE(X)                        \
  X("aes128-cts-hmac-sha1-96", kAes128CtsHmacSha1_96)       \
  X("aes256-cts-hmac-sha1-96", kAes256CtsHmacSha1_96)       \
  X("aes128-cts-hmac-sha256-128", kAes128CtsHmacSha256_128) \
  X("aes256-cts-hmac-sha384-192", kAes256CtsHmacSha384_192) \
  KERB_MIT_FOR_EACH_CAMELLIA(X)                             \
  KERB_MIT_FOR_EACH_RC4(X)
