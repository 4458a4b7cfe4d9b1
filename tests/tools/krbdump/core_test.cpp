// krbdump's core: format detection, text forms, the trees of RFC 4120 messages, the generic
// DER tree, the credential file formats, the renderers and the exit status. Expected values
// come from MIT's reference encodings (src/tests/asn.1, whose sample values are those of
// MIT's ktest.c), MIT's file format descriptions, RFC 4648's test vectors, X.690 and GNU date.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dump.hpp"
#include "hex_bytes.hpp"
#include "input.hpp"
#include "keys.hpp"
#include "names.hpp"
#include "tree.hpp"

namespace {

using namespace krbdump;
using kerb::test::Bytes;

// One encoding of MIT's src/tests/asn.1/reference_encode.out (tests/data copy).
Bytes mit_reference(std::string_view name) {
  std::ifstream in(KERB_MIT_REFERENCE_ENCODE);
  REQUIRE(in.good());
  std::string line;
  const std::string prefix = std::string(name) + ": ";
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0) return kerb::test::hex(line.substr(prefix.size()));
  FAIL("no reference encoding " << name);
  return {};
}

struct Dumped {
  std::string text;
  int status;
  std::string error;
};

Dumped run(const Bytes& input, DumpOptions options = {}) {
  KeyRing keys;
  DumpResult r = dump(input, "in", keys, options);
  return {render_text(r.tree, options.render), r.status, r.error};
}

bool has_line(const std::string& text, std::string_view line) {
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    const std::size_t start = l.find_first_not_of(' ');
    if (start != std::string::npos && std::string_view(l).substr(start) == line) return true;
  }
  return false;
}

void append_be(Bytes& out, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void append_native32(Bytes& out, std::uint32_t v) {
  const std::uint16_t probe = 1;
  const bool little = *reinterpret_cast<const std::uint8_t*>(&probe) == 1;
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<std::uint8_t>(v >> (8 * (little ? i : 3 - i))));
}

}  // namespace

TEST_CASE("iso_time: ISO 8601 UTC across the KerberosTime range") {
  // Expected values: GNU date -u -d @N +%Y-%m-%dT%H:%M:%SZ.
  CHECK(iso_time(0) == "1970-01-01T00:00:00Z");
  CHECK(iso_time(951782400) == "2000-02-29T00:00:00Z");
  CHECK(iso_time(1234567890) == "2009-02-13T23:31:30Z");
  CHECK(iso_time(253402300799) == "9999-12-31T23:59:59Z");
  CHECK(iso_time(-62167219200) == "0000-01-01T00:00:00Z");
}

TEST_CASE("detect: formats told apart by their content") {
  // MIT ccache_file_format.txt: 0x0503/0x0504; keytab_file_format.txt: 0x0502; libpcap's
  // magic a1b2c3d4; pcapng's Section Header Block type 0a0d0d0a.
  CHECK(detect(Bytes{0x05, 0x04, 0x00, 0x00}) == Format::kCcache);
  CHECK(detect(Bytes{0x05, 0x03, 0x00, 0x00}) == Format::kCcache);
  CHECK(detect(Bytes{0x05, 0x02, 0x00, 0x00}) == Format::kKeytab);
  CHECK(detect(Bytes{0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00}) == Format::kPcap);
  CHECK(detect(Bytes{0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a}) ==
        Format::kPcap);
  CHECK(detect(mit_reference("encode_krb5_cred")) == Format::kKrbCred);
  CHECK(detect(mit_reference("encode_krb5_as_req")) == Format::kDer);
  // Lowercase hex starts with octets that are also [APPLICATION n] tags: text wins.
  CHECK(detect(Bytes{'6', 'a', '8', '2'}) == Format::kText);
  CHECK(detect(Bytes{'a', 'b', 'c', 'd'}) == Format::kText);
  CHECK_FALSE(detect(Bytes{0xff, 0x00, 0x13}).has_value());
}

