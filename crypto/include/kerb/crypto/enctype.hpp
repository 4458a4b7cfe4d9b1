// Encryption types (RFC 3961 §8 registry), their sizes, and the local enctype policy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <kerb/crypto/features.hpp>  // KERB_WITH_*, KERB_MAX_S2K_ITERATIONS
#include <kerb/result.hpp>

namespace kerb::crypto {

// Kerberos etype numbers. Only the profiles marked "implemented" have code behind them; the
// DES/3DES numbers exist so that naming them yields a clear "weak or unsupported" error.
// Camellia and rc4-hmac are optional (features.hpp): a build without them keeps their numbers
// and names, and using one fails with a kCrypto "not built into this kerb" error.
enum class EncType : std::int32_t {
  kNone = 0,
  kDesCbcCrc = 1,                 // weak, not implemented (RFC 6649)
  kDesCbcMd4 = 2,                 // weak, not implemented
  kDesCbcMd5 = 3,                 // weak, not implemented
  kDes3CbcMd5 = 5,                // weak, not implemented
  kDes3CbcSha1 = 7,               // weak, not implemented
  kDes3CbcSha1Kd = 16,            // weak, not implemented (RFC 8429)
  kAes128CtsHmacSha1_96 = 17,     // implemented, RFC 3962
  kAes256CtsHmacSha1_96 = 18,     // implemented, RFC 3962
  kAes128CtsHmacSha256_128 = 19,  // implemented, RFC 8009
  kAes256CtsHmacSha384_192 = 20,  // implemented, RFC 8009
  kRc4Hmac = 23,                  // implemented if KERB_WITH_RC4_HMAC, RFC 4757; weak: only with
                                  // Policy::allow_rc4_hmac
  kRc4HmacExp = 24,               // weak, not implemented
  kCamellia128CtsCmac = 25,       // implemented if KERB_WITH_CAMELLIA, RFC 6803
  kCamellia256CtsCmac = 26,       // implemented if KERB_WITH_CAMELLIA, RFC 6803
};

// Every enctype this build implements (features.hpp decides the optional ones).
inline constexpr EncType kImplementedEnctypes[] = {
    EncType::kAes128CtsHmacSha1_96,
    EncType::kAes256CtsHmacSha1_96,
    EncType::kAes128CtsHmacSha256_128,
    EncType::kAes256CtsHmacSha384_192,
#if KERB_WITH_CAMELLIA
    EncType::kCamellia128CtsCmac,
    EncType::kCamellia256CtsCmac,
#endif
#if KERB_WITH_RC4_HMAC
    EncType::kRc4Hmac,
#endif
};

// MIT's enctype names and aliases as krb5.conf spells them (krb5_string_to_enctype), compared
// case-insensitively: "aes256-cts" and "aes256-cts-hmac-sha1-96" give kAes256CtsHmacSha1_96.
// The DES, 3DES and rc4-hmac-exp names are known too (their numbers include 4, 6 and 8, which
// have no enumerator here), so that a caller can refuse them by number. nullopt for an unknown
// name, and for the camellia and rc4-hmac names in a build without them: MIT ignores enctype
// names it does not know, and a krb5.conf shared with a full build still reads.
std::optional<EncType> enctype_from_name(std::string_view name) noexcept;

// The enctypes a krb5.conf enctype list means by a family name, compared case-insensitively:
// "DEFAULT" (default_enctypes()), "aes", "camellia", "rc4", "des3", "des" (MIT's names). Empty
// for any other name, and for camellia and rc4 in a build without them.
std::span<const EncType> enctype_family(std::string_view name) noexcept;

// The default enctypes in preference order, the list Policy::defaults() holds: 18, 17, 20, 19,
// then 26, 25 if KERB_WITH_CAMELLIA.
std::span<const EncType> default_enctypes() noexcept;

// Checksum types: RFC 3961 §8's table with the numbers RFC 3962 §7, RFC 6803 §9 and RFC 8009
// §7 assigned, and RFC 4757 §5's local -138. X(constant, number, "name"), sorted by number with
// -138 last; the CksumType enumerators and checksum_type_name are both expanded from it. Names
// are the defining documents' ("CRC32"; RFC 3961 names both 10 and 14 "sha1 (unkeyed)", and
// 10's constant is Heimdal's SHA1_OTHER; -138 is RFC 4757's KERB_CHECKSUM_HMAC_MD5). 1, 7 and 14
// are unkeyed (compute_unkeyed only); 15-20 and -138 are keyed and implemented (17, 18 if
// KERB_WITH_CAMELLIA; -138, weak like rc4-hmac, if KERB_WITH_RC4_HMAC); the rest are MD4-, DES- or
// 3DES-based and have no code. 0x8003, which §8 reserves for GSS-KRB5, is no checksum algorithm but
// RFC 4121 §4.1.1's authenticator record, so it has no CksumType: the GSS layer and its decoders
// handle it.
#define KERB_CKSUM_TYPE_LIST(X)                          \
  X(kCrc32, 1, "CRC32")                                  \
  X(kRsaMd4, 2, "rsa-md4")                               \
  X(kRsaMd4Des, 3, "rsa-md4-des")                        \
  X(kDesMac, 4, "des-mac")                               \
  X(kDesMacK, 5, "des-mac-k")                            \
  X(kRsaMd4DesK, 6, "rsa-md4-des-k")                     \
  X(kRsaMd5, 7, "rsa-md5")                               \
  X(kRsaMd5Des, 8, "rsa-md5-des")                        \
  X(kRsaMd5Des3, 9, "rsa-md5-des3")                      \
  X(kSha1Other, 10, "sha1 (unkeyed)")                    \
  X(kHmacSha1Des3Kd, 12, "hmac-sha1-des3-kd")            \
  X(kHmacSha1Des3, 13, "hmac-sha1-des3")                 \
  X(kSha1, 14, "sha1 (unkeyed)")                         \
  X(kHmacSha1_96Aes128, 15, "hmac-sha1-96-aes128")       \
  X(kHmacSha1_96Aes256, 16, "hmac-sha1-96-aes256")       \
  X(kCmacCamellia128, 17, "cmac-camellia128")            \
  X(kCmacCamellia256, 18, "cmac-camellia256")            \
  X(kHmacSha256_128Aes128, 19, "hmac-sha256-128-aes128") \
  X(kHmacSha384_192Aes256, 20, "hmac-sha384-192-aes256") \
  X(kHmacMd5, -138, "hmac-md5")

// kNone (0) is no registry entry: RFC 3961 §8 calls zero invalid.
enum class CksumType : std::int32_t {
  kNone = 0,
#define KERB_CKSUM_TYPE_ENUMERATOR(constant, number, name) constant = number,
  KERB_CKSUM_TYPE_LIST(KERB_CKSUM_TYPE_ENUMERATOR)
#undef KERB_CKSUM_TYPE_ENUMERATOR
};

// The registry name of a checksum type ("hmac-sha1-96-aes256"), or "" for a number the list
// does not hold (0, 0x8003, unassigned ones).
constexpr std::string_view checksum_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_CKSUM_TYPE_CASE(constant, number, name) \
  case number:                                       \
    return name;
    KERB_CKSUM_TYPE_LIST(KERB_CKSUM_TYPE_CASE)
#undef KERB_CKSUM_TYPE_CASE
  }
  return {};
}

