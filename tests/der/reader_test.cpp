// der::Reader: strict DER in (DESIGN.md conventions 1, 2, 5, 7). Every malformed case checks
// the failure, a distinctive part of the reason, the absolute byte offset of the fault, and
// that the failed read did not advance.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>

#include "der_test_util.hpp"

namespace der = kerb::der;
using der::test::ascii;
using der::test::Bytes;
using der::test::concat;
using der::test::hex;
using der::test::kHexSpaced;
using der::test::reason_matches;
using der::test::reason_of;
using der::test::tlv;
using der::test::to_hex;

namespace {

using ReadFn = bool (*)(der::Reader&);

struct Malformed {
  const char* name;
  Bytes input;
  ReadFn read;
  const char* reason;  // '|'-separated alternatives, matched case-insensitively
  std::size_t offset;  // absolute offset of the fault
};

// One read of each kind, so the tables can name the reader under test.
bool read_any(der::Reader& r) {
  der::Tag tag = der::tags::kNull;
  der::Reader contents;
  return r.read_any(tag, contents);
}
bool read_seq(der::Reader& r) {
  der::Reader contents;
  return r.read_sequence(contents);
}
bool read_i32(der::Reader& r) {
  std::int32_t v = 0;
  return r.read_integer(v);
}
bool read_u32(der::Reader& r) {
  std::uint32_t v = 0;
  return r.read_integer(v);
}
bool read_i64(der::Reader& r) {
  std::int64_t v = 0;
  return r.read_integer(v);
}
bool read_big(der::Reader& r) {
  std::span<const std::uint8_t> c;
  return r.read_big_integer(c);
}
bool read_enum(der::Reader& r) {
  std::int32_t v = 0;
  return r.read_enumerated(v);
}
bool read_bool(der::Reader& r) {
  bool v = false;
  return r.read_boolean(v);
}
bool read_null(der::Reader& r) {
  return r.read_null();
}
bool read_bits(der::Reader& r) {
  der::BitString b;
  return r.read_bit_string(b);
}
bool read_flags(der::Reader& r) {
  std::uint32_t f = 0;
  return r.read_kerberos_flags(f);
}
bool read_octets(der::Reader& r) {
  std::span<const std::uint8_t> c;
  return r.read_octet_string(c);
}
bool read_general(der::Reader& r) {
  std::string_view s;
  return r.read_general_string(s);
}
bool read_ia5(der::Reader& r) {
  std::string_view s;
  return r.read_ia5_string(s);
}
bool read_utf8(der::Reader& r) {
  std::string_view s;
  return r.read_utf8_string(s);
}
bool read_time(der::Reader& r) {
  std::int64_t t = 0;
  return r.read_kerberos_time(t);
}
bool read_oid(der::Reader& r) {
  std::span<const std::uint8_t> c;
  return r.read_oid(c);
}
bool read_raw_any(der::Reader& r) {
  std::span<const std::uint8_t> e;
  return r.read_raw_any(e);
}
bool skip_any(der::Reader& r) {
  return r.skip_any();
}
bool skip_seq(der::Reader& r) {
  return r.skip(der::tags::kSequence);
}

Bytes filler(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return out;
}

// Runs one malformed case against a fresh top-level reader.
void check_malformed(const Malformed& c) {
  INFO("case: " << c.name << "\ninput: " << to_hex(c.input, kHexSpaced));
  der::Error err;
  der::Reader r(c.input, err);
  CHECK_FALSE(c.read(r));
  INFO("reason: " << reason_of(err) << " at offset " << err.offset);
  REQUIRE(err.failed());
  CHECK(reason_matches(err, c.reason));
  CHECK(err.offset == c.offset);
  // A failed read does not advance.
  CHECK(r.offset() == 0);
  CHECK(r.remaining() == c.input.size());
  CHECK_FALSE(r.ok());
}

void run_table(const std::vector<Malformed>& table) {
  for (const Malformed& c : table) {
    DYNAMIC_SECTION(c.name) {
      check_malformed(c);
    }
  }
}

}  // namespace

// --- identifier and length octets (X.690 §8.1.2, §8.1.3, §10.1) ----------------------------

TEST_CASE("reader rejects indefinite lengths", "[der][reader]") {
  run_table({
      {"constructed indefinite", hex("30 80 02 01 05 00 00"), read_any, "indefinite", 1},
      {"primitive indefinite", hex("04 80 00 00"), read_octets, "indefinite", 1},
      {"sequence indefinite", hex("30 80 00 00"), read_seq, "indefinite", 1},
  });
}

TEST_CASE("reader rejects non-minimal lengths", "[der][reader]") {
  run_table({
      {"81 05 for a short length", concat({hex("04 81 05"), filler(5)}), read_octets,
       "non-minimal length", 1},
      {"81 7F for 127", concat({hex("04 81 7F"), filler(127)}), read_octets, "non-minimal length",
       1},
      {"81 00 for zero", hex("04 81 00"), read_octets, "non-minimal length", 1},
      {"82 00 80 leading zero", concat({hex("04 82 00 80"), filler(128)}), read_octets,
       "non-minimal length", 1},
      {"83 00 01 00 leading zero", concat({hex("04 83 00 01 00"), filler(256)}), read_octets,
       "non-minimal length", 1},
      {"84 00 00 00 80 leading zeros", concat({hex("30 84 00 00 00 80"), filler(128)}), read_any,
       "non-minimal length", 1},
  });
}

TEST_CASE("reader rejects lengths beyond the input", "[der][reader]") {
  run_table({
      {"short form beyond", hex("04 05 01 02"), read_octets, "beyond", 1},
      {"long form beyond", concat({hex("04 81 80"), filler(127)}), read_octets, "beyond", 1},
      {"four octet length beyond", hex("04 84 7F FF FF FF 00"), read_any, "beyond", 1},
      {"length octet missing", hex("04"), read_octets, "end|truncated|missing|beyond", 1},
      {"long length octets missing", hex("04 82 01"), read_octets, "end|truncated|missing|beyond",
       1},
      {"empty input", Bytes{}, read_any, "end|truncated|missing|beyond|empty", 0},
  });
}

