// MIT FILE ccache codec (MIT "Credential cache file format"): v4 round trips and exact bytes,
// hand-built v1/v2/v3/v4 files, the v4 header, X-CACHECONF: entries, a malformed-input table
// (every truncation, huge lengths, bad versions, trailing junk), and the file operations.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/ccache.hpp>
#include <kerb/credentials.hpp>

#include "test_bytes.hpp"

using namespace kerb;
using kerb::test::ByteBuilder;
using kerb::test::Bytes;
using kerb::test::bytes_of;
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

// principal ::= [name type (32), not in v1] count (32, includes the realm in v1) realm comps
void put_principal(ByteBuilder& b, int version, std::uint32_t name_type, std::string_view realm,
                   std::vector<std::string_view> comps) {
  if (version != 1) b.u32(name_type);
  b.u32(static_cast<std::uint32_t>(comps.size() + (version == 1 ? 1 : 0)));
  b.data32(realm);
  for (auto c : comps)
    b.data32(c);
}

const Bytes kTicket = {0x61, 0x03, 0x02, 0x01, 0x05};  // not a real Ticket: never decoded
constexpr std::uint32_t kFlags = 0x40e10000;           // forwardable renewable initial pre-authent

// The sample credential: alice@KERB.TEST -> krbtgt/KERB.TEST@KERB.TEST, aes256 key 01..20.
void put_sample_credential(ByteBuilder& b, int version) {
  put_principal(b, version, 1, "KERB.TEST", {"alice"});
  put_principal(b, version, 2, "KERB.TEST", {"krbtgt", "KERB.TEST"});
  b.u16(18);
  if (version == 3) b.u16(18);
  b.data32(key_bytes(32));
  b.u32(1700000000).u32(1700000001).u32(1700086400).u32(1700604800);
  b.u8(0).u32(kFlags);
  b.u32(1).u16(2).data32(Bytes{127, 0, 0, 1});  // one IPv4 address
  b.u32(1).u16(1).data32("ad");                 // one AD-IF-RELEVANT-ish element
  b.data32(kTicket).data32("");
}

// A second credential: a user-to-user ticket for bank/bank.test with a second ticket.
void put_service_credential(ByteBuilder& b, int version) {
  put_principal(b, version, 1, "KERB.TEST", {"alice"});
  put_principal(b, version, 3, "KERB.TEST", {"bank", "bank.test"});
  b.u16(17);
  if (version == 3) b.u16(17);
  b.data32(key_bytes(16, 0x40));
  b.u32(1700000100).u32(0).u32(1700086400).u32(0);
  b.u8(1).u32(0x00a00000);
  b.u32(0).u32(0);
  b.data32(Bytes{0x61, 0x01, 0x00}).data32(Bytes{0x61, 0x02, 0x05, 0x00});
}

void put_config_entry(ByteBuilder& b, std::string_view key, std::string_view assoc,
                      std::string_view value) {
  put_principal(b, 4, 1, "KERB.TEST", {"alice"});
  if (assoc.empty()) {
    put_principal(b, 4, 1, "X-CACHECONF:", {"krb5_ccache_conf_data", key});
  } else {
    put_principal(b, 4, 1, "X-CACHECONF:", {"krb5_ccache_conf_data", key, assoc});
  }
  b.u16(0).u32(0).u32(0).u32(0).u32(0).u32(0).u8(0).u32(0).u32(0).u32(0);
  b.data32(value).data32("");
}

struct Sample {
  Bytes bytes;
  std::vector<std::size_t> boundaries;  // prefix lengths that are complete caches
};

// A cache of the given version: [v4 header] default principal, two credentials; v4 adds two
// config entries up front (as MIT's kinit writes them) and optionally an unknown header field.
Sample sample_cache(int version, Order order, bool unknown_header_field = false) {
  ByteBuilder b(order);
  b.u8(5).u8(static_cast<std::uint32_t>(version));
  if (version == 4) {
    const std::uint32_t extra = unknown_header_field ? 4 + 3 : 0;
    b.u16(12 + extra);
    if (unknown_header_field) b.u16(0x7f01).u16(3).raw("xyz");
    b.u16(1).u16(8).u32(static_cast<std::uint32_t>(-5)).u32(250000);
  }
  put_principal(b, version, 1, "KERB.TEST", {"alice"});
  Sample s;
  s.boundaries.push_back(b.size());
  if (version == 4) {
    put_config_entry(b, "fast_avail", "krbtgt/KERB.TEST@KERB.TEST", "yes");
    s.boundaries.push_back(b.size());
    put_config_entry(b, "pa_type", "krbtgt/KERB.TEST@KERB.TEST", "2");
    s.boundaries.push_back(b.size());
  }
  put_sample_credential(b, version);
  s.boundaries.push_back(b.size());
  put_service_credential(b, version);
  s.boundaries.push_back(b.size());
  s.bytes = b.bytes();
  return s;
}

