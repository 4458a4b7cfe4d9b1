// OBJECT IDENTIFIER content octets <-> dotted text (X.690 §8.19, oid.hpp).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <kerb/der/oid.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>

#include "der_test_util.hpp"

namespace der = kerb::der;
using der::test::Bytes;
using der::test::hex;
using der::test::kHexSpaced;
using der::test::tlv;
using der::test::to_hex;

namespace {

struct KnownOid {
  const char* dotted;
  const char* content;
};

constexpr KnownOid kKnownOids[] = {
    {"1.2.840.113554.1.2.2", "2A 86 48 86 F7 12 01 02 02"},       // krb5 GSS mech (RFC 1964)
    {"1.2.840.48018.1.2.2", "2A 86 48 82 F7 12 01 02 02"},        // Microsoft's krb5 mech OID
    {"1.3.6.1.5.5.2", "2B 06 01 05 05 02"},                       // SPNEGO (RFC 4178)
    {"1.2.840.113554.1.2.2.3", "2A 86 48 86 F7 12 01 02 02 03"},  // krb5 user-to-user
    {"2.999.3", "88 37 03"},                                      // X.690 §8.19.5 example
    {"0.0", "00"},
    {"0.39", "27"},
    {"1.0", "28"},
    {"1.39", "4F"},
    {"2.0", "50"},
    {"2.47", "7F"},
    {"2.48", "81 00"},
    {"1.2.127", "2A 7F"},
    {"1.2.128", "2A 81 00"},
    {"1.2.16383", "2A FF 7F"},
    {"1.2.16384", "2A 81 80 00"},
    {"1.2.4294967295", "2A 8F FF FF FF 7F"},
    {"1.2.4294967296", "2A 90 80 80 80 00"},
    {"1.2.9223372036854775807", "2A FF FF FF FF FF FF FF FF 7F"},  // 2^63 - 1
    {"1.2.0.0.0", "2A 00 00 00"},
};

std::string decode(const Bytes& content, std::size_t capacity, bool& ok) {
  std::string out(capacity, '\0');
  std::size_t written = 0;
  ok = der::decode_oid(content, std::span<char>(out.data(), out.size()), written);
  if (!ok) return {};
  REQUIRE(written <= capacity);
  out.resize(written);
  return out;
}

}  // namespace

TEST_CASE("encode_oid and decode_oid on known OIDs", "[der][oid]") {
  for (const KnownOid& k : kKnownOids) {
    DYNAMIC_SECTION(k.dotted) {
      const Bytes expected = hex(k.content);
      std::array<std::uint8_t, 64> out{};
      std::size_t written = 0;
      REQUIRE(der::encode_oid(k.dotted, out, written));
      CHECK(to_hex(std::span<const std::uint8_t>(out).first(written), kHexSpaced) ==
            to_hex(expected, kHexSpaced));

      CHECK(der::valid_oid(expected));
      bool ok = false;
      CHECK(decode(expected, 64, ok) == k.dotted);
      CHECK(ok);

      // Through the Reader and Writer.
      der::Writer w;
      w.write_oid(expected);
      REQUIRE(w.ok());
      const Bytes element = tlv(0x06, expected);
      CHECK(to_hex(w.bytes(), kHexSpaced) == to_hex(element, kHexSpaced));
      der::Error err;
      der::Reader r(element, err);
      std::span<const std::uint8_t> c;
      REQUIRE(r.read_oid(c));
      CHECK(to_hex(c, kHexSpaced) == to_hex(expected, kHexSpaced));
      CHECK(r.finish());
    }
  }
}

TEST_CASE("encode_oid output buffer must be big enough", "[der][oid]") {
  const std::string_view krb5 = "1.2.840.113554.1.2.2";
  std::array<std::uint8_t, 9> exact{};
  std::size_t written = 0;
  REQUIRE(der::encode_oid(krb5, exact, written));
  CHECK(written == 9);
  std::array<std::uint8_t, 8> small{};
  CHECK_FALSE(der::encode_oid(krb5, small, written));
  CHECK_FALSE(der::encode_oid(krb5, std::span<std::uint8_t>{}, written));
  // A multi-octet arc that straddles the end of the buffer.
  std::array<std::uint8_t, 4> straddle{};
  CHECK_FALSE(der::encode_oid("1.2.840.113554", straddle, written));
}

