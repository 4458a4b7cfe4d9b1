// Building blocks: n-fold (RFC 3961 A.1), modified CRC-32 (RFC 3961 A.5), AES-CTS and PBKDF2
// (RFC 3962 Appendix B), CMAC (RFC 4493 §4), and HMAC/CMAC/PBKDF2 cross-checked against
// libtomcrypt's own (slower) implementations. Camellia and CMAC exist only in a build with
// KERB_WITH_CAMELLIA, and so do their cases.
#include <catch2/catch.hpp>

#include "cts.hpp"
#include "hash.hpp"
#include "kdf.hpp"
#include "mac.hpp"
#include "profile.hpp"
#include "test_util.hpp"

#include <kerb/crypto/checksum.hpp>

using namespace kerb::crypto;
using namespace kerb::crypto::test;
namespace d = kerb::crypto::detail;

namespace {

std::string nfold_hex(std::string_view in, std::size_t bits) {
  Bytes out(bits / 8);
  d::nfold(bytes(in), out);
  return to_hex(out);
}

}  // namespace

TEST_CASE("n-fold: RFC 3961 A.1 vectors", "[crypto][nfold]") {
  CHECK(nfold_hex("012345", 64) == "be072631276b1955");
  CHECK(nfold_hex("password", 56) == "78a07b6caf85fa");
  CHECK(nfold_hex("Rough Consensus, and Running Code", 64) == "bb6ed30870b7f0e0");
  CHECK(nfold_hex("password", 168) == "59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e");
  CHECK(nfold_hex("MASSACHVSETTS INSTITVTE OF TECHNOLOGY", 192) ==
        "db3b0d8f0b061e603282b308a50841229ad798fab9540c1b");
  CHECK(nfold_hex("Q", 168) == "518a54a215a8452a518a54a215a8452a518a54a215");
  CHECK(nfold_hex("ba", 168) == "fb25d531ae8974499f52fd92ea9857c4ba24cf297e");
  CHECK(nfold_hex("kerberos", 64) == "6b65726265726f73");
  CHECK(nfold_hex("kerberos", 128) == "6b65726265726f737b9b5b2b93132b93");
  CHECK(nfold_hex("kerberos", 168) == "8372c236344e5f1550cd0747e15d62ca7a5a3bcea4");
  CHECK(nfold_hex("kerberos", 256) ==
        "6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4");
}

TEST_CASE("crc32: RFC 3961 A.5 modified CRC-32 vectors", "[crypto][checksum]") {
  auto crc = [](const Bytes& in) {
    std::uint8_t out[4];
    auto r = compute_unkeyed(CksumType::kCrc32, in, out);
    REQUIRE(r.ok());
    REQUIRE(*r == 4);
    return to_hex(out);
  };
  CHECK(crc(bytes("foo")) == "33bc3273");
  CHECK(crc(bytes("test0123456789")) == "d6883eb8");
  CHECK(crc(bytes("MASSACHVSETTS INSTITVTE OF TECHNOLOGY")) == "f78041e3");
  CHECK(crc(hex("8000")) == "4b98833b");
  CHECK(crc(hex("0008")) == "3288db0e");
  CHECK(crc(hex("0080")) == "2083b8ed");
  CHECK(crc(hex("80")) == "2083b8ed");
  CHECK(crc(hex("80000000")) == "3bb659ed");
  CHECK(crc(hex("00000001")) == "96300777");
}

TEST_CASE("unkeyed rsa-md5 and sha1 digests", "[crypto][checksum]") {
  std::uint8_t out[20];
  auto r = compute_unkeyed(CksumType::kRsaMd5, bytes("abc"), out);
  REQUIRE(r.ok());
  CHECK(to_hex({out, *r}) == "900150983cd24fb0d6963f7d28e17f72");  // RFC 1321 A.5
  r = compute_unkeyed(CksumType::kSha1, bytes("abc"), out);
  REQUIRE(r.ok());
  CHECK(to_hex({out, *r}) == "a9993e364706816aba3e25717850c26c9cd0d89d");  // FIPS 180 example
}

TEST_CASE("AES-CTS: RFC 3962 Appendix B vectors, both directions, in place", "[crypto][cts]") {
  const Bytes key = hex("63 68 69 63 6b 65 6e 20 74 65 72 69 79 61 6b 69");
  const Bytes input =
      hex("49 20 77 6f 75 6c 64 20 6c 69 6b 65 20 74 68 65 20 47 65 6e 65 72 61 6c 20 47 61 75 27 "
          "73 20 43"
          "68 69 63 6b 65 6e 2c 20 70 6c 65 61 73 65 2c 20 61 6e 64 20 77 6f 6e 74 6f 6e 20 73 6f "
          "75 70 2e");
  struct Vec {
    std::size_t len;
    const char* out;
  };
  const Vec vecs[] = {
      {17, "c6353568f2bf8cb4d8a580362da7ff7f97"},
      {31, "fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5"},
      {32, "39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584"},
      {47,
       "97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98e"
       "bf5"},
      {48,
       "97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98e"
       "bf5a8"},
      {64,
       "97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7"
       "bc8409dad8bbb96c4cdc03bc103e1a194bbd8"},
  };
  d::BlockCipher aes;
  aes.setup(d::BlockCipher::Kind::kAes, key);
  const std::uint8_t iv[16] = {};
  for (const Vec& v : vecs) {
    INFO("length " << v.len);
    Bytes in(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(v.len));
    Bytes out(v.len);
    d::cts_encrypt(aes, iv, in, out);
    CHECK(to_hex(out) == v.out);
    Bytes back(v.len);
    d::cts_decrypt(aes, iv, out, back);
    CHECK(back == in);
    Bytes inplace = in;
    d::cts_encrypt(aes, iv, inplace, inplace);
    CHECK(to_hex(inplace) == v.out);
    d::cts_decrypt(aes, iv, inplace, inplace);
    CHECK(inplace == in);
  }
}