TEST_CASE("decode_text: hex, base64 and Negotiate header lines") {
  const auto one = [](std::string_view s) {
    auto blobs = decode_text(Bytes(s.begin(), s.end()));
    REQUIRE(blobs);
    REQUIRE(blobs->size() == 1);
    return (*blobs)[0];
  };
  // RFC 4648 §10: BASE64("foobar") = "Zm9vYmFy"; padding optional, URL-safe alphabet too.
  CHECK(one("Zm9vYmFy\n").bytes == Bytes{'f', 'o', 'o', 'b', 'a', 'r'});
  CHECK(one("Zm9vYg==").bytes == Bytes{'f', 'o', 'o', 'b'});
  CHECK(one("Zm9vYg").bytes == Bytes{'f', 'o', 'o', 'b'});
  CHECK(one("_-8").bytes == Bytes{0xff, 0xef});
  CHECK(one("30:11 a0\n03").form == "hex");
  CHECK(one("30:11 a0\n03").bytes == Bytes{0x30, 0x11, 0xa0, 0x03});
  const std::string headers =
      "Authorization: Negotiate Zm9vYmFy\r\nWWW-Authenticate: Negotiate Zm9vYg==\r\n";
  auto blobs = decode_text(Bytes(headers.begin(), headers.end()));
  REQUIRE(blobs);
  REQUIRE(blobs->size() == 2);
  CHECK((*blobs)[0].bytes == Bytes{'f', 'o', 'o', 'b', 'a', 'r'});
  CHECK((*blobs)[1].form == "negotiate header, line 2");
  std::string why;
  const std::string bad = "Negotiate Zm9v!mFy";
  CHECK_FALSE(decode_text(Bytes(bad.begin(), bad.end()), &why));
  CHECK(why.find("at offset 14") != std::string::npos);
}

TEST_CASE("dump: KRB-ERROR fields by their RFC names (MIT reference encoding)") {
  const Dumped d = run(mit_reference("encode_krb5_error"));
  CHECK(d.status == 0);
  CHECK(has_line(d.text, "msg-type: KRB_ERROR (30)"));
  CHECK(has_line(d.text, "ctime: 1994-06-10T06:03:17Z"));
  CHECK(has_line(d.text, "cusec: 123456"));
  CHECK(has_line(d.text,
                 "error-code: KRB_ERR_GENERIC (60)  [Generic error (description in e-text)]"));
  CHECK(has_line(d.text, "cname: hftsai/extra@ATHENA.MIT.EDU"));
  CHECK(has_line(d.text, "name-type: NT-PRINCIPAL (1)"));
  CHECK(has_line(d.text, "e-text: krb5data"));
  CHECK(has_line(d.text, "e-data: 6b72623564617461"));
}

TEST_CASE("dump: AS-REQ body, flags and enctypes (MIT reference encoding)") {
  const Dumped d = run(mit_reference("encode_krb5_as_req"));
  CHECK(has_line(d.text, "msg-type: KRB_AS_REQ (10)"));
  // 0xFEDCBA90 sets bits 0-6, 8, 9, 11-13, 16, 18-20, 22, 24, 27 (RFC 4120 §5.4.1 names them).
  CHECK(has_line(d.text,
                 "kdc-options: 0xfedcba90 (reserved, forwardable, forwarded, proxiable, "
                 "proxy, allow-postdate, postdated, renewable, bit 9, opt-hardware-auth, "
                 "bit 12, bit 13, request-anonymous, bit 18, bit 19, bit 20, bit 22, "
                 "bit 24, renewable-ok)"));
  CHECK(has_line(d.text, "nonce: 42"));
  CHECK(has_line(d.text, "till: 1994-06-10T06:03:17Z"));
  CHECK(has_line(d.text, "EncryptionType: des-cbc-crc (1)"));
  CHECK(has_line(d.text, "padata-type: PA-SAM-RESPONSE (13)"));
  CHECK(has_line(d.text, "HostAddress: 18.208.0.35"));
  // Its enc-authorization-data and additional tickets cannot be opened without keys.
  CHECK(d.status == 1);
}

TEST_CASE("dump: malformed input is one line with a byte offset and status 2") {
  Bytes truncated = mit_reference("encode_krb5_as_req");
  truncated.resize(100);
  Dumped d = run(truncated);
  CHECK(d.status == 2);
  // The outer [APPLICATION 10] length octets (offset 1) promise 484 bytes; 97 follow them.
  CHECK(d.error == "in: AS-REQ: length beyond the input at offset 1");

  d = run(Bytes{0xff, 0xfe, 0x00});
  CHECK(d.status == 2);
  CHECK(d.error == "in: not a format krbdump knows (first byte 0xff) at offset 0");

  d = run(Bytes{});
  CHECK(d.status == 2);
  CHECK(d.error == "in: empty input at offset 0");
}

