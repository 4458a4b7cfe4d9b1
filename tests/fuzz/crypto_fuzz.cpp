// crypto_fuzz: every implemented enctype's decryption and keyed-checksum verification on
// arbitrary bytes. Nothing may crash, read or write out of bounds, or leave plaintext behind:
// when decryption fails, every output byte it may have written is zero and no byte past the
// plaintext length is touched (DESIGN.md convention 10).
//
// Input layout:
//   byte 0     enctype: kEnctypes[b % 7] (17, 18, 19, 20, 25, 26, and rc4-hmac 23, which the
//              policy here allows; in a build without Camellia or rc4-hmac those are checked
//              to be refused, and the input ends there)
//   byte 1     bits 0-1: key source: 0 = fixed key A, 1 = fixed key B, 2-3 = key bytes follow
//              bit 2: also exercise a too-small output buffer
//              bits 3-7: spare output bytes past the plaintext length (0..31)
//   bytes 2-5  key usage, big-endian
//   [key_size bytes of key when the key source says so]
//   byte       checksum type selector (see kChecksumTypes)
//   rest       the ciphertext; also, split as data | trailing checksum, the checksummed message
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/error.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace crypto = kerb::crypto;

namespace {

using kerb::test::Bytes;
using kerb::test::ByteView;

constexpr std::uint8_t kUntouched = 0xA5;

constexpr crypto::EncType kEnctypes[] = {
    crypto::EncType::kAes128CtsHmacSha1_96,
    crypto::EncType::kAes256CtsHmacSha1_96,
    crypto::EncType::kAes128CtsHmacSha256_128,
    crypto::EncType::kAes256CtsHmacSha384_192,
    crypto::EncType::kCamellia128CtsCmac,
    crypto::EncType::kCamellia256CtsCmac,
    crypto::EncType::kRc4Hmac,
};

// Every registered checksum number (keyed, unkeyed, weak, unimplemented) and a few that are
// not registered at all; the selector byte picks one, or "the key's mandatory type" (0xFF...).
constexpr std::int32_t kChecksumTypes[] = {0,  1,  2,    3,  4,  5,     6,          7,  8,
                                           9,  10, 12,   13, 14, 15,    16,         17, 18,
                                           19, 20, -138, -1, 21, 32767, -2147483647};

constexpr std::uint8_t kFixedKeyA[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
constexpr std::uint8_t kFixedKeyB[32] = {
    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
    0x3c, 0x5a, 0x96, 0x0f, 0xf0, 0x69, 0xa5, 0xc3, 0x00, 0xff, 0x00, 0xff, 0x55, 0xaa, 0x55, 0xaa};

// Deterministic confounders for the re-encryption check (a fuzzer must be reproducible).
class CounterRandom final : public crypto::Random {
 public:
  kerb::Result<void> fill(std::span<std::uint8_t> out) override {
    for (auto& b : out)
      b = static_cast<std::uint8_t>(0x3d * ++n_);
    return kerb::ok();
  }

 private:
  unsigned n_ = 0;
};

const crypto::Policy& weak_policy() {
  static const crypto::Policy policy = [] {
    crypto::Policy p = crypto::Policy::defaults();
    p.allow_rc4_hmac();
    return p;
  }();
  return policy;
}

bool all_equal(ByteView bytes, std::uint8_t value) {
  return std::all_of(bytes.begin(), bytes.end(), [&](std::uint8_t b) { return b == value; });
}

bool same(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Decrypts `ct` into a fresh heap buffer of exactly `capacity` bytes (so ASan sees any write
// past it) prefilled with kUntouched; checks the documented post-conditions and returns the
// buffer with the result.
struct Decrypted {
  kerb::Result<std::size_t> result;
  Bytes out;
};

Decrypted decrypt_checked(const crypto::UsageKey* uk, const crypto::Key& key, std::uint32_t usage,
                          ByteView ct, std::size_t capacity) {
  Decrypted d{kerb::Error(kerb::ErrorCategory::kNone, ""), Bytes(capacity, kUntouched)};
  d.result = uk != nullptr ? uk->decrypt(ct, d.out) : crypto::decrypt(key, usage, ct, d.out);
  const auto expected_size = crypto::plaintext_size(key.enctype(), ct.size());
  if (d.result) {
    FUZZ_CHECK(expected_size && *d.result == *expected_size);
    FUZZ_CHECK(*d.result <= capacity);
    // Nothing past the plaintext was written.
    FUZZ_CHECK(all_equal(ByteView(d.out).subspan(*d.result), kUntouched));
    return d;
  }
  const kerb::ErrorCategory cat = d.result.error().category();
  if (!expected_size) {
    // Too short to hold confounder and MAC: refused before anything was written.
    FUZZ_CHECK(cat == kerb::ErrorCategory::kCrypto);
    FUZZ_CHECK(all_equal(d.out, kUntouched));
  } else if (capacity < *expected_size) {
    FUZZ_CHECK(cat == kerb::ErrorCategory::kBufferTooSmall);
    FUZZ_CHECK(all_equal(d.out, kUntouched));
  } else {
    // An integrity failure: whatever was decrypted is wiped, nothing beyond it touched.
    FUZZ_CHECK(cat == kerb::ErrorCategory::kCrypto);
    FUZZ_CHECK(all_equal(ByteView(d.out).first(*expected_size), 0));
    FUZZ_CHECK(all_equal(ByteView(d.out).subspan(*expected_size), kUntouched));
  }
  return d;
}

void fuzz_decrypt(const crypto::Key& key, std::uint32_t usage, std::uint8_t flags, ByteView ct) {
  const crypto::EncType e = key.enctype();
  const crypto::EncTypeInfo* info = key.info();
  auto derived = crypto::UsageKey::derive(key, usage);
  FUZZ_CHECK(derived);
  const crypto::UsageKey& uk = *derived;
  FUZZ_CHECK(uk.enctype() == e && uk.usage() == usage);

  // Size queries agree with each other and invert ciphertext_size().
  const auto n = crypto::plaintext_size(e, ct.size());
  const auto n2 = uk.plaintext_size(ct.size());
  FUZZ_CHECK(n.ok() == n2.ok());
  const std::size_t overhead = info->confounder_size + info->mac_size;
  if (n) {
    FUZZ_CHECK(*n == *n2 && *n + overhead == ct.size());
    FUZZ_CHECK(crypto::ciphertext_size(e, *n) == ct.size());
    FUZZ_CHECK(uk.ciphertext_size(*n) == ct.size());
  } else {
    FUZZ_CHECK(ct.size() < overhead);
    FUZZ_CHECK(n.error().category() == kerb::ErrorCategory::kCrypto);
  }

  const std::size_t slack = flags >> 3;
  const std::size_t capacity = (n ? *n : 0) + slack;
  Decrypted a = decrypt_checked(&uk, key, usage, ct, capacity);
  Decrypted b = decrypt_checked(nullptr, key, usage, ct, capacity);
  // The one-shot form is the same computation.
  FUZZ_CHECK(a.result.ok() == b.result.ok());
  FUZZ_CHECK(same(a.out, b.out));

  if ((flags & 4) != 0 && n && *n > 0) {
    decrypt_checked(&uk, key, usage, ct, *n - 1);  // kBufferTooSmall, nothing written
  }

  if (!a.result) return;
  // A valid message (the seed corpus holds some): the plaintext re-encrypts and decrypts to
  // itself, and any single flipped bit is refused.
  const ByteView plaintext = ByteView(a.out).first(*a.result);
  CounterRandom random;
  Bytes again(uk.ciphertext_size(plaintext.size()));
  auto written = uk.encrypt(plaintext, again, random);
  FUZZ_CHECK(written && *written == ct.size());
  Decrypted round = decrypt_checked(&uk, key, usage, again, plaintext.size());
  FUZZ_CHECK(round.result && same(ByteView(round.out).first(*round.result), plaintext));

  Bytes flipped(ct.begin(), ct.end());
  const std::size_t bit = (static_cast<std::size_t>(usage) * 131 + ct.size() * 7) % (ct.size() * 8);
  flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1u << (bit % 8)));
  Decrypted bad = decrypt_checked(&uk, key, usage, flipped, plaintext.size());
  FUZZ_CHECK(!bad.result);
}

void fuzz_checksum(const crypto::Key& key, std::uint32_t usage, std::uint8_t selector,
                   ByteView message) {
  auto derived = crypto::ChecksumKey::derive(key, usage);
  FUZZ_CHECK(derived);
  const crypto::ChecksumKey& ck = *derived;
  const crypto::ChecksumInfo* info = crypto::find_checksum(ck.type());
  FUZZ_CHECK(info != nullptr && info->keyed && info->size == ck.size());
  FUZZ_CHECK(ck.type() == key.info()->checksum_type);

  // data | checksum, the checksum being the trailing size() bytes (or all there is).
  const std::size_t sum_size = std::min(message.size(), ck.size());
  const ByteView data = message.first(message.size() - sum_size);
  const ByteView sum = message.last(sum_size);

  Bytes expect(ck.size() + 8, kUntouched);
  auto made = ck.make(data, expect);
  FUZZ_CHECK(made && *made == ck.size());
  FUZZ_CHECK(all_equal(ByteView(expect).subspan(ck.size()), kUntouched));
  const bool should_match = same(ByteView(expect).first(ck.size()), sum);

  auto verified = ck.verify(data, sum);
  FUZZ_CHECK(verified.ok() == should_match);
  if (!verified) FUZZ_CHECK(verified.error().category() == kerb::ErrorCategory::kCrypto);
  auto one_shot = crypto::verify_keyed(key, usage, ck.type(), data, sum);
  FUZZ_CHECK(one_shot.ok() == should_match);
  if (should_match) {
    // One byte short of a valid checksum is refused.
    FUZZ_CHECK(!ck.verify(data, sum.first(sum.size() - 1)));
  }

  // An arbitrary checksum type named by the message: refused cleanly unless it is this key's.
  const crypto::CksumType other =
      static_cast<crypto::CksumType>(kChecksumTypes[selector % std::size(kChecksumTypes)]);
  auto typed = crypto::verify_keyed(key, usage, other, data, sum);
  if (other == ck.type()) {
    FUZZ_CHECK(typed.ok() == should_match);
  } else {
    FUZZ_CHECK(!typed);
  }
  // Unkeyed digests over the same bytes (decoders display them).
  std::uint8_t digest[64];
  auto unkeyed = crypto::compute_unkeyed(other, message, digest);
  const crypto::ChecksumInfo* other_info = crypto::find_checksum(other);
  FUZZ_CHECK(unkeyed.ok() == (other_info != nullptr && !other_info->keyed));
  if (unkeyed) FUZZ_CHECK(*unkeyed == other_info->size && *unkeyed <= sizeof digest);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  if (input.size() < 7) return 0;
  const crypto::EncType e = kEnctypes[input[0] % std::size(kEnctypes)];
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
#if !KERB_WITH_CAMELLIA || !KERB_WITH_RC4_HMAC
  if (info == nullptr) {
    // Left out of this build (kerb/crypto/features.hpp): refused as not built, never used.
    FUZZ_CHECK(e == crypto::EncType::kRc4Hmac ? !KERB_WITH_RC4_HMAC : !KERB_WITH_CAMELLIA);
    auto refused = crypto::Key::from_bytes(e, ByteView(kFixedKeyA).first(16), weak_policy());
    FUZZ_CHECK(!refused && refused.error().category() == kerb::ErrorCategory::kCrypto);
    return 0;
  }
#endif
  FUZZ_CHECK(info != nullptr);
  const std::uint8_t flags = input[1];
  const std::uint32_t usage = static_cast<std::uint32_t>(input[2]) << 24 |
                              static_cast<std::uint32_t>(input[3]) << 16 |
                              static_cast<std::uint32_t>(input[4]) << 8 | input[5];
  ByteView rest = input.subspan(6);

  ByteView key_bytes;
  switch (flags & 3) {
    case 0:
      key_bytes = ByteView(kFixedKeyA).first(info->key_size);
      break;
    case 1:
      key_bytes = ByteView(kFixedKeyB).first(info->key_size);
      break;
    default:
      if (rest.size() < info->key_size + 1) return 0;
      key_bytes = rest.first(info->key_size);
      rest = rest.subspan(info->key_size);
      break;
  }
  if (rest.empty()) return 0;
  const std::uint8_t checksum_selector = rest[0];
  rest = rest.subspan(1);

  // Every key of the right length is acceptable under a policy that permits its enctype;
  // without rc4's weak switch rc4-hmac is refused.
  auto key = crypto::Key::from_bytes(e, key_bytes, weak_policy());
  FUZZ_CHECK(key);
  FUZZ_CHECK(key->enctype() == e && key->size() == info->key_size);
  if (info->weak) FUZZ_CHECK(!crypto::Key::from_bytes(e, key_bytes));

  // A heap copy of exactly the payload, so ASan catches reads past its end.
  const Bytes payload(rest.begin(), rest.end());
  fuzz_decrypt(*key, usage, flags, payload);
  fuzz_checksum(*key, usage, checksum_selector, payload);
  return 0;
}
