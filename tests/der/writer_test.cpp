// der::Writer: canonical DER out with deferred lengths, fixed-buffer and counting modes, and
// sticky errors (DESIGN.md conventions 6, 7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>
#include <kerb/der/time.hpp>
#include <kerb/der/writer.hpp>

#include "der_test_util.hpp"

namespace der = kerb::der;
using der::test::ascii;
using der::test::Bytes;
using der::test::concat;
using der::test::der_length;
using der::test::hex;
using der::test::kHexSpaced;
using der::test::reason_of;
using der::test::tlv;
using der::test::to_hex;

namespace {

Bytes encode(const std::function<void(der::Writer&)>& body) {
  der::Writer w;
  body(w);
  REQUIRE(w.ok());
  return Bytes(w.bytes().begin(), w.bytes().end());
}

std::string encode_hex(const std::function<void(der::Writer&)>& body) {
  return to_hex(encode(body), kHexSpaced);
}

Bytes pattern(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return out;
}

// Valid DER contents of exactly `length` octets (any length but 1): one OCTET STRING of a
// pattern plus NULLs and at most one BOOLEAN to make up the rest. Written both through the
// Writer and by the reference encoder.
struct Filler {
  std::size_t octets = 0;  // OCTET STRING content length when has_octets
  bool has_octets = false;
  std::size_t nulls = 0;
  bool boolean = false;
};

Filler plan_filler(std::size_t length) {
  REQUIRE(length != 1);
  Filler f;
  std::size_t rest = length;
  if (length >= 16) {
    std::size_t n = length - 8;
    while (true) {
      const std::size_t used = 1 + der_length(n).size() + n;
      if (used <= length && length - used != 1) {
        f.has_octets = true;
        f.octets = n;
        rest = length - used;
        break;
      }
      --n;
    }
  }
  if (rest % 2 == 1) {
    f.boolean = true;
    rest -= 3;
  }
  f.nulls = rest / 2;
  return f;
}

void write_filler(der::Writer& w, const Filler& f) {
  static const Bytes big = pattern(std::size_t{1} << 24);
  if (f.has_octets) w.write_octet_string(std::span<const std::uint8_t>(big).first(f.octets));
  if (f.boolean) w.write_boolean(true);
  for (std::size_t i = 0; i < f.nulls; ++i)
    w.write_null();
}

Bytes reference_filler(const Filler& f) {
  Bytes out;
  if (f.has_octets) out = tlv(0x04, pattern(f.octets));
  if (f.boolean) out = concat({out, hex("01 01 FF")});
  for (std::size_t i = 0; i < f.nulls; ++i)
    out = concat({out, hex("05 00")});
  return out;
}

constexpr std::size_t kNoDifference = static_cast<std::size_t>(-1);

// Index of the first differing octet (or of the end of the shorter), kNoDifference if equal;
// keeps failures on megabyte encodings readable.
std::size_t first_difference(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return i;
  }
  return a.size() == b.size() ? kNoDifference : n;
}

// Checks one encoding in every writer mode: growable, fixed (exact, one short, generous),
// and counting.
void check_all_modes(const std::function<void(der::Writer&)>& body, const Bytes& expected) {
  Bytes got = encode(body);
  REQUIRE(got.size() == expected.size());
  INFO("first difference at " << first_difference(got, expected));
  REQUIRE(first_difference(got, expected) == kNoDifference);

  {  // growable take()
    der::Writer w;
    body(w);
    REQUIRE(w.ok());
    CHECK(w.size() == expected.size());
    std::vector<std::uint8_t> taken = w.take();
    CHECK(first_difference(taken, expected) == kNoDifference);
  }
  {  // counting
    der::Writer w = der::Writer::counting();
    body(w);
    CHECK(w.ok());
    CHECK(w.size() == expected.size());
    CHECK(w.bytes().empty());
  }
  {  // fixed, exactly big enough, with a guard zone behind the span
    Bytes storage(expected.size() + 16, 0xCC);
    der::Writer w(std::span<std::uint8_t>(storage).first(expected.size()));
    body(w);
    REQUIRE(w.ok());
    CHECK(w.size() == expected.size());
    REQUIRE(w.bytes().size() == expected.size());
    CHECK(w.bytes().data() == storage.data());
    CHECK(first_difference(w.bytes(), expected) == kNoDifference);
    for (std::size_t i = expected.size(); i < storage.size(); ++i)
      REQUIRE(storage[i] == 0xCC);
  }
  {  // fixed, one octet too small
    Bytes storage(expected.size() + 16, 0xCC);
    der::Writer w(std::span<std::uint8_t>(storage).first(expected.size() - 1));
    body(w);
    CHECK_FALSE(w.ok());
    CHECK(w.error() == der::WriteError::kBufferTooSmall);
    CHECK(w.size() == expected.size());
    CHECK(w.bytes().empty());
    for (std::size_t i = expected.size() - 1; i < storage.size(); ++i)
      REQUIRE(storage[i] == 0xCC);
  }
  {  // fixed, larger than needed
    Bytes storage(expected.size() + 100, 0);
    der::Writer w(storage);
    body(w);
    REQUIRE(w.ok());
    CHECK(w.size() == expected.size());
    CHECK(first_difference(w.bytes(), expected) == kNoDifference);
  }
}

}  // namespace

