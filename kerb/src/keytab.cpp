// MIT FILE keytab codec (versions 1 and 2 in, 2 out) and key selection. Facts from MIT's
// "Keytab file format" document.
#include <kerb/keytab.hpp>

#include <kerb/internal/bytes.hpp>
#include <kerb/internal/file.hpp>
#include "secure_env.hpp"

namespace kerb {

using detail::BinaryReader;
using detail::ByteWriter;

namespace {

constexpr std::uint8_t kFirstByte = 5;

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string_view strip_prefix(std::string_view name) {
  for (std::string_view prefix : {std::string_view("FILE:"), std::string_view("WRFILE:")}) {
    if (name.substr(0, prefix.size()) == prefix) return name.substr(prefix.size());
  }
  return name;
}

// principal ::= count (16) [includes realm in v1] realm (data16) components (data16)...
//               name type (32) [omitted in v1]
bool read_principal(BinaryReader& r, std::uint8_t version, Principal& out) {
  const std::size_t at = r.offset();
  std::uint16_t count = 0;
  if (!r.read_u16(count, "principal component count")) return false;
  if (version == 1) {
    if (count == 0) return r.fail_at(at, "principal has a count of 0 (no realm)");
    --count;
  }
  if (count > PrincipalName::kMaxComponents) {
    return r.fail_at(at, "principal has %u components, more than %zu", count,
                     PrincipalName::kMaxComponents);
  }
  std::span<const std::uint8_t> realm;
  if (!r.read_data(2, realm, "realm")) return false;
  PrincipalName name;
  for (std::uint16_t i = 0; i < count; ++i) {
    std::span<const std::uint8_t> component;
    if (!r.read_data(2, component, "principal component")) return false;
    static_cast<void>(name.push_back(as_text(component)));  // count <= kMaxComponents
  }
  std::int32_t name_type = 0;
  if (version != 1 && !r.read_i32(name_type, "principal name type")) return false;
  name.set_name_type(name_type);
  out = Principal(as_text(realm), name);
  return true;
}

// "Key entry format". `r` covers exactly one record; bytes after the entry are ignored.
bool read_entry(BinaryReader& r, std::uint8_t version, KeytabEntry& e) {
  if (!read_principal(r, version, e.principal)) return false;
  std::uint32_t timestamp = 0;
  std::uint8_t kvno8 = 0;
  if (!r.read_u32(timestamp, "timestamp") || !r.read_u8(kvno8, "key version") ||
      !r.read_i16(e.key.enctype, "enctype")) {
    return false;
  }
  std::span<const std::uint8_t> key;
  if (!r.read_data(2, key, "key", KeyBlock::kMaxSize)) return false;
  static_cast<void>(e.key.contents.assign(key));  // bounded by kMaxSize above
  e.timestamp = timestamp;
  e.kvno = kvno8;
  // The 32-bit key version (release 1.14+) overrides the 8-bit one when at least 4 bytes remain
  // in the record and it is non-zero.
  if (r.remaining() >= 4) {
    std::uint32_t kvno32 = 0;
    if (!r.read_u32(kvno32, "32-bit key version")) return false;
    if (kvno32 != 0) e.kvno = kvno32;
  }
  return true;
}

Result<Keytab> parse(std::span<const std::uint8_t> bytes, std::string_view label) {
  const std::string l(label);
  if (bytes.size() < 2) {
    return Error::format(ErrorCategory::kIo, 0, "%s: %zu bytes is too short for a version",
                         l.c_str(), bytes.size());
  }
  if (bytes[0] != kFirstByte) {
    return Error::format(ErrorCategory::kIo, 0,
                         "%s: not a keytab (first byte 0x%02x, not 0x05) at offset 0", l.c_str(),
                         bytes[0]);
  }
  const std::uint8_t version = bytes[1];
  if (version != 1 && version != 2) {
    return Error::format(ErrorCategory::kIo, 0, "%s: unsupported version 0x05%02x at offset 0",
                         l.c_str(), version);
  }
  Keytab out;
  out.version = static_cast<std::uint16_t>(0x0500 | version);
  // Version 1 uses the writer's native byte order: ours is the only one we can assume.
  const bool big_endian = version == 2 || detail::host_is_big_endian();
  BinaryReader r(bytes.subspan(2), big_endian, label, 2);
  while (!r.empty()) {
    const std::size_t at = r.offset();
    std::int32_t length = 0;
    if (!r.read_i32(length, "record length")) return r.error();
    if (length == 0) break;  // the end of the file; whatever follows is ignored
    if (length < 0) {        // a hole: a deleted entry's zero-filled bytes
      const std::int64_t hole = -static_cast<std::int64_t>(length);
      if (static_cast<std::uint64_t>(hole) > r.remaining()) {
        r.fail_at(at, "hole of %lld bytes exceeds the remaining %zu bytes",
                  static_cast<long long>(hole), r.remaining());
        return r.error();
      }
      static_cast<void>(r.skip(static_cast<std::size_t>(hole), "hole"));
      continue;
    }
    const auto record_length = static_cast<std::size_t>(length);
    if (record_length > r.remaining()) {
      r.fail_at(at, "record length %zu exceeds the remaining %zu bytes", record_length,
                r.remaining());
      return r.error();
    }
    if (out.entries.size() == Keytab::kMaxEntries) {
      r.fail_at(at, "more than %zu entries", Keytab::kMaxEntries);
      return r.error();
    }
    BinaryReader record = r;
    static_cast<void>(r.read_sub(record_length, record, "record"));
    KeytabEntry entry;
    if (!read_entry(record, version, entry)) return record.error();
    out.entries.push_back(std::move(entry));
  }
  return out;
}

// --- writing ---------------------------------------------------------------------------------

Result<void> put_data16(ByteWriter& w, std::span<const std::uint8_t> bytes, const char* what) {
  if (bytes.size() > UINT16_MAX) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "keytab: %s of %zu bytes exceeds 65535", what, bytes.size());
  }
  w.u16(static_cast<std::uint16_t>(bytes.size()));
  w.bytes(bytes);
  return ok();
}
Result<void> put_data16(ByteWriter& w, std::string_view s, const char* what) {
  return put_data16(w, std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), what);
}