TEST_CASE("CTS round trip at every length from 16 to 80 bytes, AES and Camellia", "[crypto][cts]") {
  const Bytes key = hex("000102030405060708090a0b0c0d0e0f");
  const d::BlockCipher::Kind kinds[] = {
    d::BlockCipher::Kind::kAes,
#if KERB_WITH_CAMELLIA
    d::BlockCipher::Kind::kCamellia,
#endif
  };
  for (auto kind : kinds) {
    d::BlockCipher c;
    c.setup(kind, key);
    const std::uint8_t iv[16] = {};
    for (std::size_t n = 16; n <= 80; ++n) {
      Bytes in(n);
      for (std::size_t i = 0; i < n; ++i)
        in[i] = static_cast<std::uint8_t>(i * 7 + 1);
      Bytes ct(n), pt(n);
      d::cts_encrypt(c, iv, in, ct);
      d::cts_decrypt(c, iv, ct, pt);
      CHECK(pt == in);
      // The split form used by decryption: confounder block apart from the plaintext.
      std::uint8_t conf[16];
      Bytes rest(n - 16);
      d::cts_decrypt_split(c, ct, conf, rest);
      CHECK(Bytes(conf, conf + 16) == Bytes(in.begin(), in.begin() + 16));
      CHECK(rest == Bytes(in.begin() + 16, in.end()));
    }
  }
}

TEST_CASE("PBKDF2-HMAC-SHA1: RFC 3962 Appendix B intermediate outputs", "[crypto][pbkdf2]") {
  struct Vec {
    std::string password;
    Bytes salt;
    std::uint32_t iterations;
    const char* out256;
  };
  const Vec vecs[] = {
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 1,
       "cdedb5281bb2f801565a1122b2563515 0ad1f7a04bb9f3a333ecc0e2e1f70837"},
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 2,
       "01dbee7f4a9e243e988b62c73cda935d a05378b93244ec8f48a99e61ad799d86"},
      {"password", bytes("ATHENA.MIT.EDUraeburn"), 1200,
       "5c08eb61fdf71e4e4ec3cf6ba1f5512b a7e52ddbc5e5142f708a31e2e62b1e13"},
      {"password", hex("1234567878563412"), 5,
       "d1daa78615f287e6a1c8b120d7062a49 3f98d203e6be49a6adf4fa574b6e64ee"},
      {std::string(64, 'X'), bytes("pass phrase equals block size"), 1200,
       "139c30c0966bc32ba55fdbf212530ac9 c5ec59f1a452f5cc9ad940fea0598ed1"},
      {std::string(65, 'X'), bytes("pass phrase exceeds block size"), 1200,
       "9ccad6d468770cd51b10e6a68721be61 1a8b4d282601db3b36be9246915ec82a"},
      {"\xf0\x9d\x84\x9e", bytes("EXAMPLE.COMpianist"), 50,
       "6b9cf26d45455a43a5b8bb276a403b39 e7fe37a0c41e02c281ff3069e1e94f52"},
  };
  for (const Vec& v : vecs) {
    INFO("iterations " << v.iterations << ", password length " << v.password.size());
    Bytes out(32);
    d::pbkdf2(d::HashKind::kSha1, bytes(v.password), {}, v.salt, v.iterations, out);
    CHECK(out == hex(v.out256));
    Bytes out128(16);
    d::pbkdf2(d::HashKind::kSha1, bytes(v.password), {}, v.salt, v.iterations, out128);
    CHECK(out128 == Bytes(out.begin(), out.begin() + 16));
  }
}

