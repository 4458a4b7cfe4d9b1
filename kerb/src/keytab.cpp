// MIT FILE keytab codec (versions 1 and 2 in, 2 out) and key selection. Facts from MIT's
// "Keytab file format" document; the preamble, principals and counted strings are
// mit_file_format's.
#include <kerb/keytab.hpp>

#include <kerb/internal/bytes.hpp>
#include <kerb/internal/file.hpp>
#include "mit_file_format.hpp"
#include "secure_env.hpp"

namespace kerb {

using detail::BinaryReader;
using detail::ByteWriter;
using detail::kMitKeytabFormat;

namespace {

// "Key entry format". `r` covers exactly one record; bytes after the entry are ignored.
bool read_entry(BinaryReader& r, std::uint8_t version, KeytabEntry& e) {
  if (!read_mit_principal(kMitKeytabFormat, r, version, nullptr, e.principal)) return false;
  std::uint8_t kvno8 = 0;
  if (!read_mit_time(r, e.timestamp, "timestamp") || !r.read_u8(kvno8, "key version") ||
      !read_mit_enctype(r, e.key.enctype, "enctype")) {
    return false;
  }
  std::span<const std::uint8_t> key;
  if (!read_mit_data(kMitKeytabFormat, r, key, "key", KeyBlock::kMaxSize)) return false;
  static_cast<void>(e.key.contents.assign(key));  // bounded by kMaxSize above
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
  KERB_TRY(const std::uint8_t version, read_mit_version(kMitKeytabFormat, bytes, label));
  Keytab out;
  out.version = static_cast<std::uint16_t>(0x0500 | version);
  BinaryReader r = mit_body_reader(kMitKeytabFormat, version, bytes, label);
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

// One version 2 entry, without its record length.
Result<void> put_entry(ByteWriter& w, const KeytabEntry& e) {
  const detail::MitFileFormat& f = kMitKeytabFormat;
  KERB_TRY_VOID(write_mit_principal(f, w, e.principal));
  KERB_TRY_VOID(write_mit_time(f, w, e.timestamp, "timestamp"));
  w.u8(static_cast<std::uint8_t>(e.kvno & 0xff));
  KERB_TRY_VOID(write_mit_enctype(f, w, e.key.enctype, "enctype"));
  KERB_TRY_VOID(write_mit_data(f, w, e.key.contents.view(), "key"));
  w.u32(e.kvno);
  return ok();
}

Result<void> put_keytab(ByteWriter& w, const Keytab& kt) {
  detail::write_mit_preamble(w, 2);
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
                crypto::EncType enctype) {
  const std::string name = principal.to_string();
  if (kvno) {
    return Error::format(ErrorCategory::kIo, 0, "keytab: no key for %.60s kvno %u enctype %d",
                         name.c_str(), *kvno, static_cast<int>(enctype));
  }
  return Error::format(ErrorCategory::kIo, 0, "keytab: no key for %.60s enctype %d", name.c_str(),
                       static_cast<int>(enctype));
}

}  // namespace

Result<Keytab> Keytab::read(std::span<const std::uint8_t> bytes) {
  return parse(bytes, "keytab");
}

std::string_view Keytab::file_path(std::string_view name) {
  for (std::string_view prefix : {std::string_view("FILE:"), std::string_view("WRFILE:")}) {
    if (name.substr(0, prefix.size()) == prefix) return name.substr(prefix.size());
  }
  return name;
}

Result<Keytab> Keytab::open(std::string_view path) {
  const std::string file(file_path(path));
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
  const std::string file(file_path(path));
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
                                        crypto::EncType enctype) const {
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
                                                   crypto::EncType enctype) const {
  if (kvno) {
    Result<const KeytabEntry*> exact = find(principal, kvno, enctype);
    if (exact) return exact;
  }
  return find(principal, std::nullopt, enctype);
}

std::vector<crypto::EncType> Keytab::enctypes_for(const Principal& principal) const {
  std::vector<crypto::EncType> out;
  for (const KeytabEntry& e : entries) {
    if (!(e.principal == principal)) continue;
    bool seen = false;
    for (crypto::EncType t : out)
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
