// The assumptions crypto/src/ltc_state.hpp makes about the linked libtomcrypt that only running
// it can check: it was built with the struct sizes of the header kerb compiles against (a
// device build with its own tomcrypt_custom.h must use the same one for both), and its *_done
// functions touch only their own hash's state (no LTC_CLEAN_STACK).
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "hash.hpp"
#include "ltc_state.hpp"

using namespace kerb::crypto::detail;

namespace {

// The library's own sizeof(name), from crypt_sizes.c as compiled into it.
std::size_t library_size(const char* name) {
  unsigned int size = 0;
  REQUIRE(crypt_get_size(name, &size) == 0);
  return size;
}

}  // namespace

TEST_CASE("libtomcrypt guard: the library was built with the struct sizes of our header",
          "[crypto][ltc]") {
  CHECK(library_size("symmetric_key") == sizeof(symmetric_key));
  CHECK(library_size("rijndael_key") == sizeof(rijndael_key));
#if KERB_WITH_CAMELLIA
  CHECK(library_size("camellia_key") == sizeof(camellia_key));
#endif
  CHECK(library_size("hash_state") == sizeof(hash_state));
  CHECK(library_size("sha1_state") == sizeof(sha1_state));
  CHECK(library_size("sha256_state") == sizeof(sha256_state));
  CHECK(library_size("sha512_state") == sizeof(sha512_state));
  CHECK(library_size("md5_state") == sizeof(md5_state));
#if KERB_WITH_RC4_HMAC
  CHECK(library_size("md4_state") == sizeof(md4_state));
#endif
}

TEST_CASE("libtomcrypt guard: a hash touches no byte of hash_state past its own state",
          "[crypto][ltc]") {
  // A canary: libtomcrypt built with LTC_CLEAN_STACK zeroes the whole hash_state in *_done,
  // which would write past a HashState holding fewer members.
  constexpr std::uint8_t kCanary = 0xA5;
  HashKind kinds[] = {
    HashKind::kSha1,
    HashKind::kSha256,
    HashKind::kSha384,
    HashKind::kMd5,
#if KERB_WITH_RC4_HMAC
    HashKind::kMd4
#endif
  };
  const std::string_view message = "The quick brown fox jumps over the lazy dog";
  for (HashKind kind : kinds) {
    INFO("HashKind " << static_cast<int>(kind));
    const HashAlg& alg = hash_alg(kind);
    REQUIRE(alg.state_size <= sizeof(HashState));
    hash_state state;
    std::memset(&state, kCanary, sizeof(state));
    std::uint8_t digest[kMaxDigest];
    REQUIRE(alg.init(&state) == CRYPT_OK);
    REQUIRE(alg.process(&state, reinterpret_cast<const unsigned char*>(message.data()),
                        message.size()) == CRYPT_OK);
    REQUIRE(alg.done(&state, digest) == CRYPT_OK);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&state);
    std::size_t touched = 0;
    for (std::size_t i = alg.state_size; i < sizeof(state); ++i)
      touched += bytes[i] != kCanary;
    CHECK(touched == 0);
  }
}
