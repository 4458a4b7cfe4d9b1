// Key derivation building blocks: n-fold (RFC 3961 §5.1), the RFC 3961 §5.3 usage constants,
// and PBKDF2 (RFC 2898 §5.2).
#pragma once

#include <cstdint>

#include "bytes.hpp"
#include "hash.hpp"

namespace kerb::crypto::detail {

void nfold(Bytes in, MutBytes out) noexcept;

// The RFC 3961 §5.3 derivation constants n-fold(usage | tag) for a 16-byte block, for several
// tags of one usage. n-fold is a one's-complement sum (arithmetic mod 2^128 - 1) of rotated
// copies, which is linear in the input bits, so
//   n-fold(usage | tag) = n-fold(usage | 0x00) +' n-fold(0x00000000 | tag):
// the usage part is folded once here and the Kc/Ke/Ki tag parts are compile-time constants.
class UsageFold {
 public:
  explicit UsageFold(std::uint32_t usage) noexcept;
  void constant(std::uint8_t tag, std::uint8_t* out) const noexcept;  // writes 16 bytes

 private:
  std::uint64_t hi_;
  std::uint64_t lo_;
};

// PBKDF2 with HMAC-`kind`; the salt is the concatenation salt_prefix | salt (RFC 8009 §4
// prefixes the enctype name).
void pbkdf2(HashKind kind, Bytes password, Bytes salt_prefix, Bytes salt, std::uint32_t iterations,
            MutBytes out) noexcept;

// Usage constant usage(4, big-endian) | tag (RFC 3961 §5.3): 0x99 Kc, 0xAA Ke, 0x55 Ki.
inline constexpr std::uint8_t kKcTag = 0x99;
inline constexpr std::uint8_t kKeTag = 0xAA;
inline constexpr std::uint8_t kKiTag = 0x55;

}  // namespace kerb::crypto::detail