// --- primitives: exact bytes -----------------------------------------------------------------

TEST_CASE("write_integer edge values have their exact DER bytes", "[der][writer]") {
  struct Case {
    std::int64_t value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "02 01 00"},
      {1, "02 01 01"},
      {-1, "02 01 FF"},
      {127, "02 01 7F"},
      {128, "02 02 00 80"},
      {255, "02 02 00 FF"},
      {256, "02 02 01 00"},
      {-128, "02 01 80"},
      {-129, "02 02 FF 7F"},
      {-256, "02 02 FF 00"},
      {-257, "02 02 FE FF"},
      {32767, "02 02 7F FF"},
      {32768, "02 03 00 80 00"},
      {-32768, "02 02 80 00"},
      {-32769, "02 03 FF 7F FF"},
      {INT32_MAX, "02 04 7F FF FF FF"},
      {INT32_MIN, "02 04 80 00 00 00"},
      {UINT32_MAX, "02 05 00 FF FF FF FF"},
      {std::int64_t{1} << 32, "02 05 01 00 00 00 00"},
      {INT64_MAX, "02 08 7F FF FF FF FF FF FF FF"},
      {INT64_MIN, "02 08 80 00 00 00 00 00 00 00"},
      {INT64_MIN + 1, "02 08 80 00 00 00 00 00 00 01"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.value) {
      CHECK(encode_hex([&](der::Writer& w) { w.write_integer(c.value); }) == c.hex);
      // ...and it reads back.
      Bytes in = hex(c.hex);
      der::Error err;
      der::Reader r(in, err);
      std::int64_t v = 0;
      REQUIRE(r.read_integer(v));
      CHECK(v == c.value);
    }
  }
}