void check_sample(const CcacheContents& cc, int version) {
  CHECK(cc.version == 0x0500 + version);
  CHECK(cc.default_principal.to_string() == "alice@KERB.TEST");
  CHECK(cc.default_principal.raw_name_type() == (version == 1 ? 0 : 1));
  REQUIRE(cc.credentials.size() == 2);

  const Credentials& tgt = cc.credentials[0];
  CHECK(tgt.client.to_string() == "alice@KERB.TEST");
  CHECK(tgt.server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
  CHECK(tgt.server.raw_name_type() == (version == 1 ? 0 : 2));
  CHECK(tgt.session_key.enctype == crypto::EncType{18});
  CHECK(Bytes(tgt.session_key.contents.view().begin(), tgt.session_key.contents.view().end()) ==
        key_bytes(32));
  CHECK(tgt.authtime == 1700000000);
  CHECK(tgt.starttime == 1700000001);
  CHECK(tgt.endtime == 1700086400);
  CHECK(tgt.renew_till == 1700604800);
  CHECK_FALSE(tgt.is_skey);
  CHECK(tgt.ticket_flags == kFlags);
  REQUIRE(tgt.addresses.size() == 1);
  CHECK(tgt.addresses[0].addr_type == 2);
  CHECK(tgt.addresses[0].address == Bytes{127, 0, 0, 1});
  REQUIRE(tgt.authdata.size() == 1);
  CHECK(tgt.authdata[0].ad_type == 1);
  CHECK(tgt.authdata[0].ad_data == bytes_of("ad"));
  CHECK(tgt.ticket == kTicket);
  CHECK(tgt.second_ticket.empty());

  const Credentials& svc = cc.credentials[1];
  CHECK(svc.server.to_string() == "bank/bank.test@KERB.TEST");
  CHECK(svc.session_key.enctype == crypto::EncType{17});
  CHECK(svc.session_key.contents.size() == 16);
  CHECK(svc.starttime == 0);
  CHECK(svc.renew_till == 0);
  CHECK(svc.is_skey);
  CHECK(svc.addresses.empty());
  CHECK(svc.authdata.empty());
  CHECK(svc.second_ticket == (Bytes{0x61, 0x02, 0x05, 0x00}));

  if (version == 4) {
    REQUIRE(cc.kdc_offset.has_value());
    CHECK(cc.kdc_offset->seconds == -5);
    CHECK(cc.kdc_offset->microseconds == 250000);
    REQUIRE(cc.config.size() == 2);
    CHECK(cc.config[0].key == "fast_avail");
    CHECK(cc.config[0].principal == "krbtgt/KERB.TEST@KERB.TEST");
    CHECK(cc.config[0].value_text() == "yes");
    CHECK(cc.config[1].key == "pa_type");
    CHECK(cc.config[1].value_text() == "2");
  } else {
    CHECK_FALSE(cc.kdc_offset.has_value());
    CHECK(cc.config.empty());
  }
}

Credentials make_credentials(std::string_view server, std::int64_t endtime) {
  Credentials c;
  c.client = principal("alice@KERB.TEST");
  c.server = principal(server);
  auto key = KeyBlock::from_bytes(crypto::EncType{18}, key_bytes(32, 7));
  REQUIRE(key.ok());
  c.session_key = *key;
  c.authtime = 1700000000;
  c.starttime = 1700000000;
  c.endtime = endtime;
  c.renew_till = 1700600000;
  c.ticket_flags = kFlags;
  c.ticket = {0x61, 0x02, 0x30, 0x00};
  return c;
}

CcacheContents make_cache() {
  CcacheContents cc;
  cc.default_principal = principal("alice@KERB.TEST");
  cc.kdc_offset = KdcOffset{3, 999999};
  Credentials tgt = make_credentials("krbtgt/KERB.TEST@KERB.TEST", 1700086400);
  tgt.addresses.push_back({2, {10, 0, 0, 1}});
  tgt.addresses.push_back({24, Bytes(16, 0xfe)});
  tgt.authdata.push_back({1, {0x30, 0x00}});
  tgt.authdata.push_back({-1, {}});
  cc.credentials.push_back(tgt);
  Credentials u2u = make_credentials("bank/bank.test@KERB.TEST", 1700086400);
  u2u.is_skey = true;
  u2u.second_ticket = {0x61, 0x00};
  u2u.session_key.enctype =
      crypto::EncType{999};  // an enctype kerb has no profile for is carried unchanged
  cc.credentials.push_back(u2u);
  cc.set_config("fast_avail", "krbtgt/KERB.TEST@KERB.TEST", "yes");
  cc.set_config("start_realm", "", "KERB.TEST");
  cc.set_config("pa_config_data", "krbtgt/KERB.TEST@KERB.TEST", Bytes{0xff, 0x00, 0x7b});
  return cc;
}

void check_same(const CcacheContents& a, const CcacheContents& b) {
  CHECK(a.default_principal == b.default_principal);
  CHECK(a.default_principal.raw_name_type() == b.default_principal.raw_name_type());
  CHECK(a.kdc_offset == b.kdc_offset);
  CHECK(a.credentials == b.credentials);
  CHECK(a.config == b.config);
}

Error read_error(const Bytes& bytes) {
  Result<CcacheContents> r = CcacheContents::read(bytes);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("ccache v4 round trip: write, read, equal, same bytes again", "[ccache]") {
  const CcacheContents cc = make_cache();
  Result<Bytes> bytes = cc.serialize();
  REQUIRE(bytes.ok());
  Result<CcacheContents> back = CcacheContents::read(*bytes);
  REQUIRE(back.ok());
  CHECK(back->version == CcacheContents::kVersion4);
  check_same(cc, *back);
  CHECK(back->credentials[1].session_key.enctype == crypto::EncType{999});
  CHECK(back->credentials[0].authdata[1].ad_type == -1);
  Result<Bytes> again = back->serialize();
  REQUIRE(again.ok());
  CHECK(*again == *bytes);
}

TEST_CASE("ccache v4 decode -> encode reproduces hand-built bytes exactly", "[ccache]") {
  const Sample s = sample_cache(4, Order::kBig);
  Result<CcacheContents> cc = CcacheContents::read(s.bytes);
  REQUIRE(cc.ok());
  check_sample(*cc, 4);
  Result<Bytes> out = cc->serialize();
  REQUIRE(out.ok());
  CHECK(*out == s.bytes);
}

TEST_CASE("ccache reads hand-built v1, v2, v3 and v4 files", "[ccache]") {
  SECTION("v1: native byte order, no header, no name type, count includes the realm") {
    Result<CcacheContents> cc = CcacheContents::read(sample_cache(1, Order::kNative).bytes);
    REQUIRE(cc.ok());
    check_sample(*cc, 1);
  }
  SECTION("v2: native byte order, no header") {
    Result<CcacheContents> cc = CcacheContents::read(sample_cache(2, Order::kNative).bytes);
    REQUIRE(cc.ok());
    check_sample(*cc, 2);
  }
  SECTION("v3: big-endian, no header, enctype twice") {
    Result<CcacheContents> cc = CcacheContents::read(sample_cache(3, Order::kBig).bytes);
    REQUIRE(cc.ok());
    check_sample(*cc, 3);
  }
  SECTION("v4 with an unknown header field, which is skipped") {
    Result<CcacheContents> cc = CcacheContents::read(sample_cache(4, Order::kBig, true).bytes);
    REQUIRE(cc.ok());
    check_sample(*cc, 4);
  }
  SECTION("a read v1 cache is written as v4 and reads back the same") {
    Result<CcacheContents> v1 = CcacheContents::read(sample_cache(1, Order::kNative).bytes);
    REQUIRE(v1.ok());
    Result<Bytes> out = v1->serialize();
    REQUIRE(out.ok());
    CHECK((*out)[1] == 4);
    Result<CcacheContents> v4 = CcacheContents::read(*out);
    REQUIRE(v4.ok());
    check_same(*v1, *v4);
  }
}

TEST_CASE("ccache v4 header: KDC time offset round trip, absent offset, bad fields", "[ccache]") {
  CcacheContents cc = make_cache();
  for (const KdcOffset offset : {KdcOffset{0, 0}, KdcOffset{-3600, -1}, KdcOffset{INT32_MAX, 5}}) {
    cc.kdc_offset = offset;
    Result<Bytes> bytes = cc.serialize();
    REQUIRE(bytes.ok());
    CHECK((*bytes)[2] == 0);
    CHECK((*bytes)[3] == 12);  // header length: one field of 2 + 2 + 8 bytes
    Result<CcacheContents> back = CcacheContents::read(*bytes);
    REQUIRE(back.ok());
    REQUIRE(back->kdc_offset.has_value());
    CHECK(*back->kdc_offset == offset);
  }
  cc.kdc_offset.reset();
  Result<Bytes> bytes = cc.serialize();
  REQUIRE(bytes.ok());
  CHECK((*bytes)[3] == 0);  // empty header
  Result<CcacheContents> back = CcacheContents::read(*bytes);
  REQUIRE(back.ok());
  CHECK_FALSE(back->kdc_offset.has_value());

  auto with_header = [](ByteBuilder header) {
    ByteBuilder b;
    b.u8(5).u8(4).u16(static_cast<std::uint32_t>(header.size())).raw(header.bytes());
    put_principal(b, 4, 1, "R", {"a"});
    return b.bytes();
  };
  SECTION("tag 1 with a length other than 8") {
    ByteBuilder h;
    h.u16(1).u16(4).u32(0);
    CHECK(contains(read_error(with_header(h)).detail(), "KDC time offset field has length 4"));
  }
  SECTION("a field longer than the header") {
    ByteBuilder h;
    h.u16(9).u16(40).u32(0);
    CHECK(contains(read_error(with_header(h)).detail(),
                   "header field length 40 exceeds the remaining 4 bytes at offset 6"));
  }
  SECTION("stray bytes after the last field") {
    ByteBuilder h;
    h.u16(1).u16(8).u32(0).u32(0).u8(0);
    CHECK(contains(read_error(with_header(h)).detail(), "truncated header field tag"));
  }
  SECTION("header length beyond the file") {
    CHECK(contains(read_error(Bytes{5, 4, 0, 50, 0, 0}).detail(),
                   "header length 50 exceeds the remaining 2 bytes at offset 2"));
  }
}

TEST_CASE("ccache X-CACHECONF: entries are config, survive round trips, never fatal", "[ccache]") {
  const Sample s = sample_cache(4, Order::kBig);
  Result<CcacheContents> cc = CcacheContents::read(s.bytes);
  REQUIRE(cc.ok());
  for (const Credentials& c : cc->credentials)
    CHECK_FALSE(CcacheContents::is_config_principal(c.server));
  REQUIRE(cc->find_config("pa_type", "krbtgt/KERB.TEST@KERB.TEST") != nullptr);
  CHECK(cc->find_config("pa_type") == nullptr);  // associated with a principal, not global

  CcacheContents edited = *cc;
  edited.set_config("pa_type", "krbtgt/KERB.TEST@KERB.TEST", "138");
  edited.set_config("start_realm", "", "OTHER.TEST");
  CHECK(edited.config.size() == 3);
  Result<Bytes> bytes = edited.serialize();
  REQUIRE(bytes.ok());
  Result<CcacheContents> back = CcacheContents::read(*bytes);
  REQUIRE(back.ok());
  CHECK(back->config == edited.config);
  CHECK(back->find_config("pa_type", "krbtgt/KERB.TEST@KERB.TEST")->value_text() == "138");
  CHECK(back->find_config("start_realm")->value_text() == "OTHER.TEST");
  CHECK(back->credentials.size() == 2);
  CHECK(back->remove_config("start_realm"));
  CHECK_FALSE(back->remove_config("start_realm"));

  SECTION("an X-CACHECONF: entry of an unknown shape is dropped, not fatal, not a ticket") {
    ByteBuilder b;
    b.u8(5).u8(4).u16(0);
    put_principal(b, 4, 1, "KERB.TEST", {"alice"});
    put_principal(b, 4, 1, "KERB.TEST", {"alice"});
    put_principal(b, 4, 1, "X-CACHECONF:", {"something_else"});
    b.u16(0).u32(0).u32(0).u32(0).u32(0).u32(0).u8(0).u32(0).u32(0).u32(0);
    b.data32(Bytes{0xde, 0xad}).data32("");
    put_sample_credential(b, 4);
    Result<CcacheContents> odd = CcacheContents::read(b.bytes());
    REQUIRE(odd.ok());
    CHECK(odd->config.empty());
    REQUIRE(odd->credentials.size() == 1);
    CHECK(odd->credentials[0].server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
  }
}

TEST_CASE("ccache truncated at every byte: errors except at entry boundaries", "[ccache]") {
  for (int version = 1; version <= 4; ++version) {
    const Sample s = sample_cache(version, version >= 3 ? Order::kBig : Order::kNative);
    for (std::size_t n = 0; n < s.bytes.size(); ++n) {
      const Bytes prefix(s.bytes.begin(), s.bytes.begin() + static_cast<std::ptrdiff_t>(n));
      Result<CcacheContents> r = CcacheContents::read(prefix);
      bool boundary = false;
      for (std::size_t b : s.boundaries)
        boundary = boundary || b == n;
      INFO("version " << version << " prefix " << n);
      CHECK(r.ok() == boundary);
      if (!r.ok()) {
        CHECK(r.error().category() == ErrorCategory::kIo);
        CHECK(contains(r.error().detail(), "ccache: "));
      }
    }
  }
}

TEST_CASE("ccache malformed-input table", "[ccache]") {
  const Bytes good = sample_cache(4, Order::kBig).bytes;
  struct Case {
    const char* name;
    Bytes bytes;
    const char* detail;
  };
  auto v4 = [] {
    ByteBuilder b;
    b.u8(5).u8(4).u16(0);
    return b;
  };
  std::vector<Case> cases;
  cases.push_back({"empty", {}, "0 bytes is too short"});
  cases.push_back({"one byte", {5}, "1 bytes is too short"});
  cases.push_back({"not a ccache", {4, 4, 0, 0}, "not a credentials cache (first byte 0x04"});
  cases.push_back({"version 0x0505", {5, 5, 0, 0}, "unsupported version 0x0505"});
  cases.push_back({"version 0x0500", {5, 0, 0, 0}, "unsupported version 0x0500"});
  {
    ByteBuilder b = v4();
    b.u32(1).u32(1).data32("KERB.TEST").u32(4000000).raw("only twelve!");
    cases.push_back({"huge component length", b.bytes(),
                     "ccache: principal component length 4000000 exceeds the remaining 12 bytes "
                     "at offset 25"});
  }
  {
    ByteBuilder b = v4();
    b.u32(1).u32(0xffffffff);
    cases.push_back({"huge component count", b.bytes(),
                     "default principal has 4294967295 components, more than 8 at offset 8"});
  }
  {
    ByteBuilder b = v4();
    b.u32(1).u32(9);
    cases.push_back({"nine components", b.bytes(), "has 9 components, more than 8"});
  }
  {
    ByteBuilder b = v4();
    b.u32(1).u32(0).u32(0x80000000);
    cases.push_back(
        {"huge realm length", b.bytes(), "realm length 2147483648 exceeds the remaining 0"});
  }
  {
    ByteBuilder b(Order::kNative);
    b.u8(5).u8(1).u32(0);
    cases.push_back({"v1 principal count 0", b.bytes(), "has a count of 0 (no realm)"});
  }
  {
    ByteBuilder b = v4();
    put_principal(b, 4, 1, "R", {"a"});
    put_principal(b, 4, 1, "R", {"a"});
    put_principal(b, 4, 1, "R", {"b"});
    b.u16(18).data32(Bytes(65, 0));
    cases.push_back({"key longer than 64", b.bytes(), "key length 65 exceeds the limit of 64"});
  }
  auto credential_prefix = [&](ByteBuilder& b) {
    put_principal(b, 4, 1, "R", {"a"});
    put_principal(b, 4, 1, "R", {"a"});
    put_principal(b, 4, 1, "R", {"b"});
    b.u16(18).data32(key_bytes(32)).u32(1).u32(2).u32(3).u32(4);
  };
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(2).u32(0).u32(0).u32(0).u32(0).u32(0);
    cases.push_back({"is_skey 2", b.bytes(), "is_skey is 2, not 0 or 1"});
  }
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(0).u32(0).u32(200).zeros(20);
    cases.push_back({"address count beyond the file", b.bytes(),
                     "address count 200 exceeds what the remaining 20 bytes hold"});
  }
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(0).u32(0).u32(0).u32(4).zeros(20);
    cases.push_back({"authdata count beyond the file", b.bytes(),
                     "authdata count 4 exceeds what the remaining 20 bytes hold"});
  }
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(0).u32(0).u32(0).u32(0xffffffff).zeros(20);
    cases.push_back(
        {"huge authdata count", b.bytes(), "authdata count 4294967295 exceeds the limit of 256"});
  }
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(0).u32(0).u32(0).u32(0).u32(0xfffffff0).zeros(8);
    cases.push_back({"huge ticket length", b.bytes(),
                     "ticket length 4294967280 exceeds the remaining 8 bytes"});
  }
  {
    ByteBuilder b = v4();
    credential_prefix(b);
    b.u8(0).u32(0).u32(0).u32(0).u32(0).u32(7).raw("abc");
    cases.push_back({"huge second ticket length", b.bytes(),
                     "second ticket length 7 exceeds the remaining 3 bytes"});
  }
  {
    Bytes junk = good;
    junk.push_back(0);
    junk.push_back(0);
    junk.push_back(0);
    cases.push_back({"trailing junk after the last credential", junk,
                     "truncated principal name type (needs 4 bytes, 3 remain)"});
  }
  {
    Bytes junk = good;
    junk.insert(junk.end(), 8, 0);  // name type 0, count 0, then no realm
    cases.push_back({"trailing zeros after the last credential", junk, "truncated realm"});
  }

  for (const Case& c : cases) {
    INFO(c.name);
    Result<CcacheContents> r = CcacheContents::read(c.bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().category() == ErrorCategory::kIo);
    INFO(std::string(r.error().detail()));
    CHECK(contains(r.error().detail(), c.detail));
  }
}

