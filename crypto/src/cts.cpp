// Block ciphers on libtomcrypt and CBC with ciphertext stealing (RFC 3962 §5).
#include <cstdlib>

#include <kerb/crypto/secret.hpp>

#include "cts.hpp"

namespace kerb::crypto::detail {

void BlockCipher::setup(Kind k, Bytes key) noexcept {
  kind = k;
  int keylen = static_cast<int>(key.size());
#if KERB_WITH_CAMELLIA
  int rc = (k == Kind::kAes) ? rijndael_setup(key.data(), keylen, 0, ltc())
                             : camellia_setup(key.data(), keylen, 0, ltc());
#else
  int rc = rijndael_setup(key.data(), keylen, 0, ltc());
#endif
  // Key sizes come from the profile table, never from input; a failure is a bug.
  if (rc != CRYPT_OK) std::abort();
}

void BlockCipher::wipe() noexcept {
  switch (kind) {
    case Kind::kAes:
      secure_wipe(&schedule.aes, sizeof(schedule.aes));
      break;
#if KERB_WITH_CAMELLIA
    case Kind::kCamellia:
      secure_wipe(&schedule.camellia, sizeof(schedule.camellia));
      break;
#endif
    case Kind::kNone:
      break;
  }
}

// CBC-CS3: ordinary CBC up to the last two blocks; then the final (possibly partial) block is
// zero-padded, chained, and the two last ciphertext blocks are emitted in swapped order with
// the penultimate truncated to the length of the final plaintext block.
void cts_encrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept {
  const std::size_t n = in.size();
  std::uint8_t prev[kBlockSize];
  std::memcpy(prev, iv, kBlockSize);
  if (n == kBlockSize) {
    xor_block(prev, prev, in.data());
    cipher.encrypt_block(prev, out.data());
    secure_wipe(prev, sizeof(prev));
    return;
  }
  const std::size_t tail = ((n - 1) % kBlockSize) + 1;  // 1..16 bytes in the final block
  const std::size_t head = n - tail - kBlockSize;       // bytes before the last two blocks
  // Each block is chained and encrypted where it lands in `out` (xor_block reads both inputs
  // before writing, so in == out is fine), and chains from there.
  const std::uint8_t* chain = prev;
  for (std::size_t off = 0; off < head; off += kBlockSize) {
    std::uint8_t* block = out.data() + off;
    xor_block(block, chain, in.data() + off);
    cipher.encrypt_block(block, block);
    chain = block;
  }
  if (chain != prev) std::memcpy(prev, chain, kBlockSize);
  std::uint8_t x[kBlockSize];
  std::uint8_t last[kBlockSize] = {};
  std::memcpy(last, in.data() + head + kBlockSize, tail);  // read before out may overwrite
  xor_block(x, prev, in.data() + head);
  cipher.encrypt_block(x, x);  // X = E(P[n-1] ^ prev)
  xor_block(last, last, x);    // (P[n] | 0...) ^ X
  cipher.encrypt_block(last, prev);
  std::memcpy(out.data() + head, prev, kBlockSize);
  std::memcpy(out.data() + head + kBlockSize, x, tail);
  secure_wipe(x, sizeof(x));
  secure_wipe(last, sizeof(last));
  secure_wipe(prev, sizeof(prev));
}

void cts_decrypt(const BlockCipher& cipher, const std::uint8_t* iv, Bytes in,
                 MutBytes out) noexcept {
  const std::size_t n = in.size();
  std::uint8_t prev[kBlockSize];
  std::uint8_t tmp[kBlockSize];
  std::memcpy(prev, iv, kBlockSize);
  if (n == kBlockSize) {
    cipher.decrypt_block(in.data(), tmp);
    xor_block(out.data(), tmp, prev);
    secure_wipe(tmp, sizeof(tmp));
    return;
  }
  const std::size_t tail = ((n - 1) % kBlockSize) + 1;
  const std::size_t head = n - tail - kBlockSize;
  if (in.data() != out.data()) {
    // Separate buffers: chain straight from the previous ciphertext block in `in`.
    const std::uint8_t* chain = prev;
    for (std::size_t off = 0; off < head; off += kBlockSize) {
      cipher.decrypt_block(in.data() + off, tmp);
      xor_block(out.data() + off, tmp, chain);
      chain = in.data() + off;
    }
    if (chain != prev) std::memcpy(prev, chain, kBlockSize);
  } else {
    for (std::size_t off = 0; off < head; off += kBlockSize) {
      std::uint8_t c[kBlockSize];
      std::memcpy(c, in.data() + off, kBlockSize);  // keep ciphertext: in is overwritten
      cipher.decrypt_block(c, tmp);
      xor_block(out.data() + off, tmp, prev);
      std::memcpy(prev, c, kBlockSize);
    }
  }
  // Y = in[head..+16] encrypts the padded last block; in[head+16..] holds X's first `tail` bytes.
  std::uint8_t x[kBlockSize];
  std::uint8_t z[kBlockSize];
  cipher.decrypt_block(in.data() + head, z);  // Z = (P[n] | 0) ^ X
  std::memcpy(x, in.data() + head + kBlockSize, tail);
  std::memcpy(x + tail, z + tail, kBlockSize - tail);
  // P[n] = Z ^ X over the first `tail` bytes. A whole-block XOR gives the same there and
  // zeros past it (x copied those bytes from z), which are never used; a loop to `tail`
  // made GCC's vectorizer emit a store at z + 16 its range analysis could not rule out.
  xor_block(z, z, x);
  cipher.decrypt_block(x, tmp);
  xor_block(out.data() + head, tmp, prev);
  std::memcpy(out.data() + head + kBlockSize, z, tail);
  secure_wipe(tmp, sizeof(tmp));
  secure_wipe(x, sizeof(x));
  secure_wipe(z, sizeof(z));
}

void cts_encrypt_split(const BlockCipher& cipher, const std::uint8_t* conf, Bytes plaintext,
                       MutBytes out) noexcept {
  static constexpr std::uint8_t kZeroIv[kBlockSize] = {};
  if (plaintext.size() <= kBlockSize) {
    // The confounder block takes part in ciphertext stealing; encrypt via a small buffer.
    std::uint8_t tmp[2 * kBlockSize];
    std::memcpy(tmp, conf, kBlockSize);
    if (!plaintext.empty()) std::memcpy(tmp + kBlockSize, plaintext.data(), plaintext.size());
    cts_encrypt(cipher, kZeroIv, Bytes(tmp, out.size()), out);
    secure_wipe(tmp, sizeof(tmp));
    return;
  }
  // The confounder is an ordinary CBC block (IV zero); the rest chains from its ciphertext.
  cipher.encrypt_block(conf, out.data());
  cts_encrypt(cipher, out.data(), plaintext, out.subspan(kBlockSize));
}

void cts_decrypt_split(const BlockCipher& cipher, Bytes in, std::uint8_t* conf,
                       MutBytes plaintext) noexcept {
  static constexpr std::uint8_t kZeroIv[kBlockSize] = {};
  if (in.size() <= 2 * kBlockSize) {
    // The confounder block takes part in ciphertext stealing; decrypt via a small buffer.
    std::uint8_t tmp[2 * kBlockSize];
    cts_decrypt(cipher, kZeroIv, in, MutBytes(tmp, in.size()));
    std::memcpy(conf, tmp, kBlockSize);
    if (!plaintext.empty()) std::memcpy(plaintext.data(), tmp + kBlockSize, plaintext.size());
    secure_wipe(tmp, sizeof(tmp));
    return;
  }
  // The confounder is an ordinary CBC block; the rest chains from its ciphertext.
  std::uint8_t tmp[kBlockSize];
  cipher.decrypt_block(in.data(), tmp);
  std::memcpy(conf, tmp, kBlockSize);  // IV is zero
  secure_wipe(tmp, sizeof(tmp));
  cts_decrypt(cipher, in.data(), in.subspan(kBlockSize), plaintext);
}

}  // namespace kerb::crypto::detail