TEST_CASE("reader rejects lengths of more than 4 octets", "[der][reader]") {
  run_table({
      {"85", hex("04 85 01 00 00 00 00"), read_octets, "more than 4", 1},
      {"88", hex("04 88 00 00 00 00 00 00 00 01 00"), read_any, "more than 4", 1},
      // X.690 §8.1.3.5 c) reserves FF.
      {"FF reserved", hex("04 FF 00"), read_any, "more than 4|reserved", 1},
  });
}

TEST_CASE("reader rejects the high-tag-number form", "[der][reader]") {
  run_table({
      {"universal number 2 in high form", hex("1F 02 01 00"), read_any, "high-tag", 0},
      {"context number 0 in high form", hex("BF 00 00"), read_any, "high-tag", 0},
      {"number 30 in high form", hex("9F 1E 00"), read_any, "high-tag", 0},
      {"number 31", hex("9F 1F 00"), read_any, "high-tag", 0},
      {"number 201", hex("BF 81 49 00"), read_any, "high-tag", 0},
      {"unterminated high tag", hex("1F 81"), read_any, "high-tag", 0},
      {"high form seen by read_integer", hex("1F 02 01 00"), read_i32, "high-tag", 0},
  });
}

TEST_CASE("reader rejects UNIVERSAL 0", "[der][reader]") {
  run_table({
      {"primitive", hex("00 00"), read_any, "universal 0", 0},
      {"constructed", hex("20 00"), read_any, "universal 0", 0},
      {"end-of-contents pair as an element", hex("00 00 00"), skip_any, "universal 0", 0},
  });
}

TEST_CASE("reader rejects constructed primitives and primitive SEQUENCE", "[der][reader]") {
  run_table({
      // X.690 §10.2: DER strings are primitive.
      {"constructed OCTET STRING via read_octet_string", hex("24 03 04 01 00"), read_octets,
       "constructed|tag", 0},
      {"constructed OCTET STRING via read_any", hex("24 03 04 01 00"), read_any, "constructed", 0},
      {"constructed INTEGER", hex("22 03 02 01 05"), read_any, "constructed", 0},
      {"constructed GeneralString", hex("3B 03 1B 01 41"), read_any, "constructed", 0},
      {"constructed BIT STRING", hex("23 03 03 01 00"), read_any, "constructed", 0},
      // X.690 §8.9.1: SEQUENCE is always constructed.
      {"primitive SEQUENCE via read_sequence", hex("10 00"), read_seq, "primitive|tag", 0},
      {"primitive SEQUENCE via read_any", hex("10 00"), read_any, "primitive", 0},
      {"primitive SET via read_any", hex("11 00"), read_any, "primitive", 0},
  });
}

TEST_CASE("reader rejects a wrong tag without advancing", "[der][reader]") {
  run_table({
      {"INTEGER expected BOOLEAN found", hex("01 01 FF"), read_i32, "tag", 0},
      {"SEQUENCE expected OCTET STRING found", hex("04 00"), read_seq, "tag", 0},
      {"SEQUENCE expected SET found", hex("31 00"), read_seq, "tag", 0},
      {"skip SEQUENCE over INTEGER", hex("02 01 00"), skip_seq, "tag", 0},
      {"GeneralString expected OCTET STRING found", hex("04 01 41"), read_general, "tag", 0},
      {"ENUMERATED expected INTEGER found", hex("02 01 00"), read_enum, "tag", 0},
      {"INTEGER expected ENUMERATED found", hex("0A 01 00"), read_i64, "tag", 0},
  });
}

// --- INTEGER and ENUMERATED (X.690 §8.3) ---------------------------------------------------

TEST_CASE("reader rejects non-minimal and empty INTEGERs", "[der][reader]") {
  run_table({
      {"00 7F", hex("02 02 00 7F"), read_i32, "non-minimal INTEGER", 2},
      {"FF 80", hex("02 02 FF 80"), read_i32, "non-minimal INTEGER", 2},
      {"00 00", hex("02 02 00 00"), read_i64, "non-minimal INTEGER", 2},
      {"FF FF", hex("02 02 FF FF"), read_i64, "non-minimal INTEGER", 2},
      {"00 00 80 big", hex("02 03 00 00 80"), read_big, "non-minimal INTEGER", 2},
      {"uint32 00 00 FF FF FF FF", hex("02 06 00 00 FF FF FF FF"), read_u32, "non-minimal INTEGER",
       2},
      {"empty int32", hex("02 00"), read_i32, "empty INTEGER|empty", 2},
      {"empty big", hex("02 00"), read_big, "empty INTEGER|empty", 2},
      {"ENUMERATED 00 01", hex("0A 02 00 01"), read_enum, "non-minimal INTEGER|non-minimal", 2},
      {"ENUMERATED empty", hex("0A 00"), read_enum, "empty", 2},
  });
}