TEST_CASE("ccache entry limit", "[ccache]") {
  ByteBuilder b;
  b.u8(5).u8(4).u16(0);
  put_principal(b, 4, 1, "R", {"a"});
  auto put_minimal = [&b] {
    put_principal(b, 4, 1, "R", {"a"});
    put_principal(b, 4, 1, "R", {"b"});
    b.u16(0).u32(0).u32(0).u32(0).u32(0).u32(0).u8(0).u32(0).u32(0).u32(0).u32(0).u32(0);
  };
  for (std::size_t i = 0; i < CcacheContents::kMaxEntries; ++i)
    put_minimal();
  Result<CcacheContents> at_limit = CcacheContents::read(b.bytes());
  REQUIRE(at_limit.ok());
  CHECK(at_limit->credentials.size() == CcacheContents::kMaxEntries);
  put_minimal();
  CHECK(contains(read_error(b.bytes()).detail(), "more than 4096 entries"));

  CcacheContents too_many = *at_limit;
  too_many.credentials.push_back(too_many.credentials.back());
  CHECK_FALSE(too_many.serialize().ok());
}

// A v4 cache with default principal R/a and credentials R/a -> R/b holding `addresses` and
// `authdata` zero-length elements. Layout (MIT "Credential format"): 4 header bytes, 18 per
// principal, keyblock 6, times 16, is_skey 1, flags 4; so the first address count is at 85
// and a credential is 79 + 6 * (addresses + authdata) bytes long.
void put_counted_credential(ByteBuilder& b, std::uint32_t addresses, std::uint32_t authdata) {
  put_principal(b, 4, 1, "R", {"a"});
  put_principal(b, 4, 1, "R", {"b"});
  b.u16(0).u32(0).u32(0).u32(0).u32(0).u32(0).u8(0).u32(0);
  b.u32(addresses);
  for (std::uint32_t i = 0; i < addresses; ++i)
    b.u16(2).u32(0);
  b.u32(authdata);
  for (std::uint32_t i = 0; i < authdata; ++i)
    b.u16(1).u32(0);
  b.u32(0).u32(0);
}
ByteBuilder counted_cache_start() {
  ByteBuilder b;
  b.u8(5).u8(4).u16(0);
  put_principal(b, 4, 1, "R", {"a"});
  return b;
}
constexpr std::size_t kFirstAddressCount = 85;

