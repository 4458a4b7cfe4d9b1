// The byte reader (bounds, lengths, first error wins) and the two-pass writer (counting,
// appending, a fixed buffer that overflows).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/internal/bytes.hpp>

#include "hex_bytes.hpp"

using namespace kerb;
using namespace kerb::detail;

namespace {

using kerb::test::Bytes;

std::string detail_of(const BinaryReader& r) {
  return std::string(r.error().detail());
}

}  // namespace

TEST_CASE("BinaryReader reads big- and little-endian fields and stops at the end", "[internal]") {
  const Bytes data = {0x05, 0x04, 0x00, 0x0c, 0xff, 0xff, 0xff, 0xfe, 0x12};
  BinaryReader be(data, true, "ccache");
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  std::int32_t i32 = 0;
  REQUIRE(be.read_u8(u8, "version byte"));
  CHECK(u8 == 0x05);
  REQUIRE(be.read_u8(u8, "version"));
  REQUIRE(be.read_u16(u16, "header length"));
  CHECK(u16 == 0x000c);
  REQUIRE(be.read_i32(i32, "signed"));
  CHECK(i32 == -2);
  CHECK(be.offset() == 8);
  CHECK(be.remaining() == 1);

  // A read past the end fails, does not advance and names the label, field and offset.
  std::uint32_t u32 = 0;
  CHECK_FALSE(be.read_u32(u32, "kvno"));
  CHECK(be.failed());
  CHECK(be.offset() == 8);
  CHECK(be.remaining() == 1);
  CHECK(be.error().category() == ErrorCategory::kIo);
  CHECK(detail_of(be) == "ccache: truncated kvno (needs 4 bytes, 1 remain) at offset 8");
  // The first error stays.
  std::span<const std::uint8_t> out;
  CHECK_FALSE(be.read_bytes(2, out, "key"));
  CHECK(detail_of(be) == "ccache: truncated kvno (needs 4 bytes, 1 remain) at offset 8");

  BinaryReader le(data, false, "ccache v1");
  REQUIRE(le.skip(2, "version"));
  REQUIRE(le.read_u16(u16, "le16"));
  CHECK(u16 == 0x0c00);
  std::int32_t i16 = 0;
  REQUIRE(le.read_i16(i16, "enctype"));
  CHECK(i16 == -1);
}

TEST_CASE("BinaryReader reads 64-bit fields in either byte order", "[internal]") {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  std::uint64_t v = 0;
  BinaryReader be(data, true, "context");
  REQUIRE(be.read_u64(v, "send_seq"));
  CHECK(v == 0x0102030405060708u);
  CHECK(be.offset() == 8);
  CHECK_FALSE(be.read_u64(v, "recv next"));
  CHECK(be.offset() == 8);
  CHECK(detail_of(be) == "context: truncated recv next (needs 8 bytes, 1 remain) at offset 8");
  BinaryReader le(data, false, "context");
  REQUIRE(le.read_u64(v, "send_seq"));
  CHECK(v == 0x0807060504030201u);
}

TEST_CASE("BinaryReader checks a length against its limit and the bytes left", "[internal]") {
  // 00 00 00 03 'a' 'b' 'c', then 00 05 'x' (a 2-byte length of 5 over one byte).
  const Bytes data = {0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x05, 'x'};
  BinaryReader r(data, true, "keytab krb5.keytab", 100);
  std::span<const std::uint8_t> s;
  REQUIRE(r.read_data(4, s, "realm"));
  CHECK(as_text(s) == "abc");
  CHECK(r.offset() == 107);  // absolute: base_offset plus the position

  BinaryReader limited(data, true, "keytab");
  CHECK_FALSE(limited.read_data(4, s, "realm", 2));
  CHECK(limited.offset() == 0);  // the length is not consumed
  CHECK(std::string(limited.error().detail()) ==
        "keytab: realm length 3 exceeds the limit of 2 at offset 0");

  REQUIRE(r.read_sub(3, limited, "record"));  // a sub-reader keeps absolute offsets
  CHECK(limited.offset() == 107);
  CHECK_FALSE(limited.read_data(2, s, "component"));
  CHECK(std::string(limited.error().detail()) ==
        "keytab krb5.keytab: component length 5 exceeds the remaining 1 bytes at offset 107");
  CHECK(limited.offset() == 107);
  CHECK(r.remaining() == 0);
}

