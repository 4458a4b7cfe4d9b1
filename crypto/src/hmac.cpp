// Hashes on libtomcrypt and HMAC (RFC 2104) with precomputed pad states.
#include <new>

#include "hash.hpp"
#include "mac.hpp"

namespace kerb::crypto::detail {
namespace {

constexpr HashAlg kSha1Alg{64, 20, sizeof(sha1_state), sha1_init, sha1_process, sha1_done};
constexpr HashAlg kSha256Alg{64,         32, sizeof(sha256_state), sha256_init, sha256_process,
                             sha256_done};
constexpr HashAlg kSha384Alg{128,        48, sizeof(sha512_state), sha384_init, sha384_process,
                             sha384_done};
constexpr HashAlg kMd5Alg{64, 16, sizeof(md5_state), md5_init, md5_process, md5_done};
#if KERB_WITH_RC4_HMAC
constexpr HashAlg kMd4Alg{64, 16, sizeof(md4_state), md4_init, md4_process, md4_done};
#endif

constexpr std::size_t kMaxBlock = 128;

}  // namespace

const HashAlg& hash_alg(HashKind kind) noexcept {
  switch (kind) {
    case HashKind::kSha1:
      return kSha1Alg;
    case HashKind::kSha256:
      return kSha256Alg;
    case HashKind::kSha384:
      return kSha384Alg;
    case HashKind::kMd5:
      return kMd5Alg;
#if KERB_WITH_RC4_HMAC
    case HashKind::kMd4:
      return kMd4Alg;
#endif
  }
  return kSha1Alg;
}

Hasher::Hasher(HashKind kind) noexcept : alg_(&hash_alg(kind)) {
  alg_->init(raw());
}

void Hasher::update(Bytes data) noexcept {
  // libtomcrypt takes unsigned long lengths; feed in chunks so any size_t is safe.
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n > 0) {
    std::size_t chunk = n > (1u << 30) ? (1u << 30) : n;
    alg_->process(raw(), p, static_cast<unsigned long>(chunk));
    p += chunk;
    n -= chunk;
  }
}

void Hasher::finish(std::uint8_t* digest) noexcept {
  alg_->done(raw(), digest);
}

void hash(HashKind kind, Bytes data, std::uint8_t* digest) noexcept {
  Hasher h(kind);
  h.update(data);
  h.finish(digest);
}

void Hmac::setup(HashKind k, Bytes key) noexcept {
  kind = k;
  const HashAlg& alg = hash_alg(k);
  // K0 (RFC 2104 §2: long keys are hashed first, short ones zero-padded) XOR ipad, built and
  // then flipped to XOR opad 8 bytes at a time.
  alignas(8) std::uint8_t pad[kMaxBlock];
  std::size_t used = key.size();
  if (key.size() > alg.block_size) {
    hash(k, key, pad);
    used = alg.digest_size;
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  std::memset(pad + used, 0, alg.block_size - used);
  constexpr std::uint64_t kIpad = 0x3636363636363636u;
  constexpr std::uint64_t kFlip = kIpad ^ 0x5c5c5c5c5c5c5c5cu;  // ipad -> opad
  auto xor_pad = [&](std::uint64_t x) {
    for (std::size_t i = 0; i < alg.block_size; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, pad + i, 8);
      w ^= x;
      std::memcpy(pad + i, &w, 8);
    }
  };
  xor_pad(kIpad);
  alg.init(reinterpret_cast<hash_state*>(&inner));
  alg.process(reinterpret_cast<hash_state*>(&inner), pad,
              static_cast<unsigned long>(alg.block_size));
  xor_pad(kFlip);
  alg.init(reinterpret_cast<hash_state*>(&outer));
  alg.process(reinterpret_cast<hash_state*>(&outer), pad,
              static_cast<unsigned long>(alg.block_size));
  secure_wipe(pad, alg.block_size);
}

void Hmac::wipe() noexcept {
  const std::size_t n = hash_alg(kind).state_size;
  secure_wipe(&inner, n);
  secure_wipe(&outer, n);
}

void Hmac::Ctx::finish(std::uint8_t* mac) noexcept {
  std::uint8_t digest[kMaxDigest];
  inner_.finish(digest);
  Hasher outer(h_.kind, h_.outer);
  outer.update(Bytes(digest, inner_.digest_size()));
  outer.finish(mac);
  secure_wipe(digest, sizeof(digest));
}

void Hmac::mac(std::initializer_list<Bytes> parts, std::uint8_t* out) const noexcept {
  Ctx ctx(*this);
  for (Bytes p : parts)
    ctx.update(p);
  ctx.finish(out);
}

// ---- Mac: the profile's integrity function ----

void Mac::setup_hmac(HashKind h, Bytes key, std::size_t size) noexcept {
  kind = Kind::kHmac;
  new (&hmac) Hmac;
  hmac.setup(h, key);
  out_size = static_cast<std::uint8_t>(size);
}

// Without Camellia there is no CMAC, and every Mac is an HMAC.
#if KERB_WITH_CAMELLIA
void Mac::setup_cmac(BlockCipher::Kind c, Bytes key) noexcept {
  kind = Kind::kCmac;
  new (&cmac) Cmac;
  cmac.setup(c, key);
  out_size = kBlockSize;
}

void Mac::wipe() noexcept {
  if (kind == Kind::kHmac) {
    hmac.wipe();
  } else {
    cmac.wipe();
  }
}

Mac::Ctx::Ctx(const Mac& m) noexcept : m_(m) {
  if (m.kind == Kind::kHmac)
    new (&h) Hmac::Ctx(m.hmac);
  else
    new (&c) Cmac::Ctx(m.cmac);
}

Mac::Ctx::~Ctx() {
  if (m_.kind == Kind::kHmac)
    h.~Ctx();
  else
    c.~Ctx();
}

void Mac::Ctx::update(Bytes data) noexcept {
  if (m_.kind == Kind::kHmac)
    h.update(data);
  else
    c.update(data);
}
#else
void Mac::wipe() noexcept {
  hmac.wipe();
}

Mac::Ctx::Ctx(const Mac& m) noexcept : m_(m) {
  new (&h) Hmac::Ctx(m.hmac);
}

Mac::Ctx::~Ctx() {
  h.~Ctx();
}

void Mac::Ctx::update(Bytes data) noexcept {
  h.update(data);
}
#endif

void Mac::Ctx::update_joined(Bytes prefix, Bytes data) noexcept {
  std::uint8_t first[128];
  const std::size_t room = sizeof(first) - prefix.size();
  const std::size_t head = data.size() < room ? data.size() : room;
  if (!prefix.empty()) std::memcpy(first, prefix.data(), prefix.size());
  if (head > 0) std::memcpy(first + prefix.size(), data.data(), head);
  update(Bytes(first, prefix.size() + head));
  update(data.subspan(head));
  secure_wipe(first, prefix.size() + head);
}

void Mac::Ctx::finish(std::uint8_t* mac) noexcept {
#if KERB_WITH_CAMELLIA
  if (m_.kind == Kind::kCmac) {
    c.finish(mac);
    return;
  }
#endif
  std::uint8_t full[kMaxDigest];
  h.finish(full);
  std::memcpy(mac, full, m_.out_size);  // truncation, e.g. HMAC-SHA1-96 (RFC 3962 §6)
  secure_wipe(full, sizeof(full));
}

}  // namespace kerb::crypto::detail