TEST_CASE("dump --der: tag, length and offset of every element (X.690)") {
  DumpOptions options;
  options.der = true;
  // EncryptionKey { keytype [0] 1, keyvalue [1] "12345678" }.
  const Dumped d = run(mit_reference("encode_krb5_keyblock"), options);
  CHECK(d.status == 0);
  CHECK(has_line(d.text, "SEQUENCE: [offset 0, header 2, length 17]"));
  CHECK(has_line(d.text, "[0]: [offset 2, header 2, length 3]"));
  CHECK(has_line(d.text, "INTEGER: 1  [offset 4, header 2, length 1]"));
  CHECK(has_line(d.text, "OCTET STRING: 3132333435363738  [offset 9, header 2, length 8]"));
  // A length running past its container: where the element starts.
  const Dumped bad = run(Bytes{0x30, 0x03, 0x02, 0x05, 0x01}, options);
  CHECK(bad.status == 2);
  CHECK(bad.error == "in: DER: element of 5 bytes runs past the end of its container at offset 2");
}

TEST_CASE("dump: ccache file format versions 1 to 4") {
  // MIT ccache_file_format.txt: v1/v2 integers in native order, v1 principals without a name
  // type and with the realm counted among the components; v4 has a header of tagged fields.
  const auto principal = [](Bytes& out, int version) {
    const auto u32 = [&](std::uint32_t v) {
      version <= 2 ? append_native32(out, v) : append_be(out, v, 4);
    };
    if (version != 1) u32(1);  // name type NT-PRINCIPAL
    u32(version == 1 ? 2 : 1);
    u32(1);
    out.push_back('R');
    u32(5);
    for (char c : std::string("alice"))
      out.push_back(static_cast<std::uint8_t>(c));
  };
  for (int version = 1; version <= 4; ++version) {
    Bytes cc{0x05, static_cast<std::uint8_t>(version)};
    if (version == 4) {
      append_be(cc, 12, 2);  // header length
      append_be(cc, 1, 2);   // tag 1: DeltaTime
      append_be(cc, 8, 2);
      append_be(cc, 0xFFFFFFFF, 4);  // time_offset -1
      append_be(cc, 7, 4);           // usec_offset
    }
    principal(cc, version);
    // 05 01 and 05 02 also start keytabs: detection takes the format that parses.
    const Dumped d = run(cc);
    INFO("version " << version << "\n" << d.text << d.error);
    CHECK(d.status == 0);
    CHECK(has_line(d.text, "default-principal: alice@R"));
    CHECK(d.text.find("file-format-version: 0x050" + std::to_string(version)) != std::string::npos);
    if (version == 4) {
      CHECK(has_line(d.text, "time_offset: -1"));
      CHECK(has_line(d.text, "usec_offset: 7"));
    }
  }
}

TEST_CASE("dump: keytab version 2 entry, and 05 02 told apart from a ccache by parsing") {
  // MIT keytab_file_format.txt, version 2: size, count, realm, components, name type,
  // timestamp, 8-bit vno, keyblock (16-bit enctype, 16-bit length, contents), 32-bit vno.
  Bytes entry;
  append_be(entry, 1, 2);
  append_be(entry, 1, 2);
  entry.push_back('R');
  append_be(entry, 5, 2);
  for (char c : std::string("alice"))
    entry.push_back(static_cast<std::uint8_t>(c));
  append_be(entry, 1, 4);           // NT-PRINCIPAL
  append_be(entry, 1234567890, 4);  // timestamp
  entry.push_back(3);               // vno8
  append_be(entry, 17, 2);          // aes128-cts-hmac-sha1-96
  append_be(entry, 16, 2);
  for (int i = 0; i < 16; ++i)
    entry.push_back(static_cast<std::uint8_t>(i));
  Bytes kt{0x05, 0x02};
  append_be(kt, entry.size(), 4);
  kt.insert(kt.end(), entry.begin(), entry.end());
  const Dumped d = run(kt);
  INFO(d.text << d.error);
  CHECK(d.status == 0);
  CHECK(has_line(d.text, "keytab:"));
  CHECK(has_line(d.text, "principal: alice@R"));
  CHECK(has_line(d.text, "timestamp: 2009-02-13T23:31:30Z"));
  CHECK(has_line(d.text, "vno: 3"));
  CHECK(has_line(d.text, "keytype: aes128-cts-hmac-sha1-96 (17)"));
}