TEST_CASE("write_enumerated exact bytes", "[der][writer]") {
  CHECK(encode_hex([](der::Writer& w) { w.write_enumerated(0); }) == "0A 01 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_enumerated(-1); }) == "0A 01 FF");
  CHECK(encode_hex([](der::Writer& w) { w.write_enumerated(128); }) == "0A 02 00 80");
  CHECK(encode_hex([](der::Writer& w) { w.write_enumerated(INT32_MIN); }) == "0A 04 80 00 00 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_enumerated(INT32_MAX); }) == "0A 04 7F FF FF FF");
}

TEST_CASE("write_big_integer drops redundant leading octets", "[der][writer]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"00", "02 01 00"},
      {"00 00", "02 01 00"},
      {"00 00 7F", "02 01 7F"},
      {"00 80", "02 02 00 80"},  // the zero keeps 0x80 positive
      {"00 00 00 80", "02 02 00 80"},
      {"FF", "02 01 FF"},
      {"FF FF", "02 01 FF"},
      {"FF FF 80", "02 01 80"},
      {"FF 7F", "02 02 FF 7F"},  // the FF keeps 0x7F negative
      {"FF FF FF 7F", "02 02 FF 7F"},
      {"01 00 00 00 00 00 00 00 00 00", "02 0A 01 00 00 00 00 00 00 00 00 00"},
      {"00 00 FF EE DD CC BB AA 99 88 77", "02 0A 00 FF EE DD CC BB AA 99 88 77"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.in) {
      Bytes in = hex(c.in);
      CHECK(encode_hex([&](der::Writer& w) { w.write_big_integer(in); }) == c.out);
    }
  }
  SECTION("empty content is not an INTEGER") {
    der::Writer w;
    w.write_big_integer({});
    CHECK_FALSE(w.ok());
    CHECK(w.error() == der::WriteError::kInvalidArgument);
  }
}

TEST_CASE("write BOOLEAN, NULL, strings and OCTET STRING exact bytes", "[der][writer]") {
  CHECK(encode_hex([](der::Writer& w) { w.write_boolean(true); }) == "01 01 FF");
  CHECK(encode_hex([](der::Writer& w) { w.write_boolean(false); }) == "01 01 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_null(); }) == "05 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_general_string("KERB.TEST"); }) ==
        "1B 09 4B 45 52 42 2E 54 45 53 54");
  CHECK(encode_hex([](der::Writer& w) { w.write_general_string(""); }) == "1B 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_ia5_string("a@B"); }) == "16 03 61 40 42");
  CHECK(encode_hex([](der::Writer& w) { w.write_ia5_string(""); }) == "16 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_utf8_string("\xC3\xA9"); }) == "0C 02 C3 A9");
  CHECK(encode_hex([](der::Writer& w) { w.write_utf8_string(""); }) == "0C 00");
  CHECK(encode_hex([](der::Writer& w) { w.write_octet_string({}); }) == "04 00");
  Bytes o = hex("00 FF 80");
  CHECK(encode_hex([&](der::Writer& w) { w.write_octet_string(o); }) == "04 03 00 FF 80");
  CHECK(encode_hex([&](der::Writer& w) {
          w.write_primitive(der::Tag(der::TagClass::kContext, false, 3), o);
        }) == "83 03 00 FF 80");
  CHECK(encode_hex([&](der::Writer& w) { w.write_primitive(der::universal(19), o); }) ==
        "13 03 00 FF 80");
}

TEST_CASE("write_bit_string and write_kerberos_flags", "[der][writer]") {
  SECTION("exact bytes") {
    Bytes one = hex("80");
    Bytes six = hex("6E 5D C0");
    CHECK(encode_hex([](der::Writer& w) { w.write_bit_string({}, 0); }) == "03 01 00");
    CHECK(encode_hex([&](der::Writer& w) { w.write_bit_string(one, 7); }) == "03 02 07 80");
    CHECK(encode_hex([&](der::Writer& w) { w.write_bit_string(six, 6); }) == "03 04 06 6E 5D C0");
  }
  SECTION("KerberosFlags is always 03 05 00 and 4 octets") {
    struct Case {
      std::uint32_t flags;
      const char* hex;
    };
    const Case cases[] = {
        {0, "03 05 00 00 00 00 00"},           {0x80000000u, "03 05 00 80 00 00 00"},
        {0x00000001u, "03 05 00 00 00 00 01"}, {0x40800010u, "03 05 00 40 80 00 10"},
        {0xFFFFFFFFu, "03 05 00 FF FF FF FF"},
    };
    for (const Case& c : cases) {
      Bytes got = encode([&](der::Writer& w) { w.write_kerberos_flags(c.flags); });
      CHECK(to_hex(got, kHexSpaced) == c.hex);
      der::Error err;
      der::Reader r(got, err);
      std::uint32_t back = ~c.flags;
      REQUIRE(r.read_kerberos_flags(back));
      CHECK(back == c.flags);
    }
  }
  SECTION("invalid bit strings are kInvalidArgument") {
    Bytes padded = hex("FF");
    const std::function<void(der::Writer&)> bad[] = {
        [](der::Writer& w) { w.write_bit_string({}, 1); },       // unused bits, no octets
        [&](der::Writer& w) { w.write_bit_string(padded, 8); },  // more than 7
        [&](der::Writer& w) { w.write_bit_string(padded, 1); },  // non-zero padding
    };
    for (const auto& body : bad) {
      der::Writer w;
      body(w);
      CHECK_FALSE(w.ok());
      CHECK(w.error() == der::WriteError::kInvalidArgument);
      CHECK(w.bytes().empty());
    }
  }
}

TEST_CASE("writer refuses text its reader would reject", "[der][writer]") {
  const std::function<void(der::Writer&)> bad[] = {
      [](der::Writer& w) { w.write_ia5_string("caf\xC3\xA9"); },
      [](der::Writer& w) { w.write_utf8_string("\xC0\x80"); },
      [](der::Writer& w) { w.write_utf8_string("\xED\xA0\x80"); },
      [](der::Writer& w) { w.write_utf8_string("ab\xE2\x82"); },
  };
  int i = 0;
  for (const auto& body : bad) {
    DYNAMIC_SECTION("case " << i++) {
      der::Writer w;
      body(w);
      CHECK_FALSE(w.ok());
      CHECK(w.error() == der::WriteError::kInvalidArgument);
    }
  }
}

TEST_CASE("writer refuses identifiers that strict DER forbids", "[der][writer]") {
  // Canonical DER out: whatever the writer emits, its own strict reader must accept.
  struct Case {
    const char* name;
    std::function<void(der::Writer&)> body;
  };
  const Case cases[] = {
      {"write_primitive UNIVERSAL 0",
       [](der::Writer& w) { w.write_primitive(der::universal(0), {}); }},
      {"write_primitive primitive SEQUENCE",
       [](der::Writer& w) { w.write_primitive(der::universal(16), {}); }},
      {"write_primitive with a constructed tag",
       [](der::Writer& w) { w.write_primitive(der::tags::kSequence, {}); }},
      {"begin constructed OCTET STRING",
       [](der::Writer& w) {
         w.constructed(der::universal(4, true), [&] { w.write_octet_string({}); });
       }},
      {"begin constructed UNIVERSAL 0",
       [](der::Writer& w) { w.constructed(der::universal(0, true), [] {}); }},
      {"begin with a primitive tag (INTEGER with element content)",
       [](der::Writer& w) { w.constructed(der::tags::kInteger, [&] { w.write_null(); }); }},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      der::Writer w;
      c.body(w);
      INFO("emitted: " << to_hex(w.bytes(), kHexSpaced));
      CHECK_FALSE(w.ok());
      CHECK(w.error() == der::WriteError::kInvalidArgument);
    }
  }
}

