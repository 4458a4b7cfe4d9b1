// Replay caches of the AP exchange (RFC 4120 §3.2.3): the entry hash, MemoryReplayCache, and
// the file format of FileReplayCache.
//
// An entry is SHA-1(len(client) || client || authenticator ciphertext) and an expiry: never
// the authenticator itself. SHA-1 is the strongest unkeyed digest kerb::crypto exposes; a
// collision could only make a *fresh* authenticator look replayed, and the fresh ciphertext
// (under a session key the attacker lacks) cannot be predicted, so second-preimage strength is
// what matters here and SHA-1 still has it.
//
// File layout (all integers big-endian), fixed 32-octet units:
//   header  "KERBRC01" | high_water (8) | fence (8) | zero (4) | check (4)
//   record  expires (8) | hash (20) | check (4)
// check is FNV-1a over the unit's first 28 octets: it catches torn writes and stray bytes,
// not an attacker (who could rewrite the whole file anyway).
//
//   high_water  the largest expiry ever stored; raised before a record is appended, so it
//               bounds every record, also records a crash or corruption lost.
//   fence       authenticators whose expiry is at or below it are refused: after corruption
//               the history is unknown, so everything that may predate the loss is refused
//               until it would have expired anyway (fail closed, then recover by itself).
//
// Loading: a missing or empty file starts fresh. A trailing partial record is a torn append
// (the call that wrote it never returned true) and is dropped. A record whose check fails
// means lost history: the file is rewritten from the records that verify, with the fence at
// the header's high-water mark. A header that fails its check, or a file that is not ours,
// means even that is unknown: the fence goes kUnknownHistoryWindow past now. Rewrites go to a
// temporary file renamed over the old one, so a crash never leaves a half-written cache.
//
// Bounded: expired records are skipped and compacted away once they are half the file; at
// kMaxReplayEntries live entries new authenticators are refused (fail closed) rather than the
// cache growing without limit. Processes share the file under flock(2).
#include <kerb/replay_cache.hpp>

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/internal/endian.hpp>
#include <kerb/internal/file.hpp>
#include <kerb/result.hpp>

