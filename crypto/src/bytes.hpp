// Byte spans and the small byte helpers the profiles share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include <kerb/internal/endian.hpp>

namespace kerb::crypto::detail {

using Bytes = std::span<const std::uint8_t>;
using MutBytes = std::span<std::uint8_t>;

inline constexpr std::size_t kBlockSize = 16;  // AES and Camellia

// Byte order: the one set of helpers kerb and gss use too.
using kerb::detail::load_be32;
using kerb::detail::load_be64;
using kerb::detail::store_be32;
using kerb::detail::store_be64;
using kerb::detail::store_le32;

inline void xor_block(std::uint8_t* dst, const std::uint8_t* a, const std::uint8_t* b) noexcept {
  std::uint64_t x[2], y[2];
  std::memcpy(x, a, 16);
  std::memcpy(y, b, 16);
  x[0] ^= y[0];
  x[1] ^= y[1];
  std::memcpy(dst, x, 16);
}

}  // namespace kerb::crypto::detail