TEST_CASE("ccache: a 16 MiB file of empty addresses is refused at its count", "[ccache]") {
  // Each element costs 6 bytes of file and a 32-byte Address in memory: read, this file
  // would take some 130 MB. The count alone must stop it.
  const std::size_t count = (CcacheContents::kMaxFileSize - kFirstAddressCount - 4 - 4 - 8) / 6;
  ByteBuilder b = counted_cache_start();
  put_counted_credential(b, static_cast<std::uint32_t>(count), 0);
  REQUIRE(b.size() <= CcacheContents::kMaxFileSize);
  REQUIRE(b.size() > CcacheContents::kMaxFileSize - 6);
  const Error e = read_error(b.bytes());
  INFO(std::string(e.detail()));
  CHECK(e.category() == ErrorCategory::kIo);
  CHECK(contains(e.detail(), "address count " + std::to_string(count) +
                                 " exceeds the limit of 256 at offset 85"));
}

TEST_CASE("ccache address and authdata limits, per credential and per file", "[ccache]") {
  SECTION("256 of each is read; one more address or authdata is refused where its count is") {
    ByteBuilder at_limit = counted_cache_start();
    put_counted_credential(at_limit, 256, 256);
    Result<CcacheContents> read = CcacheContents::read(at_limit.bytes());
    REQUIRE(read.ok());
    CHECK(read->credentials[0].addresses.size() == 256);
    CHECK(read->credentials[0].authdata.size() == 256);
    REQUIRE(read->serialize().ok());

    ByteBuilder addresses = counted_cache_start();
    put_counted_credential(addresses, 257, 0);
    CHECK(contains(read_error(addresses.bytes()).detail(),
                   "address count 257 exceeds the limit of 256 at offset 85"));
    ByteBuilder authdata = counted_cache_start();
    put_counted_credential(authdata, 0, 257);
    CHECK(contains(read_error(authdata.bytes()).detail(),
                   "authdata count 257 exceeds the limit of 256 at offset 89"));
  }
  SECTION("16384 in the whole file") {
    // 32 credentials of 256 + 256 reach the file's limit; the 33rd's address count is refused.
    ByteBuilder b = counted_cache_start();
    for (int i = 0; i < 32; ++i)
      put_counted_credential(b, 256, 256);
    Result<CcacheContents> at_limit = CcacheContents::read(b.bytes());
    REQUIRE(at_limit.ok());
    CHECK(at_limit->credentials.size() == 32);
    REQUIRE(at_limit->serialize().ok());
    put_counted_credential(b, 1, 0);
    const std::size_t at = kFirstAddressCount + 32 * (79 + 6 * 512);
    CHECK(contains(read_error(b.bytes()).detail(),
                   "address count 1 exceeds the file's limit of 16384 addresses and authdata "
                   "at offset " +
                       std::to_string(at)));

    CcacheContents too_many = *at_limit;
    too_many.credentials.push_back(make_credentials("x/y@KERB.TEST", 1));
    too_many.credentials.back().addresses.resize(1);
    CHECK(too_many.serialize().error().category() == ErrorCategory::kInvalidArgument);
  }
  SECTION("serialize refuses what read refuses") {
    CcacheContents cc = make_cache();
    cc.credentials[0].addresses.resize(257);
    CHECK(contains(cc.serialize().error().detail(), "exceed the limits of 256 and 256"));
  }
}

