// Enctype numbers kerb has no profile for travel through the message codecs unchanged: an
// etype is an Int32 on the wire (RFC 4120 §5.2.9, §5.4.1, §5.2.7.5), and a KDC may list ones
// this build does not implement (99) or Microsoft's negative ones (-128 RC4_MD4, -135
// RC4_HMAC_OLD_EXP). The expected bytes are hand-built DER (X.690 §8.3: two's complement
// INTEGER contents, minimal length).
#include <catch2/catch.hpp>

#include <vector>

#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/padata.hpp>

#include "message_test_util.hpp"

using namespace kerb;

using kerb::test::encode_to_vector;
using kerb::test::hex;
using kerb::test::to_hex;

TEST_CASE("an EncryptedData of an unknown etype decodes and re-encodes unchanged",
          "[messages][enctype]") {
  // SEQUENCE { [0] INTEGER etype, [2] OCTET STRING ab cd }
  const struct {
    const char* der;
    crypto::EncType etype;
  } cases[] = {
      {"300b a003 020163 a204 0402abcd", crypto::EncType{99}},
      {"300b a003 020180 a204 0402abcd", crypto::EncType{-128}},
      {"300c a004 0202ff79 a204 0402abcd", crypto::EncType{-135}},
  };
  for (const auto& c : cases) {
    INFO(c.der);
    const test::Bytes der = hex(c.der);
    Result<EncryptedData> decoded = decode_der<EncryptedData>(der, "EncryptedData");
    REQUIRE(decoded.ok());
    CHECK(decoded->etype == c.etype);
    CHECK(to_hex(encode_to_vector(*decoded)) == to_hex(der));
  }
}

TEST_CASE("an EncryptionKey of an unknown keytype decodes and re-encodes unchanged",
          "[messages][enctype]") {
  // SEQUENCE { [0] INTEGER keytype, [1] OCTET STRING aa }
  const struct {
    const char* der;
    crypto::EncType keytype;
  } cases[] = {
      {"300a a003 020163 a103 0401aa", crypto::EncType{99}},
      {"300a a003 020180 a103 0401aa", crypto::EncType{-128}},
  };
  for (const auto& c : cases) {
    INFO(c.der);
    const test::Bytes der = hex(c.der);
    Result<EncryptionKey> decoded = decode_der<EncryptionKey>(der, "EncryptionKey");
    REQUIRE(decoded.ok());
    CHECK(decoded->keytype == c.keytype);
    CHECK(to_hex(encode_to_vector(*decoded)) == to_hex(der));
  }
}

TEST_CASE("a KDC-REQ-BODY etype list keeps unknown and negative etypes in order",
          "[messages][enctype]") {
  // SEQUENCE OF INTEGER { 18, 99, -128, -135 }
  const test::Bytes der = hex("300d 020112 020163 020180 0202ff79");
  Result<EtypeList> decoded = decode_der<EtypeList>(der, "etype");
  REQUIRE(decoded.ok());
  const std::vector<crypto::EncType> etypes(decoded->begin(), decoded->end());
  CHECK(etypes == std::vector<crypto::EncType>{crypto::EncType{18}, crypto::EncType{99},
                                               crypto::EncType{-128}, crypto::EncType{-135}});
  CHECK(to_hex(encode_to_vector(*decoded)) == to_hex(der));
  // Built from the values rather than the decoded DER, the list encodes to the same bytes.
  CHECK(to_hex(encode_to_vector(EtypeList(etypes))) == to_hex(der));
}

TEST_CASE("ETYPE-INFO2 entries of unknown etypes decode and re-encode unchanged",
          "[messages][enctype]") {
  // SEQUENCE OF ETYPE-INFO2-ENTRY { { [0] 99 }, { [0] -128, [1] "X" } }
  const test::Bytes der = hex("3013 3005 a003020163 300a a003020180 a1031b0158");
  Result<EtypeInfo2> decoded = decode_etype_info2(der);
  REQUIRE(decoded.ok());
  std::vector<EtypeInfo2Entry> entries(decoded->begin(), decoded->end());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].etype == crypto::EncType{99});
  CHECK(entries[1].etype == crypto::EncType{-128});
  REQUIRE(entries[1].salt.has_value());
  CHECK(*entries[1].salt == "X");
  CHECK(to_hex(encode_to_vector(*decoded)) == to_hex(der));
}
