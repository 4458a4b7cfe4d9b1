// PBKDF2 (RFC 2898 §5.2), the core of RFC 3962/6803/8009 string-to-key.
//
// libtomcrypt's pkcs_5_alg2 re-keys HMAC on every iteration (four compression calls); here
// the password's HMAC pad states are computed once and copied, so each iteration costs two.
#include "internal.hpp"

namespace kerb::crypto::detail {

void pbkdf2(HashKind kind, Bytes password, Bytes salt_prefix, Bytes salt, std::uint32_t iterations,
            MutBytes out) noexcept {
  Hmac prf;
  prf.setup(kind, password);
  const HashAlg& alg = hash_alg(kind);
  const std::size_t hlen = alg.digest_size;
  const unsigned long ulen = static_cast<unsigned long>(hlen);
  HashState st;
  hash_state* raw = reinterpret_cast<hash_state*>(&st);
  std::uint8_t u[kMaxDigest];
  std::uint8_t t[kMaxDigest];
  std::uint32_t block = 1;
  for (std::size_t off = 0; off < out.size(); off += hlen, ++block) {
    std::uint8_t counter[4];
    store_be32(block, counter);
    prf.mac({salt_prefix, salt, Bytes(counter, 4)}, u);  // U1 = PRF(P, S | INT(i))
    std::memcpy(t, u, hlen);
    for (std::uint32_t i = 1; i < iterations; ++i) {  // Uj = PRF(P, Uj-1)
      std::memcpy(&st, &prf.inner, alg.state_size);
      alg.process(raw, u, ulen);
      alg.done(raw, u);
      std::memcpy(&st, &prf.outer, alg.state_size);
      alg.process(raw, u, ulen);
      alg.done(raw, u);
      for (std::size_t k = 0; k < hlen; ++k)
        t[k] ^= u[k];
    }
    const std::size_t take = out.size() - off < hlen ? out.size() - off : hlen;
    std::memcpy(out.data() + off, t, take);
  }
  secure_wipe(&st, sizeof(st));
  secure_wipe(u, sizeof(u));
  secure_wipe(t, sizeof(t));
  secure_wipe(&prf, sizeof(prf));
}

}  // namespace kerb::crypto::detail
