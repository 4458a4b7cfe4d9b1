// Hashes and HMAC over the HashState of ltc_state.hpp. MD4 exists only #if KERB_WITH_RC4_HMAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include <kerb/crypto/secret.hpp>

#include "bytes.hpp"
#include "ltc_state.hpp"

namespace kerb::crypto::detail {

#if KERB_WITH_RC4_HMAC
enum class HashKind : std::uint8_t { kSha1, kSha256, kSha384, kMd5, kMd4 };
#else
enum class HashKind : std::uint8_t { kSha1, kSha256, kSha384, kMd5 };
#endif

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

}  // namespace kerb::crypto::detail