TEST_CASE("write_raw copies pre-encoded elements", "[der][writer]") {
  const Bytes ticket = hex("61 05 30 03 02 01 05");
  CHECK(encode_hex([&](der::Writer& w) {
          w.sequence([&] {
            w.context(0, [&] { w.write_raw(ticket); });
            w.write_null();
          });
        }) == "30 0B A0 07 61 05 30 03 02 01 05 05 00");
}

// --- deferred lengths ------------------------------------------------------------------------

TEST_CASE("deferred lengths across the long-form boundaries", "[der][writer][length]") {
  const std::size_t lengths[] = {0,   2,   3,   126, 127,   128,   129,   130,
                                 254, 255, 256, 257, 65534, 65535, 65536, 65537};
  for (std::size_t length : lengths) {
    DYNAMIC_SECTION("SEQUENCE content length " << length) {
      const Filler f = plan_filler(length);
      const Bytes content = reference_filler(f);
      REQUIRE(content.size() == length);
      const Bytes expected = tlv(0x30, content);
      check_all_modes([&](der::Writer& w) { w.sequence([&] { write_filler(w, f); }); }, expected);
      // And the header is what X.690 §8.1.3 says.
      Bytes got = encode([&](der::Writer& w) { w.sequence([&] { write_filler(w, f); }); });
      const std::size_t header = 1 + der_length(length).size();
      CHECK(to_hex(std::span<const std::uint8_t>(got).first(header), kHexSpaced) ==
            to_hex(concat({hex("30"), der_length(length)}), kHexSpaced));
    }
  }
}

TEST_CASE("deferred lengths at the 2^24 boundary", "[der][writer][length]") {
  for (std::size_t length : {std::size_t{0xFFFFFF}, std::size_t{0x1000000}}) {
    DYNAMIC_SECTION("content length " << length) {
      const Filler f = plan_filler(length);
      const Bytes expected = tlv(0x30, reference_filler(f));
      REQUIRE(expected.size() == length + (length == 0xFFFFFF ? 5u : 6u));
      check_all_modes([&](der::Writer& w) { w.sequence([&] { write_filler(w, f); }); }, expected);
    }
  }
}

