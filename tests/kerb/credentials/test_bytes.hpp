// Hand-built ccache and keytab bytes for the credentials tests, written independently of the
// library's encoder (straight from MIT's format documents), in either byte order.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/error.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

#include "hex_bytes.hpp"

namespace kerb::test {

class ByteBuilder {
 public:
  enum class Order { kBig, kLittle, kNative };
  explicit ByteBuilder(Order order = Order::kBig)
      : big_(order == Order::kBig ||
             (order == Order::kNative && std::endian::native == std::endian::big)) {}

  ByteBuilder& u8(std::uint32_t v) {
    bytes_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  ByteBuilder& u16(std::uint32_t v) { return put(v, 2); }
  ByteBuilder& u32(std::uint32_t v) { return put(v, 4); }
  ByteBuilder& raw(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  ByteBuilder& raw(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  ByteBuilder& zeros(std::size_t n) {
    bytes_.insert(bytes_.end(), n, 0);
    return *this;
  }
  // Length-prefixed data, 32-bit length (ccache) or 16-bit (keytab).
  ByteBuilder& data32(std::string_view s) {
    return u32(static_cast<std::uint32_t>(s.size())).raw(s);
  }
  ByteBuilder& data32(const Bytes& b) { return u32(static_cast<std::uint32_t>(b.size())).raw(b); }
  ByteBuilder& data16(std::string_view s) {
    return u16(static_cast<std::uint32_t>(s.size())).raw(s);
  }
  ByteBuilder& data16(const Bytes& b) { return u16(static_cast<std::uint32_t>(b.size())).raw(b); }

  const Bytes& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  ByteBuilder& put(std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big_ ? 8 * (n - 1 - i) : 8 * i;
      bytes_.push_back(static_cast<std::uint8_t>(v >> shift));
    }
    return *this;
  }

  bool big_;
  Bytes bytes_;
};

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline Principal principal(std::string_view text) {
  Result<Principal> p = Principal::parse(text);
  REQUIRE(p.ok());
  return *p;
}

// A fresh directory under the build tree's temp dir, removed at scope exit.
class TempDir {
 public:
  explicit TempDir(const std::filesystem::path& base = std::filesystem::temp_directory_path()) {
    std::string tmpl = (base / "kerb-cred-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(std::string_view name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace kerb::test