TEST_CASE("reader rejects INTEGERs out of range for the target type", "[der][reader]") {
  run_table({
      {"uint32 from -1", hex("02 01 FF"), read_u32, "range", 2},
      {"uint32 from -2^31", hex("02 04 80 00 00 00"), read_u32, "range", 2},
      {"uint32 from 2^32", hex("02 05 01 00 00 00 00"), read_u32, "range", 2},
      {"int32 from 2^31", hex("02 05 00 80 00 00 00"), read_i32, "range", 2},
      {"int32 from -2^31-1", hex("02 05 FF 7F FF FF FF"), read_i32, "range", 2},
      {"int64 from 9 bytes", hex("02 09 01 00 00 00 00 00 00 00 00"), read_i64, "range", 2},
      {"int64 from 2^63", hex("02 09 00 80 00 00 00 00 00 00 00"), read_i64, "range", 2},
      {"int64 from -2^63-1", hex("02 09 FF 7F FF FF FF FF FF FF FF"), read_i64, "range", 2},
      {"ENUMERATED from 2^31", hex("0A 05 00 80 00 00 00"), read_enum, "range", 2},
      {"nested uint32 from -1 names the absolute offset", hex("30 06 02 01 00 02 01 FF"),
       [](der::Reader& top) {
         der::Reader r = top, seq;  // multi-step: on a copy, so `top` stays put
         std::uint32_t a = 0, b = 0;
         if (!r.read_sequence(seq) || !seq.read_integer(a)) return false;
         return seq.read_integer(b);
       },
       "range", 7},
  });
}

// --- BOOLEAN, NULL (X.690 §8.2, §8.8, §11.1) -------------------------------------------------

TEST_CASE("reader rejects BOOLEAN other than 00 or FF", "[der][reader]") {
  run_table({
      {"01", hex("01 01 01"), read_bool, "BOOLEAN", 2},
      {"7F", hex("01 01 7F"), read_bool, "BOOLEAN", 2},
      {"FE", hex("01 01 FE"), read_bool, "BOOLEAN", 2},
      {"80", hex("01 01 80"), read_bool, "BOOLEAN", 2},
  });
}

TEST_CASE("reader rejects BOOLEAN of the wrong length", "[der][reader]") {
  run_table({
      {"empty", hex("01 00"), read_bool, "BOOLEAN", 2},
      {"two octets", hex("01 02 FF FF"), read_bool, "BOOLEAN", 2},
      {"two zero octets", hex("01 02 00 00"), read_bool, "BOOLEAN", 2},
  });
}

TEST_CASE("reader rejects NULL with content", "[der][reader]") {
  run_table({
      {"one octet", hex("05 01 00"), read_null, "NULL", 2},
      {"two octets", hex("05 02 00 00"), read_null, "NULL", 2},
  });
}

// --- BIT STRING and KerberosFlags (X.690 §8.6, §11.2; RFC 4120 §5.2.8) -----------------------

TEST_CASE("reader rejects malformed BIT STRINGs", "[der][reader]") {
  run_table({
      {"empty content", hex("03 00"), read_bits, "empty|BIT STRING", 2},
      {"8 unused bits", hex("03 02 08 00"), read_bits, "unused bits|more than 7", 2},
      {"FF unused bits", hex("03 02 FF 00"), read_bits, "unused bits|more than 7", 2},
      {"unused bits with no octets", hex("03 01 03"), read_bits, "unused bits", 2},
      {"one unused bit set", hex("03 02 01 01"), read_bits, "padding", 3},
      {"padding in last of three", hex("03 04 04 FF FF 1F"), read_bits, "padding", 5},
      {"seven unused bits set", hex("03 02 07 C0"), read_bits, "padding", 3},
  });
}

TEST_CASE("reader rejects KerberosFlags shorter than 32 bits", "[der][reader]") {
  run_table({
      {"no bits", hex("03 01 00"), read_flags, "32", 2},
      {"24 bits", hex("03 04 00 FF FF FF"), read_flags, "32", 2},
      {"31 bits", hex("03 05 01 FF FF FF FE"), read_flags, "32", 2},
      {"malformed bit string first", hex("03 05 08 00 00 00 00"), read_flags,
       "unused bits|more than 7", 2},
  });
}

// --- strings (X.680 §41; RFC 3629) ---------------------------------------------------------

TEST_CASE("reader rejects IA5String with octets of 0x80 and above", "[der][reader]") {
  run_table({
      {"80 in the middle", hex("16 03 61 80 62"), read_ia5, "IA5|ASCII", 3},
      {"FF first", hex("16 01 FF"), read_ia5, "IA5|ASCII", 2},
      {"C3 A9 (UTF-8) is not IA5", hex("16 04 61 62 C3 A9"), read_ia5, "IA5|ASCII", 4},
  });
}

TEST_CASE("reader rejects invalid UTF-8 in UTF8String", "[der][reader]") {
  // Offsets name the first octet of the first bad sequence (or the content start).
  run_table({
      {"overlong 2-byte NUL", hex("0C 02 C0 80"), read_utf8, "UTF-8|UTF8", 2},
      {"overlong 2-byte C1", hex("0C 02 C1 BF"), read_utf8, "UTF-8|UTF8", 2},
      {"overlong 3-byte", hex("0C 03 E0 80 80"), read_utf8, "UTF-8|UTF8", 2},
      {"overlong 4-byte", hex("0C 04 F0 80 80 80"), read_utf8, "UTF-8|UTF8", 2},
      {"surrogate D800", hex("0C 03 ED A0 80"), read_utf8, "UTF-8|UTF8", 2},
      {"surrogate DFFF", hex("0C 03 ED BF BF"), read_utf8, "UTF-8|UTF8", 2},
      {"truncated 3-byte", hex("0C 02 E2 82"), read_utf8, "UTF-8|UTF8", 2},
      {"truncated after ASCII", hex("0C 03 41 42 E2"), read_utf8, "UTF-8|UTF8", 4},
      {"lone continuation", hex("0C 01 80"), read_utf8, "UTF-8|UTF8", 2},
      {"bad continuation", hex("0C 03 61 C3 28"), read_utf8, "UTF-8|UTF8", 3},
      {"above U+10FFFF", hex("0C 04 F4 90 80 80"), read_utf8, "UTF-8|UTF8", 2},
      {"F5 lead", hex("0C 04 F5 80 80 80"), read_utf8, "UTF-8|UTF8", 2},
      {"FE", hex("0C 01 FE"), read_utf8, "UTF-8|UTF8", 2},
  });
}

