// The libtomcrypt glue: block-cipher schedules and hash states held as just the members of
// libtomcrypt's symmetric_key / hash_state unions that kerb uses, and the checks that the linked
// libtomcrypt keeps the layout and behaviour this relies on. Camellia exists only
// #if KERB_WITH_CAMELLIA, MD4 only #if KERB_WITH_RC4_HMAC.
#pragma once

#include <cstddef>
#include <cstdint>

#include <tomcrypt.h>

#include <kerb/crypto/enctype.hpp>

#include "bytes.hpp"

// A tomcrypt_custom.h that turns on LTC_CLEAN_STACK makes every *_done zero a whole hash_state,
// past the end of the smaller HashState below (a build flag alone is caught by a unit test).
#if defined(LTC_CLEAN_STACK)
#error "kerb needs libtomcrypt built without LTC_CLEAN_STACK (see HashState in ltc_state.hpp)"
#endif

namespace kerb::crypto::detail {

// ---- Block ciphers -------------------------------------------------------------------------
// libtomcrypt's per-cipher functions take a `symmetric_key*` (a ~4 KiB union of every
// cipher's schedule) but touch only their own member, which sits at offset 0. We hold just
// the member we need so a UsageKey stays around 1 KiB instead of 4+ KiB.
struct BlockCipher {
#if KERB_WITH_CAMELLIA
  enum class Kind : std::uint8_t { kAes, kCamellia, kNone };
#else
  enum class Kind : std::uint8_t { kAes, kNone };
#endif
  // ltc() hands this out as a symmetric_key*, so it is aligned as one.
  union alignas(symmetric_key) Schedule {
    rijndael_key aes;
#if KERB_WITH_CAMELLIA
    camellia_key camellia;
#endif
  };
  Schedule schedule;
  Kind kind;

  void setup(Kind k, Bytes key) noexcept;
  // Wipes the active schedule (not the whole union).
  void wipe() noexcept;
  // Inline: CTS calls these once per block.
  void encrypt_block(const std::uint8_t* in, std::uint8_t* out) const noexcept {
#if KERB_WITH_CAMELLIA
    if (kind == Kind::kAes)
      rijndael_ecb_encrypt(in, out, ltc());
    else
      camellia_ecb_encrypt(in, out, ltc());
#else
    rijndael_ecb_encrypt(in, out, ltc());
#endif
  }
  void decrypt_block(const std::uint8_t* in, std::uint8_t* out) const noexcept {
#if KERB_WITH_CAMELLIA
    if (kind == Kind::kAes)
      rijndael_ecb_decrypt(in, out, ltc());
    else
      camellia_ecb_decrypt(in, out, ltc());
#else
    rijndael_ecb_decrypt(in, out, ltc());
#endif
  }
  // libtomcrypt's view of the schedule: each cipher's functions only touch their own member,
  // at offset 0 of its symmetric_key union (see above). They take it non-const but only read.
  symmetric_key* ltc() const noexcept {
    return reinterpret_cast<symmetric_key*>(const_cast<Schedule*>(&schedule));
  }
};

// ---- Hash states ---------------------------------------------------------------------------
// Just the hash states we use (libtomcrypt's hash_state union also holds e.g. whirlpool).
// As with BlockCipher, libtomcrypt's per-hash functions touch only their own member; this
// relies on libtomcrypt being built without LTC_CLEAN_STACK (Debian's is), which would
// otherwise zero a whole hash_state in *_done.
union HashState {
  sha1_state sha1;
  sha256_state sha256;
  sha512_state sha512;
  md5_state md5;
#if KERB_WITH_RC4_HMAC
  md4_state md4;
#endif
};

// ---- Layout guards ---------------------------------------------------------------------------
// What the unions above rely on, pinned to libtomcrypt 1.18's layout; a libtomcrypt of another
// version or tomcrypt_custom.h that changes it fails here (tests/crypto/ltc_guard_test.cpp also
// checks that the linked library was built with these same sizes).

// Each member sits at offset 0 of libtomcrypt's union, so a pointer to ours is a pointer to it.
static_assert(offsetof(symmetric_key, rijndael) == 0);
#if KERB_WITH_CAMELLIA
static_assert(offsetof(symmetric_key, camellia) == 0);
#endif
static_assert(offsetof(hash_state, sha1) == 0 && offsetof(hash_state, sha256) == 0 &&
              offsetof(hash_state, sha512) == 0 && offsetof(hash_state, md5) == 0);
#if KERB_WITH_RC4_HMAC
static_assert(offsetof(hash_state, md4) == 0);
#endif
// The schedules are plain arrays, no pointers into themselves: UsageKey copies them by memcpy.
static_assert(offsetof(rijndael_key, Nr) == 120 * sizeof(ulong32) &&
              sizeof(rijndael_key) == 120 * sizeof(ulong32) + sizeof(int));
#if KERB_WITH_CAMELLIA
static_assert(sizeof(camellia_key) == offsetof(camellia_key, kl) + 6 * sizeof(ulong64) &&
              offsetof(camellia_key, kw) + 34 * sizeof(ulong64) == sizeof(camellia_key));
#endif
// HashState's alignment is hash_state's: *_init/*_process take a hash_state*.
static_assert(alignof(HashState) == alignof(hash_state));
static_assert(alignof(BlockCipher::Schedule) == alignof(symmetric_key));

}  // namespace kerb::crypto::detail
