// The tests' byte vocabulary: Bytes (owned), ByteView (borrowed), and hex in and out. Header-only
// and free of Catch2, so fuzz targets and tools under tests/ can use it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kerb::test {

// A file that also sees the library's own span kerb::Bytes through `using namespace kerb`
// writes this one as test::Bytes (kerb::test::Bytes where kerb::gss::test is in view too).
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Hex digits to bytes, in any case. Everything else ("30 03 02 01 05", "cd:ed", line breaks in
// a long vector) only separates digits. An odd digit count is a typo in the test: abort (no
// Catch2 here, and a truncated vector must not pass for a valid one).
inline Bytes hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  int high = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) {
    std::fprintf(stderr, "hex: odd number of digits in \"%.*s\"\n", static_cast<int>(text.size()),
                 text.data());
    std::abort();
  }
  return out;
}

// How to_hex spells bytes: RFC vectors are compact lower case ("cdedb528"), DER dumps read best
// spaced in upper case ("30 03 02 01 05").
struct HexStyle {
  bool upper = false;
  bool spaced = false;
};
inline constexpr HexStyle kHexSpaced{.upper = true, .spaced = true};

inline std::string to_hex(ByteView bytes, HexStyle style = {}) {
  const char* digits = style.upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (style.spaced && i != 0) out.push_back(' ');
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0x0F]);
  }
  return out;
}

}  // namespace kerb::test
