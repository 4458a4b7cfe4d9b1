// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kerb::der {

// Index of the first octet of the first invalid sequence, or text.size() when all is valid.
inline std::size_t first_invalid_utf8(std::span<const std::uint8_t> text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t b = text[i];
    std::size_t n;
    std::uint32_t min, cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 1, min = 0x80, cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2, min = 0x800, cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3, min = 0x10000, cp = b & 0x07u;
    } else {
      return i;
    }
    if (text.size() - i <= n) return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((text[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (text[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return i;
}

}  // namespace kerb::der
