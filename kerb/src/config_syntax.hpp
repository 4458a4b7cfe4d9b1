// krb5.conf internals shared by the parser and the getters: string helpers, located errors and
// MIT's value syntaxes as bool-returning parsers (config_syntax.cpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <kerb/result.hpp>

namespace kerb::config_detail {

inline bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
inline char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}
inline std::string_view ltrim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  return s;
}
inline std::string_view trim(std::string_view s) noexcept {
  s = ltrim(s);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// "file:line: what" (line 0: "file: what"), kConfig.
[[gnu::format(printf, 3, 4)]] Error located(std::string_view file, std::size_t line,
                                            const char* fmt, ...);
// "bad <what> '<text>'", kConfig, without a location; the text is cut short.
Error bad_value(const char* what, std::string_view text);

// MIT booleans: 1 or 0 into `out`.
bool boolean_value(std::string_view text, std::int64_t& out) noexcept;
// A decimal int32 with an optional sign.
bool integer_value(std::string_view text, std::int64_t& out) noexcept;
// krb5_string_to_deltat's durations, in seconds.
bool duration_value(std::string_view text, std::int64_t& out) noexcept;

}  // namespace kerb::config_detail