// --- KerberosTime (RFC 4120 §5.2.3) ---------------------------------------------------------

namespace {
Malformed time_case(const char* name, std::string_view text) {
  return {name, tlv(0x18, ascii(text)), read_time, "time", 2};
}
}  // namespace

TEST_CASE("reader rejects malformed KerberosTime", "[der][reader][time]") {
  run_table({
      time_case("empty", ""),
      time_case("14 digits no Z", "19700101000000"),
      time_case("missing Z but 15 long", "197001010000000"),
      time_case("lower-case z", "19700101000000z"),
      time_case("fractional seconds", "19700101000000.5Z"),
      time_case("fractional seconds .0", "19700101000000.0Z"),
      time_case("+0100 offset", "19700101000000+0100"),
      time_case("-0000 offset", "19700101000000-0000"),
      time_case("minutes only", "197001010000Z"),
      time_case("UTCTime style 2-digit year", "700101000000Z"),
      time_case("month 13", "19701301000000Z"),
      time_case("month 00", "19700001000000Z"),
      time_case("day 0", "19700100000000Z"),
      time_case("day 32", "19700132000000Z"),
      time_case("April 31", "19700431000000Z"),
      time_case("Feb 29 2100", "21000229000000Z"),
      time_case("Feb 29 1900", "19000229000000Z"),
      time_case("Feb 29 2023", "20230229000000Z"),
      time_case("Feb 30 2024", "20240230000000Z"),
      time_case("second 60", "19701231235960Z"),
      time_case("leap second 2016-12-31", "20161231235960Z"),
      time_case("hour 24", "19700101240000Z"),
      time_case("minute 60", "19700101006000Z"),
      time_case("letter in year", "197O0101000000Z"),
      time_case("space in day", "197001 1000000Z"),
      time_case("sign in year", "+97001010000000Z"),
      time_case("minus in seconds", "1970010100000-Z"),
      time_case("trailing NUL", std::string_view("19700101000000Z\0", 16)),
  });
}

TEST_CASE("reader rejects KerberosTime under the wrong tag", "[der][reader][time]") {
  run_table({
      {"UTCTime", tlv(0x17, ascii("700101000000Z")), read_time, "tag", 0},
      {"OCTET STRING", tlv(0x04, ascii("19700101000000Z")), read_time, "tag", 0},
  });
}

// --- OBJECT IDENTIFIER (X.690 §8.19) -------------------------------------------------------

TEST_CASE("reader rejects malformed OBJECT IDENTIFIERs", "[der][reader][oid]") {
  run_table({
      {"empty", hex("06 00"), read_oid, "OBJECT IDENTIFIER|OID", 2},
      {"non-minimal first arc 80", hex("06 02 80 01"), read_oid, "OBJECT IDENTIFIER|OID", 2},
      {"non-minimal later arc 80", hex("06 03 2A 80 01"), read_oid, "OBJECT IDENTIFIER|OID", 2},
      {"unterminated last arc", hex("06 02 2A 86"), read_oid, "OBJECT IDENTIFIER|OID", 2},
      {"only a continuation octet", hex("06 01 86"), read_oid, "OBJECT IDENTIFIER|OID", 2},
  });
}

// --- trailing bytes, nesting ---------------------------------------------------------------

TEST_CASE("finish rejects trailing bytes", "[der][reader]") {
  run_table({
      {"one byte after INTEGER", hex("02 01 05 00"),
       [](der::Reader& top) {
         der::Reader r = top;  // multi-step: on a copy, so `top` stays put
         std::int32_t v = 0;
         return r.read_integer(v) && r.finish();
       },
       "trailing", 3},
      {"second element after SEQUENCE", hex("30 03 02 01 05 30 00"),
       [](der::Reader& top) {
         der::Reader r = top, seq;  // multi-step: on a copy, so `top` stays put
         std::int32_t v = 0;
         return r.read_sequence(seq) && seq.read_integer(v) && seq.finish() && r.finish();
       },
       "trailing", 5},
      {"inside a SEQUENCE", hex("30 04 02 01 05 00"),
       [](der::Reader& top) {
         der::Reader r = top, seq;  // multi-step: on a copy, so `top` stays put
         std::int32_t v = 0;
         return r.read_sequence(seq) && seq.read_integer(v) && seq.finish();
       },
       "trailing", 5},
      {"nothing read", hex("05 00"), [](der::Reader& r) { return r.finish(); }, "trailing", 0},
  });
}

TEST_CASE("finish succeeds on empty input and after consuming everything", "[der][reader]") {
  der::Error err;
  der::Reader empty(std::span<const std::uint8_t>{}, err);
  CHECK(empty.finish());
  Bytes in = hex("30 03 02 01 05");
  der::Reader r(in, err);
  der::Reader seq;
  std::int32_t v = 0;
  REQUIRE(r.read_sequence(seq));
  REQUIRE(seq.read_integer(v));
  CHECK(seq.finish());
  CHECK(r.finish());
  CHECK(v == 5);
  CHECK_FALSE(err.failed());
}

namespace {

// `levels` nested SEQUENCEs around `innermost` (reference encoder).
Bytes nested_sequences(std::size_t levels, const Bytes& innermost) {
  Bytes b = innermost;
  for (std::size_t i = 0; i < levels; ++i)
    b = tlv(0x30, b);
  return b;
}

// Descends through every SEQUENCE, then reads the innermost INTEGER if there is one.
bool walk_nested(der::Reader r, bool expect_integer) {
  while (r.peek(der::tags::kSequence)) {
    der::Reader inner;
    if (!r.read_sequence(inner)) return false;
    r = inner;
  }
  if (expect_integer) {
    std::int32_t v = 0;
    if (!r.read_integer(v) || v != 7) return false;
  }
  return r.finish();
}

}  // namespace

