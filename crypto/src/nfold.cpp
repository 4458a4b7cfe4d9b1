// n-fold (RFC 3961 §5.1): stretch or shrink a constant to the cipher's block size.
#include "kdf.hpp"

namespace kerb::crypto::detail {
namespace {

constexpr std::size_t gcd(std::size_t a, std::size_t b) noexcept {
  while (b != 0) {
    std::size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// The RFC's definition a byte at a time: the input is repeated lcm(in, out) / in times, copy
// k rotated right by 13*k bits, and the result is cut into out-sized chunks that are added
// with one's-complement (end-around carry) addition. constexpr: it also folds the tag
// constants below at compile time.
constexpr void nfold_bytes(const std::uint8_t* in, std::size_t n, std::uint8_t* out,
                           std::size_t m) noexcept {
  const std::size_t lcm = n / gcd(n, m) * m;
  const std::size_t nbits = 8 * n;
  // Column sums per output byte; at most lcm/m chunks of 255 each, far below overflow.
  std::uint32_t sums[64] = {};  // out.size() <= 64 for every use (block or key size)
  for (std::size_t j = 0; j < lcm; ++j) {
    const std::size_t copy = j / n;
    const std::size_t rot = (13 * copy) % nbits;
    // Byte j%n of the rotated copy starts at source bit (8*(j%n) - rot) mod nbits.
    const std::size_t s = (8 * (j % n) + nbits - rot) % nbits;
    const std::size_t byte = s / 8;
    const unsigned shift = static_cast<unsigned>(s % 8);
    unsigned v = in[byte];
    if (shift != 0) {
      v = ((v << shift) | (static_cast<unsigned>(in[(byte + 1) % n]) >> (8 - shift))) & 0xff;
    }
    sums[j % m] += v;
  }
  // Propagate carries from the least significant byte; carries out of the top wrap around.
  std::uint32_t carry = 0;
  do {
    for (std::size_t i = m; i-- > 0;) {
      std::uint32_t t = sums[i] + carry;
      sums[i] = t & 0xff;
      carry = t >> 8;
    }
  } while (carry != 0);
  for (std::size_t i = 0; i < m; ++i)
    out[i] = static_cast<std::uint8_t>(sums[i]);
}

// One's-complement sum of the m-byte big-endian chunks of `stream` (m a multiple of 8),
// 64 bits at a time.
void sum_chunks_by_word(const std::uint8_t* stream, std::size_t len, MutBytes out) noexcept {
  const std::size_t m = out.size();
  const std::size_t words = m / 8;
  std::uint64_t acc[8] = {};
  std::uint64_t wrap = 0;  // carries out of the top, added back at the bottom
  for (std::size_t off = 0; off < len; off += m) {
    std::uint64_t carry = 0;
    for (std::size_t k = words; k-- > 0;) {
      const std::uint64_t w = load_be64(stream + off + 8 * k);
      std::uint64_t sum = acc[k] + w;
      const std::uint64_t c1 = sum < w ? 1 : 0;
      sum += carry;
      const std::uint64_t c2 = sum < carry ? 1 : 0;
      acc[k] = sum;
      carry = c1 | c2;
    }
    wrap += carry;
  }
  while (wrap != 0) {  // end-around carry; runs at most twice
    std::uint64_t carry = wrap;
    for (std::size_t k = words; k-- > 0 && carry != 0;) {
      acc[k] += carry;
      carry = acc[k] < carry ? 1 : 0;
    }
    wrap = carry;
  }
  for (std::size_t k = 0; k < words; ++k)
    store_be64(acc[k], out.data() + 8 * k);
}

// n-fold(0x00000000 | tag) to 128 bits, as (high, low) 64-bit halves.
struct Fold128 {
  std::uint64_t hi;
  std::uint64_t lo;
};

constexpr Fold128 fold_tag(std::uint8_t tag) noexcept {
  const std::uint8_t in[5] = {0, 0, 0, 0, tag};
  std::uint8_t out[16] = {};
  nfold_bytes(in, 5, out, 16);
  Fold128 f{0, 0};
  for (std::size_t i = 0; i < 8; ++i) {
    f.hi = (f.hi << 8) | out[i];
    f.lo = (f.lo << 8) | out[8 + i];
  }
  return f;
}

constexpr Fold128 kKcFold = fold_tag(kKcTag);
constexpr Fold128 kKeFold = fold_tag(kKeTag);
constexpr Fold128 kKiFold = fold_tag(kKiTag);

}  // namespace

void nfold(Bytes in, MutBytes out) noexcept {
  const std::size_t n = in.size();
  const std::size_t m = out.size();
  if (n == 0 || m == 0) return;
  if (n > 8 || m % 8 != 0) {
    nfold_bytes(in.data(), n, out.data(), m);
    return;
  }
  // Every key-derivation constant (usage | tag, "kerberos", "prf") fits a 64-bit word and
  // every output is whole words: lay the rotated copies out as bytes with one rotate and one
  // 8-byte store each (a store's spill past its copy is overwritten by the next one), then
  // add up the chunks a word at a time.
  const std::size_t lcm = n / gcd(n, m) * m;
  const std::size_t nbits = 8 * n;
  std::uint64_t x = 0;
  for (std::uint8_t b : in)
    x = (x << 8) | b;
  alignas(8) std::uint8_t stream[8 * 64 + 8];  // lcm <= n * m <= 512, plus the last spill
  std::size_t rot = 0;                         // 13 * copy mod nbits
  for (std::size_t off = 0; off < lcm; off += n) {
    const std::uint64_t v = rot == 0 ? x : (x >> rot) | (x << (nbits - rot));
    store_be64(v << (64 - nbits), stream + off);  // the copy's bytes first, then junk
    rot += 13;  // mod nbits (>= 8) without a division on the loop's critical path
    while (rot >= nbits)
      rot -= nbits;
  }
  sum_chunks_by_word(stream, lcm, out);
}

UsageFold::UsageFold(std::uint32_t usage) noexcept {
  std::uint8_t in[5];
  store_be32(usage, in);
  in[4] = 0;
  std::uint8_t out[16];
  nfold(Bytes(in, 5), MutBytes(out, 16));
  hi_ = load_be64(out);
  lo_ = load_be64(out + 8);
}

void UsageFold::constant(std::uint8_t tag, std::uint8_t* out) const noexcept {
  Fold128 t;
  switch (tag) {
    case kKcTag:
      t = kKcFold;
      break;
    case kKeTag:
      t = kKeFold;
      break;
    case kKiTag:
      t = kKiFold;
      break;
    default: {  // no RFC 3961 profile uses another tag; fold it here all the same
      const std::uint8_t in[5] = {0, 0, 0, 0, tag};
      std::uint8_t folded[16];
      nfold(Bytes(in, 5), MutBytes(folded, 16));
      t = {load_be64(folded), load_be64(folded + 8)};
      break;
    }
  }
  // One's-complement addition: a carry out of the top wraps around to the bottom. Neither
  // sum can be the all-zero form unless its input was all zeros, so this lands on the same
  // representative as folding usage | tag directly.
  std::uint64_t lo = lo_ + t.lo;
  std::uint64_t c = lo < t.lo ? 1 : 0;
  std::uint64_t hi = hi_ + c;
  std::uint64_t top = hi < c ? 1 : 0;
  hi += t.hi;
  top |= hi < t.hi ? 1 : 0;
  while (top != 0) {
    lo += 1;
    c = lo == 0 ? 1 : 0;
    hi += c;
    top = (c != 0 && hi == 0) ? 1 : 0;
  }
  store_be64(hi, out);
  store_be64(lo, out + 8);
}

}  // namespace kerb::crypto::detail