TEST_CASE("ccache serialize refuses values the format cannot hold", "[ccache]") {
  CcacheContents cc = make_cache();
  SECTION("no default principal") {
    cc.default_principal = Principal();
    CHECK(cc.serialize().error().category() == ErrorCategory::kInvalidArgument);
  }
  SECTION("endtime after 2106") {
    cc.credentials[0].endtime = std::int64_t{1} << 32;
    CHECK(contains(cc.serialize().error().detail(), "endtime 4294967296 does not fit"));
  }
  SECTION("negative authtime") {
    cc.credentials[0].authtime = -1;
    CHECK_FALSE(cc.serialize().ok());
  }
  SECTION("enctype beyond 16 bits") {
    cc.credentials[0].session_key.enctype = crypto::EncType{70000};
    CHECK(contains(cc.serialize().error().detail(), "keyblock enctype 70000 does not fit"));
  }
  SECTION("address type beyond 16 bits") {
    cc.credentials[0].addresses[0].addr_type = -40000;
    CHECK_FALSE(cc.serialize().ok());
  }
  SECTION("times at the top of the unsigned range are fine") {
    cc.credentials[0].renew_till = UINT32_MAX;
    Result<Bytes> bytes = cc.serialize();
    REQUIRE(bytes.ok());
    Result<CcacheContents> back = CcacheContents::read(*bytes);
    REQUIRE(back.ok());
    CHECK(back->credentials[0].renew_till == UINT32_MAX);
  }
}