TEST_CASE("nested scopes shift every enclosing length", "[der][writer][length]") {
  // [APPLICATION 1] { SEQUENCE { [0] { content }, [1] { INTEGER } } }: the inner sizes are chosen
  // so that inner and outer lengths cross the short/long and 1/2-octet boundaries together.
  const std::size_t lengths[] = {0,     2,     118,   119,   120,   121,   122,   123,   124,
                                 125,   126,   127,   128,   245,   246,   247,   248,   249,
                                 250,   251,   252,   253,   254,   255,   256,   65520, 65525,
                                 65526, 65527, 65528, 65529, 65530, 65531, 65532, 65535};
  for (std::size_t length : lengths) {
    DYNAMIC_SECTION("innermost content " << length) {
      const Filler f = plan_filler(length);
      const Bytes expected = tlv(
          0x61, tlv(0x30, concat({tlv(0xA0, reference_filler(f)), tlv(0xA1, hex("02 01 2A"))})));
      check_all_modes(
          [&](der::Writer& w) {
            w.application(1, [&] {
              w.sequence([&] {
                w.context(0, [&] { write_filler(w, f); });
                w.context(1, [&] { w.write_integer(42); });
              });
            });
          },
          expected);
    }
  }
}

TEST_CASE("fixed buffer: every size below the need reports kBufferTooSmall and the size",
          "[der][writer][fixed]") {
  const Filler f = plan_filler(300);
  auto body = [&](der::Writer& w) {
    w.sequence([&] {
      w.context(0, [&] { w.write_integer(-129); });
      w.context(1, [&] { write_filler(w, f); });
      w.context(2, [&] { w.write_general_string("KERB.TEST"); });
    });
  };
  der::Writer counting = der::Writer::counting();
  body(counting);
  REQUIRE(counting.ok());
  const std::size_t need = counting.size();
  const Bytes expected = encode(body);
  REQUIRE(need == expected.size());
  for (std::size_t cap = 0; cap < need; ++cap) {
    Bytes storage(need + 8, 0xCC);
    der::Writer w(std::span<std::uint8_t>(storage).first(cap));
    body(w);
    REQUIRE(w.error() == der::WriteError::kBufferTooSmall);
    REQUIRE(w.size() == need);
    REQUIRE(w.bytes().empty());
    for (std::size_t i = cap; i < storage.size(); ++i)
      REQUIRE(storage[i] == 0xCC);
  }
  Bytes storage(need);
  der::Writer w(storage);
  body(w);
  REQUIRE(w.ok());
  CHECK(storage == expected);
}

// --- scope and error discipline ------------------------------------------------------------

TEST_CASE("end without begin is kUnbalanced", "[der][writer]") {
  der::Writer w;
  w.end();
  CHECK_FALSE(w.ok());
  CHECK(w.error() == der::WriteError::kUnbalanced);
  CHECK(w.bytes().empty());

  der::Writer w2;
  w2.sequence([&] { w2.write_null(); });
  w2.end();
  CHECK(w2.error() == der::WriteError::kUnbalanced);
  CHECK(w2.bytes().empty());
  CHECK(w2.take().empty());
}

TEST_CASE("an open scope yields no bytes", "[der][writer]") {
  der::Writer w;
  w.begin(der::tags::kSequence);
  w.write_null();
  CHECK(w.bytes().empty());
  w.end();
  REQUIRE(w.ok());
  CHECK(to_hex(w.bytes(), kHexSpaced) == "30 02 05 00");

  der::Writer w2;
  w2.begin(der::tags::kSequence);
  CHECK(w2.take().empty());
}

