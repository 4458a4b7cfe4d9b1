// Fixed-width big-endian integers, as RFC 4121 token headers and the RFC 7802 PRF counter
// carry them. Private to kerb::gss.
#pragma once

#include <cstdint>

namespace kerb::gss::detail {

inline void put_be16(std::uint16_t v, std::uint8_t* out) noexcept {
  out[0] = static_cast<std::uint8_t>(v >> 8);
  out[1] = static_cast<std::uint8_t>(v);
}
inline void put_be32(std::uint32_t v, std::uint8_t* out) noexcept {
  for (int i = 3; i >= 0; --i, v >>= 8)
    out[i] = static_cast<std::uint8_t>(v);
}
inline void put_be64(std::uint64_t v, std::uint8_t* out) noexcept {
  for (int i = 7; i >= 0; --i, v >>= 8)
    out[i] = static_cast<std::uint8_t>(v);
}
inline std::uint16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint64_t be64(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | p[i];
  return v;
}

}  // namespace kerb::gss::detail
