// KerberosTime (RFC 4120 §5.2.3): GeneralizedTime restricted to exactly "YYYYMMDDHHMMSSZ".
// Values are seconds since 1970-01-01T00:00:00Z; the representable range is years 0000..9999.
#pragma once

#include <cstdint>
#include <span>

namespace kerb::der {

inline constexpr std::size_t kKerberosTimeLength = 15;          // "YYYYMMDDHHMMSSZ"
inline constexpr std::int64_t kMinKerberosTime = -62167219200;  // 0000-01-01T00:00:00Z
inline constexpr std::int64_t kMaxKerberosTime = 253402300799;  // 9999-12-31T23:59:59Z

// Parses the 15 content octets; calendar validated (month lengths, leap years, no second 60).
[[nodiscard]] bool parse_kerberos_time(std::span<const std::uint8_t> text, std::int64_t& seconds);

// Formats into exactly 15 octets; false when seconds is outside the representable range.
[[nodiscard]] bool format_kerberos_time(std::int64_t seconds,
                                        std::span<std::uint8_t, kKerberosTimeLength> out);

}  // namespace kerb::der