TEST_CASE("more than kMaxDepth open scopes is kTooDeep", "[der][writer]") {
  SECTION("kMaxDepth scopes are fine") {
    der::Writer w;
    for (int i = 0; i < der::kMaxDepth; ++i)
      w.begin(der::tags::kSequence);
    w.write_null();
    for (int i = 0; i < der::kMaxDepth; ++i)
      w.end();
    REQUIRE(w.ok());
    CHECK(w.size() == 2u * der::kMaxDepth + 2u);
  }
  SECTION("one more is not") {
    der::Writer w;
    for (int i = 0; i <= der::kMaxDepth; ++i)
      w.begin(der::tags::kSequence);
    CHECK(w.error() == der::WriteError::kTooDeep);
    for (int i = 0; i <= der::kMaxDepth; ++i)
      w.end();
    CHECK(w.error() == der::WriteError::kTooDeep);
    CHECK(w.bytes().empty());
  }
  SECTION("sibling scopes do not accumulate depth") {
    der::Writer w;
    for (int i = 0; i < 3 * der::kMaxDepth; ++i)
      w.sequence([] {});
    CHECK(w.ok());
  }
}

TEST_CASE("writer errors are sticky", "[der][writer]") {
  der::Writer w;
  w.sequence([&] {
    w.write_integer(1);
    w.write_bit_string({}, 3);  // the first error
    const std::size_t size = w.size();
    w.write_integer(2);
    w.write_octet_string(pattern(300));
    w.sequence([&] { w.write_null(); });
    CHECK(w.size() == size);  // later writes are ignored
  });
  w.end();
  w.end();
  CHECK_FALSE(w.ok());
  CHECK(w.error() == der::WriteError::kInvalidArgument);
  CHECK(w.bytes().empty());
  CHECK(w.take().empty());

  SECTION("the first error wins over a later one") {
    der::Writer u;
    u.end();
    u.write_kerberos_time(der::kMaxKerberosTime + 1);
    for (int i = 0; i <= der::kMaxDepth; ++i)
      u.begin(der::tags::kSequence);
    CHECK(u.error() == der::WriteError::kUnbalanced);
  }
}

TEST_CASE("counting writer matches the growable encoding", "[der][writer]") {
  const Filler f = plan_filler(70000);
  auto body = [&](der::Writer& w) {
    w.application(10, [&] {
      w.sequence([&] {
        w.context(1, [&] { w.write_integer(5); });
        w.context(2, [&] { write_filler(w, f); });
        w.context(3, [&] { w.write_kerberos_time(1709164800); });
      });
    });
  };
  der::Writer c = der::Writer::counting();
  body(c);
  CHECK(c.ok());
  CHECK(c.bytes().empty());
  CHECK(c.size() == encode(body).size());
}

TEST_CASE("a moved writer keeps its encoding", "[der][writer]") {
  der::Writer w;
  w.sequence([&] { w.write_integer(5); });
  der::Writer moved = std::move(w);
  REQUIRE(moved.ok());
  CHECK(to_hex(moved.bytes(), kHexSpaced) == "30 03 02 01 05");
}

// --- a Kerberos-shaped structure: exact bytes, decode, re-encode --------------------------