// One version 2 entry, without its record length.
Result<void> put_entry(ByteWriter& w, const KeytabEntry& e) {
  const auto components = e.principal.components();
  w.u16(static_cast<std::uint16_t>(components.size()));  // at most PrincipalName::kMaxComponents
  KERB_TRY_VOID(put_data16(w, e.principal.realm(), "realm"));
  for (const std::string& c : components)
    KERB_TRY_VOID(put_data16(w, c, "principal component"));
  w.i32(e.principal.raw_name_type());
  if (e.timestamp < 0 || e.timestamp > static_cast<std::int64_t>(UINT32_MAX)) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "keytab: timestamp %lld does not fit in unsigned 32 bits",
                         static_cast<long long>(e.timestamp));
  }
  w.u32(static_cast<std::uint32_t>(e.timestamp));
  w.u8(static_cast<std::uint8_t>(e.kvno & 0xff));
  if (e.key.enctype < INT16_MIN || e.key.enctype > INT16_MAX) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "keytab: enctype %d does not fit in 16 bits", e.key.enctype);
  }
  w.u16(static_cast<std::uint16_t>(static_cast<std::int16_t>(e.key.enctype)));
  KERB_TRY_VOID(put_data16(w, e.key.contents.view(), "key"));
  w.u32(e.kvno);
  return ok();
}

Result<void> put_keytab(ByteWriter& w, const Keytab& kt) {
  w.u8(kFirstByte);
  w.u8(2);
  for (const KeytabEntry& e : kt.entries) {
    ByteWriter counter;
    KERB_TRY_VOID(put_entry(counter, e));
    // At most 2 + 9 * (2 + 65535) + ... bytes: always fits a positive int32.
    w.i32(static_cast<std::int32_t>(counter.size()));
    KERB_TRY_VOID(put_entry(w, e));
  }
  return ok();
}

