// Protocol keys and the RFC 3961 operations on them: string-to-key, random-to-key, key
// derivation per usage, encrypt/decrypt, PRF and KRB-FX-CF2.
//
// Fast path: derive a UsageKey once per (key, usage) -- it holds Ke's cipher schedule and
// Ki's precomputed HMAC/CMAC state -- and call encrypt/decrypt on it for every message. The
// free functions encrypt()/decrypt() are one-shot conveniences that derive on each call.
// Nothing on the encrypt/decrypt path allocates: callers pass output spans sized with
// ciphertext_size()/plaintext_size().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/result.hpp>

namespace kerb::crypto {

// A protocol key (RFC 3961 §3) of one implemented enctype, held in zeroizing storage.
class Key {
 public:
  static constexpr std::size_t kMaxSize = 32;

  Key() noexcept = default;  // empty: enctype() == kNone, unusable

  // Wraps raw key bytes (from a keytab, ccache or EncKDCRepPart). Size must match the enctype.
  static Result<Key> from_bytes(EncType enctype, std::span<const std::uint8_t> bytes,
                                const Policy& policy = Policy::defaults());

  // string-to-key (RFC 3962 §4, RFC 8009 §4, RFC 6803 §3, RFC 4757). `password` is UTF-8.
  // `s2kparams` is the etype-info2 s2kparams octets (4-byte big-endian iteration count for
  // AES/Camellia; must be empty for rc4-hmac); empty means the enctype's default. Counts
  // below the default need policy.allows_weak_s2kparams(); above
  // policy.s2k_iteration_limit() are refused (both kPolicy) before anything is derived.
  static Result<Key> from_password(EncType enctype, std::string_view password,
                                   std::span<const std::uint8_t> salt,
                                   std::span<const std::uint8_t> s2kparams = {},
                                   const Policy& policy = Policy::defaults());

  // random-to-key (RFC 3961 §3): `seed` must be exactly info().key_seed_size bytes.
  static Result<Key> random_to_key(EncType enctype, std::span<const std::uint8_t> seed,
                                   const Policy& policy = Policy::defaults());

  // A fresh random key (e.g. a subkey), drawn from `random`.
  static Result<Key> generate(EncType enctype, Random& random,
                              const Policy& policy = Policy::defaults());

  bool empty() const noexcept { return info_ == nullptr; }
  EncType enctype() const noexcept;
  const EncTypeInfo* info() const noexcept { return info_; }  // nullptr when empty
  std::size_t size() const noexcept { return bytes_.size(); }

  // The raw key bytes, for code that must serialise a key (keytab, ccache, KRB-CRED).
  // Deliberately verbose so that a review spots every use.
  std::span<const std::uint8_t> expose_secret() const noexcept { return bytes_.view(); }

 private:
  const EncTypeInfo* info_ = nullptr;
  SecretBytes<kMaxSize> bytes_;
};

// Encryption under one (key, usage) pair, with the derived keys' schedules prepared once
// (RFC 3961 §5.3 Ke/Ki, RFC 8009 §5, RFC 6803 §2, RFC 4757 K1). Heap-free, copyable, wiped on
// destruction. Safe to share between threads for concurrent encrypt/decrypt (all const).
class UsageKey {
 public:
  static constexpr std::size_t kStorageSize = 1152;

  UsageKey() noexcept;  // empty; encrypt/decrypt fail with kInvalidArgument
  UsageKey(const UsageKey& other) noexcept;
  UsageKey& operator=(const UsageKey& other) noexcept;
  ~UsageKey();

  static Result<UsageKey> derive(const Key& key, std::uint32_t usage);

  bool empty() const noexcept;
  EncType enctype() const noexcept;
  std::uint32_t usage() const noexcept;

  std::size_t ciphertext_size(std::size_t plaintext_size) const noexcept;
  Result<std::size_t> plaintext_size(std::size_t ciphertext_size) const noexcept;

  // Writes confounder-encrypted `plaintext` plus MAC to the front of `ciphertext` and returns
  // the length written (ciphertext_size(plaintext.size())). The confounder comes from
  // `random`. kBufferTooSmall if `ciphertext` is short. The spans must not overlap.
  Result<std::size_t> encrypt(std::span<const std::uint8_t> plaintext,
                              std::span<std::uint8_t> ciphertext, Random& random) const;

  // Verifies and decrypts; returns the plaintext length. On an integrity failure (kCrypto)
  // every byte of `plaintext` that may have been written is wiped. The spans must not overlap.
  // rc4-hmac under usage 9 also accepts message type 8, as MIT krb5 does (Windows KDCs).
  Result<std::size_t> decrypt(std::span<const std::uint8_t> ciphertext,
                              std::span<std::uint8_t> plaintext) const;

 private:
  alignas(16) unsigned char storage_[kStorageSize];
};

// One-shot forms of UsageKey::derive(key, usage).encrypt/decrypt.
Result<std::size_t> encrypt(const Key& key, std::uint32_t usage,
                            std::span<const std::uint8_t> plaintext,
                            std::span<std::uint8_t> ciphertext, Random& random);
Result<std::size_t> decrypt(const Key& key, std::uint32_t usage,
                            std::span<const std::uint8_t> ciphertext,
                            std::span<std::uint8_t> plaintext);

// PRF (RFC 3961 §3; aes-sha1: §5.3, RFC 8009 §5, RFC 6803 §4; rc4-hmac: HMAC-SHA1 as MIT does).
// Writes key.info()->prf_size bytes and returns that count.
Result<std::size_t> prf(const Key& key, std::span<const std::uint8_t> input,
                        std::span<std::uint8_t> out);

// PRF+ (RFC 6113 §5.1): PRF(key, 1 | input) | PRF(key, 2 | input) | ..., truncated to
// out.size() (at most 255 PRF blocks).
Result<void> prf_plus(const Key& key, std::span<const std::uint8_t> input,
                      std::span<std::uint8_t> out);

// KRB-FX-CF2 (RFC 6113 §5.1): random-to-key(PRF+(k1, pepper1) XOR PRF+(k2, pepper2)), a key
// of k1's enctype.
Result<Key> krb_fx_cf2(const Key& k1, const Key& k2, std::span<const std::uint8_t> pepper1,
                       std::span<const std::uint8_t> pepper2);

}  // namespace kerb::crypto