TEST_CASE("ccache find and store", "[ccache]") {
  CcacheContents cc;
  cc.default_principal = principal("alice@KERB.TEST");
  cc.store(make_credentials("bank/bank.test@KERB.TEST", 100));
  cc.store(make_credentials("krbtgt/KERB.TEST@KERB.TEST", 100));
  CHECK(cc.credentials.size() == 2);
  cc.store(make_credentials("bank/bank.test@KERB.TEST", 200));  // replaces
  CHECK(cc.credentials.size() == 2);
  const Credentials* found = cc.find(principal("bank/bank.test@KERB.TEST"));
  REQUIRE(found != nullptr);
  CHECK(found->endtime == 200);
  CHECK(cc.find(principal("bank/other@KERB.TEST")) == nullptr);
  CHECK(cc.find(principal("bank/bank.test@OTHER.TEST")) == nullptr);

  // Two entries for one server (different clients): the later endtime wins.
  Credentials other = make_credentials("bank/bank.test@KERB.TEST", 300);
  other.client = principal("bob@KERB.TEST");
  cc.store(other);
  CHECK(cc.find(principal("bank/bank.test@KERB.TEST"))->endtime == 300);
}

TEST_CASE("ccache file write is atomic, mode 0600, and reads back", "[ccache]") {
  kerb::test::TempDir dir;
  const std::string path = dir.file("cc");
  const CcacheContents cc = make_cache();
  REQUIRE(cc.write("FILE:" + path).ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Nothing but the cache itself is left in the directory.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
    ++files;
  CHECK(files == 1);

  Result<CcacheContents> back = CcacheContents::open(path);
  REQUIRE(back.ok());
  check_same(cc, *back);
  CHECK(read_file(path) == *cc.serialize());

  // Replacing keeps 0600 even if the old file was more open.
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  REQUIRE(cc.write(path).ok());
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  SECTION("errors name the file") {
    const std::string bad = dir.file("broken-cache");
    std::ofstream(bad, std::ios::binary) << std::string("\x05\x04\x00\x00\x00", 5);
    Result<CcacheContents> r = CcacheContents::open(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().detail(), "ccache broken-cache: truncated principal name type"));
    Result<CcacheContents> missing = CcacheContents::open(dir.file("missing"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().category() == ErrorCategory::kIo);
    CHECK(contains(missing.error().detail(), "ccache missing: cannot open"));
    CHECK(missing.error().code() == ENOENT);
    CHECK_FALSE(CcacheContents::open(dir.path().string()).ok());  // a directory
    CHECK_FALSE(cc.write(dir.file("no/such/dir/cc")).ok());
  }
}

TEST_CASE("MIT kinit's ccache (the fuzz seed) reads and re-encodes byte for byte", "[ccache]") {
  const std::string path = std::string(KERB_SOURCE_DIR) +
                           "/tests/fuzz/corpus/ccache/mit-kinit-alice-tgt-and-service.ccache";
  Result<CcacheContents> cc = CcacheContents::open(path);
  REQUIRE(cc.ok());
  CHECK(cc->default_principal.to_string() == "alice@KERB.TEST");
  CHECK(cc->kdc_offset.has_value());
  REQUIRE(cc->credentials.size() == 2);
  CHECK(cc->credentials[0].server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
  CHECK(cc->credentials[1].server.to_string() == "bank/bank.test@KERB.TEST");
  for (const Credentials& c : cc->credentials) {
    REQUIRE_FALSE(c.ticket.empty());
    CHECK(c.ticket[0] == 0x61);
    CHECK(c.session_key.contents.size() == 32);
  }
  CHECK(cc->find_config("fast_avail", "krbtgt/KERB.TEST@KERB.TEST") != nullptr);
  CHECK(cc->find_config("pa_type", "krbtgt/KERB.TEST@KERB.TEST") != nullptr);
  Result<Bytes> out = cc->serialize();
  REQUIRE(out.ok());
  CHECK(*out == read_file(path));
}

TEST_CASE("CredentialCache over a FILE cache", "[ccache]") {
  kerb::test::TempDir dir;
  const std::string path = dir.file("krb5cc_test");
  Result<std::shared_ptr<CredentialCache>> resolved = resolve_ccache("FILE:" + path);
  REQUIRE(resolved.ok());
  CredentialCache& cache = **resolved;
  CHECK(cache.name() == "FILE:" + path);

  CHECK_FALSE(cache.default_principal().ok());  // not initialised yet
  CHECK_FALSE(cache.store(make_credentials("krbtgt/KERB.TEST@KERB.TEST", 10)).ok());

  REQUIRE(cache.initialize(principal("alice@KERB.TEST")).ok());
  CHECK(cache.default_principal()->to_string() == "alice@KERB.TEST");
  REQUIRE(cache.store(make_credentials("krbtgt/KERB.TEST@KERB.TEST", 10)).ok());
  REQUIRE(cache.set_kdc_offset(KdcOffset{-7, 1}).ok());
  const std::string value = "yes";
  REQUIRE(cache.set_config("fast_avail", "krbtgt/KERB.TEST@KERB.TEST", bytes_of(value)).ok());

  // Another handle (another process, in effect) sees it all through the file.
  FileCredentialCache again(path);
  Result<std::optional<Credentials>> tgt = again.retrieve(principal("krbtgt/KERB.TEST@KERB.TEST"));
  REQUIRE(tgt.ok());
  REQUIRE(tgt->has_value());
  CHECK((*tgt)->endtime == 10);
  CHECK_FALSE(again.retrieve(principal("nobody@KERB.TEST"))->has_value());
  CHECK(again.kdc_offset()->value() == KdcOffset{-7, 1});
  CHECK(again.get_config("fast_avail", "krbtgt/KERB.TEST@KERB.TEST")->value() == bytes_of(value));
  CHECK_FALSE(again.get_config("fast_avail", "")->has_value());
  CHECK(again.list()->size() == 1);
  CHECK(again.snapshot()->config.size() == 1);

  // initialize() empties it.
  REQUIRE(again.initialize(principal("bob@KERB.TEST")).ok());
  CHECK(cache.list()->empty());
  CHECK_FALSE(cache.kdc_offset()->has_value());

  REQUIRE(cache.destroy().ok());
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(cache.default_principal().ok());
  CHECK_FALSE(cache.destroy().ok());
}

TEST_CASE("MemoryCcache: shared by name within the process, destroy forgets it", "[ccache]") {
  Result<std::shared_ptr<CredentialCache>> a = resolve_ccache("MEMORY:unit-test");
  REQUIRE(a.ok());
  CHECK((*a)->name() == "MEMORY:unit-test");
  CHECK_FALSE((*a)->default_principal().ok());
  REQUIRE((*a)->initialize(principal("alice@KERB.TEST")).ok());
  REQUIRE((*a)->store(make_credentials("krbtgt/KERB.TEST@KERB.TEST", 50)).ok());
  REQUIRE((*a)->set_kdc_offset(KdcOffset{1, 2}).ok());

  std::shared_ptr<MemoryCcache> b = MemoryCcache::resolve("unit-test");
  CHECK(b->default_principal()->to_string() == "alice@KERB.TEST");
  CHECK(b->retrieve(principal("krbtgt/KERB.TEST@KERB.TEST"))->value().endtime == 50);
  CHECK(b->kdc_offset()->value() == KdcOffset{1, 2});
  CHECK_FALSE(MemoryCcache::resolve("another")->default_principal().ok());

  REQUIRE(b->destroy().ok());
  CHECK_FALSE((*a)->default_principal().ok());
  CHECK_FALSE(MemoryCcache::resolve("unit-test")->default_principal().ok());
}

TEST_CASE("ccache names and KRB5CCNAME", "[ccache]") {
  auto parsed = [](std::string_view name) {
    Result<CcacheName> n = CcacheName::parse(name);
    REQUIRE(n.ok());
    return *n;
  };
  CHECK(parsed("FILE:/tmp/cc").type == CcacheName::Type::kFile);
  CHECK(parsed("FILE:/tmp/cc").residual == "/tmp/cc");
  CHECK(parsed("/tmp/krb5cc_0").residual == "/tmp/krb5cc_0");
  CHECK(parsed("/tmp/odd:name").residual == "/tmp/odd:name");
  CHECK(parsed("relative").type == CcacheName::Type::kFile);
  CHECK(parsed("MEMORY:x").type == CcacheName::Type::kMemory);
  CHECK(parsed("MEMORY:x").to_string() == "MEMORY:x");
  CHECK(parsed("/tmp/cc").to_string() == "FILE:/tmp/cc");
  for (const char* bad : {"", "DIR:/tmp/d", "KEYRING:persistent:0", "KCM:", "FILE:", "MEMORY:"}) {
    INFO(bad);
    Result<CcacheName> n = CcacheName::parse(bad);
    REQUIRE_FALSE(n.ok());
    CHECK(n.error().category() == ErrorCategory::kConfig);
  }

  const char* saved = std::getenv("KRB5CCNAME");
  const std::string saved_value = saved ? saved : "";
  ::setenv("KRB5CCNAME", "MEMORY:from-env", 1);
  CHECK(default_ccache_name() == "MEMORY:from-env");
  CHECK(default_ccache()->get()->name() == "MEMORY:from-env");
  ::unsetenv("KRB5CCNAME");
  CHECK(default_ccache_name() == "FILE:/tmp/krb5cc_" + std::to_string(::getuid()));
  if (saved) ::setenv("KRB5CCNAME", saved_value.c_str(), 1);
}