Error not_found(const Principal& principal, std::optional<std::uint32_t> kvno,
                std::int32_t enctype) {
  const std::string name = principal.to_string();
  if (kvno) {
    return Error::format(ErrorCategory::kIo, 0, "keytab: no key for %.60s kvno %u enctype %d",
                         name.c_str(), *kvno, enctype);
  }
  return Error::format(ErrorCategory::kIo, 0, "keytab: no key for %.60s enctype %d", name.c_str(),
                       enctype);
}

}  // namespace

Result<Keytab> Keytab::read(std::span<const std::uint8_t> bytes) {
  return parse(bytes, "keytab");
}

Result<Keytab> Keytab::open(std::string_view path) {
  const std::string file(strip_prefix(path));
  const std::string label = detail::file_label("keytab", file);
  KERB_TRY(std::vector<std::uint8_t> bytes, detail::read_file_locked(file, label, kMaxFileSize));
  Result<Keytab> parsed = parse(bytes, label);
  detail::wipe(bytes);
  return parsed;
}

Result<std::vector<std::uint8_t>> Keytab::serialize() const {
  if (entries.size() > kMaxEntries) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "keytab: more than %zu entries",
                         kMaxEntries);
  }
  return detail::serialize_exact([this](ByteWriter& w) { return put_keytab(w, *this); });
}

Result<void> Keytab::write(std::string_view path) const {
  const std::string file(strip_prefix(path));
  KERB_TRY(std::vector<std::uint8_t> bytes, serialize());
  Result<void> written = detail::write_file_atomic(file, bytes, detail::file_label("keytab", file));
  detail::wipe(bytes);
  return written;
}

void Keytab::add(KeytabEntry entry) {
  for (KeytabEntry& e : entries) {
    if (e.principal == entry.principal && e.kvno == entry.kvno &&
        e.key.enctype == entry.key.enctype) {
      e = std::move(entry);
      return;
    }
  }
  entries.push_back(std::move(entry));
}

std::size_t Keytab::remove(const Principal& principal, std::optional<std::uint32_t> kvno) {
  const std::size_t before = entries.size();
  std::erase_if(entries, [&](const KeytabEntry& e) {
    return e.principal == principal && (!kvno || e.kvno == *kvno);
  });
  return before - entries.size();
}

Result<const KeytabEntry*> Keytab::find(const Principal& principal,
                                        std::optional<std::uint32_t> kvno,
                                        std::int32_t enctype) const {
  const KeytabEntry* best = nullptr;
  for (const KeytabEntry& e : entries) {
    if (e.key.enctype != enctype || !(e.principal == principal)) continue;
    if (kvno) {
      if (e.kvno == *kvno) return &e;
    } else if (best == nullptr || e.kvno > best->kvno) {
      best = &e;
    }
  }
  if (best == nullptr) return not_found(principal, kvno, enctype);
  return best;
}

Result<const KeytabEntry*> Keytab::find_client_key(const Principal& principal,
                                                   std::optional<std::uint32_t> kvno,
                                                   std::int32_t enctype) const {
  if (kvno) {
    Result<const KeytabEntry*> exact = find(principal, kvno, enctype);
    if (exact) return exact;
  }
  return find(principal, std::nullopt, enctype);
}

std::vector<std::int32_t> Keytab::enctypes_for(const Principal& principal) const {
  std::vector<std::int32_t> out;
  for (const KeytabEntry& e : entries) {
    if (!(e.principal == principal)) continue;
    bool seen = false;
    for (std::int32_t t : out)
      seen = seen || t == e.key.enctype;
    if (!seen) out.push_back(e.key.enctype);
  }
  return out;
}

std::string default_keytab_name() {
  const char* env = detail::secure_env("KRB5_KTNAME");
  if (env != nullptr && *env != '\0') return env;
  return "FILE:/etc/krb5.keytab";
}

}  // namespace kerb