TEST_CASE("nesting is bounded by kMaxDepth", "[der][reader][depth]") {
  // kMaxDepth bounds the nesting of constructed elements; der::Writer accepts exactly
  // kMaxDepth open scopes, so everything it writes at that bound must read back, and one
  // constructed level more must fail.
  REQUIRE(der::kMaxDepth == 32);

  SECTION("kMaxDepth nested empty SEQUENCEs pass") {
    Bytes in = nested_sequences(der::kMaxDepth, {});
    der::Error err;
    der::Reader r(in, err);
    CHECK(walk_nested(r, false));
    INFO(reason_of(err) << " at " << err.offset);
    CHECK_FALSE(err.failed());
  }
  SECTION("kMaxDepth nested SEQUENCEs around an INTEGER pass") {
    Bytes in = nested_sequences(der::kMaxDepth, hex("02 01 07"));
    der::Error err;
    der::Reader r(in, err);
    CHECK(walk_nested(r, true));
    INFO(reason_of(err) << " at " << err.offset);
    CHECK_FALSE(err.failed());
  }
  SECTION("kMaxDepth+1 nested SEQUENCEs fail at the innermost one") {
    Bytes in = nested_sequences(der::kMaxDepth + 1u, {});
    der::Error err;
    der::Reader r(in, err);
    CHECK_FALSE(walk_nested(r, false));
    INFO(reason_of(err) << " at " << err.offset);
    REQUIRE(err.failed());
    CHECK(reason_matches(err, "nesting|deep"));
    CHECK(err.offset == 2u * der::kMaxDepth);  // every enclosing header is 2 octets
  }
  SECTION("deep nesting far past the bound fails and does not recurse unboundedly") {
    Bytes in = nested_sequences(200, {});
    der::Error err;
    der::Reader r(in, err);
    CHECK_FALSE(walk_nested(r, false));
    CHECK(reason_matches(err, "nesting|deep"));
  }
  SECTION("the writer's deepest output reads back") {
    der::Writer w;
    for (int i = 0; i < der::kMaxDepth; ++i)
      w.begin(der::tags::kSequence);
    w.write_integer(7);
    for (int i = 0; i < der::kMaxDepth; ++i)
      w.end();
    REQUIRE(w.ok());
    Bytes in(w.bytes().begin(), w.bytes().end());
    CHECK(in == nested_sequences(der::kMaxDepth, hex("02 01 07")));
    der::Error err;
    der::Reader r(in, err);
    CHECK(walk_nested(r, true));
    INFO(reason_of(err) << " at " << err.offset);
    CHECK_FALSE(err.failed());
  }
}

// --- well-formed reads ---------------------------------------------------------------------

TEST_CASE("reader decodes INTEGER edge values", "[der][reader]") {
  struct Case {
    const char* hex;
    std::int64_t value;
  };
  const Case cases[] = {
      {"02 01 00", 0},
      {"02 01 FF", -1},
      {"02 01 7F", 127},
      {"02 02 00 80", 128},
      {"02 02 00 FF", 255},
      {"02 02 01 00", 256},
      {"02 01 80", -128},
      {"02 02 FF 7F", -129},
      {"02 02 FF 00", -256},
      {"02 04 7F FF FF FF", INT32_MAX},
      {"02 04 80 00 00 00", INT32_MIN},
      {"02 05 00 FF FF FF FF", UINT32_MAX},
      {"02 05 00 80 00 00 00", std::int64_t{1} << 31},
      {"02 08 7F FF FF FF FF FF FF FF", INT64_MAX},
      {"02 08 80 00 00 00 00 00 00 00", INT64_MIN},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.hex) {
      Bytes in = hex(c.hex);
      der::Error err;
      der::Reader r(in, err);
      std::int64_t v64 = 0;
      der::Reader copy = r;
      REQUIRE(copy.read_integer(v64));
      CHECK(v64 == c.value);
      CHECK(copy.empty());
      CHECK(r.offset() == 0);  // the copy consumed, not r

      std::span<const std::uint8_t> big;
      copy = r;
      REQUIRE(copy.read_big_integer(big));
      CHECK(to_hex(big, kHexSpaced) ==
            to_hex(std::span<const std::uint8_t>(in).subspan(2), kHexSpaced));

      const bool fits_i32 = c.value >= INT32_MIN && c.value <= INT32_MAX;
      const bool fits_u32 = c.value >= 0 && c.value <= static_cast<std::int64_t>(UINT32_MAX);
      if (fits_i32) {
        std::int32_t v32 = 0;
        copy = r;
        REQUIRE(copy.read_integer(v32));
        CHECK(v32 == c.value);
      }
      if (fits_u32) {
        std::uint32_t u32 = 0;
        copy = r;
        REQUIRE(copy.read_integer(u32));
        CHECK(u32 == static_cast<std::uint64_t>(c.value));
      }
      CHECK_FALSE(err.failed());
    }
  }
}

TEST_CASE("reader returns big INTEGER content octets as they are", "[der][reader]") {
  Bytes in = hex("02 11 00 FF EE DD CC BB AA 99 88 77 66 55 44 33 22 11 00");
  der::Error err;
  der::Reader r(in, err);
  std::span<const std::uint8_t> c;
  REQUIRE(r.read_big_integer(c));
  CHECK(c.data() == in.data() + 2);  // a view, not a copy
  CHECK(c.size() == 17);
  CHECK(r.empty());
}

TEST_CASE("reader decodes ENUMERATED", "[der][reader]") {
  Bytes in = hex("0A 01 00 0A 01 FF 0A 02 00 80 0A 04 7F FF FF FF");
  der::Error err;
  der::Reader r(in, err);
  std::int32_t a = 1, b = 0, c = 0, d = 0;
  REQUIRE(r.read_enumerated(a));
  REQUIRE(r.read_enumerated(b));
  REQUIRE(r.read_enumerated(c));
  REQUIRE(r.read_enumerated(d));
  CHECK(a == 0);
  CHECK(b == -1);
  CHECK(c == 128);
  CHECK(d == INT32_MAX);
  CHECK(r.finish());
}