// For logs and errors: checksum_type_name, or "none" for kNone and "unknown" for a number the
// list does not hold. Always NUL-terminated (a string literal), so .data() can go to %s.
constexpr std::string_view checksum_name(CksumType type) noexcept {
  if (type == CksumType::kNone) return "none";
  const std::string_view name = checksum_type_name(static_cast<std::int32_t>(type));
  return name.empty() ? std::string_view("unknown") : name;
}

// Static facts about one implemented enctype. Every profile here is padding-free, so
//   ciphertext length = confounder_size + plaintext length + mac_size.
struct EncTypeInfo {
  EncType enctype;
  std::string_view name;        // RFC spelling, e.g. "aes256-cts-hmac-sha1-96"
  std::size_t key_size;         // protocol key length in bytes
  std::size_t key_seed_size;    // random-to-key input length in bytes (RFC 3961 §3)
  std::size_t confounder_size;  // random prefix drawn from the injected Random
  std::size_t mac_size;         // integrity trailer appended to the ciphertext
  std::size_t prf_size;         // PRF output length (RFC 3961 §3 "prf-length")
  CksumType checksum_type;      // mandatory keyed checksum for keys of this enctype
  std::size_t checksum_size;
  std::uint32_t default_iterations;  // string-to-key iteration count when s2kparams is absent
  bool weak;                         // usable only when the Policy allows weak crypto
};

// The implemented profile for `enctype`, or nullptr (DES, 3DES, rc4-hmac-exp, unknown, and
// camellia or rc4-hmac when this kerb is built without them). Ignores policy; use
// Policy::check before accepting a key.
const EncTypeInfo* find_enctype(EncType enctype) noexcept;

// Human name for logs and errors ("des-cbc-crc", "aes128-cts-hmac-sha1-96", "etype 99").
std::string_view enctype_name(EncType enctype) noexcept;

