// Private building blocks shared by the profiles: block ciphers, CBC-CTS, HMAC with
// precomputed pads, CMAC, n-fold, PBKDF2, and the per-enctype profile table. Camellia and CMAC
// exist only #if KERB_WITH_CAMELLIA, MD4 and the rc4-hmac profile only #if KERB_WITH_RC4_HMAC
// (kerb/crypto/features.hpp, included through enctype.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include <tomcrypt.h>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/result.hpp>

namespace kerb::crypto::detail {

using Bytes = std::span<const std::uint8_t>;
using MutBytes = std::span<std::uint8_t>;

inline constexpr std::size_t kBlockSize = 16;  // AES and Camellia

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

inline void store_be32(std::uint32_t v, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
}
inline void store_le32(std::uint32_t v, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(v);
  out[1] = static_cast<std::uint8_t>(v >> 8);
  out[2] = static_cast<std::uint8_t>(v >> 16);
  out[3] = static_cast<std::uint8_t>(v >> 24);
}
inline void xor_block(std::uint8_t* dst, const std::uint8_t* a, const std::uint8_t* b) noexcept {
  std::uint64_t x[2], y[2];
  std::memcpy(x, a, 16);
  std::memcpy(y, b, 16);
  x[0] ^= y[0];
  x[1] ^= y[1];
  std::memcpy(dst, x, 16);
}

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
  union Schedule {
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

// CBC with ciphertext stealing, RFC 3962 §5 (CBC-CS3: the last two blocks are always
// swapped). in.size() >= 16 and out.size() == in.size(); `in` may equal `out` exactly.
// `iv` is 16 bytes (the Kerberos default cipher state is all zeros).
void cts_encrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept;
void cts_decrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept;

// ---- Hashes and HMAC ------------------------------------------------------------------------
#if KERB_WITH_RC4_HMAC
enum class HashKind : std::uint8_t { kSha1, kSha256, kSha384, kMd5, kMd4 };
#else
enum class HashKind : std::uint8_t { kSha1, kSha256, kSha384, kMd5 };
#endif

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

struct HashAlg {
  std::size_t block_size;
  std::size_t digest_size;
  std::size_t state_size;  // bytes of HashState this hash uses (copied and wiped)
  int (*init)(hash_state*);
  int (*process)(hash_state*, const unsigned char*, unsigned long);
  int (*done)(hash_state*, unsigned char*);
};
const HashAlg& hash_alg(HashKind kind) noexcept;

inline constexpr std::size_t kMaxDigest = 64;

// Incremental hash over a HashState.
class Hasher {
 public:
  explicit Hasher(HashKind kind) noexcept;
  // Resumes from a saved state (e.g. an HMAC pad state).
  Hasher(HashKind kind, const HashState& state) noexcept : alg_(&hash_alg(kind)) {
    std::memcpy(&state_, &state, alg_->state_size);
  }
  ~Hasher() { secure_wipe(&state_, alg_->state_size); }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void update(Bytes data) noexcept;
  void finish(std::uint8_t* digest) noexcept;  // writes digest_size() bytes
  std::size_t digest_size() const noexcept { return alg_->digest_size; }

 private:
  hash_state* raw() noexcept { return reinterpret_cast<hash_state*>(&state_); }
  const HashAlg* alg_;
  HashState state_;
};

void hash(HashKind kind, Bytes data, std::uint8_t* digest) noexcept;

// HMAC (RFC 2104) with the inner and outer pad states computed once at setup, so a MAC over
// a short message costs two compression calls (this is what makes PBKDF2 cheap).
struct Hmac {
  HashState inner;
  HashState outer;
  HashKind kind;

  void setup(HashKind k, Bytes key) noexcept;
  std::size_t digest_size() const noexcept { return hash_alg(kind).digest_size; }
  // Wipes the pad states (the bytes of each that the hash uses).
  void wipe() noexcept;

  class Ctx {
   public:
    explicit Ctx(const Hmac& h) noexcept : h_(h), inner_(h.kind, h.inner) {}
    void update(Bytes data) noexcept { inner_.update(data); }
    void finish(std::uint8_t* mac) noexcept;  // full digest_size() bytes
   private:
    const Hmac& h_;
    Hasher inner_;
  };
  // Full-length MAC of the concatenation of `parts`.
  void mac(std::initializer_list<Bytes> parts, std::uint8_t* out) const noexcept;
};

#if KERB_WITH_CAMELLIA
// ---- CMAC (NIST SP 800-38B), used by RFC 6803 ---------------------------------------------
struct Cmac {
  BlockCipher cipher;
  std::uint8_t k1[kBlockSize];
  std::uint8_t k2[kBlockSize];

