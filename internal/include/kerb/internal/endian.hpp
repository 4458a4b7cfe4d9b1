// Fixed-width integers to and from bytes in a stated byte order (network order is big-endian:
// RFC 4120 §5.2.2's length prefix, RFC 4121 §4.2.6 token headers, RFC 3961 n-fold). Byte by
// byte, so that the host's byte order and the data's alignment never matter; compilers turn
// each into one load or store and a byte swap. Header-only, needs nothing: crypto may use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace kerb::detail {

namespace endian_impl {

// Unrolled by the fold rather than a loop: GCC at -O2 does not unroll an 8-step loop, but it
// does turn the unrolled shifts into one load or store and a byte swap.
template <class T, std::size_t... I>
constexpr T load_be(const std::uint8_t* p, std::index_sequence<I...>) noexcept {
  constexpr std::size_t n = sizeof...(I);
  return static_cast<T>(((static_cast<T>(p[I]) << (8 * (n - 1 - I))) | ...));
}

template <class T, std::size_t... I>
constexpr T load_le(const std::uint8_t* p, std::index_sequence<I...>) noexcept {
  return static_cast<T>(((static_cast<T>(p[I]) << (8 * I)) | ...));
}

template <class T, std::size_t... I>
constexpr void store_be(T v, std::uint8_t* out, std::index_sequence<I...>) noexcept {
  constexpr std::size_t n = sizeof...(I);
  ((out[I] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - I)))), ...);
}

template <class T, std::size_t... I>
constexpr void store_le(T v, std::uint8_t* out, std::index_sequence<I...>) noexcept {
  ((out[I] = static_cast<std::uint8_t>(v >> (8 * I))), ...);
}

template <class T>
constexpr T load_be(const std::uint8_t* p) noexcept {
  return load_be<T>(p, std::make_index_sequence<sizeof(T)>{});
}
template <class T>
constexpr T load_le(const std::uint8_t* p) noexcept {
  return load_le<T>(p, std::make_index_sequence<sizeof(T)>{});
}
template <class T>
constexpr void store_be(T v, std::uint8_t* out) noexcept {
  store_be(v, out, std::make_index_sequence<sizeof(T)>{});
}
template <class T>
constexpr void store_le(T v, std::uint8_t* out) noexcept {
  store_le(v, out, std::make_index_sequence<sizeof(T)>{});
}

}  // namespace endian_impl

// load_*: the integer in p[0..N), most (be) or least (le) significant byte first. p needs N
// readable bytes and no alignment.
constexpr std::uint16_t load_be16(const std::uint8_t* p) noexcept {
  return endian_impl::load_be<std::uint16_t>(p);
}
constexpr std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return endian_impl::load_be<std::uint32_t>(p);
}
constexpr std::uint64_t load_be64(const std::uint8_t* p) noexcept {
  return endian_impl::load_be<std::uint64_t>(p);
}
constexpr std::uint16_t load_le16(const std::uint8_t* p) noexcept {
  return endian_impl::load_le<std::uint16_t>(p);
}
constexpr std::uint32_t load_le32(const std::uint8_t* p) noexcept {
  return endian_impl::load_le<std::uint32_t>(p);
}
constexpr std::uint64_t load_le64(const std::uint8_t* p) noexcept {
  return endian_impl::load_le<std::uint64_t>(p);
}

// store_*: v into out[0..N), in the same orders. out needs N writable bytes and no alignment.
constexpr void store_be16(std::uint16_t v, std::uint8_t* out) noexcept {
  endian_impl::store_be<std::uint16_t>(v, out);
}
constexpr void store_be32(std::uint32_t v, std::uint8_t* out) noexcept {
  endian_impl::store_be<std::uint32_t>(v, out);
}
constexpr void store_be64(std::uint64_t v, std::uint8_t* out) noexcept {
  endian_impl::store_be<std::uint64_t>(v, out);
}
constexpr void store_le16(std::uint16_t v, std::uint8_t* out) noexcept {
  endian_impl::store_le<std::uint16_t>(v, out);
}
constexpr void store_le32(std::uint32_t v, std::uint8_t* out) noexcept {
  endian_impl::store_le<std::uint32_t>(v, out);
}
constexpr void store_le64(std::uint64_t v, std::uint8_t* out) noexcept {
  endian_impl::store_le<std::uint64_t>(v, out);
}

// The same on fixed-size spans, so that the length is checked when the code is compiled
// (`bytes.subspan<8, 4>()`, a std::array).
constexpr std::uint16_t load_be16(std::span<const std::uint8_t, 2> b) noexcept {
  return load_be16(b.data());
}
constexpr std::uint32_t load_be32(std::span<const std::uint8_t, 4> b) noexcept {
  return load_be32(b.data());
}
constexpr std::uint64_t load_be64(std::span<const std::uint8_t, 8> b) noexcept {
  return load_be64(b.data());
}
constexpr std::uint16_t load_le16(std::span<const std::uint8_t, 2> b) noexcept {
  return load_le16(b.data());
}
constexpr std::uint32_t load_le32(std::span<const std::uint8_t, 4> b) noexcept {
  return load_le32(b.data());
}
constexpr std::uint64_t load_le64(std::span<const std::uint8_t, 8> b) noexcept {
  return load_le64(b.data());
}
constexpr void store_be16(std::uint16_t v, std::span<std::uint8_t, 2> out) noexcept {
  store_be16(v, out.data());
}
constexpr void store_be32(std::uint32_t v, std::span<std::uint8_t, 4> out) noexcept {
  store_be32(v, out.data());
}
constexpr void store_be64(std::uint64_t v, std::span<std::uint8_t, 8> out) noexcept {
  store_be64(v, out.data());
}
constexpr void store_le16(std::uint16_t v, std::span<std::uint8_t, 2> out) noexcept {
  store_le16(v, out.data());
}
constexpr void store_le32(std::uint32_t v, std::span<std::uint8_t, 4> out) noexcept {
  store_le32(v, out.data());
}
constexpr void store_le64(std::uint64_t v, std::span<std::uint8_t, 8> out) noexcept {
  store_le64(v, out.data());
}

}  // namespace kerb::detail