namespace {

struct KdcReqBodyLike {
  std::uint32_t kdc_options = 0;
  std::int32_t name_type = 0;
  std::vector<std::string> name;
  std::string realm;
  std::int64_t till = 0;
  std::uint32_t nonce = 0;
  std::vector<std::int32_t> etypes;
  std::vector<std::uint8_t> blob;
};

void write_body(der::Writer& w, const KdcReqBodyLike& b) {
  w.application(10, [&] {
    w.sequence([&] {
      w.context(0, [&] { w.write_kerberos_flags(b.kdc_options); });
      w.context(1, [&] {
        w.sequence([&] {
          w.context(0, [&] { w.write_integer(b.name_type); });
          w.context(1, [&] {
            w.sequence([&] {
              for (const std::string& s : b.name)
                w.write_general_string(s);
            });
          });
        });
      });
      w.context(2, [&] { w.write_general_string(b.realm); });
      w.context(5, [&] { w.write_kerberos_time(b.till); });
      w.context(7, [&] { w.write_integer(b.nonce); });
      w.context(8, [&] {
        w.sequence([&] {
          for (std::int32_t e : b.etypes)
            w.write_integer(e);
        });
      });
      w.context(9, [&] { w.write_octet_string(b.blob); });
    });
  });
}

bool read_body(der::Reader in, KdcReqBodyLike& b) {
  der::Reader app, seq, f0, f1, pn, pn0, pn1, names, f2, f5, f7, f8, etypes;
  if (!in.read_element(der::app(10), app) || !app.read_sequence(seq) || !app.finish()) return false;
  if (!seq.read_element(der::ctx(0), f0) || !f0.read_kerberos_flags(b.kdc_options) || !f0.finish())
    return false;
  if (!seq.read_element(der::ctx(1), f1) || !f1.read_sequence(pn) || !f1.finish()) return false;
  if (!pn.read_element(der::ctx(0), pn0) || !pn0.read_integer(b.name_type) || !pn0.finish())
    return false;
  if (!pn.read_element(der::ctx(1), pn1) || !pn1.read_sequence(names) || !pn1.finish() ||
      !pn.finish())
    return false;
  b.name.clear();
  while (!names.empty()) {
    std::string_view s;
    if (!names.read_general_string(s)) return false;
    b.name.emplace_back(s);
  }
  std::string_view realm;
  if (!seq.read_element(der::ctx(2), f2) || !f2.read_general_string(realm) || !f2.finish())
    return false;
  b.realm = std::string(realm);
  if (seq.read_optional(der::ctx(3)).has_value() || seq.read_optional(der::ctx(4)).has_value())
    return false;  // absent in this shape
  if (!seq.read_element(der::ctx(5), f5) || !f5.read_kerberos_time(b.till) || !f5.finish())
    return false;
  if (seq.read_optional(der::ctx(6)).has_value()) return false;
  if (!seq.read_element(der::ctx(7), f7) || !f7.read_integer(b.nonce) || !f7.finish()) return false;
  if (!seq.read_element(der::ctx(8), f8) || !f8.read_sequence(etypes) || !f8.finish()) return false;
  b.etypes.clear();
  while (!etypes.empty()) {
    std::int32_t e = 0;
    if (!etypes.read_integer(e)) return false;
    b.etypes.push_back(e);
  }
  std::optional<der::Reader> f9o = seq.read_optional(der::ctx(9));
  if (!f9o) return false;
  std::span<const std::uint8_t> blob;
  if (!f9o->read_octet_string(blob) || !f9o->finish()) return false;
  b.blob.assign(blob.begin(), blob.end());
  return seq.finish() && in.finish();
}

}  // namespace

TEST_CASE("Kerberos-shaped structure: exact bytes, decode and re-encode",
          "[der][writer][roundtrip]") {
  KdcReqBodyLike body;
  body.kdc_options = 0x40810010u;
  body.name_type = 2;  // NT-SRV-INST
  body.name = {"krbtgt", "KERB.TEST"};
  body.realm = "KERB.TEST";
  body.till = 2147483648;  // 20380119031408Z
  body.nonce = 0xDEADBEEFu;
  body.etypes = {18, 17, 20, 19, -128};
  body.blob = {};

  const Bytes expected =
      tlv(0x6A,
          tlv(0x30,
              concat({
                  tlv(0xA0, hex("03 05 00 40 81 00 10")),
                  tlv(0xA1,
                      tlv(0x30,
                          concat({tlv(0xA0, hex("02 01 02")),
                                  tlv(0xA1, tlv(0x30, concat({tlv(0x1B, ascii("krbtgt")),
                                                              tlv(0x1B, ascii("KERB.TEST"))})))}))),
                  tlv(0xA2, tlv(0x1B, ascii("KERB.TEST"))),
                  tlv(0xA5, tlv(0x18, ascii("20380119031408Z"))),
                  tlv(0xA7, hex("02 05 00 DE AD BE EF")),
                  tlv(0xA8, tlv(0x30, hex("02 01 12 02 01 11 02 01 14 02 01 13 02 01 80"))),
                  tlv(0xA9, hex("04 00")),
              })));

  der::Writer w;
  write_body(w, body);
  REQUIRE(w.ok());
  const Bytes first(w.bytes().begin(), w.bytes().end());
  CHECK(to_hex(first, kHexSpaced) == to_hex(expected, kHexSpaced));

  der::Error err;
  KdcReqBodyLike decoded;
  const bool ok = read_body(der::Reader(first, err), decoded);
  INFO(reason_of(err) << " at " << err.offset);
  REQUIRE(ok);
  CHECK(decoded.kdc_options == body.kdc_options);
  CHECK(decoded.name == body.name);
  CHECK(decoded.realm == body.realm);
  CHECK(decoded.till == body.till);
  CHECK(decoded.nonce == body.nonce);
  CHECK(decoded.etypes == body.etypes);

  der::Writer again;
  write_body(again, decoded);
  REQUIRE(again.ok());
  CHECK(to_hex(again.bytes(), kHexSpaced) == to_hex(first, kHexSpaced));

  SECTION("with a long blob the lengths go long-form and still round-trip") {
    body.blob = pattern(1000);
    der::Writer w2;
    write_body(w2, body);
    REQUIRE(w2.ok());
    const Bytes enc(w2.bytes().begin(), w2.bytes().end());
    CHECK(to_hex(std::span<const std::uint8_t>(enc).first(4), kHexSpaced) ==
          to_hex(concat({hex("6A"), der_length(enc.size() - 4)}), kHexSpaced));
    der::Error e2;
    KdcReqBodyLike d2;
    REQUIRE(read_body(der::Reader(enc, e2), d2));
    CHECK(d2.blob == body.blob);
    der::Writer w3;
    write_body(w3, d2);
    CHECK(w3.take() == enc);
  }
}

