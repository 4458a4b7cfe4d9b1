// Helpers shared by the DER tests: the shared byte vocabulary, an independent reference TLV
// encoder, and a case-insensitive substring match for der::Error reasons.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>

#include "hex_bytes.hpp"

namespace kerb::der::test {

using ::kerb::test::Bytes;
using ::kerb::test::hex;
using ::kerb::test::kHexSpaced;
using ::kerb::test::to_hex;

inline Bytes ascii(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts)
    out.insert(out.end(), p.begin(), p.end());
  return out;
}

// Reference DER length octets, written independently of der::Writer.
inline Bytes der_length(std::size_t length) {
  if (length < 0x80) return {static_cast<std::uint8_t>(length)};
  Bytes digits;
  for (std::size_t v = length; v != 0; v >>= 8)
    digits.insert(digits.begin(), static_cast<std::uint8_t>(v));
  digits.insert(digits.begin(), static_cast<std::uint8_t>(0x80 | digits.size()));
  return digits;
}

// Reference TLV: identifier octet, minimal length, contents.
inline Bytes tlv(std::uint8_t identifier, const Bytes& content) {
  Bytes out{identifier};
  Bytes len = der_length(content.size());
  out.insert(out.end(), len.begin(), len.end());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

inline bool contains_ci(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

// True when the error's reason contains any of the '|'-separated alternatives.
inline bool reason_matches(const Error& err, std::string_view alternatives) {
  if (err.reason == nullptr) return false;
  std::string_view reason = err.reason;
  while (true) {
    std::size_t bar = alternatives.find('|');
    if (contains_ci(reason, alternatives.substr(0, bar))) return true;
    if (bar == std::string_view::npos) return false;
    alternatives.remove_prefix(bar + 1);
  }
}

inline std::string reason_of(const Error& err) {
  return err.reason == nullptr ? std::string("(no error)") : std::string(err.reason);
}

}  // namespace kerb::der::test