TEST_CASE("reader decodes BOOLEAN and NULL", "[der][reader]") {
  Bytes in = hex("01 01 FF 01 01 00 05 00");
  der::Error err;
  der::Reader r(in, err);
  bool t = false, f = true;
  REQUIRE(r.read_boolean(t));
  REQUIRE(r.read_boolean(f));
  REQUIRE(r.read_null());
  CHECK(t);
  CHECK_FALSE(f);
  CHECK(r.finish());
}

TEST_CASE("reader decodes BIT STRINGs and KerberosFlags", "[der][reader]") {
  SECTION("empty bit string") {
    Bytes in = hex("03 01 00");
    der::Error err;
    der::Reader r(in, err);
    der::BitString b;
    REQUIRE(r.read_bit_string(b));
    CHECK(b.bytes.empty());
    CHECK(b.unused_bits == 0);
    CHECK(b.bit_count() == 0);
  }
  SECTION("one bit") {
    Bytes in = hex("03 02 07 80");
    der::Error err;
    der::Reader r(in, err);
    der::BitString b;
    REQUIRE(r.read_bit_string(b));
    CHECK(to_hex(b.bytes, kHexSpaced) == "80");
    CHECK(b.unused_bits == 7);
    CHECK(b.bit_count() == 1);
  }
  SECTION("KerberosFlags forwardable renewable") {
    // RFC 4120 §5.4.1: forwardable(1), renewable(8), renewable-ok(27).
    Bytes in = hex("03 05 00 40 80 00 10");
    der::Error err;
    der::Reader r(in, err);
    std::uint32_t flags = 0;
    REQUIRE(r.read_kerberos_flags(flags));
    CHECK(flags == 0x40800010u);
    CHECK(r.finish());
  }
  SECTION("KerberosFlags longer than 32 bits: bits past 31 ignored") {
    Bytes in = hex("03 06 00 80 00 00 01 FF");
    der::Error err;
    der::Reader r(in, err);
    std::uint32_t flags = 0;
    REQUIRE(r.read_kerberos_flags(flags));
    CHECK(flags == 0x80000001u);
  }
  SECTION("KerberosFlags of 33 bits") {
    Bytes in = hex("03 06 07 00 00 00 00 80");
    der::Error err;
    der::Reader r(in, err);
    std::uint32_t flags = 1;
    REQUIRE(r.read_kerberos_flags(flags));
    CHECK(flags == 0u);
  }
}

TEST_CASE("reader decodes strings, including empty ones", "[der][reader]") {
  SECTION("GeneralString passes octets through") {
    Bytes in = hex("1B 09 4B 45 52 42 2E 54 45 53 54 1B 00 1B 02 C3 FF");
    der::Error err;
    der::Reader r(in, err);
    std::string_view a, b, c;
    REQUIRE(r.read_general_string(a));
    REQUIRE(r.read_general_string(b));
    REQUIRE(r.read_general_string(c));
    CHECK(a == "KERB.TEST");
    CHECK(b.empty());
    CHECK(c == "\xC3\xFF");
    CHECK(r.finish());
  }
  SECTION("IA5String") {
    Bytes in = hex("16 05 68 65 6C 6C 6F 16 00 16 01 7F");
    der::Error err;
    der::Reader r(in, err);
    std::string_view a, b, c;
    REQUIRE(r.read_ia5_string(a));
    REQUIRE(r.read_ia5_string(b));
    REQUIRE(r.read_ia5_string(c));
    CHECK(a == "hello");
    CHECK(b.empty());
    CHECK(c == "\x7F");
  }
  SECTION("UTF8String") {
    // "h", U+00E9, U+20AC, U+1F600, U+10FFFF, U+FFFF
    Bytes in = hex("0C 10 68 C3 A9 E2 82 AC F0 9F 98 80 F4 8F BF BF EF BF BF 0C 00");
    in[1] = static_cast<std::uint8_t>(in.size() - 4);
    der::Error err;
    der::Reader r(in, err);
    std::string_view a, b;
    REQUIRE(r.read_utf8_string(a));
    REQUIRE(r.read_utf8_string(b));
    CHECK(a == "h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\xEF\xBF\xBF");
    CHECK(b.empty());
    CHECK(r.finish());
  }
  SECTION("OCTET STRING empty and not") {
    Bytes in = hex("04 00 04 03 00 FF 80");
    der::Error err;
    der::Reader r(in, err);
    std::span<const std::uint8_t> a, b;
    REQUIRE(r.read_octet_string(a));
    REQUIRE(r.read_octet_string(b));
    CHECK(a.empty());
    CHECK(to_hex(b, kHexSpaced) == "00 FF 80");
    CHECK(b.data() == in.data() + 4);
  }
}

TEST_CASE("reader accepts long-form lengths at the boundaries", "[der][reader]") {
  for (std::size_t n : {std::size_t{127}, std::size_t{128}, std::size_t{255}, std::size_t{256},
                        std::size_t{65535}, std::size_t{65536}}) {
    DYNAMIC_SECTION("content length " << n) {
      Bytes content = filler(n);
      Bytes in = tlv(0x04, content);
      der::Error err;
      der::Reader r(in, err);
      std::span<const std::uint8_t> c;
      REQUIRE(r.read_octet_string(c));
      CHECK(c.size() == n);
      CHECK(c.data() == in.data() + (in.size() - n));
      CHECK(r.finish());
    }
  }
}

// --- verbs: peek, optional, raw, skip, offsets ----------------------------------------------

