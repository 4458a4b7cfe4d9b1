// Keytabs: MIT's FILE keytab format (versions 1 and 2 read, version 2 written) and key
// selection. Format facts from MIT's "Keytab file format" document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

struct KeytabEntry {
  Principal principal;
  std::int64_t timestamp = 0;  // seconds since the epoch (unsigned 32 bits in the file)
  std::uint32_t kvno = 0;      // the 32-bit key version when present and non-zero, else the 8-bit
  KeyBlock key;

  // Principals compare as Principal does (realm and components, not the name type).
  friend bool operator==(const KeytabEntry& a, const KeytabEntry& b) noexcept {
    return a.principal == b.principal && a.timestamp == b.timestamp && a.kvno == b.kvno &&
           a.key == b.key;
  }
};

// The entries of an MIT FILE keytab.
//
// Reading accepts version 1 (0x0501, host byte order, no name type, component count includes
// the realm) and version 2 (0x0502, big-endian). The file is a sequence of signed 32-bit
// record lengths: a positive length is an entry (which may be shorter than its record: the
// rest is ignored), a negative one a hole (a deleted entry; skipped), zero the end (anything
// after it is ignored). The 32-bit key version after the key overrides the 8-bit one when at
// least 4 bytes of the record remain and it is non-zero.
//
// Strictness: every length is checked against the remaining bytes of its record or file
// before use; an entry that overruns its record, a hole longer than the file, 1-3 stray bytes
// where a record length should be, more than kMaxEntries entries, more than
// PrincipalName::kMaxComponents components or a key longer than KeyBlock::kMaxSize are errors
// (kIo, naming the offset: "keytab: key length 300 exceeds the limit of 64 at offset 40").
//
// Writing always produces version 2: one record per entry, exactly its length, with the
// 32-bit key version (low 8 bits in the 8-bit field), no holes.
class Keytab {
 public:
  static constexpr std::size_t kMaxEntries = 4096;
  static constexpr std::size_t kMaxFileSize = std::size_t{16} << 20;  // open() refuses larger
  static constexpr std::uint16_t kVersion2 = 0x0502;

  // `path` may carry a "FILE:" or "WRFILE:" prefix.
  static Result<Keytab> open(std::string_view path);
  // The file a keytab name stands for: `name` without its "FILE:" or "WRFILE:" prefix.
  static std::string_view file_path(std::string_view name);
  static Result<Keytab> read(std::span<const std::uint8_t> bytes);

  std::vector<KeytabEntry> entries;   // in file order
  std::uint16_t version = kVersion2;  // the version read; serialize() writes 2 regardless

  // Version 2 bytes (kInvalidArgument when a value does not fit the format). The result holds
  // keys: wipe it when done.
  Result<std::vector<std::uint8_t>> serialize() const;
  // Atomic replace of `path` (temporary file in the same directory, mode 0600, rename).
  Result<void> write(std::string_view path) const;

  // Adds an entry, replacing one with the same principal, kvno and enctype.
  void add(KeytabEntry entry);
  // Removes the principal's entries (only those of `kvno` when given); returns how many.
  std::size_t remove(const Principal& principal, std::optional<std::uint32_t> kvno = {});

  // Strict lookup: the entry for `principal` (realm and components) and `enctype` with key
  // version `kvno`, or, without a kvno, the highest key version present (key versions compare
  // as plain numbers: no guessing about 8-bit wrap-around). Otherwise a kIo "no key for ..."
  // error naming the principal, kvno and enctype.
  Result<const KeytabEntry*> find(const Principal& principal, std::optional<std::uint32_t> kvno,
                                  crypto::EncType enctype) const;

  // Lenient lookup for the client's own long-term key in an AS exchange, the rule MIT's
  // `kinit -k` follows: the key version the KDC names is only a preference. An exact kvno match
  // wins; when there is none (or no kvno is given) the highest key version of `enctype` is
  // used. Service-side decryption (AP-REQ) must use find(), where a kvno mismatch is an error.
  Result<const KeytabEntry*> find_client_key(const Principal& principal,
                                             std::optional<std::uint32_t> kvno,
                                             crypto::EncType enctype) const;

  // The enctypes of the keys the keytab holds for `principal`, in file order without
  // duplicates (what an AS-REQ may offer when logging in with this keytab).
  std::vector<crypto::EncType> enctypes_for(const Principal& principal) const;
};

// $KRB5_KTNAME if set and non-empty (ignored in setuid/setgid programs, like MIT), else
// "FILE:/etc/krb5.keytab" (MIT's default).
std::string default_keytab_name();

}  // namespace kerb
