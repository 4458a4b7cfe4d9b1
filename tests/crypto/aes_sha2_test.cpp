// aes128-cts-hmac-sha256-128 and aes256-cts-hmac-sha384-192: RFC 8009 Appendix A vectors.
#include <catch2/catch.hpp>

#include "kdf.hpp"
#include "profile.hpp"
#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;
namespace d = kerb::crypto::detail;

namespace {

constexpr EncType k128 = EncType::kAes128CtsHmacSha256_128;
constexpr EncType k256 = EncType::kAes256CtsHmacSha384_192;

const char* const kBase128 = "3705D96080C17728A0E800EAB6E0D23C";
const char* const kBase256 = "6D404D37FAF79F9DF0D33568D320669800EB4836472EA8A026D16B7182460C52";

Key key_of(EncType e, const char* hexkey) {
  auto k = Key::from_bytes(e, hex(hexkey));
  REQUIRE(k.ok());
  return *k;
}

std::string derived(EncType e, const char* base, std::uint8_t tag, std::size_t size) {
  const auto& p = d::profile_of(*find_enctype(e));
  std::uint8_t constant[5] = {0, 0, 0, 2, tag};  // usage 2
  Bytes out(size);
  p.derive_key(p, hex(base), d::Bytes(constant, 5), out);
  return to_hex(out);
}

}  // namespace

TEST_CASE("aes-sha2 string-to-key: RFC 8009 Appendix A", "[crypto][aes-sha2][rfc8009]") {
  // Salt: 16 random bytes followed by "ATHENA.MIT.EDUraeburn"; 32768 iterations (the default).
  Bytes salt = hex("10DF9DD783E5BC8ACEA1730E74355F61");
  Bytes realm = bytes("ATHENA.MIT.EDUraeburn");
  salt.insert(salt.end(), realm.begin(), realm.end());
  auto k1 = Key::from_password(k128, "password", salt, hex("00008000"));
  REQUIRE(k1.ok());
  CHECK(to_hex(k1->expose_secret()) == to_hex(hex("089BCA48B105EA6EA77CA5D2F39DC5E7")));
  auto k2 = Key::from_password(k256, "password", salt);  // default s2kparams = 32768
  REQUIRE(k2.ok());
  CHECK(to_hex(k2->expose_secret()) ==
        to_hex(hex("45BD806DBF6A833A9CFFC1C94589A222367A79BC21C4137189 06E9F578A78467")));
}

TEST_CASE("aes-sha2 key derivation: RFC 8009 Appendix A, usage 2", "[crypto][aes-sha2][rfc8009]") {
  CHECK(derived(k128, kBase128, 0x99, 16) == to_hex(hex("B31A018A48F54776F403E9A396325DC3")));
  CHECK(derived(k128, kBase128, 0xAA, 16) == to_hex(hex("9B197DD1E8C5609D6E67C3E37C62C72E")));
  CHECK(derived(k128, kBase128, 0x55, 16) == to_hex(hex("9FDA0E56AB2D85E1569A688696C26A6C")));
  CHECK(derived(k256, kBase256, 0x99, 24) ==
        to_hex(hex("EF5718BE86CC84963D8BBB5031E9F5C4BA41F28FAF69E73D")));
  CHECK(derived(k256, kBase256, 0xAA, 32) ==
        to_hex(hex("56AB22BEE63D82D7BC5227F6773F8EA7A5EB1C825160C38312980C442E5C7E49")));
  CHECK(derived(k256, kBase256, 0x55, 24) ==
        to_hex(hex("69B16514E3CD8E56B82010D5C73012B622C4D00FFC23ED1F")));
}

TEST_CASE("aes-sha2 PRF: RFC 8009 Appendix A", "[crypto][aes-sha2][rfc8009]") {
  std::uint8_t out[48];
  auto r = prf(key_of(k128, kBase128), bytes("test"), out);
  REQUIRE(r.ok());
  REQUIRE(*r == 32);
  CHECK(to_hex({out, 32}) ==
        to_hex(hex("9D188616F63852FE86915BB840B4A886FF3E6BB0F819B49B893393D393854295")));
  r = prf(key_of(k256, kBase256), bytes("test"), out);
  REQUIRE(r.ok());
  REQUIRE(*r == 48);
  CHECK(to_hex({out, 48}) ==
        to_hex(hex("9801F69A368C2BF675E59521E177D9A07F67EFE1CFDE8D3C8D6F6A0256E3B17D"
                   "B3C1B62AD1B8553360D17367EB1514D2")));
}

