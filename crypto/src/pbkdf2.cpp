// PBKDF2 (RFC 2898 §5.2), the core of RFC 3962/6803/8009 string-to-key.
//
// libtomcrypt's pkcs_5_alg2 re-keys HMAC on every iteration (four compression calls) and
// pays for *_done's padding and output on each hash. Here the password's HMAC pad states are
// computed once, and each iteration Uj = HMAC(P, Uj-1) is exactly two compression-function
// calls on prebuilt final blocks (see iterate() for why that is valid).
#include <cstddef>
#include <type_traits>
#include <utility>

#include "hash.hpp"
#include "kdf.hpp"

namespace kerb::crypto::detail {
namespace {

using ProcessFn = int (*)(hash_state*, const unsigned char*, unsigned long);

// One hash as PBKDF2's inner loop sees it: which HashState member holds its state, its block
// size, how many state words make the digest (SHA-384: the first 6 of SHA-512's 8), and its
// libtomcrypt process function. Digest and length field are big-endian (FIPS 180-4).
template <class StateT, StateT HashState::*kMember, std::size_t kBlockBytes,
          std::size_t kDigestWords, ProcessFn kProcess>
struct HashTraits {
  using State = StateT;
  using Word = std::remove_cvref_t<decltype(std::declval<State&>().state[0])>;
  static constexpr StateT HashState::*member = kMember;
  static constexpr std::size_t block = kBlockBytes;
  static constexpr std::size_t words = kDigestWords;
  static constexpr std::size_t digest = kDigestWords * sizeof(Word);
  static constexpr ProcessFn process = kProcess;
  // Bytes of the state in front of the message buffer (length, chaining words, curlen):
  // all a pad state needs to resume from a block boundary.
  static constexpr std::size_t head = offsetof(State, buf);
};

// The PRFs of Kerberos string-to-key. (MD4/MD5 would fit too, little-endian; no enctype uses
// them, so they take the plain loop below rather than more code.)
using Sha1 = HashTraits<sha1_state, &HashState::sha1, 64, 5, sha1_process>;
using Sha256 = HashTraits<sha256_state, &HashState::sha256, 64, 8, sha256_process>;
using Sha384 = HashTraits<sha512_state, &HashState::sha512, 128, 6, sha384_process>;

// One state word, big-endian (a byte swap and a single store).
template <class Word>
inline void store_word(Word w, std::uint8_t* out) noexcept {
  static_assert(sizeof(Word) == 4 || sizeof(Word) == 8);
  if constexpr (sizeof(Word) == 8) {
    store_be64(static_cast<std::uint64_t>(w), out);
  } else {
    store_be32(static_cast<std::uint32_t>(w), out);
  }
}

template <class H>
inline void store_digest(const typename H::State& s, std::uint8_t* out) noexcept {
  for (std::size_t w = 0; w < H::words; ++w)
    store_word(s.state[w], out + w * sizeof(typename H::Word));
}

// Runs iterations 2..c of one PBKDF2 block. On entry t holds U1; on return T = U1 ^ ... ^ Uc.
//
// Every Uj-1 fed to HMAC is digest-sized, so both hashes of HMAC(P, Uj-1) = H(opad | H(ipad |
// Uj-1)) see one pad block (already absorbed into the precomputed inner/outer states, which
// sit on a block boundary with an empty buffer) followed by exactly one final block holding
// the digest-sized message, the 0x80 terminator, zeros, and the total length in bits,
// (block + digest) * 8 -- the same for every iteration, so that block is built once and only
// the message bytes change. Validity against libtomcrypt 1.18.2 (tomcrypt_hash.h):
//  * *_process is the HASH_PROCESS macro: with curlen == 0 and inlen >= block size it calls
//    the compression function directly on the input and touches nothing but length and
//    state[] -- so one full-block call is exactly one compression of our final block;
//  * the digest *_done would output is state[] serialised word by word, big-endian for
//    SHA-1/SHA-2 (STORE32H/STORE64H; sha384_done keeps the first 48 bytes, i.e. 6 words)
//    -- so it is read straight out of state[], and *_done's padding, length encoding and
//    output copy never run.
// Only the state's head (length, state[], curlen) is copied from the pad states per call.
// RFC 3962 Appendix B and libtomcrypt's pkcs_5_alg2 (tests/crypto/primitives_test.cpp)
// check the result.
template <class H>
void iterate(const Hmac& prf, std::uint32_t iterations, std::uint8_t* t) noexcept {
  using Word = typename H::Word;
  static_assert(H::digest + 1 + 2 * sizeof(std::uint64_t) <= H::block);
  // blocks[0] feeds the inner hash (holds Uj-1), blocks[1] the outer (holds the inner digest).
  alignas(16) std::uint8_t blocks[2][H::block];
  std::memset(blocks, 0, sizeof(blocks));
  constexpr std::uint64_t bits = 8 * static_cast<std::uint64_t>(H::block + H::digest);
  for (auto& b : blocks) {
    b[H::digest] = 0x80;
    // 64-bit length at the end (128-bit for SHA-384's 128-byte block: high half zero).
    store_word(bits, b + H::block - sizeof(std::uint64_t));
  }
  std::memcpy(blocks[0], t, H::digest);
  Word acc[H::words] = {};  // XOR of U2..Uc as state words
  HashState st;
  auto& s = st.*H::member;
  hash_state* raw = reinterpret_cast<hash_state*>(&st);
  for (std::uint32_t i = 1; i < iterations; ++i) {
    std::memcpy(&s, &(prf.inner.*H::member), H::head);
    H::process(raw, blocks[0], H::block);
    store_digest<H>(s, blocks[1]);
    std::memcpy(&s, &(prf.outer.*H::member), H::head);
    H::process(raw, blocks[1], H::block);
    for (std::size_t w = 0; w < H::words; ++w)
      acc[w] ^= s.state[w];
    store_digest<H>(s, blocks[0]);
  }
  std::uint8_t sum[H::words * sizeof(Word)];
  for (std::size_t w = 0; w < H::words; ++w)
    store_word(acc[w], sum + w * sizeof(Word));
  for (std::size_t k = 0; k < H::digest; ++k)
    t[k] ^= sum[k];
  secure_wipe(sum, sizeof(sum));
  secure_wipe(acc, sizeof(acc));
  secure_wipe(blocks, sizeof(blocks));
  secure_wipe(&s, H::head);
}

// Any other hash: HMAC on the precomputed pad states through process/done.
void iterate_generic(const Hmac& prf, std::uint32_t iterations, std::uint8_t* t) noexcept {
  const HashAlg& alg = hash_alg(prf.kind);
  const unsigned long ulen = static_cast<unsigned long>(alg.digest_size);
  HashState st;
  hash_state* raw = reinterpret_cast<hash_state*>(&st);
  std::uint8_t u[kMaxDigest];
  std::memcpy(u, t, alg.digest_size);
  for (std::uint32_t i = 1; i < iterations; ++i) {
    std::memcpy(&st, &prf.inner, alg.state_size);
    alg.process(raw, u, ulen);
    alg.done(raw, u);
    std::memcpy(&st, &prf.outer, alg.state_size);
    alg.process(raw, u, ulen);
    alg.done(raw, u);
    for (std::size_t k = 0; k < alg.digest_size; ++k)
      t[k] ^= u[k];
  }
  secure_wipe(&st, alg.state_size);
  secure_wipe(u, sizeof(u));
}

}  // namespace

// Not inlined: its two callers (the AES-SHA1 and AES-SHA2 string-to-key) would each keep a copy.
[[gnu::noinline]] void pbkdf2(HashKind kind, Bytes password, Bytes salt_prefix, Bytes salt,
                              std::uint32_t iterations, MutBytes out) noexcept {
  Hmac prf;
  prf.setup(kind, password);
  const std::size_t hlen = prf.digest_size();
  std::uint8_t t[kMaxDigest];
  std::uint32_t block = 1;
  for (std::size_t off = 0; off < out.size(); off += hlen, ++block) {
    std::uint8_t counter[4];
    store_be32(block, counter);
    prf.mac({salt_prefix, salt, Bytes(counter, 4)}, t);  // U1 = PRF(P, S | INT(i))
    switch (kind) {
      case HashKind::kSha1:
        iterate<Sha1>(prf, iterations, t);
        break;
      case HashKind::kSha256:
        iterate<Sha256>(prf, iterations, t);
        break;
      case HashKind::kSha384:
        iterate<Sha384>(prf, iterations, t);
        break;
      case HashKind::kMd5:
#if KERB_WITH_RC4_HMAC
      case HashKind::kMd4:
#endif
        iterate_generic(prf, iterations, t);
        break;
    }
    const std::size_t take = out.size() - off < hlen ? out.size() - off : hlen;
    std::memcpy(out.data() + off, t, take);
  }
  secure_wipe(t, sizeof(t));
  secure_wipe(&prf, sizeof(prf));
}

}  // namespace kerb::crypto::detail
