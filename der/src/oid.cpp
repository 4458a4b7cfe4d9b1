#include <kerb/der/oid.hpp>

#include <cstdio>

namespace kerb::der {
namespace {

// Reads one base-128 arc starting at i; false on a malformed or oversized arc.
bool next_arc(std::span<const std::uint8_t> c, std::size_t& i, std::uint64_t& arc) {
  if (c[i] == 0x80) return false;  // X.690 §8.19.2: no leading 0x80 octet
  arc = 0;
  while (i < c.size()) {
    if (arc > (UINT64_MAX >> 7)) return false;  // would not fit in 64 bits
    const std::uint8_t b = c[i++];
    arc = (arc << 7) | (b & 0x7Fu);
    if ((b & 0x80) == 0) return true;
  }
  return false;  // the last octet still had its continuation bit set
}

std::size_t put_arc(std::uint64_t arc, std::uint8_t* out) {
  std::uint8_t tmp[10];
  std::size_t n = 0;
  do {
    tmp[n++] = static_cast<std::uint8_t>(arc & 0x7F);
    arc >>= 7;
  } while (arc != 0);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint8_t>(tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
  }
  return n;
}

// A decimal arc with no sign, no leading zeros and no overflow.
bool parse_decimal(std::string_view s, std::uint64_t& value) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  value = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    const auto digit = static_cast<std::uint64_t>(ch - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

}  // namespace

bool valid_oid(std::span<const std::uint8_t> content) {
  if (content.empty()) return false;
  std::uint64_t arc;
  for (std::size_t i = 0; i < content.size();) {
    if (!next_arc(content, i, arc)) return false;
  }
  return true;
}

bool encode_oid(std::string_view dotted, std::span<std::uint8_t> out, std::size_t& written) {
  std::uint8_t buf[10];
  std::size_t n = 0;
  std::uint64_t first = 0;
  std::size_t arcs = 0;
  while (true) {
    const std::size_t dot = dotted.find('.');
    std::uint64_t arc;
    if (!parse_decimal(dotted.substr(0, dot), arc)) return false;
    ++arcs;
    if (arcs == 1) {
      if (arc > 2) return false;
      first = arc;
    } else {
      if (arcs == 2) {
        // X.690 §8.19.4: the first two arcs share one subidentifier, X*40 + Y.
        if (first < 2 && arc > 39) return false;
        if (arc > UINT64_MAX - 80) return false;
        arc += first * 40;
      }
      const std::size_t len = put_arc(arc, buf);
      if (out.size() - n < len) return false;
      for (std::size_t i = 0; i < len; ++i)
        out[n + i] = buf[i];
      n += len;
    }
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  if (arcs < 2) return false;
  written = n;
  return true;
}

bool decode_oid(std::span<const std::uint8_t> content, std::span<char> out, std::size_t& written) {
  if (!valid_oid(content)) return false;
  std::size_t n = 0;
  auto append = [&](std::uint64_t v, bool dot) {
    char tmp[24];
    const int len =
        std::snprintf(tmp, sizeof tmp, dot ? ".%llu" : "%llu", static_cast<unsigned long long>(v));
    if (len < 0 || out.size() - n < static_cast<std::size_t>(len)) return false;
    for (int i = 0; i < len; ++i)
      out[n++] = tmp[i];
    return true;
  };
  std::size_t i = 0;
  std::uint64_t arc;
  (void)next_arc(content, i, arc);  // valid_oid proved every arc well-formed
  const std::uint64_t first = arc < 40 ? 0 : arc < 80 ? 1 : 2;
  if (!append(first, false) || !append(arc - first * 40, true)) return false;
  while (i < content.size()) {
    (void)next_arc(content, i, arc);
    if (!append(arc, true)) return false;
  }
  written = n;
  return true;
}

}  // namespace kerb::der