TEST_CASE("aes-sha2 encryption: RFC 8009 Appendix A sample encryptions",
          "[crypto][aes-sha2][rfc8009]") {
  struct Vec {
    EncType e;
    const char* plaintext;
    const char* confounder;
    const char* ciphertext;  // AES output | truncated HMAC output
  };
  const Vec vecs[] = {
      {k128, "", "7E5895EAF2672435BAD817F545A37148",
       "EF85FB890BB8472F4DAB20394DCA781DAD877EDA39D50C870C0D5A0A8E48C718"},
      {k128, "000102030405", "7BCA285E2FD4130FB55B1A5C83BC5B24",
       "84D7F30754ED987BAB0BF3506BEB09CFB55402CEF7E6877CE99E247E52D16ED4421DFDF8976C"},
      {k128, "000102030405060708090A0B0C0D0E0F", "56AB21713FF62C0A1457200F6FA9948F",
       "3517D640F50DDC8AD3628722B3569D2AE07493FA8263254080EA65C1008E8FC295FB4852E7D83E1E7C48C37EEBE"
       "6B0D3"},
      {k128, "000102030405060708090A0B0C0D0E0F1011121314", "A7A4E29A4728CE10664FB64E49AD3FAC",
       "720F73B18D9859CD6CCB4346115CD336C70F58EDC0C4437C5573544C31C813BCE1E6D072C186B39A413C2F92CA9"
       "B8334A287FFCBFC"},
      {k256, "", "F764E9FA15C276478B2C7D0C4E5F58E4",
       "41F53FA5BFE7026D91FAF9BE959195A058707273A96A40F0A01960621AC612748B9BBFBE7EB4CE3C"},
      {k256, "000102030405", "B80D3251C1F6471494256FFE712D0B9A",
       "4ED7B37C2BCAC8F74F23C1CF07E62BC7B75FB3F637B9F559C7F664F69EAB7B6092237526EA0D1F61CB20D69D10F"
       "2"},
      {k256, "000102030405060708090A0B0C0D0E0F", "53BF8A0D105265D4E276428624CE5E63",
       "BC47FFEC7998EB91E8115CF8D19DAC4BBBE2E163E87DD37F49BECA92027764F68CF51F14D798C2273F35DF574D1"
       "F932E40C4FF255B36A266"},
      {k256, "000102030405060708090A0B0C0D0E0F1011121314", "763E65367E864F02F55153C7E3B58AF1",
       "40013E2DF58E8751957D2878BCD2D6FE101CCFD556CB1EAE79DB3C3EE86429F2B2A602AC86FEF6ECB647D6295FA"
       "E077A1FEB517508D2C16B4192E01F62"},
  };
  for (const Vec& v : vecs) {
    INFO(enctype_name(v.e) << " plaintext " << v.plaintext);
    Key key = key_of(v.e, v.e == k128 ? kBase128 : kBase256);
    auto u = UsageKey::derive(key, 2);
    REQUIRE(u.ok());
    const Bytes pt = hex(v.plaintext);
    Bytes ct(u->ciphertext_size(pt.size()));
    FixedRandom rng(hex(v.confounder));
    auto w = u->encrypt(pt, ct, rng);
    REQUIRE(w.ok());
    CHECK(to_hex(ct) == to_hex(hex(v.ciphertext)));
    Bytes back(pt.size());
    auto r = u->decrypt(hex(v.ciphertext), back);
    REQUIRE(r.ok());
    CHECK(back == pt);
  }
}

TEST_CASE("aes-sha2 checksums: RFC 8009 Appendix A sample checksums",
          "[crypto][aes-sha2][rfc8009]") {
  const Bytes data = hex("000102030405060708090A0B0C0D0E0F1011121314");
  std::uint8_t out[24];
  auto r = make_checksum(key_of(k128, kBase128), 2, data, out);
  REQUIRE(r.ok());
  REQUIRE(*r == 16);
  CHECK(to_hex({out, 16}) == to_hex(hex("D78367186643D67B411CBA9139FC1DEE")));
  CHECK(verify_keyed(key_of(k128, kBase128), 2, CksumType::kHmacSha256_128Aes128, data,
                     std::span<const std::uint8_t>(out, 16))
            .ok());
  r = make_checksum(key_of(k256, kBase256), 2, data, out);
  REQUIRE(r.ok());
  REQUIRE(*r == 24);
  CHECK(to_hex({out, 24}) == to_hex(hex("45EE791567EEFCA37F4AC1E0222DE80D43C3BFA06699672A")));
}
