// The per-enctype profile table (one Profile per built enctype), the derived state behind
// UsageKey and ChecksumKey, and the shared RFC 3961 §5.3 simplified-profile encryption. Camellia
// exists only #if KERB_WITH_CAMELLIA and rc4-hmac only #if KERB_WITH_RC4_HMAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/result.hpp>

#include "bytes.hpp"
#include "kdf.hpp"
#include "ltc_state.hpp"
#include "mac.hpp"

namespace kerb::crypto::detail {

// The build option that leaves `e` (or checksum type `c`) out of this kerb, or nullptr when it
// is built or was never implemented (DES, 3DES, unknown numbers).
constexpr const char* missing_option(EncType e) noexcept {
  switch (e) {
#if !KERB_WITH_CAMELLIA
    case EncType::kCamellia128CtsCmac:
    case EncType::kCamellia256CtsCmac:
      return "KERB_WITH_CAMELLIA";
#endif
#if !KERB_WITH_RC4_HMAC
    case EncType::kRc4Hmac:
      return "KERB_WITH_RC4_HMAC";
#endif
    default:
      return nullptr;
  }
}
constexpr const char* missing_option(CksumType c) noexcept {
  switch (c) {
#if !KERB_WITH_CAMELLIA
    case CksumType::kCmacCamellia128:
    case CksumType::kCmacCamellia256:
      return "KERB_WITH_CAMELLIA";
#endif
#if !KERB_WITH_RC4_HMAC
    case CksumType::kHmacMd5:
      return "KERB_WITH_RC4_HMAC";
#endif
    default:
      return nullptr;
  }
}
// kCrypto: "enctype camellia128-cts-cmac (25) is not built into this kerb
// (KERB_WITH_CAMELLIA=OFF)". Only for an `e` whose missing_option() is set.
Error not_built_error(EncType e) noexcept;

struct Profile;

// Derived state behind UsageKey (lives in its fixed storage), or on the stack of the one-shot
// encrypt()/decrypt(). Only the header is set before derive_usage; wipe() clears what the
// derivation wrote.
struct UsageImpl {
  const Profile* profile;
  std::uint32_t usage;
  BlockCipher ke;  // unused by rc4-hmac (kind kNone)
  Mac ki;          // rc4-hmac: HMAC-MD5 keyed with K1
#if KERB_WITH_RC4_HMAC
  // rc4-hmac under usage 9 only: K1 for message type 8, tried when decryption fails (some
  // Windows KDCs encrypt the subkey TGS-REP part with 8; MIT accepts both).
  bool has_fallback_k1;
  std::uint8_t fallback_k1[16];
#endif