namespace kerb {

namespace {

using detail::ByteWriter;
using detail::FileDescriptor;
using detail::FileFault;

inline constexpr std::size_t kReplayHashSize = 20;
using ReplayHash = std::array<std::uint8_t, kReplayHashSize>;

// Live entries a cache holds at most: 16384 authenticators within one skew window (27 new
// contexts a second for ten minutes); the file stays under 1 MiB.
inline constexpr std::size_t kMaxReplayEntries = std::size_t{1} << 14;
// Seconds refused after a cache whose header is unreadable: covers a clock skew of up to
// half an hour on either side.
inline constexpr std::int64_t kUnknownHistoryWindow = 3600;

inline Result<ReplayHash> replay_hash(std::string_view client,
                                      std::span<const std::uint8_t> cipher) {
  std::vector<std::uint8_t> input;
  input.reserve(4 + client.size() + cipher.size());
  ByteWriter w(&input);
  w.u32(static_cast<std::uint32_t>(client.size()));
  w.bytes(client);
  w.bytes(cipher);
  ReplayHash out{};
  KERB_TRY(std::size_t size, crypto::compute_unkeyed(crypto::CksumType::kSha1, input, out));
  if (size != out.size()) return Error(ErrorCategory::kCrypto, "SHA-1 gave an unexpected size");
  return out;
}

namespace rc {

inline constexpr std::size_t kUnit = 32;
inline constexpr std::uint8_t kMagic[8] = {'K', 'E', 'R', 'B', 'R', 'C', '0', '1'};
inline constexpr std::size_t kMaxFileSize = kUnit * (kMaxReplayEntries * 2 + 1);
// Compact when at least this many records are on file and half of them have expired.
inline constexpr std::size_t kCompactThreshold = 1024;

inline std::uint32_t fnv1a(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

inline std::int64_t get_be64(const std::uint8_t* p) noexcept {
  return static_cast<std::int64_t>(detail::load_be64(p));
}
using detail::load_be32;

struct Header {
  std::int64_t high_water = 0;
  std::int64_t fence = 0;
};
struct Record {
  std::int64_t expires = 0;
  ReplayHash hash{};
};

inline std::array<std::uint8_t, kUnit> encode_header(const Header& h) noexcept {
  std::array<std::uint8_t, kUnit> u{};
  ByteWriter w{std::span<std::uint8_t>(u)};
  w.bytes(kMagic);
  w.u64(static_cast<std::uint64_t>(h.high_water));
  w.u64(static_cast<std::uint64_t>(h.fence));
  w.u32(0);
  w.u32(fnv1a(u.data(), 28));
  return u;
}

inline bool decode_header(const std::uint8_t* u, Header& h) noexcept {
  for (std::size_t i = 0; i < 8; ++i)
    if (u[i] != kMagic[i]) return false;
  if (load_be32(&u[24]) != 0 || load_be32(&u[28]) != fnv1a(u, 28)) return false;
  h.high_water = get_be64(&u[8]);
  h.fence = get_be64(&u[16]);
  return true;
}

inline std::array<std::uint8_t, kUnit> encode_record(const Record& r) noexcept {
  std::array<std::uint8_t, kUnit> u{};
  ByteWriter w{std::span<std::uint8_t>(u)};
  w.u64(static_cast<std::uint64_t>(r.expires));
  w.bytes(r.hash);
  w.u32(fnv1a(u.data(), 28));
  return u;
}

inline bool decode_record(const std::uint8_t* u, Record& r) noexcept {
  if (load_be32(&u[28]) != fnv1a(u, 28)) return false;
  r.expires = get_be64(&u[0]);
  for (std::size_t i = 0; i < kReplayHashSize; ++i)
    r.hash[i] = u[8 + i];
  return true;
}

inline Error io_error(const char* what, const std::string& path, int err) {
  return Error::format(ErrorCategory::kIo, err, "replay cache %.120s: %s failed (errno %d)",
                       path.c_str(), what, err);
}

// Writes header + records to a temporary file in the same directory and renames it over
// `path`: readers see the old cache or the new one, never a mix.
inline Result<void> rewrite(const std::string& path, const Header& header,
                            const std::vector<Record>& records) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(kUnit * (records.size() + 1));
  ByteWriter w(&bytes);
  w.bytes(encode_header(header));
  for (const Record& r : records)
    w.bytes(encode_record(r));
  FileFault fault;
  if (detail::replace_file(path, bytes, fault)) return ok();
  switch (fault.step) {
    case FileFault::Step::kCreate:
      return io_error("mkstemp", path, fault.err);
    case FileFault::Step::kRename:
      return io_error("rename", path, fault.err);
    default:
      return io_error("writing the new cache", path, fault.err);
  }
}

// Opens and locks the cache file (the lock goes with the descriptor).
inline Result<void> open_locked(const std::string& path, FileDescriptor& fd, struct stat& st) {
  FileFault fault;
  if (detail::open_locked_rw(path, fd, st, fault)) return ok();
  switch (fault.step) {
    case FileFault::Step::kLock:
      return io_error("flock", path, fault.err);
    case FileFault::Step::kStat:
      return io_error("fstat", path, fault.err);
    case FileFault::Step::kType:
      return io_error("open (not a regular file)", path, fault.err);
    case FileFault::Step::kReplaced:
      return io_error("open (the file keeps being replaced)", path, fault.err);
    default:
      return io_error("open", path, fault.err);
  }
}

}  // namespace rc

inline Result<bool> file_check_and_store(const std::string& path, const ReplayHash& hash,
                                         std::int64_t now, std::int64_t expires) {
  using namespace rc;
  FileDescriptor fd;
  struct stat st;
  KERB_TRY_VOID(open_locked(path, fd, st));  // the lock goes with the descriptor

  Header header;
  std::vector<Record> records;  // live ones
  std::size_t on_file = 0;      // records in the file, expired ones included
  bool rewrite_needed = false;
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    // new (or created by a process that crashed before writing): nothing stored yet
  } else if (size < kUnit || size > kMaxFileSize) {
    header.fence = now + kUnknownHistoryWindow;
    rewrite_needed = true;
  } else {
    std::vector<std::uint8_t> bytes(size);
    if (!detail::read_at(fd.get(), bytes, 0)) return io_error("read", path, errno);
    if (!decode_header(bytes.data(), header)) {
      header = Header{};
      header.fence = now + kUnknownHistoryWindow;
      rewrite_needed = true;
    } else {
      on_file = (size - kUnit) / kUnit;
      if ((size - kUnit) % kUnit != 0) rewrite_needed = true;  // torn append: drop the tail
      bool lost = false;
      for (std::size_t i = 0; i < on_file; ++i) {
        Record r;
        if (!decode_record(&bytes[kUnit * (i + 1)], r)) {
          lost = true;
          continue;
        }
        if (r.expires > now) records.push_back(r);
      }
      if (lost) {
        // Every record ever stored expires at or before the high-water mark.
        if (header.high_water > header.fence) header.fence = header.high_water;
        rewrite_needed = true;
      }
    }
  }

  if (expires <= header.fence) {
    if (rewrite_needed) KERB_TRY_VOID(rewrite(path, header, records));
    return Error::format(ErrorCategory::kIo, 0,
                         "replay cache %.120s lost its history (corrupt file); authenticators "
                         "that may predate the loss are refused until %lld",
                         path.c_str(), static_cast<long long>(header.fence));
  }
  for (const Record& r : records) {
    if (crypto::constant_time_equal(r.hash, hash)) {
      if (rewrite_needed) KERB_TRY_VOID(rewrite(path, header, records));
      return false;
    }
  }
  if (records.size() >= kMaxReplayEntries) {
    return Error::format(ErrorCategory::kIo, 0,
                         "replay cache %.120s is full: refusing new authenticators", path.c_str());
  }

