// The bank command's state files read back what was written, and a damaged file (cut short,
// with bytes added, or a length past its end) is a clear kIo error, never a crash or an
// allocation from the bad length. The expected layouts are written out by hand from the
// format in client_state.cpp: big-endian u32 fields, u32-length-prefixed byte strings.
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "client_state.hpp"
#include "hex_bytes.hpp"

namespace {

using kerb::test::Bytes;

struct TempState {
  std::string path;
  TempState() {
    std::string t = std::filesystem::temp_directory_path().string() + "/bank-state-XXXXXX";
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempState() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const Bytes& b) const {
    std::ofstream(path + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    ::chmod((path + "/" + name).c_str(), 0600);
  }
};

void u32(Bytes& b, std::uint32_t v) {
  b.insert(b.end(), {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                     static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
}
void counted(Bytes& b, const Bytes& v) {
  u32(b, static_cast<std::uint32_t>(v.size()));
  b.insert(b.end(), v.begin(), v.end());
}
Bytes text(const std::string& s) {
  return {s.begin(), s.end()};
}

// "KBS1", principal, 16-byte context-id, next request id 5, a 3-byte context blob.
Bytes session_file() {
  Bytes b;
  u32(b, 0x4b425331);
  counted(b, text("alice@KERB.TEST"));
  Bytes id(16);
  for (std::size_t i = 0; i < id.size(); ++i)
    id[i] = static_cast<std::uint8_t>(i);
  counted(b, id);
  u32(b, 5);
  counted(b, {0xaa, 0xbb, 0xcc});
  return b;
}

template <class R>
void require_damaged(const R& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().category() == kerb::ErrorCategory::kIo);
  CHECK_THAT(std::string(r.error().detail()), Catch::Contains("is damaged"));
}

}  // namespace

TEST_CASE("bank state: a session file reads back field by field") {
  TempState t;
  auto dir = bank::StateDir::open(t.path);
  REQUIRE(dir.ok());
  t.write("session", session_file());
  auto s = dir->load_session();
  REQUIRE(s.ok());
  REQUIRE(s->has_value());
  CHECK((*s)->principal == "alice@KERB.TEST");
  CHECK((*s)->context_id[15] == 15);
  CHECK((*s)->next_request_id == 5);
  CHECK(Bytes((*s)->context.view().begin(), (*s)->context.view().end()) == Bytes{0xaa, 0xbb, 0xcc});
}

TEST_CASE("bank state: every cut of a session file, a byte added, or a bad length is damaged") {
  TempState t;
  auto dir = bank::StateDir::open(t.path);
  REQUIRE(dir.ok());
  const Bytes whole = session_file();
  for (std::size_t n = 1; n < whole.size(); ++n) {
    INFO("cut to " << n << " bytes");
    t.write("session", Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n)));
    require_damaged(dir->load_session());
  }
  Bytes longer = whole;
  longer.push_back(0);
  t.write("session", longer);
  require_damaged(dir->load_session());
  Bytes huge = whole;
  huge[4] = huge[5] = huge[6] = huge[7] = 0xff;  // the principal's length: 4 GiB
  t.write("session", huge);
  require_damaged(dir->load_session());
}

TEST_CASE("bank state: damaged receipts and pending-payment files are refused") {
  TempState t;
  auto dir = bank::StateDir::open(t.path);
  REQUIRE(dir.ok());
  // One receipt: enctype 18, a 2-byte key, a 3-byte receipt; then cut, then a 4 GiB length.
  Bytes receipts;
  u32(receipts, 18);
  counted(receipts, {1, 2});
  counted(receipts, {3, 4, 5});
  t.write("receipts", receipts);
  auto ok = dir->receipts();
  REQUIRE(ok.ok());
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].key_enctype == 18);
  CHECK((*ok)[0].receipt == Bytes{3, 4, 5});
  t.write("receipts", Bytes(receipts.begin(), receipts.end() - 1));
  require_damaged(dir->receipts());
  Bytes huge = receipts;
  huge[4] = huge[5] = huge[6] = huge[7] = 0xff;
  t.write("receipts", huge);
  require_damaged(dir->receipts());

  // "KBP1", a 16-byte key, payee, amount as two u32 halves, currency; then a byte added.
  Bytes pending;
  u32(pending, 0x4b425031);
  counted(pending, Bytes(16, 7));
  counted(pending, text("DE0002"));
  u32(pending, 0);
  u32(pending, 2500);
  counted(pending, text("EUR"));
  t.write("pending-payment", pending);
  auto p = dir->load_pending();
  REQUIRE(p.ok());
  REQUIRE(p->has_value());
  CHECK((*p)->payee == "DE0002");
  CHECK((*p)->amount == 2500);
  CHECK((*p)->currency == "EUR");
  pending.push_back(0);
  t.write("pending-payment", pending);
  require_damaged(dir->load_pending());
}
