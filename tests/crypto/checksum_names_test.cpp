// Checksum type names and numbers, written out from the documents that assign them: RFC 3961
// §8's table (1-16; it names both 10 and 14 "sha1 (unkeyed)" and reserves 0x8003 for GSS),
// RFC 3962 §7 (15, 16), RFC 6803 §9 (17, 18), RFC 8009 §7 (19, 20) and RFC 4757 §5 (-138,
// KERB_CHECKSUM_HMAC_MD5).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

#include <kerb/crypto/checksum.hpp>

using namespace kerb::crypto;

namespace {

struct Row {
  std::int32_t number;
  std::string_view name;
};

constexpr Row kRegistry[] = {
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
    {14, "sha1 (unkeyed)"},
    {15, "hmac-sha1-96-aes128"},
    {16, "hmac-sha1-96-aes256"},
    {17, "cmac-camellia128"},
    {18, "cmac-camellia256"},
    {19, "hmac-sha256-128-aes128"},
    {20, "hmac-sha384-192-aes256"},
    {-138, "hmac-md5"},
};

std::string_view expected(std::int32_t number) {
  for (const Row& r : kRegistry)
    if (r.number == number) return r.name;
  return {};
}

}  // namespace

TEST_CASE("checksum_type_name: every registry entry by its RFC name", "[crypto][checksum]") {
  for (const Row& r : kRegistry) {
    INFO(r.number);
    CHECK(checksum_type_name(r.number) == r.name);
    CHECK(checksum_name(static_cast<CksumType>(r.number)) == r.name);
  }
}

TEST_CASE("checksum_type_name: no number outside the registry has a name", "[crypto][checksum]") {
  // 0 is invalid (RFC 3961 §8), 11 unassigned, 0x8003 the GSS authenticator record of RFC 4121
  // §4.1.1 rather than a checksum algorithm; the sweep covers every other nearby number.
  std::vector<std::int32_t> named_outside;
  for (std::int32_t n = -300; n <= 0x8100; ++n) {
    if (expected(n).empty() && !checksum_type_name(n).empty()) named_outside.push_back(n);
  }
  CHECK(named_outside.empty());
  CHECK(checksum_name(CksumType::kNone) == "none");
  CHECK(checksum_name(static_cast<CksumType>(0x8003)) == "unknown");
}

TEST_CASE("CksumType: the enumerators carry the registry numbers", "[crypto][checksum]") {
  CHECK(static_cast<std::int32_t>(CksumType::kCrc32) == 1);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd4) == 2);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd4Des) == 3);
  CHECK(static_cast<std::int32_t>(CksumType::kDesMac) == 4);
  CHECK(static_cast<std::int32_t>(CksumType::kDesMacK) == 5);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd4DesK) == 6);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd5) == 7);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd5Des) == 8);
  CHECK(static_cast<std::int32_t>(CksumType::kRsaMd5Des3) == 9);
  CHECK(static_cast<std::int32_t>(CksumType::kSha1Other) == 10);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha1Des3Kd) == 12);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha1Des3) == 13);
  CHECK(static_cast<std::int32_t>(CksumType::kSha1) == 14);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha1_96Aes128) == 15);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha1_96Aes256) == 16);
  CHECK(static_cast<std::int32_t>(CksumType::kCmacCamellia128) == 17);
  CHECK(static_cast<std::int32_t>(CksumType::kCmacCamellia256) == 18);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha256_128Aes128) == 19);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacSha384_192Aes256) == 20);
  CHECK(static_cast<std::int32_t>(CksumType::kHmacMd5) == -138);
}

TEST_CASE("ChecksumInfo: the implemented checksums carry the registry names",
          "[crypto][checksum]") {
  for (const Row& r : kRegistry) {
    if (const ChecksumInfo* info = find_checksum(static_cast<CksumType>(r.number))) {
      INFO(r.number);
      CHECK(info->name == r.name);
    }
  }
}