  Record record;
  record.expires = expires;
  record.hash = hash;
  if (expires > header.high_water) header.high_water = expires;
  if (on_file >= kCompactThreshold && records.size() * 2 <= on_file) rewrite_needed = true;
  if (on_file + 1 > kMaxReplayEntries * 2) rewrite_needed = true;

  if (rewrite_needed) {
    records.push_back(record);
    KERB_TRY_VOID(rewrite(path, header, records));
    return true;
  }
  // In place: raise the high-water mark first, then append the record (at its exact offset,
  // over any torn tail).
  const auto h = encode_header(header);
  if (!detail::write_at(fd.get(), h, 0)) return io_error("write", path, errno);
  const auto u = encode_record(record);
  const auto at = static_cast<off_t>(kUnit * (on_file + 1));
  if (!detail::write_at(fd.get(), u, at)) return io_error("write", path, errno);
  return true;
}

}  // namespace

// --- MemoryReplayCache -------------------------------------------------------------------

struct MemoryReplayCache::Entry {
  ReplayHash hash{};
  std::int64_t expires = 0;
};

ReplayCache& default_replay_cache() {
  static MemoryReplayCache cache;
  return cache;
}

MemoryReplayCache::MemoryReplayCache() = default;
MemoryReplayCache::~MemoryReplayCache() = default;

namespace {

// MemoryReplayCache::entries_ is an open-addressing table (linear probing) of a power-of-two
// number of slots, at most a quarter of them used; a null slot was never used. An expired
// entry keeps its slot, so probe chains stay intact, and is reused for the next new entry
// that probes past it; growing rebuilds the table from the live entries only.
constexpr std::size_t kInitialSlots = 256;
constexpr std::size_t kMaxSlots = kMaxReplayEntries * 4;

std::size_t home_slot(const ReplayHash& hash, std::size_t slots) noexcept {
  return detail::load_be32(hash.data()) & (slots - 1);
}

}  // namespace

Result<bool> MemoryReplayCache::check_and_store(std::string_view client,
                                                std::span<const std::uint8_t> authenticator_cipher,
                                                std::int64_t now, std::int64_t expires) {
  KERB_TRY(ReplayHash hash, replay_hash(client, authenticator_cipher));
  const std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.empty()) entries_.resize(kInitialSlots);

  auto probe = [&](std::size_t& free_slot, std::size_t& expired_slot) -> Entry* {
    const std::size_t mask = entries_.size() - 1;
    expired_slot = entries_.size();
    for (std::size_t i = home_slot(hash, entries_.size());; i = (i + 1) & mask) {
      Entry* e = entries_[i].get();
      if (e == nullptr) {
        free_slot = i;
        return nullptr;
      }
      if (e->hash == hash) return e;
      if (e->expires <= now && expired_slot == entries_.size()) expired_slot = i;
    }
  };
  std::size_t free_slot = 0, expired_slot = 0;
  if (Entry* e = probe(free_slot, expired_slot)) {
    if (e->expires > now) return false;
    e->expires = expires;
    return true;
  }
  auto entry = std::make_unique<Entry>();
  entry->hash = hash;
  entry->expires = expires;
  if (expired_slot != entries_.size()) {
    entries_[expired_slot] = std::move(entry);
    return true;
  }
  if (occupied_ + 1 > entries_.size() / 4) {
    std::vector<std::unique_ptr<Entry>> live;
    for (auto& slot : entries_)
      if (slot && slot->expires > now) live.push_back(std::move(slot));
    if (live.size() >= kMaxReplayEntries) {
      // Full of live entries: put them back and refuse (fail closed).
      const std::size_t slots = entries_.size();
      entries_.clear();
      entries_.resize(slots);
      for (auto& e : live) {
        std::size_t i = home_slot(e->hash, entries_.size());
        while (entries_[i])
          i = (i + 1) & (entries_.size() - 1);
        entries_[i] = std::move(e);
      }
      occupied_ = live.size();
      return Error(ErrorCategory::kIo, "the replay cache is full: refusing new authenticators");
    }
    std::size_t slots = entries_.size();
    while (live.size() + 1 > slots / 4 && slots < kMaxSlots)
      slots *= 2;
    entries_.clear();
    entries_.resize(slots);
    for (auto& e : live) {
      std::size_t i = home_slot(e->hash, slots);
      while (entries_[i])
        i = (i + 1) & (slots - 1);
      entries_[i] = std::move(e);
    }
    occupied_ = live.size();
    static_cast<void>(probe(free_slot, expired_slot));
  }
  entries_[free_slot] = std::move(entry);
  ++occupied_;
  return true;
}

// --- FileReplayCache ---------------------------------------------------------------------

Result<bool> FileReplayCache::check_and_store(std::string_view client,
                                              std::span<const std::uint8_t> authenticator_cipher,
                                              std::int64_t now, std::int64_t expires) {
  KERB_TRY(ReplayHash hash, replay_hash(client, authenticator_cipher));
  return file_check_and_store(path_, hash, now, expires);
}

}  // namespace kerb