  // Sets the header for a derivation by p (nothing else is touched).
  void start(const Profile& p, std::uint32_t u) noexcept {
    profile = &p;
    usage = u;
    ke.kind = BlockCipher::Kind::kNone;
#if KERB_WITH_RC4_HMAC
    has_fallback_k1 = false;
#endif
  }
  void wipe() noexcept {
    ke.wipe();
    ki.wipe();
#if KERB_WITH_RC4_HMAC
    if (has_fallback_k1) secure_wipe(fallback_k1, sizeof(fallback_k1));
#endif
  }
};

// Derived state behind ChecksumKey.
struct ChecksumImpl {
  const Profile* profile;
  const ChecksumInfo* info;
  std::uint32_t usage;  // rc4-hmac's hmac-md5 mixes the (translated) usage into the data
  Mac kc;               // rc4-hmac: HMAC-MD5 keyed with Ksign
};

struct Profile {
  EncTypeInfo info;  // first member: Profile is found from a Key's EncTypeInfo pointer
  // Writes info.key_size bytes; params already parsed into an iteration count.
  Result<void> (*string_to_key)(const Profile& p, std::string_view password, Bytes salt,
                                std::uint32_t iterations, MutBytes key);
  // The profile's key derivation (RFC 3961 §5.1 DK, RFC 8009 §3 KDF-HMAC-SHA2, RFC 6803 §2
  // KDF-FEEDBACK-CMAC) producing out.size() bytes; nullptr for rc4-hmac.
  void (*derive_key)(const Profile& p, Bytes base, Bytes constant, MutBytes out);
  // Fills out.ke/ki (and the rc4 fallback) after out.start().
  void (*derive_usage)(const Profile& p, Bytes key, std::uint32_t usage, UsageImpl& out);
  Result<std::size_t> (*encrypt)(const UsageImpl& u, Bytes plaintext, MutBytes out, Random& random);
  Result<std::size_t> (*decrypt)(const UsageImpl& u, Bytes ciphertext, MutBytes out);
  void (*derive_checksum)(const Profile& p, Bytes key, std::uint32_t usage, ChecksumImpl& out);
  void (*make_checksum)(const ChecksumImpl& c, Bytes data, std::uint8_t* out);
  // PRF(key, prefix | input) into info.prf_size bytes; the prefix is PRF+'s counter octet.
  void (*prf)(const Profile& p, Bytes key, Bytes prefix, Bytes input, std::uint8_t* out);
};

inline const Profile& profile_of(const EncTypeInfo& info) noexcept {
  return *reinterpret_cast<const Profile*>(&info);
}

extern const Profile kAes128CtsHmacSha1_96;
extern const Profile kAes256CtsHmacSha1_96;
extern const Profile kAes128CtsHmacSha256_128;
extern const Profile kAes256CtsHmacSha384_192;
#if KERB_WITH_CAMELLIA
extern const Profile kCamellia128CtsCmac;
extern const Profile kCamellia256CtsCmac;
#endif
#if KERB_WITH_RC4_HMAC
extern const Profile kRc4Hmac;
#endif

// RFC 3961 §5.3 simplified profile encryption (aes-sha1, camellia):
//   C = E(Ke, conf | plaintext) with CTS; H = trunc(MAC(Ki, conf | plaintext)); out = C | H.
Result<std::size_t> simplified_encrypt(const UsageImpl& u, Bytes plaintext, MutBytes out,
                                       Random& random);
Result<std::size_t> simplified_decrypt(const UsageImpl& u, Bytes ciphertext, MutBytes out);

// The keyed checksum of every profile but rc4-hmac: trunc(MAC(Kc, data)).
void mac_checksum(const ChecksumImpl& c, Bytes data, std::uint8_t* out);

// A simplified-profile Profile (aes-sha1, camellia): the shared encryption and checksum
// around the family's own key functions.
constexpr Profile simplified_profile(EncTypeInfo info, decltype(Profile::string_to_key) s2k,
                                     decltype(Profile::derive_key) derive_key,
                                     decltype(Profile::derive_usage) derive_usage,
                                     decltype(Profile::derive_checksum) derive_checksum,
                                     decltype(Profile::prf) prf) noexcept {
  return {info,
          s2k,
          derive_key,
          derive_usage,
          simplified_encrypt,
          simplified_decrypt,
          derive_checksum,
          mac_checksum,
          prf};
}

// The per-usage keys of the families that derive them from the base key through one keyed
// primitive (RFC 3961 §5.3 DK, RFC 6803 §2, RFC 8009 §5): Ke = KDF(usage | 0xAA),
// Ki = KDF(usage | 0x55), Kc = KDF(usage | 0x99). A Family provides
//   Kdf(const Profile&, Bytes key, std::uint32_t usage): the primitive keyed once per call,
//     with derive(tag, out) const and wipe();
//   kCipher (Ke's cipher), mac_key_size(p) (Ki and Kc bytes),
//   setup_mac(p, Mac&, Bytes key, std::size_t out_size) (keys Ki or Kc).
template <class Family>
void derive_usage_keys(const Profile& p, Bytes key, std::uint32_t usage, UsageImpl& out) {
  typename Family::Kdf kdf(p, key, usage);
  std::uint8_t k[32];
  MutBytes ke(k, p.info.key_size);
  kdf.derive(kKeTag, ke);
  out.ke.setup(Family::kCipher, ke);
  MutBytes ki(k, Family::mac_key_size(p));
  kdf.derive(kKiTag, ki);
  Family::setup_mac(p, out.ki, ki, p.info.mac_size);
  secure_wipe(k, sizeof(k));
  kdf.wipe();
}

template <class Family>
void derive_checksum_key(const Profile& p, Bytes key, std::uint32_t usage, ChecksumImpl& out) {
  typename Family::Kdf kdf(p, key, usage);
  std::uint8_t k[32];
  MutBytes kc(k, Family::mac_key_size(p));
  kdf.derive(kKcTag, kc);
  Family::setup_mac(p, out.kc, kc, p.info.checksum_size);
  secure_wipe(k, sizeof(k));
  kdf.wipe();
}

Error integrity_error() noexcept;
Error buffer_too_small(std::size_t need, std::size_t have) noexcept;

}  // namespace kerb::crypto::detail
