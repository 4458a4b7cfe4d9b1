// The preamble, counted strings, principals and range-checked fields shared by MIT's FILE
// ccache and keytab codecs.
#include "mit_file_format.hpp"

namespace kerb::detail {

Result<std::uint8_t> read_mit_version(const MitFileFormat& format,
                                      std::span<const std::uint8_t> bytes, std::string_view label) {
  const std::string l(label);
  if (bytes.size() < 2) {
    return Error::format(ErrorCategory::kIo, 0, "%s: %zu bytes is too short for a version",
                         l.c_str(), bytes.size());
  }
  if (bytes[0] != kMitFirstByte) {
    return Error::format(ErrorCategory::kIo, 0,
                         "%s: not a %s (first byte 0x%02x, not 0x05) at offset 0", l.c_str(),
                         format.noun, bytes[0]);
  }
  const std::uint8_t version = bytes[1];
  if (version < 1 || version > format.max_version) {
    return Error::format(ErrorCategory::kIo, 0, "%s: unsupported version 0x05%02x at offset 0",
                         l.c_str(), version);
  }
  return version;
}

BinaryReader mit_body_reader(const MitFileFormat& format, std::uint8_t version,
                             std::span<const std::uint8_t> bytes, std::string_view label) {
  const bool big_endian = version >= format.first_big_endian_version || host_is_big_endian();
  return BinaryReader(bytes.subspan(2), big_endian, label, 2);
}

bool read_mit_principal(const MitFileFormat& format, BinaryReader& r, std::uint8_t version,
                        const char* role, Principal& out) {
  const bool has_name_type = version != 1;
  std::int32_t name_type = 0;
  if (has_name_type && format.name_type_first && !r.read_i32(name_type, "principal name type")) {
    return false;
  }
  const char* space = role != nullptr ? " " : "";
  if (role == nullptr) role = "";
  const std::size_t at = r.offset();
  std::uint32_t count = 0;
  if (format.length_size == 2) {
    std::uint16_t count16 = 0;
    if (!r.read_u16(count16, "principal component count")) return false;
    count = count16;
  } else if (!r.read_u32(count, "principal component count")) {
    return false;
  }
  if (version == 1) {  // the count includes the realm
    if (count == 0) return r.fail_at(at, "%s%sprincipal has a count of 0 (no realm)", role, space);
    --count;
  }
  if (count > PrincipalName::kMaxComponents) {
    return r.fail_at(at, "%s%sprincipal has %u components, more than %zu", role, space, count,
                     PrincipalName::kMaxComponents);
  }
  std::span<const std::uint8_t> realm;
  if (!read_mit_data(format, r, realm, "realm")) return false;
  PrincipalName name;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::span<const std::uint8_t> component;
    if (!read_mit_data(format, r, component, "principal component")) return false;
    static_cast<void>(name.push_back(as_text(component)));  // count <= kMaxComponents
  }
  if (has_name_type && !format.name_type_first && !r.read_i32(name_type, "principal name type")) {
    return false;
  }
  name.set_name_type(name_type);
  out = Principal(as_text(realm), name);
  return true;
}

Result<void> write_mit_data(const MitFileFormat& format, ByteWriter& w,
                            std::span<const std::uint8_t> bytes, const char* what) {
  const std::uint64_t max = format.length_size == 2 ? UINT16_MAX : UINT32_MAX;
  if (bytes.size() > max) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%s: %s of %zu bytes exceeds %llu",
                         format.label, what, bytes.size(), static_cast<unsigned long long>(max));
  }
  if (format.length_size == 2) {
    w.u16(static_cast<std::uint16_t>(bytes.size()));
  } else {
    w.u32(static_cast<std::uint32_t>(bytes.size()));
  }
  w.bytes(bytes);
  return ok();
}

Result<void> write_mit_data(const MitFileFormat& format, ByteWriter& w, std::string_view text,
                            const char* what) {
  return write_mit_data(
      format, w, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), what);
}

Result<void> write_mit_principal(const MitFileFormat& format, ByteWriter& w, std::string_view realm,
                                 std::int32_t name_type, std::span<const std::string> components) {
  if (format.name_type_first) w.i32(name_type);
  if (format.length_size == 2) {
    w.u16(static_cast<std::uint16_t>(components.size()));  // at most PrincipalName::kMaxComponents
  } else {
    w.u32(static_cast<std::uint32_t>(components.size()));
  }
  KERB_TRY_VOID(write_mit_data(format, w, realm, "realm"));
  for (const std::string& c : components)
    KERB_TRY_VOID(write_mit_data(format, w, c, "principal component"));
  if (!format.name_type_first) w.i32(name_type);
  return ok();
}

Result<void> write_mit_principal(const MitFileFormat& format, ByteWriter& w, const Principal& p) {
  return write_mit_principal(format, w, p.realm(), p.raw_name_type(), p.components());
}

Result<void> write_mit_i16(const MitFileFormat& format, ByteWriter& w, std::int32_t value,
                           const char* what) {
  if (value < INT16_MIN || value > INT16_MAX) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%s: %s %d does not fit in 16 bits",
                         format.label, what, value);
  }
  w.u16(static_cast<std::uint16_t>(static_cast<std::int16_t>(value)));
  return ok();
}

Result<void> write_mit_time(const MitFileFormat& format, ByteWriter& w, std::int64_t time,
                            const char* what) {
  if (time < 0 || time > static_cast<std::int64_t>(UINT32_MAX)) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "%s: %s %lld does not fit in unsigned 32 bits", format.label, what,
                         static_cast<long long>(time));
  }
  w.u32(static_cast<std::uint32_t>(time));
  return ok();
}

}  // namespace kerb::detail