TEST_CASE("decode then encode reproduces known encodings", "[der][roundtrip]") {
  // Each input is decoded with the typed reader and written back with the matching writer.
  struct Case {
    const char* name;
    const char* hex;
    std::function<bool(der::Reader&, der::Writer&)> step;
  };
  const Case cases[] = {
      {"INTEGER -129", "02 02 FF 7F",
       [](der::Reader& r, der::Writer& w) {
         std::int32_t v = 0;
         if (!r.read_integer(v)) return false;
         w.write_integer(v);
         return true;
       }},
      {"UInt32 max", "02 05 00 FF FF FF FF",
       [](der::Reader& r, der::Writer& w) {
         std::uint32_t v = 0;
         if (!r.read_integer(v)) return false;
         w.write_integer(v);
         return true;
       }},
      {"big INTEGER", "02 09 00 80 00 00 00 00 00 00 00",
       [](der::Reader& r, der::Writer& w) {
         std::span<const std::uint8_t> c;
         if (!r.read_big_integer(c)) return false;
         w.write_big_integer(c);
         return true;
       }},
      {"BIT STRING 6 unused", "03 04 06 6E 5D C0",
       [](der::Reader& r, der::Writer& w) {
         der::BitString b;
         if (!r.read_bit_string(b)) return false;
         w.write_bit_string(b.bytes, b.unused_bits);
         return true;
       }},
      {"UTF8String", "0C 03 E2 82 AC",
       [](der::Reader& r, der::Writer& w) {
         std::string_view s;
         if (!r.read_utf8_string(s)) return false;
         w.write_utf8_string(s);
         return true;
       }},
      {"IA5String", "16 02 68 69",
       [](der::Reader& r, der::Writer& w) {
         std::string_view s;
         if (!r.read_ia5_string(s)) return false;
         w.write_ia5_string(s);
         return true;
       }},
      {"OID krb5", "06 09 2A 86 48 86 F7 12 01 02 02",
       [](der::Reader& r, der::Writer& w) {
         std::span<const std::uint8_t> c;
         if (!r.read_oid(c)) return false;
         w.write_oid(c);
         return true;
       }},
      {"time", "18 0F 32 30 32 34 30 32 32 39 30 30 30 30 30 30 5A",
       [](der::Reader& r, der::Writer& w) {
         std::int64_t t = 0;
         if (!r.read_kerberos_time(t)) return false;
         w.write_kerberos_time(t);
         return true;
       }},
      {"ENUMERATED", "0A 01 FF",
       [](der::Reader& r, der::Writer& w) {
         std::int32_t v = 0;
         if (!r.read_enumerated(v)) return false;
         w.write_enumerated(v);
         return true;
       }},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Bytes in = hex(c.hex);
      der::Error err;
      der::Reader r(in, err);
      der::Writer w;
      REQUIRE(c.step(r, w));
      REQUIRE(r.finish());
      REQUIRE(w.ok());
      CHECK(to_hex(w.bytes(), kHexSpaced) == to_hex(in, kHexSpaced));
    }
  }
}
