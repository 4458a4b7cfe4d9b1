// Replay caches (RFC 4120 §3.2.3): MemoryReplayCache and FileReplayCache -- replays refused,
// expiry, the bound on size, and a file that survives restarts, torn writes and corruption
// (failing closed until what may have been lost has expired).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <kerb/replay_cache.hpp>

#include "hex_bytes.hpp"

using namespace kerb;

namespace {

using kerb::test::Bytes;

constexpr std::int64_t kNow = 1700000000;
constexpr std::size_t kMaxEntries = 16384;  // the documented bound of both caches

Bytes cipher(std::uint32_t n) {
  Bytes c(48);
  for (std::size_t i = 0; i < c.size(); ++i)
    c[i] = static_cast<std::uint8_t>((n >> (8 * (i % 4))) + i);
  return c;
}

// A scratch file path, removed at the end of the test.
struct ScratchFile {
  std::filesystem::path path;
  explicit ScratchFile(const char* name) {
    path = std::filesystem::temp_directory_path() /
           (std::string("kerb-rcache-") + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
  }
  ~ScratchFile() { std::filesystem::remove(path); }
  std::uintmax_t size() const { return std::filesystem::file_size(path); }
  Bytes read() const {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  void write(const Bytes& bytes) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
};

bool fresh(ReplayCache& cache, std::string_view client, std::uint32_t n, std::int64_t now,
           std::int64_t expires) {
  auto r = cache.check_and_store(client, cipher(n), now, expires);
  INFO((r ? "" : std::string(r.error().detail())));
  REQUIRE(r.ok());
  return *r;
}

void common_behaviour(ReplayCache& cache) {
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow, kNow + 300));
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 10, kNow + 310));
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 2, kNow, kNow + 300));  // another authenticator
  CHECK(fresh(cache, "bob@EXAMPLE.COM", 1, kNow, kNow + 300));    // another client
  // "alice@EXAMPLE.CO" + "M..." must not collide with "alice@EXAMPLE.COM" + "...".
  Bytes shifted = {'M'};
  const Bytes c1 = cipher(1);
  shifted.insert(shifted.end(), c1.begin(), c1.end());
  auto r = cache.check_and_store("alice@EXAMPLE.CO", shifted, kNow, kNow + 300);
  REQUIRE(r.ok());
  CHECK(*r);
  // Once expired, the entry no longer counts (the authenticator would be outside the skew).
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 300, kNow + 600));
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 301, kNow + 601));
}

// The file format, written independently of the implementation (replay_cache.cpp
// documents it): 32-octet units, big-endian, FNV-1a check over the first 28 octets.
std::uint32_t fnv1a(const std::uint8_t* p, std::size_t n) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}
void put_be(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
}
Bytes header_unit(std::int64_t high_water, std::int64_t fence) {
  Bytes u(32, 0);
  const char magic[] = "KERBRC01";
  for (int i = 0; i < 8; ++i)
    u[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(magic[i]);
  put_be(&u[8], static_cast<std::uint64_t>(high_water), 8);
  put_be(&u[16], static_cast<std::uint64_t>(fence), 8);
  put_be(&u[28], fnv1a(u.data(), 28), 4);
  return u;
}
Bytes record_unit(std::int64_t expires, std::uint32_t n) {
  Bytes u(32, 0);
  put_be(&u[0], static_cast<std::uint64_t>(expires), 8);
  for (int i = 0; i < 20; ++i)
    u[8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (i % 4 * 8));
  put_be(&u[28], fnv1a(u.data(), 28), 4);
  return u;
}

}  // namespace

TEST_CASE("MemoryReplayCache", "[kerb][replay]") {
  MemoryReplayCache cache;
  common_behaviour(cache);
}

TEST_CASE("MemoryReplayCache is bounded and sweeps expired entries when full", "[kerb][replay]") {
  MemoryReplayCache cache;
  for (std::uint32_t i = 0; i < kMaxEntries; ++i)
    REQUIRE(fresh(cache, "alice@EXAMPLE.COM", i, kNow, kNow + 300));
  auto full = cache.check_and_store("alice@EXAMPLE.COM", cipher(kMaxEntries), kNow, kNow + 300);
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().category() == ErrorCategory::kIo);
  CHECK_THAT(std::string(full.error().detail()), Catch::Contains("full"));
  // Still refuses replays while full, and makes room once the entries expire.
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 7, kNow + 1, kNow + 301));
  CHECK(fresh(cache, "alice@EXAMPLE.COM", kMaxEntries, kNow + 300, kNow + 600));
}

TEST_CASE("FileReplayCache: the same behaviour, and it survives a restart", "[kerb][replay]") {
  ScratchFile f("basic");
  {
    FileReplayCache cache(f.path.string());
    common_behaviour(cache);
  }
  FileReplayCache restarted(f.path.string());
  CHECK_FALSE(fresh(restarted, "bob@EXAMPLE.COM", 1, kNow + 10, kNow + 310));
  CHECK_FALSE(fresh(restarted, "alice@EXAMPLE.COM", 1, kNow + 302, kNow + 602));
  CHECK(fresh(restarted, "carol@EXAMPLE.COM", 1, kNow + 10, kNow + 310));
  // Two instances on one file (two processes of one service) see each other's entries.
  FileReplayCache other(f.path.string());
  CHECK_FALSE(fresh(other, "carol@EXAMPLE.COM", 1, kNow + 11, kNow + 311));
  // Entries are hashes: no authenticator octets are on disk.
  const Bytes bytes = f.read();
  const Bytes c = cipher(1);
  CHECK(std::search(bytes.begin(), bytes.end(), c.begin(), c.begin() + 16) == bytes.end());
  CHECK(bytes.size() % 32 == 0);
}

