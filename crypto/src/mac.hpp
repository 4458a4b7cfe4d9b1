// The integrity functions of the profiles: HMAC, or CMAC (NIST SP 800-38B, used by RFC 6803)
// which exists only #if KERB_WITH_CAMELLIA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include <kerb/crypto/secret.hpp>

#include "bytes.hpp"
#include "hash.hpp"
#include "ltc_state.hpp"

namespace kerb::crypto::detail {

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

}  // namespace kerb::crypto::detail