TEST_CASE("ByteWriter counts, appends, and fills a fixed buffer without overflowing it",
          "[internal]") {
  const auto put = [](ByteWriter& w) {
    w.u8(0x05);
    w.u16(0x0504);
    w.u32(0x01020304);
    w.i32(-2);
    w.bytes(std::string_view("ab"));
  };
  const Bytes expected = {0x05, 0x05, 0x04, 0x01, 0x02, 0x03, 0x04,
                          0xff, 0xff, 0xff, 0xfe, 'a',  'b'};
  ByteWriter counter;
  put(counter);
  CHECK(counter.size() == expected.size());
  CHECK(counter.ok());

  Bytes out;
  ByteWriter appender(&out);
  put(appender);
  CHECK(out == expected);

  std::array<std::uint8_t, 13> exact{};
  ByteWriter fits{std::span<std::uint8_t>(exact)};
  put(fits);
  CHECK(fits.ok());
  CHECK(Bytes(exact.begin(), exact.end()) == expected);

  // Room for 6 of 13 bytes: the u32 at offset 3 does not fit. Nothing from it on is written,
  // not even the bytes that would fit; size() still says what the whole needed.
  std::array<std::uint8_t, 8> small;
  small.fill(0xaa);
  ByteWriter overflow{std::span<std::uint8_t>(small).first(6)};
  put(overflow);
  CHECK_FALSE(overflow.ok());
  CHECK(overflow.size() == 13);
  CHECK(small == std::array<std::uint8_t, 8>{0x05, 0x05, 0x04, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa});

  ByteWriter u64{std::span<std::uint8_t>(small)};
  u64.u64(0x0102030405060708);
  CHECK(u64.ok());
  CHECK(small == std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8});
  u64.u8(9);
  CHECK_FALSE(u64.ok());
}

TEST_CASE("ByteWriter writes little-endian integers when asked", "[internal]") {
  // Least significant byte first, as RFC 2744 §3.11's channel bindings lay out their fields.
  const auto put = [](ByteWriter& w) {
    w.u8(0x05);
    w.u16(0x0504);
    w.u32(0x01020304);
    w.i32(-2);
    w.u64(0x0102030405060708);
  };
  const Bytes expected = {0x05, 0x04, 0x05, 0x04, 0x03, 0x02, 0x01, 0xfe, 0xff, 0xff,
                          0xff, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
  Bytes out;
  ByteWriter appender(&out, false);
  put(appender);
  CHECK(out == expected);

  std::array<std::uint8_t, 19> exact{};
  ByteWriter fixed{std::span<std::uint8_t>(exact), false};
  put(fixed);
  CHECK(fixed.ok());
  CHECK(Bytes(exact.begin(), exact.end()) == expected);
}

TEST_CASE("serialize_exact fills a buffer reserved to the exact size", "[internal]") {
  auto out = serialize_exact([](ByteWriter& w) -> Result<void> {
    w.u16(0x0502);
    w.bytes(std::string_view("key"));
    return ok();
  });
  REQUIRE(out.ok());
  CHECK(*out == Bytes{0x05, 0x02, 'k', 'e', 'y'});
  CHECK(out->capacity() == 5);
  auto failed = serialize_exact(
      [](ByteWriter&) -> Result<void> { return Error(ErrorCategory::kInvalidArgument, "no"); });
  CHECK_FALSE(failed.ok());
}

TEST_CASE("byte and text views, and byte equality", "[internal]") {
  const Bytes b = {'r', 'e', 'a', 'l', 'm'};
  CHECK(as_text(b) == "realm");
  CHECK(as_bytes("realm").size() == 5);
  CHECK(same_bytes(as_bytes("realm"), b));
  CHECK_FALSE(same_bytes(as_bytes("realm."), b));
  CHECK_FALSE(same_bytes(as_bytes("reals"), b));
  CHECK(same_bytes({}, {}));
}
