// Private pieces MIT's FILE ccache and keytab formats share: the version preamble (0x05 0x0N),
// counted strings, principals with their per-version quirks, and 16-bit types and 32-bit times
// that must fit. Facts from MIT's "Credential cache file format" and "Keytab file format"
// documents: the two formats differ only in the width of a count and where the name type goes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <kerb/crypto/enctype.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

#include <kerb/internal/bytes.hpp>

namespace kerb::detail {

// What distinguishes one of the formats.
struct MitFileFormat {
  const char* label;  // prefix of writer errors: "ccache", "keytab"
  const char* noun;   // "not a <noun>" when the first byte is wrong
  std::uint8_t max_version;
  // From this version on integers are big-endian; before it, the writer's host order.
  std::uint8_t first_big_endian_version;
  // Bytes of a principal's component count and of every counted string's length.
  std::uint8_t length_size;
  // Where a principal's name type goes (versions 2 and up): before the count, or after the
  // components.
  bool name_type_first;
};

// Ccache principal ::= [name type (32)] count (32) realm (data32) components (data32)...
inline constexpr MitFileFormat kMitCcacheFormat{"ccache", "credentials cache", 4, 3, 4, true};
// Keytab principal ::= count (16) realm (data16) components (data16)... [name type (32)]
inline constexpr MitFileFormat kMitKeytabFormat{"keytab", "keytab", 2, 2, 2, false};

inline constexpr std::uint8_t kMitFirstByte = 0x05;

// --- reading ---------------------------------------------------------------------------------

// The version (1..max_version) from the two-byte preamble; kIo naming `label` otherwise.
Result<std::uint8_t> read_mit_version(const MitFileFormat& format,
                                      std::span<const std::uint8_t> bytes, std::string_view label);

// A reader over what follows the preamble, in the version's byte order. Versions before
// first_big_endian_version use the writer's host order: ours is the only one we can assume.
BinaryReader mit_body_reader(const MitFileFormat& format, std::uint8_t version,
                             std::span<const std::uint8_t> bytes, std::string_view label);

// A counted string of the format's length size, at most `max` bytes.
[[nodiscard]] inline bool read_mit_data(const MitFileFormat& format, BinaryReader& r,
                                        std::span<const std::uint8_t>& out, const char* field,
                                        std::size_t max = SIZE_MAX) noexcept {
  return r.read_data(format.length_size, out, field, max);
}

// Seconds since the epoch from an unsigned 32-bit field (good until 2106).
[[nodiscard]] inline bool read_mit_time(BinaryReader& r, std::int64_t& out,
                                        const char* field) noexcept {
  std::uint32_t v = 0;
  if (!r.read_u32(v, field)) return false;
  out = v;
  return true;
}

// An enctype from a signed 16-bit field: any number, known to kerb or not, reads as is.
[[nodiscard]] inline bool read_mit_enctype(BinaryReader& r, crypto::EncType& out,
                                           const char* field) noexcept {
  std::int32_t number = 0;
  if (!r.read_i16(number, field)) return false;
  out = static_cast<crypto::EncType>(number);
  return true;
}

// A principal. In version 1 the count includes the realm and there is no name type. `role`
// ("client", "default") starts the messages about the count, or nothing when null.
[[nodiscard]] bool read_mit_principal(const MitFileFormat& format, BinaryReader& r,
                                      std::uint8_t version, const char* role, Principal& out);

// --- writing (always the newest version: big-endian) -----------------------------------------

inline void write_mit_preamble(ByteWriter& w, std::uint8_t version) {
  w.u8(kMitFirstByte);
  w.u8(version);
}

// kInvalidArgument when the length does not fit the format's length size.
Result<void> write_mit_data(const MitFileFormat& format, ByteWriter& w,
                            std::span<const std::uint8_t> bytes, const char* what);
Result<void> write_mit_data(const MitFileFormat& format, ByteWriter& w, std::string_view text,
                            const char* what);

// At most PrincipalName::kMaxComponents components (a Principal holds no more).
Result<void> write_mit_principal(const MitFileFormat& format, ByteWriter& w, std::string_view realm,
                                 std::int32_t name_type, std::span<const std::string> components);
Result<void> write_mit_principal(const MitFileFormat& format, ByteWriter& w, const Principal& p);

// A signed Kerberos number (enctype, addrtype, ad-type) in a 16-bit field.
Result<void> write_mit_i16(const MitFileFormat& format, ByteWriter& w, std::int32_t value,
                           const char* what);
// An enctype in its signed 16-bit field (kInvalidArgument when the number does not fit).
inline Result<void> write_mit_enctype(const MitFileFormat& format, ByteWriter& w,
                                      crypto::EncType enctype, const char* what) {
  return write_mit_i16(format, w, static_cast<std::int32_t>(enctype), what);
}
// Seconds since the epoch in an unsigned 32-bit field (good until 2106).
Result<void> write_mit_time(const MitFileFormat& format, ByteWriter& w, std::int64_t time,
                            const char* what);

}  // namespace kerb::detail
