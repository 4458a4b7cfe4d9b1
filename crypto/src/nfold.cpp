// n-fold (RFC 3961 §5.1): stretch or shrink a constant to the cipher's block size.
#include "internal.hpp"

namespace kerb::crypto::detail {
namespace {

std::size_t gcd(std::size_t a, std::size_t b) noexcept {
  while (b != 0) {
    std::size_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

}  // namespace

// The input is repeated lcm(in, out) / in times, copy k rotated right by 13*k bits; the
// result is cut into out-sized chunks that are added with one's-complement (end-around
// carry) addition. Inputs here are short constants, so a byte-at-a-time loop is plenty.
void nfold(Bytes in, MutBytes out) noexcept {
  const std::size_t n = in.size();
  const std::size_t m = out.size();
  if (n == 0 || m == 0) return;
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

}  // namespace kerb::crypto::detail
