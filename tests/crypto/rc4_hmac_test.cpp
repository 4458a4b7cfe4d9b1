// rc4-hmac (RFC 4757): string-to-key known values, usage mapping, checksum and PRF.
#include <catch2/catch.hpp>

#include <algorithm>

#include <tomcrypt.h>

#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;

namespace {

Policy weak_ok() {
  return Policy::defaults().allow_rc4_hmac();
}

}  // namespace

TEST_CASE("rc4-hmac string-to-key is MD4 of UTF-16LE, the NTLM hash (RFC 4757 §3)",
          "[crypto][rc4]") {
  auto k = Key::from_password(EncType::kRc4Hmac, "password", bytes("ignored salt"), {}, weak_ok());
  REQUIRE(k.ok());
  CHECK(to_hex(k->expose_secret()) == "8846f7eaee8fb117ad06bdd830b7586c");
  k = Key::from_password(EncType::kRc4Hmac, "", {}, {}, weak_ok());
  REQUIRE(k.ok());
  CHECK(to_hex(k->expose_secret()) == "31d6cfe0d16ae931b73c59d7e0c089c0");  // MD4("")

  // Non-ASCII: U+00DF is one UTF-16 unit (DF 00); U+1011E is a surrogate pair (00 D8 1E DD).
  auto utf = Key::from_password(EncType::kRc4Hmac, "\xc3\x9f\xf0\x90\x84\x9e", {}, {}, weak_ok());
  REQUIRE(utf.ok());
  std::uint8_t md4[16];
  hash_state st;
  const std::uint8_t utf16[] = {0xDF, 0x00, 0x00, 0xD8, 0x1E, 0xDD};
  md4_init(&st);
  md4_process(&st, utf16, sizeof(utf16));
  md4_done(&st, md4);
  CHECK(to_hex(utf->expose_secret()) == to_hex(md4));

  auto bad = Key::from_password(EncType::kRc4Hmac, "\xc3", {}, {}, weak_ok());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category() == kerb::ErrorCategory::kInvalidArgument);
  bad = Key::from_password(EncType::kRc4Hmac, "\xed\xa0\x80", {}, {}, weak_ok());  // surrogate
  REQUIRE_FALSE(bad.ok());
  bad = Key::from_password(EncType::kRc4Hmac, "pw", {}, hex("00001000"), weak_ok());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().category() == kerb::ErrorCategory::kInvalidArgument);
}

TEST_CASE("rc4-hmac round trip and Microsoft message-type mapping", "[crypto][rc4]") {
  CountingRandom rng;
  auto key = Key::generate(EncType::kRc4Hmac, rng, weak_ok());
  REQUIRE(key.ok());
  for (std::size_t n : {0u, 1u, 8u, 100u, 4096u}) {
    Bytes pt(n, 0x42);
    Bytes ct(ciphertext_size(EncType::kRc4Hmac, n));
    CHECK(ct.size() == 16 + 8 + n);
    REQUIRE(encrypt(*key, 11, pt, ct, rng).ok());
    Bytes back(n);
    auto r = decrypt(*key, 11, ct, back);
    REQUIRE(r.ok());
    CHECK(back == pt);
  }
  // RFC 4757 §4 (as MIT applies it): usage 3, the AS-REP enc-part, is message type 8.
  Bytes pt = bytes("as-rep");
  Bytes ct(ciphertext_size(EncType::kRc4Hmac, pt.size()));
  REQUIRE(encrypt(*key, 3, pt, ct, rng).ok());
  Bytes back(pt.size());
  CHECK(decrypt(*key, 8, ct, back).ok());
  CHECK(back == pt);
  CHECK_FALSE(decrypt(*key, 7, ct, back).ok());
  // Usage 9 (TGS-REP enc-part under the subkey) also accepts message type 8, which some
  // Windows KDCs use; MIT accepts both. The fallback is one-way and decrypt-only.
  std::fill(back.begin(), back.end(), 0);
  CHECK(decrypt(*key, 9, ct, back).ok());
  CHECK(back == pt);
  Bytes ct9(ct.size());
  REQUIRE(encrypt(*key, 9, pt, ct9, rng).ok());
  CHECK(decrypt(*key, 9, ct9, back).ok());
  CHECK_FALSE(decrypt(*key, 8, ct9, back).ok());
}

TEST_CASE("rc4-hmac hmac-md5 checksum and HMAC-SHA1 PRF", "[crypto][rc4]") {
  auto key = Key::from_bytes(EncType::kRc4Hmac, hex("000102030405060708090a0b0c0d0e0f"), weak_ok());
  REQUIRE(key.ok());
  auto c = ChecksumKey::derive(*key, 17);
  REQUIRE(c.ok());
  CHECK(c->type() == CksumType::kHmacMd5);
  CHECK(c->size() == 16);
  std::uint8_t mac[16];
  REQUIRE(c->make(bytes("message"), mac).ok());
  CHECK(verify_keyed(*key, 17, CksumType::kHmacMd5, bytes("message"), mac).ok());
  CHECK_FALSE(verify_keyed(*key, 15, CksumType::kHmacMd5, bytes("message"), mac).ok());

  // RFC 4757 §5 spelled out with libtomcrypt: Ksign = HMAC(K, "signaturekey\0"),
  // checksum = HMAC(Ksign, MD5(T | data)), T little-endian.
  REQUIRE(register_hash(&md5_desc) >= 0);
  const int md5 = find_hash("md5");
  std::uint8_t ksign[16], tmp[16], expect[16];
  unsigned long len = 16;
  REQUIRE(hmac_memory(md5, key->expose_secret().data(), 16,
                      reinterpret_cast<const unsigned char*>("signaturekey"), 13, ksign,
                      &len) == 0);
  const Bytes tdata = [] {
    Bytes v = {17, 0, 0, 0};
    for (char ch : std::string("message"))
      v.push_back(static_cast<std::uint8_t>(ch));
    return v;
  }();
  hash_state st;
  md5_init(&st);
  md5_process(&st, tdata.data(), tdata.size());
  md5_done(&st, tmp);
  len = 16;
  REQUIRE(hmac_memory(md5, ksign, 16, tmp, 16, expect, &len) == 0);
  CHECK(to_hex(mac) == to_hex(expect));

  // PRF: HMAC-SHA1(K, input), 20 bytes.
  REQUIRE(register_hash(&sha1_desc) >= 0);
  std::uint8_t out[20], want[20];
  auto r = prf(*key, bytes("prf input"), out);
  REQUIRE(r.ok());
  CHECK(*r == 20);
  len = 20;
  REQUIRE(hmac_memory(find_hash("sha1"), key->expose_secret().data(), 16,
                      reinterpret_cast<const unsigned char*>("prf input"), 9, want, &len) == 0);
  CHECK(to_hex(out) == to_hex(want));
}