// Size queries for callers that size their own buffers (no heap on the crypto path).
// ciphertext_size: 0 for an enctype with no profile.
std::size_t ciphertext_size(EncType enctype, std::size_t plaintext_size) noexcept;
// plaintext_size: exact plaintext length a ciphertext of this length decrypts to, or an error
// (kCrypto) when it is too short to hold the confounder and MAC.
Result<std::size_t> plaintext_size(EncType enctype, std::size_t ciphertext_size) noexcept;

// PBKDF2 iteration counts above this are always refused (kPolicy), whatever the Policy: RFC
// 3962 §4 allows implementations a limit, and this is MIT krb5's (2^24 itself is refused).
// Policy::max_s2k_iterations() sets a lower one; the default is KERB_MAX_S2K_ITERATIONS.
inline constexpr std::uint32_t kMaxStringToKeyIterations = (1u << 24) - 1;
static_assert(KERB_MAX_S2K_ITERATIONS >= 32768u &&
                  KERB_MAX_S2K_ITERATIONS <= kMaxStringToKeyIterations,
              "KERB_MAX_S2K_ITERATIONS must be 32768..2^24-1");

// Which enctypes this process accepts, in preference order (the order an AS-REQ lists them).
// The default is 18, 17, 20, 19, 26, 25 (without 26, 25 when built without Camellia).
// rc4-hmac (23) is weak and is accepted only after an explicit allow_rc4_hmac(); DES and 3DES
// are never accepted (no code exists for them).
class Policy {
 public:
  static constexpr std::size_t kMaxEnctypes = 8;

  // 18, 17, 20, 19, 26, 25 (26 and 25 only if KERB_WITH_CAMELLIA); no weak crypto.
  static Policy defaults() noexcept;

  // Exactly these enctypes in this order. Fails with kPolicy if the list names a weak enctype
  // (rc4 without allow_weak, DES, 3DES), an unknown number, a duplicate, or is empty/too long;
  // with kCrypto if it names an enctype this kerb is built without.
  static Result<Policy> from_list(std::span<const EncType> enctypes, bool allow_weak = false);

  // The explicit allow-weak switch: permits rc4-hmac, appended last in preference order.
  // Built without rc4-hmac (KERB_WITH_RC4_HMAC=0) it leaves the policy exactly as it is.
  Policy& allow_rc4_hmac() noexcept;

  // string-to-key refuses s2kparams whose PBKDF2 iteration count is below the enctype's
  // default (4096 for RFC 3962, 32768 for RFC 6803/8009), as MIT krb5 does: etype-info2 comes
  // unauthenticated, and a spoofed low count would make the password key cheap to guess.
  // This switch lifts that floor, for test vectors and legacy KDC databases.
  Policy& allow_weak_s2kparams() noexcept {
    allow_weak_s2k_ = true;
    return *this;
  }

  // The most PBKDF2 iterations string-to-key accepts from s2kparams; a larger count is refused
  // (kPolicy) before any derivation. ETYPE-INFO2 is unauthenticated, so without a limit a
  // hostile KDC could make each login derive for seconds. The default is the build's
  // KERB_MAX_S2K_ITERATIONS (2^20 unless configured); `n` above kMaxStringToKeyIterations is
  // taken as kMaxStringToKeyIterations. Counts a KDC omits (the enctype's default) are not
  // affected.
  Policy& max_s2k_iterations(std::uint32_t n) noexcept {
    max_s2k_iterations_ = n < kMaxStringToKeyIterations ? n : kMaxStringToKeyIterations;
    return *this;
  }

  bool allows_weak() const noexcept { return allow_weak_; }
  bool allows_weak_s2kparams() const noexcept { return allow_weak_s2k_; }
  std::span<const EncType> enctypes() const noexcept { return {list_.data(), count_}; }
  std::uint32_t s2k_iteration_limit() const noexcept { return max_s2k_iterations_; }
  bool permits(EncType enctype) const noexcept;

  // The profile for `enctype` if this policy accepts it; otherwise a kPolicy error naming it
  // ("weak or unsupported enctype des-cbc-crc (1)", "enctype ... not permitted by policy"), or
  // a kCrypto error for an enctype this kerb is built without ("enctype camellia128-cts-cmac
  // (25) is not built into this kerb (KERB_WITH_CAMELLIA=OFF)").
  Result<const EncTypeInfo*> check(EncType enctype) const noexcept;

 private:
  std::array<EncType, kMaxEnctypes> list_{};
  std::size_t count_ = 0;
  bool allow_weak_ = false;
  bool allow_weak_s2k_ = false;
  std::uint32_t max_s2k_iterations_ = KERB_MAX_S2K_ITERATIONS;
};

}  // namespace kerb::crypto

#undef KERB_CKSUM_TYPE_LIST
