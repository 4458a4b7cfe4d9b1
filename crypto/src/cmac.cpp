// CMAC (NIST SP 800-38B), the integrity function and KDF PRF of RFC 6803.
#include "mac.hpp"

namespace kerb::crypto::detail {
namespace {

// Doubling in GF(2^128) (SP 800-38B §6.1): shift left, conditionally xor Rb = 0x87.
void dbl(const std::uint8_t* in, std::uint8_t* out) noexcept {
  const std::uint8_t carry = static_cast<std::uint8_t>(in[0] >> 7);
  for (std::size_t i = 0; i + 1 < kBlockSize; ++i) {
    out[i] = static_cast<std::uint8_t>((in[i] << 1) | (in[i + 1] >> 7));
  }
  // Branch-free: the mask is 0x87 when the top bit was set.
  out[kBlockSize - 1] = static_cast<std::uint8_t>((static_cast<unsigned>(in[kBlockSize - 1]) << 1) ^
                                                  (0x87u & (0u - carry)));
}

}  // namespace

void Cmac::setup(BlockCipher::Kind k, Bytes key) noexcept {
  cipher.setup(k, key);
  std::uint8_t l[kBlockSize] = {};
  cipher.encrypt_block(l, l);
  dbl(l, k1);
  dbl(k1, k2);
  secure_wipe(l, sizeof(l));
}

void Cmac::wipe() noexcept {
  cipher.wipe();
  secure_wipe(k1, sizeof(k1));
  secure_wipe(k2, sizeof(k2));
}

void Cmac::Ctx::update(Bytes data) noexcept {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  // Hold back the final block (full or not): it is masked with K1/K2 in finish().
  if (n_ < kBlockSize) {
    std::size_t take = kBlockSize - n_;
    if (take > n) take = n;
    if (take > 0) std::memcpy(buf_ + n_, p, take);
    n_ += take;
    p += take;
    n -= take;
  }
  if (n == 0) return;
  // buf_ is full and more data follows, so buf_ is not the last block.
  xor_block(x_, x_, buf_);
  c_.cipher.encrypt_block(x_, x_);
  while (n > kBlockSize) {
    xor_block(x_, x_, p);
    c_.cipher.encrypt_block(x_, x_);
    p += kBlockSize;
    n -= kBlockSize;
  }
  std::memcpy(buf_, p, n);
  n_ = n;
}

void Cmac::Ctx::finish(std::uint8_t* mac) noexcept {
  if (n_ == kBlockSize) {
    xor_block(buf_, buf_, c_.k1);
  } else {
    buf_[n_] = 0x80;
    for (std::size_t i = n_ + 1; i < kBlockSize; ++i)
      buf_[i] = 0;
    xor_block(buf_, buf_, c_.k2);
  }
  xor_block(x_, x_, buf_);
  c_.cipher.encrypt_block(x_, mac);
}

void Cmac::mac(std::initializer_list<Bytes> parts, std::uint8_t* out) const noexcept {
  Ctx ctx(*this);
  for (Bytes p : parts)
    ctx.update(p);
  ctx.finish(out);
}

}  // namespace kerb::crypto::detail
