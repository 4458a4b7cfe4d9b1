// KerberosTime (RFC 4120 §5.2.3): GeneralizedTime restricted to "YYYYMMDDHHMMSSZ", seconds
// since the POSIX epoch, years 0000..9999 of the proleptic Gregorian calendar (time.hpp).
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <kerb/der/reader.hpp>
#include <kerb/der/time.hpp>
#include <kerb/der/writer.hpp>

#include "der_test_util.hpp"

namespace der = kerb::der;
using der::test::ascii;
using der::test::Bytes;
using der::test::kHexSpaced;
using der::test::tlv;
using der::test::to_hex;

namespace {

struct KnownTime {
  const char* text;
  std::int64_t seconds;
};

// Values cross-checked with Python's calendar.timegm.
constexpr KnownTime kKnownTimes[] = {
    {"19700101000000Z", 0},
    {"19691231235959Z", -1},
    {"19700101000001Z", 1},
    {"20000229123456Z", 951827696},              // leap year divisible by 400
    {"20240229000000Z", 1709164800},             // leap year
    {"20380119031407Z", 2147483647},             // INT32_MAX
    {"20380119031408Z", 2147483648},             // past int32
    {"19000301000000Z", -2203891200},            // 1900 is not a leap year
    {"21000228235959Z", 4107542399},             // 2100 is not a leap year
    {"00010101000000Z", -62135596800},           // year 0000 is a leap year (366 days)
    {"00000101000000Z", der::kMinKerberosTime},  // 0000-01-01T00:00:00Z
    {"00000229000000Z", der::kMinKerberosTime + 59 * 86400},
    {"99991231235959Z", der::kMaxKerberosTime},  // 9999-12-31T23:59:59Z
};

std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("time range constants match time.hpp", "[der][time]") {
  CHECK(der::kKerberosTimeLength == 15);
  CHECK(der::kMinKerberosTime == -62167219200);
  CHECK(der::kMaxKerberosTime == 253402300799);
}

TEST_CASE("parse_kerberos_time and format_kerberos_time agree on known values", "[der][time]") {
  for (const KnownTime& k : kKnownTimes) {
    DYNAMIC_SECTION(k.text) {
      std::int64_t seconds = 12345;
      REQUIRE(der::parse_kerberos_time(as_span(k.text), seconds));
      CHECK(seconds == k.seconds);
      std::array<std::uint8_t, der::kKerberosTimeLength> out{};
      REQUIRE(der::format_kerberos_time(k.seconds, out));
      CHECK(std::string(out.begin(), out.end()) == k.text);
    }
  }
}

TEST_CASE("parse_kerberos_time accepts Feb 29 only in leap years", "[der][time]") {
  std::int64_t s = 0;
  CHECK(der::parse_kerberos_time(as_span("20000229000000Z"), s));
  CHECK(der::parse_kerberos_time(as_span("20240229000000Z"), s));
  CHECK(der::parse_kerberos_time(as_span("16000229000000Z"), s));
  CHECK(der::parse_kerberos_time(as_span("00000229000000Z"), s));
  CHECK_FALSE(der::parse_kerberos_time(as_span("21000229000000Z"), s));
  CHECK_FALSE(der::parse_kerberos_time(as_span("19000229000000Z"), s));
  CHECK_FALSE(der::parse_kerberos_time(as_span("20230229000000Z"), s));
  CHECK_FALSE(der::parse_kerberos_time(as_span("17000229000000Z"), s));
}

TEST_CASE("parse_kerberos_time checks every month length", "[der][time]") {
  const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    DYNAMIC_SECTION("month " << m) {
      char last[64], past[64];
      std::snprintf(last, sizeof last, "2023%02d%02d000000Z", m, days[m - 1]);
      std::snprintf(past, sizeof past, "2023%02d%02d000000Z", m, days[m - 1] + 1);
      std::int64_t s = 0;
      CHECK(der::parse_kerberos_time(as_span(last), s));
      CHECK_FALSE(der::parse_kerberos_time(as_span(past), s));
    }
  }
}

