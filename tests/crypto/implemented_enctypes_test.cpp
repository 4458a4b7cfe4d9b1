// kImplementedEnctypes per build flavour, so a loop over it (tamper, PRF, GSS establish tests)
// cannot lose an enctype silently. The expected lists are written out from the RFCs' etype
// numbers (RFC 3961 §8 registry; RFC 3962 §7; RFC 8009 §7; RFC 6803 §9; RFC 4757 §3).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include <kerb/crypto/enctype.hpp>

using namespace kerb::crypto;

namespace {

// aes128-cts-hmac-sha1-96 17, aes256-cts-hmac-sha1-96 18 (RFC 3962);
// aes128-cts-hmac-sha256-128 19, aes256-cts-hmac-sha384-192 20 (RFC 8009);
// camellia128-cts-cmac 25, camellia256-cts-cmac 26 (RFC 6803); rc4-hmac 23 (RFC 4757).
#if KERB_WITH_CAMELLIA && KERB_WITH_RC4_HMAC
// The default flavour: every optional enctype built.
constexpr std::int32_t kExpected[] = {17, 18, 19, 20, 23, 25, 26};
constexpr std::size_t kExpectedCount = 7;
#elif !KERB_WITH_CAMELLIA && !KERB_WITH_RC4_HMAC
// The device flavour (KERB_WITH_CAMELLIA=OFF, KERB_WITH_RC4_HMAC=OFF): AES only.
constexpr std::int32_t kExpected[] = {17, 18, 19, 20};
constexpr std::size_t kExpectedCount = 4;
#elif KERB_WITH_CAMELLIA
constexpr std::int32_t kExpected[] = {17, 18, 19, 20, 25, 26};
constexpr std::size_t kExpectedCount = 6;
#else
constexpr std::int32_t kExpected[] = {17, 18, 19, 20, 23};
constexpr std::size_t kExpectedCount = 5;
#endif

}  // namespace

TEST_CASE("kImplementedEnctypes: this flavour's enctypes, no more and no fewer",
          "[crypto][features]") {
  REQUIRE(std::size(kImplementedEnctypes) == kExpectedCount);
  std::vector<std::int32_t> numbers;
  for (EncType e : kImplementedEnctypes)
    numbers.push_back(static_cast<std::int32_t>(e));
  std::sort(numbers.begin(), numbers.end());
  CHECK(numbers == std::vector<std::int32_t>(std::begin(kExpected), std::end(kExpected)));
  for (EncType e : kImplementedEnctypes) {
    INFO(static_cast<std::int32_t>(e));
    CHECK(find_enctype(e) != nullptr);
  }
}