  void setup(BlockCipher::Kind k, Bytes key) noexcept;
  void wipe() noexcept;

  class Ctx {
   public:
    explicit Ctx(const Cmac& c) noexcept : c_(c) {}
    ~Ctx() {
      secure_wipe(x_, sizeof(x_));
      secure_wipe(buf_, sizeof(buf_));
    }
    void update(Bytes data) noexcept;
    void finish(std::uint8_t* mac) noexcept;  // 16 bytes
   private:
    const Cmac& c_;
    std::uint8_t x_[kBlockSize] = {};
    std::uint8_t buf_[kBlockSize] = {};
    std::size_t n_ = 0;
  };
  void mac(std::initializer_list<Bytes> parts, std::uint8_t* out) const noexcept;
};
#endif

// The integrity function of a profile: truncated HMAC or (Camellia) CMAC.
struct Mac {
#if KERB_WITH_CAMELLIA
  enum class Kind : std::uint8_t { kHmac, kCmac };
#else
  enum class Kind : std::uint8_t { kHmac };
#endif
  union {
    Hmac hmac;
#if KERB_WITH_CAMELLIA
    Cmac cmac;
#endif
  };
  Kind kind;
  std::uint8_t out_size;  // bytes kept (RFC 3962's 96-bit truncation etc.)

  // Leaves the union unset: setup_hmac/setup_cmac write it (no ~1 KiB zeroing per derive).
  Mac() noexcept : kind(Kind::kHmac), out_size(0) {}
  void setup_hmac(HashKind h, Bytes key, std::size_t size) noexcept;
#if KERB_WITH_CAMELLIA
  void setup_cmac(BlockCipher::Kind c, Bytes key) noexcept;
#endif
  // Wipes the key material setup_* wrote.
  void wipe() noexcept;

  class Ctx {
   public:
    explicit Ctx(const Mac& m) noexcept;
    ~Ctx();
    Ctx(const Ctx&) = delete;
    Ctx& operator=(const Ctx&) = delete;
    void update(Bytes data) noexcept;
    // update(prefix | data) for a short prefix (<= 64 bytes) that is not contiguous with
    // data: the two are joined in one 128-byte piece so that the rest of data reaches the
    // hash block-aligned and is compressed in place, not copied block by block into
    // libtomcrypt's buffer (128 is a multiple of every block size here).
    void update_joined(Bytes prefix, Bytes data) noexcept;
    void finish(std::uint8_t* mac) noexcept;  // out_size bytes
   private:
    const Mac& m_;
    union {
      Hmac::Ctx h;
#if KERB_WITH_CAMELLIA
      Cmac::Ctx c;
#endif
    };
  };
};

// ---- n-fold (RFC 3961 §5.1) and PBKDF2 (RFC 2898 §5.2) --------------------------------------
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

// ---- Profiles -------------------------------------------------------------------------------
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

// Decrypts a CTS ciphertext of conf(16) | plaintext, putting the confounder in `conf` and the
// rest in `plaintext` (which is exactly in.size() - 16 bytes).
void cts_decrypt_split(const BlockCipher& cipher, Bytes in, std::uint8_t* conf,
                       MutBytes plaintext) noexcept;
// The inverse: CTS-encrypts conf(16) | plaintext with the default (zero) state into `out`
// (exactly 16 + plaintext.size() bytes), reading the plaintext where it is rather than copying
// it next to the confounder first. `conf` may be out.data(); plaintext must not overlap out.
void cts_encrypt_split(const BlockCipher& cipher, const std::uint8_t* conf, Bytes plaintext,
                       MutBytes out) noexcept;

// Usage constant usage(4, big-endian) | tag (RFC 3961 §5.3): 0x99 Kc, 0xAA Ke, 0x55 Ki.
inline constexpr std::uint8_t kKcTag = 0x99;
inline constexpr std::uint8_t kKeTag = 0xAA;
inline constexpr std::uint8_t kKiTag = 0x55;

Error integrity_error() noexcept;
Error buffer_too_small(std::size_t need, std::size_t have) noexcept;

}  // namespace kerb::crypto::detail