TEST_CASE("decode_oid output buffer must be big enough", "[der][oid]") {
  const Bytes krb5 = hex("2A 86 48 86 F7 12 01 02 02");
  bool ok = false;
  CHECK(decode(krb5, 20, ok) == "1.2.840.113554.1.2.2");
  CHECK(ok);
  (void)decode(krb5, 19, ok);
  CHECK_FALSE(ok);
  (void)decode(krb5, 0, ok);
  CHECK_FALSE(ok);
  (void)decode(hex("2A"), 2, ok);  // "1.2" needs 3
  CHECK_FALSE(ok);
}

TEST_CASE("encode_oid rejects malformed dotted text", "[der][oid]") {
  const char* bad[] = {
      "",                          // empty
      "1",                         // single arc
      "2",                         // single arc
      "3.1",                       // first arc above 2
      "9.1.2",                     // first arc above 2
      "0.40",                      // second arc above 39 under 0
      "1.40",                      // second arc above 39 under 1
      "1..2",                      // empty arc
      ".1.2",                      // empty first arc
      "1.2.",                      // empty last arc
      "1.2..",                     // empty arcs
      "1.2a",                      // not a digit
      "1.2.x",                     // not a digit
      "-1.2",                      // sign
      "1.-2",                      // sign
      "1.+2",                      // sign
      " 1.2",                      // space
      "1.2 ",                      // space
      "1,2",                       // wrong separator
      "1.2.18446744073709551616",  // 2^64 does not fit
      "1.2.99999999999999999999999",
  };
  for (const char* text : bad) {
    DYNAMIC_SECTION("'" << text << "'") {
      std::array<std::uint8_t, 64> out{};
      std::size_t written = 12345;
      CHECK_FALSE(der::encode_oid(text, out, written));
    }
  }
}

TEST_CASE("arcs up to 2^64-1 are supported (oid.hpp: every arc fits in 64 bits)", "[der][oid]") {
  const char* dotted = "1.2.18446744073709551615";
  const Bytes content = hex("2A 81 FF FF FF FF FF FF FF FF 7F");
  std::array<std::uint8_t, 64> out{};
  std::size_t written = 0;
  CHECK(der::encode_oid(dotted, out, written));
  CHECK(to_hex(std::span<const std::uint8_t>(out).first(written), kHexSpaced) ==
        to_hex(content, kHexSpaced));
  CHECK(der::valid_oid(content));
  bool ok = false;
  CHECK(decode(content, 64, ok) == dotted);
  CHECK(ok);
}

TEST_CASE("decode_oid rejects an arc of 2^64 or more", "[der][oid]") {
  bool ok = true;
  (void)decode(hex("2A 82 80 80 80 80 80 80 80 80 00"), 128, ok);  // 2^64
  CHECK_FALSE(ok);
  (void)decode(hex("2A 81 80 80 80 80 80 80 80 80 80 00"), 128, ok);  // 2^70
  CHECK_FALSE(ok);
}

TEST_CASE("valid_oid and decode_oid reject malformed content", "[der][oid]") {
  const char* bad[] = {
      "",                            // empty
      "80 01",                       // non-minimal first subidentifier
      "2A 80 01",                    // non-minimal later arc
      "2A 80 80 01",                 // non-minimal later arc
      "2A 86",                       // unterminated last arc
      "86",                          // unterminated only arc
      "2A 86 48 86 F7 12 01 02 82",  // unterminated after a valid prefix
  };
  for (const char* h : bad) {
    DYNAMIC_SECTION("'" << h << "'") {
      const Bytes content = hex(h);
      CHECK_FALSE(der::valid_oid(content));
      bool ok = true;
      (void)decode(content, 128, ok);
      CHECK_FALSE(ok);
      der::Writer w;
      w.write_oid(content);
      CHECK(w.error() == der::WriteError::kInvalidArgument);
    }
  }
}