TEST_CASE("peek_tag does not consume", "[der][reader]") {
  Bytes in = hex("A1 03 02 01 05");
  der::Error err;
  der::Reader r(in, err);
  std::optional<der::Tag> t = r.peek_tag();
  REQUIRE(t.has_value());
  CHECK(*t == der::ctx(1));
  CHECK(t->tag_class() == der::TagClass::kContext);
  CHECK(t->constructed());
  CHECK(t->number() == 1);
  CHECK(r.peek(der::ctx(1)));
  CHECK_FALSE(r.peek(der::ctx(0)));
  CHECK(r.offset() == 0);
  CHECK(r.remaining() == in.size());
  der::Reader inner;
  REQUIRE(r.read_element(der::ctx(1), inner));
  CHECK_FALSE(r.peek_tag().has_value());  // at the end
  CHECK_FALSE(err.failed());
}

TEST_CASE("peek_tag yields nullopt on malformed identifiers without consuming", "[der][reader]") {
  for (const char* h : {"1F 02 00", "00 00", "BF 1F 00"}) {
    DYNAMIC_SECTION(h) {
      Bytes in = hex(h);
      der::Error err;
      der::Reader r(in, err);
      CHECK_FALSE(r.peek_tag().has_value());
      CHECK(r.offset() == 0);
      CHECK(r.remaining() == in.size());
    }
  }
}

TEST_CASE("read_optional: absent, present and malformed", "[der][reader]") {
  SECTION("absent: a different tag follows") {
    Bytes in = hex("A1 03 02 01 05");
    der::Error err;
    der::Reader r(in, err);
    std::optional<der::Reader> c = r.read_optional(der::ctx(0));
    CHECK_FALSE(c.has_value());
    CHECK(r.ok());
    CHECK_FALSE(err.failed());
    CHECK(r.offset() == 0);
    c = r.read_optional(der::ctx(1));
    REQUIRE(c.has_value());
    std::int32_t v = 0;
    REQUIRE(c->read_integer(v));
    CHECK(v == 5);
    CHECK(r.finish());
  }
  SECTION("absent: at the end") {
    der::Error err;
    der::Reader r(std::span<const std::uint8_t>{}, err);
    CHECK_FALSE(r.read_optional(der::ctx(0)).has_value());
    CHECK(r.ok());
  }
  SECTION("present") {
    Bytes in = hex("A0 03 02 01 2A");
    der::Error err;
    der::Reader r(in, err);
    std::optional<der::Reader> c = r.read_optional(der::ctx(0));
    REQUIRE(c.has_value());
    CHECK(c->offset() == 2);
    std::int32_t v = 0;
    REQUIRE(c->read_integer(v));
    CHECK(v == 42);
    CHECK(r.empty());
  }
  SECTION("present but malformed") {
    Bytes in = hex("A0 05 02 01 2A");
    der::Error err;
    der::Reader r(in, err);
    CHECK_FALSE(r.read_optional(der::ctx(0)).has_value());
    CHECK_FALSE(r.ok());
    CHECK(reason_matches(err, "beyond"));
    CHECK(err.offset == 1);
    CHECK(r.offset() == 0);
  }
  SECTION("present but non-minimal length") {
    Bytes in = hex("A0 81 03 02 01 2A");
    der::Error err;
    der::Reader r(in, err);
    CHECK_FALSE(r.read_optional(der::ctx(0)).has_value());
    CHECK_FALSE(r.ok());
    CHECK(reason_matches(err, "non-minimal length"));
    CHECK(err.offset == 1);
  }
}

TEST_CASE("read_raw returns the whole TLV as a view of the input", "[der][reader]") {
  // Ticket-like: [APPLICATION 1] SEQUENCE { [0] INTEGER 5 } followed by an INTEGER.
  Bytes in = hex("30 0C 61 07 30 05 A0 03 02 01 05 02 01 01");
  der::Error err;
  der::Reader top(in, err);
  der::Reader seq;
  REQUIRE(top.read_sequence(seq));
  std::span<const std::uint8_t> raw;
  der::Reader copy = seq;
  REQUIRE(copy.read_raw(der::app(1), raw));
  CHECK(raw.data() == in.data() + 2);
  CHECK(to_hex(raw, kHexSpaced) == "61 07 30 05 A0 03 02 01 05");
  CHECK(copy.offset() == 11);

  std::span<const std::uint8_t> raw_any;
  REQUIRE(seq.read_raw_any(raw_any));
  CHECK(raw_any.data() == raw.data());
  CHECK(raw_any.size() == raw.size());
  std::span<const std::uint8_t> whole;
  der::Reader again(in, err);
  REQUIRE(again.read_raw_any(whole));
  CHECK(whole.size() == in.size());
  CHECK_FALSE(err.failed());

  SECTION("read_raw with the wrong tag fails without advancing") {
    der::Error e2;
    der::Reader r2(in, e2);
    std::span<const std::uint8_t> x;
    CHECK_FALSE(r2.read_raw(der::app(1), x));
    CHECK(reason_matches(e2, "tag"));
    CHECK(e2.offset == 0);
    CHECK(r2.offset() == 0);
  }
}

TEST_CASE("skip and skip_any consume exactly one element", "[der][reader]") {
  Bytes in = hex("30 03 02 01 05 04 01 AA 05 00");
  der::Error err;
  der::Reader r(in, err);
  REQUIRE(r.skip(der::tags::kSequence));
  CHECK(r.offset() == 5);
  REQUIRE(r.skip_any());
  CHECK(r.offset() == 8);
  REQUIRE(r.read_null());
  CHECK(r.finish());
}

