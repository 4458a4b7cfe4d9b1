// MIT FILE keytab codec (MIT "Keytab file format"): v2 round trips and exact bytes, hand-built
// v1 files, holes, records longer than their entry, the 32-bit kvno rule, a malformed-input
// table, key selection (strict and kinit -k lenient) and the file operations.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/keytab.hpp>

#include "test_bytes.hpp"

using namespace kerb;
using kerb::test::ByteBuilder;
using kerb::test::Bytes;
using kerb::test::contains;
using kerb::test::principal;
using Order = ByteBuilder::Order;

namespace {

Bytes key_bytes(std::size_t n, std::uint8_t first = 1) {
  Bytes k(n);
  for (std::size_t i = 0; i < n; ++i)
    k[i] = static_cast<std::uint8_t>(first + i);
  return k;
}

struct EntrySpec {
  std::string_view realm = "KERB.TEST";
  std::vector<std::string_view> comps = {"bank", "bank.test"};
  std::uint32_t name_type = 1;
  std::uint32_t timestamp = 1700000000;
  std::uint32_t kvno8 = 3;
  std::uint32_t enctype = 18;
  Bytes key = key_bytes(32);
  std::optional<std::uint32_t> kvno32;
  std::size_t padding = 0;  // zero bytes after the entry, inside the record
};

// entry ::= principal timestamp (32) kvno (8) enctype (16) key (data16) [kvno (32)]
Bytes entry_bytes(const EntrySpec& e, int version, Order order) {
  ByteBuilder b(order);
  b.u16(static_cast<std::uint32_t>(e.comps.size() + (version == 1 ? 1 : 0)));
  b.data16(e.realm);
  for (auto c : e.comps)
    b.data16(c);
  if (version != 1) b.u32(e.name_type);
  b.u32(e.timestamp).u8(e.kvno8).u16(e.enctype).data16(e.key);
  if (e.kvno32) b.u32(*e.kvno32);
  b.zeros(e.padding);
  return b.bytes();
}

void put_record(ByteBuilder& b, const Bytes& entry) {
  b.u32(static_cast<std::uint32_t>(entry.size())).raw(entry);
}

Bytes sample_keytab_v2() {
  ByteBuilder b;
  b.u8(5).u8(2);
  EntrySpec e;
  e.kvno32 = 3;
  put_record(b, entry_bytes(e, 2, Order::kBig));
  EntrySpec e2;
  e2.enctype = 17;
  e2.key = key_bytes(16, 0x80);
  e2.kvno8 = 1;  // 257 & 0xff
  e2.kvno32 = 257;
  put_record(b, entry_bytes(e2, 2, Order::kBig));
  return b.bytes();
}

KeytabEntry make_entry(std::string_view name, std::uint32_t kvno, std::int32_t enctype,
                       std::size_t key_size, std::uint8_t first = 1) {
  KeytabEntry e;
  e.principal = principal(name);
  e.timestamp = 1700000000 + kvno;
  e.kvno = kvno;
  auto key = KeyBlock::from_bytes(crypto::EncType{enctype}, key_bytes(key_size, first));
  REQUIRE(key.ok());
  e.key = *key;
  return e;
}

Keytab make_keytab() {
  Keytab kt;
  kt.add(make_entry("bank/bank.test@KERB.TEST", 1, 18, 32));
  kt.add(make_entry("bank/bank.test@KERB.TEST", 1, 17, 16));
  kt.add(make_entry("bank/bank.test@KERB.TEST", 2, 18, 32, 0x40));
  kt.add(make_entry("bank/bank.test@KERB.TEST", 300, 20, 32, 0x60));  // kvno beyond 8 bits
  kt.add(make_entry("host/bank.test@KERB.TEST", 1, 23, 16));
  kt.add(make_entry("alice@KERB.TEST", 5, 26, 32));
  return kt;
}

Error read_error(const Bytes& bytes) {
  Result<Keytab> r = Keytab::read(bytes);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("keytab v2 round trip: write, read, equal, same bytes again", "[keytab]") {
  const Keytab kt = make_keytab();
  Result<Bytes> bytes = kt.serialize();
  REQUIRE(bytes.ok());
  Result<Keytab> back = Keytab::read(*bytes);
  REQUIRE(back.ok());
  CHECK(back->version == Keytab::kVersion2);
  CHECK(back->entries == kt.entries);
  for (std::size_t i = 0; i < kt.entries.size(); ++i) {
    CHECK(back->entries[i].principal.raw_name_type() == kt.entries[i].principal.raw_name_type());
  }
  CHECK(back->entries[3].kvno == 300);
  Result<Bytes> again = back->serialize();
  REQUIRE(again.ok());
  CHECK(*again == *bytes);
}

TEST_CASE("keytab v2 decode -> encode reproduces hand-built bytes exactly", "[keytab]") {
  const Bytes bytes = sample_keytab_v2();
  Result<Keytab> kt = Keytab::read(bytes);
  REQUIRE(kt.ok());
  REQUIRE(kt->entries.size() == 2);
  const KeytabEntry& e = kt->entries[0];
  CHECK(e.principal.to_string() == "bank/bank.test@KERB.TEST");
  CHECK(e.principal.raw_name_type() == 1);
  CHECK(e.timestamp == 1700000000);
  CHECK(e.kvno == 3);
  CHECK(e.key.enctype == crypto::EncType{18});
  CHECK(Bytes(e.key.contents.view().begin(), e.key.contents.view().end()) == key_bytes(32));
  CHECK(kt->entries[1].kvno == 257);
  CHECK(kt->entries[1].key.enctype == crypto::EncType{17});
  Result<Bytes> out = kt->serialize();
  REQUIRE(out.ok());
  CHECK(*out == bytes);
}

TEST_CASE("keytab reads hand-built v1 (native order, count includes realm, no name type)",
          "[keytab]") {
  ByteBuilder b(Order::kNative);
  b.u8(5).u8(1);
  EntrySpec e;
  e.kvno8 = 7;
  put_record(b, entry_bytes(e, 1, Order::kNative));
  EntrySpec e2;
  e2.comps = {"alice"};
  e2.enctype = 23;
  e2.key = key_bytes(16);
  e2.kvno32 = 1000;
  put_record(b, entry_bytes(e2, 1, Order::kNative));
  Result<Keytab> kt = Keytab::read(b.bytes());
  REQUIRE(kt.ok());
  CHECK(kt->version == 0x0501);
  REQUIRE(kt->entries.size() == 2);
  CHECK(kt->entries[0].principal.to_string() == "bank/bank.test@KERB.TEST");
  CHECK(kt->entries[0].principal.raw_name_type() == 0);
  CHECK(kt->entries[0].kvno == 7);
  CHECK(kt->entries[0].key.enctype == crypto::EncType{18});
  CHECK(kt->entries[1].principal.to_string() == "alice@KERB.TEST");
  CHECK(kt->entries[1].kvno == 1000);
  CHECK(kt->entries[1].key.enctype == crypto::EncType{23});

  // Written back as v2, it reads the same.
  Result<Bytes> v2 = kt->serialize();
  REQUIRE(v2.ok());
  CHECK((*v2)[1] == 2);
  Result<Keytab> back = Keytab::read(*v2);
  REQUIRE(back.ok());
  CHECK(back->entries == kt->entries);
}

TEST_CASE("keytab holes, long records, the 32-bit kvno rule and the end marker", "[keytab]") {
  ByteBuilder b;
  b.u8(5).u8(2);
  b.u32(static_cast<std::uint32_t>(-40)).zeros(40);  // a hole: a deleted entry
  EntrySpec padded;
  padded.kvno8 = 4;
  padded.kvno32 = 0;  // present but zero: the 8-bit kvno stands
  padded.padding = 17;
  put_record(b, entry_bytes(padded, 2, Order::kBig));
  EntrySpec short_tail;
  short_tail.kvno8 = 9;
  short_tail.enctype = 17;
  short_tail.key = key_bytes(16);
  Bytes entry = entry_bytes(short_tail, 2, Order::kBig);
  entry.insert(entry.end(), {0, 0, 1});  // 3 bytes: too few for a 32-bit kvno, ignored
  put_record(b, entry);
  EntrySpec no_tail;  // a pre-1.14 entry: no 32-bit kvno at all
  no_tail.kvno8 = 200;
  no_tail.enctype = 20;
  put_record(b, entry_bytes(no_tail, 2, Order::kBig));
  EntrySpec big;
  big.kvno8 = 0x2c;
  big.kvno32 = 300;
  big.padding = 3;
  put_record(b, entry_bytes(big, 2, Order::kBig));
  b.u32(static_cast<std::uint32_t>(-1)).u8(0);  // a one-byte hole
  b.u32(0);                                     // the end
  b.raw("anything after the end marker is ignored");

  Result<Keytab> kt = Keytab::read(b.bytes());
  REQUIRE(kt.ok());
  REQUIRE(kt->entries.size() == 4);
  CHECK(kt->entries[0].kvno == 4);
  CHECK(kt->entries[1].kvno == 9);
  CHECK(kt->entries[1].key.enctype == crypto::EncType{17});
  CHECK(kt->entries[2].kvno == 200);
  CHECK(kt->entries[2].key.enctype == crypto::EncType{20});
  CHECK(kt->entries[3].kvno == 300);

  SECTION("a file of only holes, or of nothing, has no entries") {
    ByteBuilder h;
    h.u8(5).u8(2).u32(static_cast<std::uint32_t>(-4)).u32(0);
    CHECK(Keytab::read(h.bytes())->entries.empty());
    CHECK(Keytab::read(Bytes{5, 2})->entries.empty());
  }
}

TEST_CASE("keytab truncated at every byte: errors except at record boundaries", "[keytab]") {
  const Bytes bytes = sample_keytab_v2();
  const std::size_t first_record = 2 + 4 +
                                   entry_bytes(
                                       [] {
                                         EntrySpec e;
                                         e.kvno32 = 3;
                                         return e;
                                       }(),
                                       2, Order::kBig)
                                       .size();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Bytes prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    Result<Keytab> r = Keytab::read(prefix);
    INFO("prefix " << n);
    CHECK(r.ok() == (n == 2 || n == first_record));
    if (!r.ok()) CHECK(r.error().category() == ErrorCategory::kIo);
  }
}

TEST_CASE("keytab malformed-input table", "[keytab]") {
  struct Case {
    const char* name;
    Bytes bytes;
    const char* detail;
  };
  auto v2 = [] {
    ByteBuilder b;
    b.u8(5).u8(2);
    return b;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", {}, "0 bytes is too short"});
  cases.push_back({"not a keytab", {6, 2}, "not a keytab (first byte 0x06"});
  cases.push_back({"version 0x0503", {5, 3}, "unsupported version 0x0503"});
  cases.push_back({"version 0x0504 (a ccache)", {5, 4, 0, 0}, "unsupported version 0x0504"});
  cases.push_back({"stray bytes instead of a record length",
                   {5, 2, 0, 0, 1},
                   "truncated record length (needs 4 bytes, 3 remain) at offset 2"});
  {
    ByteBuilder b = v2();
    b.u32(0x7fffffff).zeros(10);
    cases.push_back({"huge record length", b.bytes(),
                     "record length 2147483647 exceeds the remaining 10 bytes at offset 2"});
  }
  {
    ByteBuilder b = v2();
    b.u32(0x80000000).zeros(10);
    cases.push_back({"most negative record length", b.bytes(),
                     "hole of 2147483648 bytes exceeds the remaining 10 bytes at offset 2"});
  }
  {
    ByteBuilder b = v2();
    b.u32(static_cast<std::uint32_t>(-11)).zeros(10);
    cases.push_back({"hole one byte longer than the file", b.bytes(),
                     "hole of 11 bytes exceeds the remaining 10 bytes"});
  }
  {
    EntrySpec e;
    e.kvno32 = 3;
    Bytes entry = entry_bytes(e, 2, Order::kBig);
    ByteBuilder b = v2();
    b.u32(static_cast<std::uint32_t>(entry.size() - 8)).raw(entry);
    cases.push_back(
        {"entry overruns its record", b.bytes(), "key length 32 exceeds the remaining 28 bytes"});
  }
  {
    EntrySpec e;
    e.key = Bytes(65, 1);
    ByteBuilder b = v2();
    put_record(b, entry_bytes(e, 2, Order::kBig));
    cases.push_back({"key longer than 64", b.bytes(), "key length 65 exceeds the limit of 64"});
  }
  {
    ByteBuilder b = v2();
    b.u32(20).u16(9).zeros(18);
    cases.push_back(
        {"nine components", b.bytes(), "principal has 9 components, more than 8 at offset 6"});
  }
  {
    ByteBuilder b = v2();
    b.u32(20).u16(1).u16(60000).zeros(16);
    cases.push_back({"realm longer than the record", b.bytes(),
                     "realm length 60000 exceeds the remaining 16 bytes at offset 8"});
  }
  {
    ByteBuilder b(Order::kNative);
    b.u8(5).u8(1).u32(10).u16(0).zeros(8);
    cases.push_back({"v1 count 0", b.bytes(), "principal has a count of 0 (no realm)"});
  }
  {
    ByteBuilder b = v2();
    b.u32(5).u16(0).data16("R");  // principal runs out before its name type
    cases.push_back({"record ends inside the principal", b.bytes(),
                     "truncated principal name type (needs 4 bytes, 0 remain)"});
  }
  {
    Bytes good = sample_keytab_v2();
    good.push_back(0);
    cases.push_back({"one stray byte at the end", good, "truncated record length"});
  }

  for (const Case& c : cases) {
    INFO(c.name);
    Result<Keytab> r = Keytab::read(c.bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kIo);
    INFO(std::string(r.error().detail()));
    CHECK(contains(r.error().detail(), c.detail));
  }
}

TEST_CASE("keytab entry limit", "[keytab]") {
  ByteBuilder b;
  b.u8(5).u8(2);
  EntrySpec e;
  e.key = {};
  const Bytes entry = entry_bytes(e, 2, Order::kBig);
  for (std::size_t i = 0; i < Keytab::kMaxEntries; ++i)
    put_record(b, entry);
  Result<Keytab> at_limit = Keytab::read(b.bytes());
  REQUIRE(at_limit.ok());
  CHECK(at_limit->entries.size() == Keytab::kMaxEntries);
  put_record(b, entry);
  CHECK(contains(read_error(b.bytes()).detail(), "more than 4096 entries"));
}

TEST_CASE("keytab serialize refuses values the format cannot hold", "[keytab]") {
  Keytab kt = make_keytab();
  SECTION("timestamp after 2106") {
    kt.entries[0].timestamp = std::int64_t{1} << 32;
    CHECK(contains(kt.serialize().error().detail(), "timestamp 4294967296 does not fit"));
  }
  SECTION("enctype beyond 16 bits") {
    kt.entries[0].key.enctype = crypto::EncType{-70000};
    CHECK_FALSE(kt.serialize().ok());
  }
  SECTION("a realm of 70000 bytes") {
    kt.entries[0].principal =
        Principal(std::string(70000, 'R'), PrincipalName(NameType::kPrincipal, {"x"}));
    CHECK(contains(kt.serialize().error().detail(), "realm of 70000 bytes exceeds 65535"));
  }
}

TEST_CASE("keytab key selection: strict find and the kinit -k rule", "[keytab]") {
  const Keytab kt = make_keytab();
  const Principal bank = principal("bank/bank.test@KERB.TEST");

  // No kvno: the highest key version of that enctype.
  Result<const KeytabEntry*> e = kt.find(bank, std::nullopt, crypto::EncType{18});
  REQUIRE(e.ok());
  CHECK((*e)->kvno == 2);
  CHECK(kt.find(bank, std::nullopt, crypto::EncType{20}).value()->kvno == 300);
  // Exact kvno.
  CHECK(kt.find(bank, 1u, crypto::EncType{18}).value()->kvno == 1);
  CHECK(kt.find(bank, 1u, crypto::EncType{17}).value()->key.contents.size() == 16);
  // Strict: a kvno that is not there is an error, so is an enctype that is not there.
  Result<const KeytabEntry*> missing = kt.find(bank, 7u, crypto::EncType{18});
  REQUIRE_FALSE(missing.ok());
  CHECK(
      contains(missing.error().detail(), "no key for bank/bank.test@KERB.TEST kvno 7 enctype 18"));
  CHECK_FALSE(kt.find(bank, std::nullopt, crypto::EncType{26}).ok());
  CHECK_FALSE(
      kt.find(principal("bank/bank.test@OTHER.TEST"), std::nullopt, crypto::EncType{18}).ok());
  // The name type is advisory (RFC 4120 §6.2).
  Principal srv_hst(bank.realm(), PrincipalName(NameType::kSrvHst, {"bank", "bank.test"}));
  CHECK(kt.find(srv_hst, 2u, crypto::EncType{18}).ok());

  // Lenient (client key, kinit -k): exact kvno if present, else the highest.
  CHECK(kt.find_client_key(bank, 1u, crypto::EncType{18}).value()->kvno == 1);
  CHECK(kt.find_client_key(bank, 7u, crypto::EncType{18}).value()->kvno == 2);
  CHECK(kt.find_client_key(bank, std::nullopt, crypto::EncType{18}).value()->kvno == 2);
  CHECK_FALSE(
      kt.find_client_key(bank, 7u, crypto::EncType{26}).ok());  // the enctype still has to match

  CHECK(kt.enctypes_for(bank) == std::vector<crypto::EncType>{crypto::EncType{18},
                                                              crypto::EncType{17},
                                                              crypto::EncType{20}});
  CHECK(kt.enctypes_for(principal("nobody@KERB.TEST")).empty());

  // The found key is usable under a Policy.
  Result<crypto::Key> key = kt.find(bank, std::nullopt, crypto::EncType{18}).value()->key.to_key();
  REQUIRE(key.ok());
  CHECK(key->enctype() == crypto::EncType::kAes256CtsHmacSha1_96);
  // rc4-hmac is refused by the default policy, accepted with the explicit switch. The keytab
  // holds it whether or not this kerb is built with rc4-hmac; without it, the key is refused
  // as not built (kCrypto), switch or no switch.
  const KeytabEntry* rc4 =
      kt.find(principal("host/bank.test@KERB.TEST"), std::nullopt, crypto::EncType{23}).value();
#if KERB_WITH_RC4_HMAC
  CHECK(rc4->key.to_key().error().category() == ErrorCategory::kPolicy);
  CHECK(rc4->key.to_key(crypto::Policy::defaults().allow_rc4_hmac()).ok());
#else
  CHECK(rc4->key.to_key().error().category() == ErrorCategory::kCrypto);
  CHECK(rc4->key.to_key(crypto::Policy::defaults().allow_rc4_hmac()).error().category() ==
        ErrorCategory::kCrypto);
#endif
}

TEST_CASE("keytab add and remove", "[keytab]") {
  Keytab kt = make_keytab();
  const std::size_t n = kt.entries.size();
  kt.add(make_entry("bank/bank.test@KERB.TEST", 2, 18, 32, 0x99));  // replaces (same kvno, enctype)
  CHECK(kt.entries.size() == n);
  CHECK(kt.entries[2].key.contents.view()[0] == 0x99);
  kt.add(make_entry("bank/bank.test@KERB.TEST", 3, 18, 32));
  CHECK(kt.entries.size() == n + 1);
  CHECK(kt.remove(principal("bank/bank.test@KERB.TEST"), 1u) == 2);
  CHECK(kt.remove(principal("bank/bank.test@KERB.TEST")) == 3);
  CHECK(kt.remove(principal("bank/bank.test@KERB.TEST")) == 0);
  CHECK(kt.entries.size() == 2);
}

TEST_CASE("keytab file write is atomic, mode 0600, and reads back", "[keytab]") {
  kerb::test::TempDir dir;
  const std::string path = dir.file("test.keytab");
  Keytab kt = make_keytab();
  REQUIRE(kt.write("FILE:" + path).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 1);

  // The names MIT's tools take for the same file (krb5_kt_resolve's FILE: and WRFILE:).
  CHECK(Keytab::file_path("FILE:" + path) == path);
  CHECK(Keytab::file_path("WRFILE:" + path) == path);
  CHECK(Keytab::file_path(path) == path);

  // Add an entry to the file: read, add, write the whole file again.
  Result<Keytab> on_disk = Keytab::open("WRFILE:" + path);
  REQUIRE(on_disk.ok());
  CHECK(on_disk->entries == kt.entries);
  on_disk->add(make_entry("new/entry@KERB.TEST", 1, 17, 16));
  REQUIRE(on_disk->write(path).ok());
  Result<Keytab> back = Keytab::open(path);
  REQUIRE(back.ok());
  CHECK(back->entries.size() == kt.entries.size() + 1);
  CHECK(read_file(path) == *back->serialize());

  std::ofstream(dir.file("broken.keytab"), std::ios::binary)
      << std::string("\x05\x02\x00\x00\x00\x30", 6);
  Result<Keytab> broken = Keytab::open(dir.file("broken.keytab"));
  REQUIRE_FALSE(broken.ok());
  CHECK(
      contains(broken.error().detail(),
               "keytab broken.keytab: record length 48 exceeds the remaining 0 bytes at offset 2"));
  CHECK_FALSE(Keytab::open(dir.file("missing")).ok());
}

TEST_CASE("MIT ktadd's keytab (the fuzz seed) reads and re-encodes byte for byte", "[keytab]") {
  const std::string path =
      std::string(KERB_SOURCE_DIR) + "/tests/fuzz/corpus/keytab/mit-ktadd-bank-host.keytab";
  Result<Keytab> kt = Keytab::open(path);
  REQUIRE(kt.ok());
  CHECK(kt->entries.size() == 14);
  for (const char* name : {"bank/bank.test@KERB.TEST", "host/bank.test@KERB.TEST"}) {
    CHECK(kt->enctypes_for(principal(name)) ==
          std::vector<crypto::EncType>{
              crypto::EncType{18}, crypto::EncType{17}, crypto::EncType{20}, crypto::EncType{19},
              crypto::EncType{26}, crypto::EncType{25}, crypto::EncType{23}});
  }
  for (const KeytabEntry& e : kt->entries)
    CHECK(e.kvno == 1);
  Result<Bytes> out = kt->serialize();
  REQUIRE(out.ok());
  CHECK(*out == read_file(path));
}

TEST_CASE("KRB5_KTNAME", "[keytab]") {
  const char* saved = std::getenv("KRB5_KTNAME");
  const std::string saved_value = saved ? saved : "";
  ::setenv("KRB5_KTNAME", "FILE:/somewhere/kt", 1);
  CHECK(default_keytab_name() == "FILE:/somewhere/kt");
  ::unsetenv("KRB5_KTNAME");
  CHECK(default_keytab_name() == "FILE:/etc/krb5.keytab");
  if (saved) ::setenv("KRB5_KTNAME", saved_value.c_str(), 1);
}
