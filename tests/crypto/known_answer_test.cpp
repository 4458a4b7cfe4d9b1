// Known answers the per-profile tests lack: RFC 6803 §10 string-to-key and the last
// Camellia-256 encryption, RFC 6113 §5.1 KRB-FX-CF2 and PRF values as published with MIT's
// t_cf2/t_prf tests, and aes-sha1 encryptions with fixed confounders (MIT t_encrypt style).
#include <catch2/catch.hpp>

#include <kerb/crypto/key.hpp>

#include "test_util.hpp"

using namespace kerb::crypto;
using namespace kerb::crypto::test;

namespace {

#if KERB_WITH_CAMELLIA  // only the RFC 6803 vectors give s2kparams
Bytes iterations(std::uint32_t n) {
  return {static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
          static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
}
#endif

Key password_key(EncType enctype, std::string_view password, Bytes salt, Bytes params = {}) {
  // Iteration counts below the default are what the RFC vectors use.
  Policy policy = Policy::defaults();
  policy.allow_rc4_hmac().allow_weak_s2kparams();
  auto key = Key::from_password(enctype, password, salt, params, policy);
  REQUIRE(key.ok());
  return std::move(key).value();
}

}  // namespace

#if KERB_WITH_CAMELLIA
TEST_CASE("camellia string-to-key: RFC 6803 §10 sample results", "[crypto][camellia][rfc6803]") {
  struct Vector {
    EncType enctype;
    Bytes salt;
    std::uint32_t iterations;
    const char* key;
  };
  const Bytes athena = bytes("ATHENA.MIT.EDUraeburn");
  const Vector vectors[] = {
      {EncType::kCamellia128CtsCmac, athena, 1, "57D0297298FFD9D35DE5A47FB4BDE24B"},
      {EncType::kCamellia128CtsCmac, athena, 2, "73F1B53AA0F310F93B1DE8CCAA0CB152"},
      {EncType::kCamellia128CtsCmac, athena, 1200, "8E571145452855575FD916E7B04487AA"},
      {EncType::kCamellia128CtsCmac, hex("1234567878563412"), 5,
       "00498FD916BFC1C2B1031C170801B381"},
      {EncType::kCamellia256CtsCmac, athena, 1,
       "B9D6828B2056B7BE656D88A123B1FAC68214AC2B727ECF5F69AFE0C4DF2A6D2C"},
      {EncType::kCamellia256CtsCmac, athena, 2,
       "83FC5866E5F8F4C6F38663C65C87549F342BC47ED394DC9D3CD4D163ADE375E3"},
      {EncType::kCamellia256CtsCmac, athena, 1200,
       "77F421A6F25E138395E837E5D85D385B4C1BFD772E112CD9208CE72A530B15E6"},
  };
  for (const Vector& v : vectors) {
    DYNAMIC_SECTION(enctype_name(v.enctype) << " iterations " << v.iterations) {
      Key key = password_key(v.enctype, "password", v.salt, iterations(v.iterations));
      CHECK(to_hex(key.expose_secret()) == to_hex(hex(v.key)));
    }
  }
}

TEST_CASE("camellia256 encryption of 30 bytes: RFC 6803 §10", "[crypto][camellia][rfc6803]") {
  auto key =
      Key::from_bytes(EncType::kCamellia256CtsCmac,
                      hex("CCFCD349BF4C6677E86E4B02B8EAB924A546AC731CF9BF6989B996E7D6BFBBA7"));
  REQUIRE(key.ok());
  FixedRandom confounder(hex("644DEF38DA35007275878D216855E228"));
  const Bytes plain = bytes("30 bytes bytes bytes bytes byt");
  Bytes out(ciphertext_size(EncType::kCamellia256CtsCmac, plain.size()));
  auto n = encrypt(*key, 4, plain, out, confounder);
  REQUIRE(n.ok());
  CHECK(to_hex(out) ==
        to_hex(hex("0E44680985855F2D1F1812529CA83BFD8E349DE6FD9ADA0BAAA048D68E265FEBF34AD1255A34"
                   "4999AD37146887A6C6845731AC7F46376A0504CD06571474")));
}
#endif  // KERB_WITH_CAMELLIA

TEST_CASE("KRB-FX-CF2: RFC 6113 §5.1 values published with MIT's t_cf2", "[crypto][cf2][rfc6113]") {
  // key1 = string-to-key("key1", salt "key1"), key2 likewise; peppers "a" and "b".
  struct Vector {
    EncType enctype;
    const char* result;
  };
  const Vector vectors[] = {
    {EncType::kAes128CtsHmacSha1_96, "97DF97E4B798B29EB31ED7280287A92A"},
    {EncType::kAes256CtsHmacSha1_96,
     "4D6CA4E629785C1F01BAF55E2E548566B9617AE3A96868C337CB93B5E72B1C7B"},
    {EncType::kAes128CtsHmacSha256_128, "EDD02A39D2DBDE31611C16E610BE062C"},
    {EncType::kAes256CtsHmacSha384_192,
     "67F6EA530AEA85A37DCBB23349EA52DCC61CA8493FF557252327FD8304341584"},
#if KERB_WITH_RC4_HMAC
    {EncType::kRc4Hmac, "24D7F6B6BAE4E5C00D2082C5EBAB3672"},
#endif
  };
  for (const Vector& v : vectors) {
    DYNAMIC_SECTION(enctype_name(v.enctype)) {
      Key k1 = password_key(v.enctype, "key1", bytes("key1"));
      Key k2 = password_key(v.enctype, "key2", bytes("key2"));
      auto cf2 = krb_fx_cf2(k1, k2, bytes("a"), bytes("b"));
      REQUIRE(cf2.ok());
      CHECK(cf2->enctype() == v.enctype);
      CHECK(to_hex(cf2->expose_secret()) == to_hex(hex(v.result)));
    }
  }
}

TEST_CASE("aes-sha1 PRF: values published with MIT's t_prf", "[crypto][prf][rfc3962]") {
  std::uint8_t out[16];
  Key k1 = password_key(EncType::kAes128CtsHmacSha1_96, "key1", bytes("key1"));
  REQUIRE(prf(k1, hex("0161"), out).ok());
  CHECK(to_hex(out) == to_hex(hex("77B39A37A868920F2A51F9DD150C5717")));
  Key k2 = password_key(EncType::kAes256CtsHmacSha1_96, "key2", bytes("key2"));
  REQUIRE(prf(k2, hex("0262"), out).ok());
  CHECK(to_hex(out) == to_hex(hex("0D674DD0F9A6806525A4D92E828BD15A")));
}

TEST_CASE("aes-sha1 encryption with fixed confounders (MIT t_encrypt style)",
          "[crypto][aes-sha1][rfc3962]") {
  struct Vector {
    EncType enctype;
    const char* key;
    std::uint32_t usage;
    const char* confounder;
    const char* plain;
    const char* cipher;
  };
  const Vector vectors[] = {
      {EncType::kAes128CtsHmacSha1_96, "9062430C8CDA3388922E6D6A509F5B7A", 2,
       "94B491F481485B9A0678CD3C4EA386AD", "9 bytesss",
       "68FB9679601F45C78857B2BF820FD6E53ECA8D42FD4B1D7024A09205ABB7CD2EC26C355D2F"},
      {EncType::kAes256CtsHmacSha1_96,
       "F1C795E9248A09338D82C3F8D5B567040B0110736845041347235B1404231398", 4,
       "E45CA518B42E266AD98E165E706FFB60", "30 bytes bytes bytes bytes byt",
       "D1137A4D634CFECE924DBC3BF6790648BD5CFF7DE0E7B99460211D0DAEF3D79A295C688858F3B34B9CBD6EE"
       "BAE81DAF6B734D4D498B6714F1C1D"},
  };
  for (const Vector& v : vectors) {
    DYNAMIC_SECTION(enctype_name(v.enctype)) {
      auto key = Key::from_bytes(v.enctype, hex(v.key));
      REQUIRE(key.ok());
      FixedRandom confounder(hex(v.confounder));
      const Bytes plain = bytes(v.plain);
      Bytes out(ciphertext_size(v.enctype, plain.size()));
      REQUIRE(encrypt(*key, v.usage, plain, out, confounder).ok());
      CHECK(to_hex(out) == to_hex(hex(v.cipher)));
      Bytes back(plain.size());
      REQUIRE(decrypt(*key, v.usage, out, back).ok());
      CHECK(back == plain);
    }
  }
}