TEST_CASE("sub-readers report absolute offsets", "[der][reader]") {
  // SEQUENCE { [0] { OCTET STRING with a length beyond its parent } }
  Bytes in = hex("30 07 A0 05 04 05 01 02 03");
  der::Error err;
  der::Reader r(in, err);
  der::Reader seq, ctx0;
  REQUIRE(r.read_sequence(seq));
  CHECK(seq.offset() == 2);
  REQUIRE(seq.read_element(der::ctx(0), ctx0));
  CHECK(ctx0.offset() == 4);
  CHECK(ctx0.remaining() == 5);
  std::span<const std::uint8_t> c;
  CHECK_FALSE(ctx0.read_octet_string(c));
  CHECK(reason_matches(err, "beyond"));
  CHECK(err.offset == 5);
  CHECK(ctx0.offset() == 4);
}

TEST_CASE("read_any reports tag and contents", "[der][reader]") {
  Bytes in = hex("6A 05 30 03 80 01 09");
  der::Error err;
  der::Reader r(in, err);
  der::Tag tag = der::tags::kNull;
  der::Reader contents;
  REQUIRE(r.read_any(tag, contents));
  CHECK(tag == der::app(10));
  CHECK(contents.offset() == 2);
  CHECK(contents.remaining() == 5);
  der::Reader seq;
  REQUIRE(contents.read_sequence(seq));
  REQUIRE(seq.read_any(tag, contents));
  CHECK(tag == der::Tag(der::TagClass::kContext, false, 0));
  CHECK(to_hex(contents.unread(), kHexSpaced) == "09");
  CHECK(r.finish());
}

// --- error behaviour -------------------------------------------------------------------------

TEST_CASE("a failed read does not advance", "[der][reader]") {
  struct Case {
    const char* name;
    const char* hex;
    ReadFn read;
  };
  const Case cases[] = {
      {"wrong tag", "01 01 FF", read_i32},
      {"non-minimal INTEGER", "02 02 00 01", read_i32},
      {"out of range", "02 05 01 00 00 00 00", read_u32},
      {"bad BOOLEAN", "01 01 05", read_bool},
      {"bad padding", "03 02 01 01", read_bits},
      {"short flags", "03 02 00 FF", read_flags},
      {"bad IA5", "16 01 80", read_ia5},
      {"bad UTF-8", "0C 01 80", read_utf8},
      {"bad time", "18 01 30", read_time},
      {"bad OID", "06 01 80", read_oid},
      {"NULL with content", "05 01 00", read_null},
      {"raw beyond", "30 05 00", read_raw_any},
      {"skip beyond", "30 05 00", skip_any},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      // Preceded by a good element so the reader is mid-input.
      Bytes in = concat({hex("05 00"), hex(c.hex)});
      der::Error err;
      der::Reader r(in, err);
      REQUIRE(r.read_null());
      const std::size_t offset = r.offset();
      const std::size_t remaining = r.remaining();
      CHECK_FALSE(c.read(r));
      CHECK(err.failed());
      CHECK(err.offset >= 2);
      CHECK(r.offset() == offset);
      CHECK(r.remaining() == remaining);
      CHECK(r.unread().data() == in.data() + 2);
    }
  }
}

TEST_CASE("errors are sticky across readers sharing one der::Error", "[der][reader]") {
  // SEQUENCE { INTEGER 00 7F (non-minimal) } INTEGER 5
  Bytes in = hex("30 04 02 02 00 7F 02 01 05");
  der::Error err;
  der::Reader top(in, err);
  der::Reader seq;
  REQUIRE(top.read_sequence(seq));
  der::Reader sibling = seq;
  std::int32_t v = 0;
  CHECK_FALSE(seq.read_integer(v));
  REQUIRE(err.failed());
  const char* first_reason = err.reason;
  CHECK(err.offset == 4);

  // Every later read on any reader fails, even on well-formed bytes.
  CHECK_FALSE(top.ok());
  CHECK_FALSE(sibling.ok());
  CHECK_FALSE(top.read_integer(v));
  CHECK_FALSE(top.skip_any());
  CHECK_FALSE(top.finish());
  std::span<const std::uint8_t> big;
  CHECK_FALSE(sibling.read_big_integer(big));
  der::Reader again;
  CHECK_FALSE(top.read_sequence(again));
  CHECK_FALSE(top.read_optional(der::tags::kInteger).has_value());
  // The first fault is kept.
  CHECK(err.reason == first_reason);
  CHECK(err.offset == 4);
  // A fresh reader on the same error is poisoned too.
  der::Reader fresh(in, err);
  der::Reader s2;
  CHECK_FALSE(fresh.read_sequence(s2));
  CHECK(err.offset == 4);
}

TEST_CASE("independent errors do not interfere", "[der][reader]") {
  Bytes bad = hex("02 00");
  Bytes good = hex("02 01 05");
  der::Error e1, e2;
  der::Reader r1(bad, e1), r2(good, e2);
  std::int32_t v = 0;
  CHECK_FALSE(r1.read_integer(v));
  CHECK(r2.read_integer(v));
  CHECK(v == 5);
  CHECK_FALSE(e2.failed());
}

TEST_CASE("der::Error formats reason and offset", "[der][reader]") {
  // A 17-octet OCTET STRING first, so the fault's length octet sits at offset 18.
  der::Error err;
  Bytes in2 = concat({tlv(0x04, Bytes(15, 0xAA)), hex("04 81 01 00")});
  der::Reader r2(in2, err);
  std::span<const std::uint8_t> c;
  REQUIRE(r2.read_octet_string(c));
  CHECK_FALSE(r2.read_octet_string(c));
  REQUIRE(err.failed());
  CHECK(err.offset == 18);
  char buf[128];
  const std::size_t n = err.format(buf, sizeof buf);
  std::string text(buf, n);
  CHECK(text.find("non-minimal length") != std::string::npos);
  CHECK(text.find("18") != std::string::npos);
  // snprintf semantics: the full length is returned even when it does not fit.
  char tiny[4];
  CHECK(err.format(tiny, sizeof tiny) == n);
  CHECK(tiny[3] == '\0');
  CHECK(err.format(nullptr, 0) == n);
}