TEST_CASE("render: bytes shortened past the limit unless --full, JSON schema 1") {
  Node root{"in", {}, "object", {}, {}};
  root.add("cipher", std::string(80, 'a'), "bytes");  // 40 bytes
  root.add("nonce", "42", "int");
  root.add("error-code", "KDC_ERR_PREAUTH_REQUIRED (25)", "enum");
  root.add("flags", "0x40000000 (forwardable)", "flags");
  root.add("e-text", "a\"b\\c\x01", "string").note = "n";
  RenderOptions options;
  const std::string text = render_text(root, options);
  CHECK(has_line(text, "cipher: " + std::string(64, 'a') + "... (40 bytes, --full shows all)"));
  options.full = true;
  CHECK(has_line(render_text(root, options), "cipher: " + std::string(80, 'a')));
  options.full = false;
  // RFC 8259 §7: quotation mark, reverse solidus and control characters are escaped.
  CHECK(render_json({root}, options) ==
        "{\"krbdump\":1,\"inputs\":[{\"name\":\"in\",\"kind\":\"object\",\"children\":["
        "{\"name\":\"cipher\",\"kind\":\"bytes\",\"value\":\"" +
            std::string(64, 'a') +
            "\",\"length\":40,\"truncated\":true},"
            "{\"name\":\"nonce\",\"kind\":\"int\",\"value\":42},"
            "{\"name\":\"error-code\",\"kind\":\"enum\",\"value\":25,\"label\":"
            "\"KDC_ERR_PREAUTH_REQUIRED\"},"
            "{\"name\":\"flags\",\"kind\":\"flags\",\"value\":\"0x40000000\",\"flags\":"
            "[\"forwardable\"]},"
            "{\"name\":\"e-text\",\"kind\":\"string\",\"value\":\"a\\\"b\\\\c\\u0001\",\"note\":"
            "\"n\"}]}]}\n");
}

TEST_CASE("dump: more fields than krbdump builds is malformed input, with its offset") {
  // SEQUENCE (4-octet length) of 1,000,001 empty OCTET STRINGs: the DER node, the SEQUENCE and
  // 999,998 strings fill the budget of kMaxNodes; the next is built into nothing, and the one
  // after it (index 999,999, at 6 + 2 * 999,999) is where the walk stops.
  const std::size_t count = 1'000'001;
  Bytes input{0x30, 0x84};
  append_be(input, 2 * count, 4);
  for (std::size_t i = 0; i < count; ++i) {
    input.push_back(0x04);
    input.push_back(0x00);
  }
  DumpOptions options;
  options.der = true;
  const Dumped d = run(input, options);
  CHECK(d.status == 2);
  CHECK(d.error ==
        "in: DER: more than 1000000 elements to show (krbdump's limit) at offset 2000004");
}

TEST_CASE("checksum_type_name: RFC 3961 §8's names, sha1 told apart, GSS's 0x8003") {
  // RFC 3961 §8 (1-16, both 10 and 14 "sha1 (unkeyed)": the trees say plain "sha1" for 14),
  // RFC 6803 §9 (17, 18), RFC 8009 §7 (19, 20), RFC 4757 §5 (-138), RFC 4121 §4.1.1 (0x8003).
  const std::pair<std::int64_t, std::string_view> expected[] = {
      {1, "CRC32"},
      {2, "rsa-md4"},
      {3, "rsa-md4-des"},
      {4, "des-mac"},
      {5, "des-mac-k"},
      {6, "rsa-md4-des-k"},
      {7, "rsa-md5"},
      {8, "rsa-md5-des"},
      {9, "rsa-md5-des3"},
      {10, "sha1 (unkeyed)"},
      {12, "hmac-sha1-des3-kd"},
      {13, "hmac-sha1-des3"},
      {14, "sha1"},
      {15, "hmac-sha1-96-aes128"},
      {16, "hmac-sha1-96-aes256"},
      {17, "cmac-camellia128"},
      {18, "cmac-camellia256"},
      {19, "hmac-sha256-128-aes128"},
      {20, "hmac-sha384-192-aes256"},
      {0x8003, "GSS-API checksum (RFC 4121 §4.1.1)"},
      {-138, "hmac-md5"},
  };
  for (const auto& [number, name] : expected) {
    INFO(number);
    CHECK(checksum_type_name(number) == name);
  }
  for (std::int64_t unnamed : {std::int64_t{0}, std::int64_t{11}, std::int64_t{21},
                               std::int64_t{0x8003} + (std::int64_t{1} << 32)}) {
    INFO(unnamed);
    CHECK(checksum_type_name(unnamed).empty());
  }
}