TEST_CASE("FileReplayCache: an empty file starts fresh", "[kerb][replay]") {
  ScratchFile f("empty");
  f.write({});
  FileReplayCache cache(f.path.string());
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow, kNow + 300));
  CHECK(f.size() == 64);
}

TEST_CASE("FileReplayCache: a torn append is dropped, earlier entries stay", "[kerb][replay]") {
  ScratchFile f("torn");
  FileReplayCache cache(f.path.string());
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow, kNow + 300));
  Bytes bytes = f.read();
  bytes.insert(bytes.end(), {1, 2, 3, 4, 5, 6, 7});
  f.write(bytes);
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 1, kNow + 301));
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 2, kNow + 1, kNow + 301));
  CHECK(f.size() == 32 * 3);
}

TEST_CASE("FileReplayCache: a corrupt record fails closed up to the high-water mark",
          "[kerb][replay]") {
  ScratchFile f("record");
  FileReplayCache cache(f.path.string());
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow, kNow + 300));
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 2, kNow, kNow + 400));
  Bytes bytes = f.read();
  REQUIRE(bytes.size() == 96);
  bytes[32 + 12] ^= 0x40;  // the first record's hash: that entry is lost
  f.write(bytes);
  // Anything that may have been stored (expiring by the high-water mark) is refused ...
  auto lost = cache.check_and_store("alice@EXAMPLE.COM", cipher(1), kNow + 5, kNow + 305);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().category() == ErrorCategory::kIo);
  CHECK_THAT(std::string(lost.error().detail()), Catch::Contains("lost its history"));
  auto other = cache.check_and_store("alice@EXAMPLE.COM", cipher(3), kNow + 5, kNow + 400);
  CHECK_FALSE(other.ok());
  // ... and newer authenticators pass; the fence survives a restart, the rest recovers.
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 3, kNow + 101, kNow + 401));
  FileReplayCache restarted(f.path.string());
  CHECK_FALSE(restarted.check_and_store("alice@EXAMPLE.COM", cipher(1), kNow + 5, kNow + 305).ok());
  CHECK_FALSE(fresh(restarted, "alice@EXAMPLE.COM", 3, kNow + 102, kNow + 402));
}

TEST_CASE("FileReplayCache: a file that is not a cache fails closed for an hour, then recovers",
          "[kerb][replay]") {
  ScratchFile f("garbage");
  f.write(Bytes(100, 'x'));
  FileReplayCache cache(f.path.string());
  auto refused = cache.check_and_store("alice@EXAMPLE.COM", cipher(1), kNow, kNow + 300);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.error().detail()), Catch::Contains("lost its history"));
  // Rewritten as a valid cache with the fence: later authenticators pass, and are remembered.
  CHECK(f.size() == 32);
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 3400, kNow + 3701));
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 3401, kNow + 3702));

  SECTION("a header that fails its check is the same") {
    Bytes bytes = f.read();
    bytes[9] ^= 1;
    f.write(bytes);
    CHECK_FALSE(cache.check_and_store("bob@EXAMPLE.COM", cipher(9), kNow + 3500, kNow + 3800).ok());
  }
}

TEST_CASE("FileReplayCache: expired records are compacted away", "[kerb][replay]") {
  ScratchFile f("compact");
  FileReplayCache cache(f.path.string());
  for (std::uint32_t i = 0; i < 1100; ++i)
    REQUIRE(fresh(cache, "alice@EXAMPLE.COM", i, kNow, kNow + 10));
  CHECK(f.size() == 32 * 1101);
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 5000, kNow + 20, kNow + 320));
  CHECK(f.size() == 32 * 2);
  CHECK_FALSE(fresh(cache, "alice@EXAMPLE.COM", 5000, kNow + 21, kNow + 321));
}

TEST_CASE("FileReplayCache: a full cache refuses new authenticators", "[kerb][replay]") {
  ScratchFile f("full");
  Bytes bytes = header_unit(kNow + 300, 0);
  for (std::uint32_t i = 0; i < kMaxEntries; ++i) {
    const Bytes r = record_unit(kNow + 300, i);
    bytes.insert(bytes.end(), r.begin(), r.end());
  }
  f.write(bytes);
  FileReplayCache cache(f.path.string());
  auto full = cache.check_and_store("alice@EXAMPLE.COM", cipher(1), kNow, kNow + 300);
  REQUIRE_FALSE(full.ok());
  CHECK_THAT(std::string(full.error().detail()), Catch::Contains("full"));
  // Once they expire there is room again.
  CHECK(fresh(cache, "alice@EXAMPLE.COM", 1, kNow + 300, kNow + 600));
  CHECK(f.size() == 64);
}

TEST_CASE("FileReplayCache: I/O failures are errors, never a silent pass", "[kerb][replay]") {
  FileReplayCache cache("/nonexistent-kerb-dir/rcache");
  auto r = cache.check_and_store("alice@EXAMPLE.COM", cipher(1), kNow, kNow + 300);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == ErrorCategory::kIo);
}
