// KeyBlock (zeroizing storage for any enctype, turned into a crypto::Key under a Policy) and
// Credentials equality.
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>

#include "test_bytes.hpp"

using namespace kerb;
using kerb::test::Bytes;

TEST_CASE("KeyBlock holds any enctype up to 64 bytes", "[credentials]") {
  Result<KeyBlock> k =
      KeyBlock::from_bytes(crypto::EncType{-135}, Bytes(64, 0xaa));  // no profile: still stored
  REQUIRE(k.ok());
  CHECK(k->enctype == crypto::EncType{-135});
  CHECK(k->contents.size() == 64);
  CHECK_FALSE(k->empty());
  CHECK(KeyBlock().empty());
  Result<KeyBlock> too_long = KeyBlock::from_bytes(crypto::EncType{18}, Bytes(65, 0));
  REQUIRE_FALSE(too_long.ok());
  CHECK(too_long.error().category() == ErrorCategory::kInvalidArgument);
}

TEST_CASE("KeyBlock to_key honours the Policy and the enctype's key size", "[credentials]") {
  Result<KeyBlock> aes = KeyBlock::from_bytes(crypto::EncType{18}, Bytes(32, 0x11));
  REQUIRE(aes.ok());
  Result<crypto::Key> key = aes->to_key();
  REQUIRE(key.ok());
  CHECK(key->enctype() == crypto::EncType::kAes256CtsHmacSha1_96);
  CHECK(KeyBlock::from_key(*key) == *aes);

  CHECK_FALSE(
      KeyBlock::from_bytes(crypto::EncType{18}, Bytes(16, 0x11))->to_key().ok());  // wrong size
  Result<crypto::Key> des = KeyBlock::from_bytes(crypto::EncType{1}, Bytes(8, 0x11))->to_key();
  REQUIRE_FALSE(des.ok());
  CHECK(des.error().category() == ErrorCategory::kPolicy);
  const std::vector<crypto::EncType> only_aes128 = {crypto::EncType::kAes128CtsHmacSha1_96};
  Result<crypto::Policy> policy = crypto::Policy::from_list(only_aes128);
  REQUIRE(policy.ok());
  CHECK_FALSE(aes->to_key(*policy).ok());
}

TEST_CASE("KeyBlock and Credentials equality", "[credentials]") {
  KeyBlock a = *KeyBlock::from_bytes(crypto::EncType{17}, Bytes(16, 1));
  KeyBlock b = *KeyBlock::from_bytes(crypto::EncType{17}, Bytes(16, 1));
  CHECK(a == b);
  b.enctype = crypto::EncType{18};
  CHECK_FALSE(a == b);
  CHECK_FALSE(a == *KeyBlock::from_bytes(crypto::EncType{17}, Bytes(15, 1)));

  Credentials x;
  x.client = kerb::test::principal("alice@KERB.TEST");
  x.server = kerb::test::principal("krbtgt/KERB.TEST@KERB.TEST");
  x.session_key = a;
  x.ticket = {0x61, 0x00};
  Credentials y = x;
  CHECK(x == y);
  y.addresses.push_back({2, {1, 2, 3, 4}});
  CHECK_FALSE(x == y);
  y = x;
  y.ticket_flags = 1;
  CHECK_FALSE(x == y);
}