TEST_CASE("parse_kerberos_time rejects malformed text", "[der][time]") {
  const std::string_view bad[] = {
      "",
      "19700101000000",
      "197001010000000",
      "19700101000000z",
      "19700101000000.5Z",
      "19700101000000+0100",
      "19701301000000Z",
      "19700001000000Z",
      "19700100000000Z",
      "19700132000000Z",
      "19701231235960Z",
      "19700101240000Z",
      "19700101006000Z",
      "1970010100000AZ",
      "1970-1-1000000Z",
      "19700101 00000Z",
      "Z19700101000000",
      "19700101000000ZZ",
  };
  for (std::string_view text : bad) {
    DYNAMIC_SECTION("'" << std::string(text) << "'") {
      std::int64_t s = 777;
      CHECK_FALSE(der::parse_kerberos_time(as_span(text), s));
    }
  }
}

TEST_CASE("format_kerberos_time rejects seconds outside years 0000..9999", "[der][time]") {
  std::array<std::uint8_t, der::kKerberosTimeLength> out{};
  CHECK(der::format_kerberos_time(der::kMinKerberosTime, out));
  CHECK(der::format_kerberos_time(der::kMaxKerberosTime, out));
  CHECK_FALSE(der::format_kerberos_time(der::kMinKerberosTime - 1, out));
  CHECK_FALSE(der::format_kerberos_time(der::kMaxKerberosTime + 1, out));
  CHECK_FALSE(der::format_kerberos_time(INT64_MIN, out));
  CHECK_FALSE(der::format_kerberos_time(INT64_MAX, out));
}

TEST_CASE("format then parse is the identity across the range", "[der][time]") {
  // A spread of instants, including negative ones and day/year boundaries.
  const std::int64_t step = 86400 * 365 + 3600 * 7 + 61;
  for (std::int64_t t = der::kMinKerberosTime; t <= der::kMaxKerberosTime; t += step) {
    for (std::int64_t d : {std::int64_t{0}, std::int64_t{1}, std::int64_t{86399}}) {
      const std::int64_t v = t + d > der::kMaxKerberosTime ? der::kMaxKerberosTime : t + d;
      std::array<std::uint8_t, der::kKerberosTimeLength> out{};
      REQUIRE(der::format_kerberos_time(v, out));
      std::int64_t back = 0;
      REQUIRE(der::parse_kerberos_time(out, back));
      REQUIRE(back == v);
    }
  }
}

TEST_CASE("KerberosTime through Reader and Writer", "[der][time]") {
  for (const KnownTime& k : kKnownTimes) {
    DYNAMIC_SECTION(k.text) {
      Bytes expected = tlv(0x18, ascii(k.text));
      der::Writer w;
      w.write_kerberos_time(k.seconds);
      REQUIRE(w.ok());
      CHECK(to_hex(w.bytes(), kHexSpaced) == to_hex(expected, kHexSpaced));

      der::Error err;
      der::Reader r(expected, err);
      std::int64_t seconds = 0;
      REQUIRE(r.read_kerberos_time(seconds));
      CHECK(seconds == k.seconds);
      CHECK(r.finish());
    }
  }
}

TEST_CASE("writer rejects KerberosTime out of range with kInvalidArgument", "[der][time]") {
  for (std::int64_t t :
       {der::kMinKerberosTime - 1, der::kMaxKerberosTime + 1, INT64_MIN, INT64_MAX}) {
    DYNAMIC_SECTION(t) {
      der::Writer w;
      w.sequence([&] { w.write_kerberos_time(t); });
      CHECK_FALSE(w.ok());
      CHECK(w.error() == der::WriteError::kInvalidArgument);
      CHECK(w.bytes().empty());
      CHECK(w.take().empty());
    }
  }
}