#if KERB_WITH_CAMELLIA  // CMAC is RFC 6803's integrity function: built only with Camellia
TEST_CASE("CMAC-AES: RFC 4493 §4 examples", "[crypto][cmac]") {
  d::Cmac cmac;
  cmac.setup(d::BlockCipher::Kind::kAes, hex("2b7e151628aed2a6abf7158809cf4f3c"));
  CHECK(to_hex({cmac.k1, 16}) == "fbeed618357133667c85e08f7236a8de");
  CHECK(to_hex({cmac.k2, 16}) == "f7ddac306ae266ccf90bc11ee46d513b");
  const Bytes m =
      hex("6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
          "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");
  auto mac = [&](std::size_t n) {
    std::uint8_t out[16];
    cmac.mac({std::span<const std::uint8_t>(m.data(), n)}, out);
    return to_hex(out);
  };
  CHECK(mac(0) == "bb1d6929e95937287fa37d129b756746");
  CHECK(mac(16) == "070a16b46b4d4144f79bdd9dd04a287c");
  CHECK(mac(40) == "dfa66747de9ae63030ca32611497c827");
  CHECK(mac(64) == "51f0bebf7e3b9d92fc49741779363cfe");
}
#endif

TEST_CASE("HMAC, CMAC and PBKDF2 agree with libtomcrypt's implementations", "[crypto][hmac]") {
  REQUIRE(register_hash(&sha1_desc) >= 0);
  REQUIRE(register_hash(&sha256_desc) >= 0);
  REQUIRE(register_hash(&sha384_desc) >= 0);
  REQUIRE(register_hash(&md5_desc) >= 0);
#if KERB_WITH_CAMELLIA
  REQUIRE(register_cipher(&aes_desc) >= 0);
  REQUIRE(register_cipher(&camellia_desc) >= 0);
#endif
  Bytes data(300);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(i * 13 + 5);
  struct H {
    d::HashKind kind;
    const char* name;
  };
  for (H h : {H{d::HashKind::kSha1, "sha1"}, H{d::HashKind::kSha256, "sha256"},
              H{d::HashKind::kSha384, "sha384"}, H{d::HashKind::kMd5, "md5"}}) {
    const int idx = find_hash(h.name);
    REQUIRE(idx >= 0);
    for (std::size_t keylen : {1u, 16u, 64u, 129u, 200u}) {  // libtomcrypt refuses empty keys
      for (std::size_t len : {0u, 1u, 63u, 64u, 65u, 127u, 128u, 129u, 300u}) {
        INFO(h.name << " key " << keylen << " data " << len);
        d::Hmac mine;
        mine.setup(h.kind, {data.data(), keylen});
        std::uint8_t a[64], b[64];
        mine.mac({{data.data(), len / 2}, {data.data() + len / 2, len - len / 2}}, a);
        unsigned long blen = sizeof(b);
        REQUIRE(hmac_memory(idx, data.data(), keylen, data.data(), len, b, &blen) == CRYPT_OK);
        CHECK(to_hex({a, blen}) == to_hex({b, blen}));
      }
    }
    Bytes mine(70), theirs(70);
    d::pbkdf2(h.kind, bytes("secret"), bytes("pre"), bytes("fix"), 7, mine);
    unsigned long tlen = theirs.size();
    REQUIRE(pkcs_5_alg2(reinterpret_cast<const unsigned char*>("secret"), 6,
                        reinterpret_cast<const unsigned char*>("prefix"), 6, 7, idx, theirs.data(),
                        &tlen) == CRYPT_OK);
    CHECK(mine == theirs);
  }
#if KERB_WITH_CAMELLIA
  for (auto [kind, name] : {std::pair{d::BlockCipher::Kind::kAes, "aes"},
                            std::pair{d::BlockCipher::Kind::kCamellia, "camellia"}}) {
    const int idx = find_cipher(name);
    REQUIRE(idx >= 0);
    for (std::size_t keylen : {16u, 32u}) {
      d::Cmac mine;
      mine.setup(kind, {data.data(), keylen});
      for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 32u, 33u, 300u}) {
        INFO(name << " key " << keylen << " data " << len);
        std::uint8_t a[16], b[16];
        // Split unevenly to exercise the incremental buffering.
        mine.mac({{data.data(), len / 3}, {data.data() + len / 3, len - len / 3}}, a);
        unsigned long blen = sizeof(b);
        REQUIRE(omac_memory(idx, data.data(), keylen, data.data(), len, b, &blen) == CRYPT_OK);
        CHECK(to_hex(a) == to_hex(b));
      }
    }
  }
#endif
}

TEST_CASE("constant_time_equal and SecretBytes", "[crypto][secret]") {
  const Bytes a = hex("0102030405");
  CHECK(constant_time_equal(a, a));
  CHECK_FALSE(constant_time_equal(a, hex("0102030406")));
  CHECK_FALSE(constant_time_equal(a, hex("01020304")));
  CHECK(constant_time_equal({}, {}));

  SecretBytes<8> s;
  CHECK(s.assign(hex("aabbcc")));
  CHECK_FALSE(s.assign(Bytes(9)));
  CHECK(to_hex(s.view()) == "aabbcc");  // a failed assign leaves the old value
  SecretBytes<8> moved(std::move(s));
  CHECK(to_hex(moved.view()) == "aabbcc");
  CHECK(s.empty());  // NOLINT(bugprone-use-after-move): moved-from secrets are wiped
  std::uint8_t buf[4] = {1, 2, 3, 4};
  secure_wipe(buf);
  CHECK(to_hex(buf) == "00000000");
}
