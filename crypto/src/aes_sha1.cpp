// aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18), RFC 3962 on the RFC 3961
// §5.3 simplified profile.
#include "cts.hpp"
#include "kdf.hpp"
#include "profile.hpp"

namespace kerb::crypto::detail {
namespace {

// DK(base, constant) = random-to-key(DR(base, constant)), RFC 3961 §5.1: DR encrypts the
// n-folded constant and keeps feeding each output block back in until k bits are produced.
// Here `block` holds the n-folded constant (and is wiped), and `base` is the base key's
// schedule, set up once for all of a derivation's constants.
void dr(const BlockCipher& base, std::uint8_t* block, MutBytes out) noexcept {
  for (std::size_t off = 0; off < out.size(); off += kBlockSize) {
    base.encrypt_block(block, block);
    const std::size_t take = out.size() - off < kBlockSize ? out.size() - off : kBlockSize;
    std::memcpy(out.data() + off, block, take);
  }
  secure_wipe(block, kBlockSize);
}

void dk(Bytes base, Bytes constant, MutBytes out) noexcept {
  BlockCipher cipher;
  cipher.setup(BlockCipher::Kind::kAes, base);
  std::uint8_t block[kBlockSize];
  nfold(constant, MutBytes(block, kBlockSize));
  dr(cipher, block, out);
  cipher.wipe();
}

// DK(base, usage | tag) with the usage's n-fold shared between tags (see UsageFold).
void dk_usage(const BlockCipher& base, const UsageFold& fold, std::uint8_t tag,
              MutBytes out) noexcept {
  std::uint8_t block[kBlockSize];
  fold.constant(tag, block);
  dr(base, block, out);
}

constexpr std::size_t kMacSize = 12;  // HMAC-SHA1-96, RFC 3962 §6

void derive_key(const Profile&, Bytes base, Bytes constant, MutBytes out) {
  dk(base, constant, out);
}

Result<void> string_to_key(const Profile& p, std::string_view password, Bytes salt,
                           std::uint32_t iterations, MutBytes key) {
  // RFC 3962 §4: tkey = random-to-key(PBKDF2-HMAC-SHA1(password, salt, iter, keylen));
  //              key = DK(tkey, "kerberos").
  SecretBytes<32> tkey;
  if (!tkey.resize(p.info.key_size)) return Error(ErrorCategory::kInvalidArgument, "key size");
  pbkdf2(HashKind::kSha1,
         Bytes(reinterpret_cast<const std::uint8_t*>(password.data()), password.size()), {}, salt,
         iterations, tkey.mutable_view());
  static constexpr std::uint8_t kKerberos[] = {'k', 'e', 'r', 'b', 'e', 'r', 'o', 's'};
  dk(tkey.view(), kKerberos, key);
  return ok();
}

// RFC 3961 §5.3: Ke, Ki and Kc are DK(key, usage | tag), all under one schedule of the base
// key and one n-fold of the usage.
struct AesSha1 {
  static constexpr auto kCipher = BlockCipher::Kind::kAes;
  struct Kdf {
    BlockCipher base;
    UsageFold fold;
    Kdf(const Profile&, Bytes key, std::uint32_t usage) noexcept : fold(usage) {
      base.setup(kCipher, key);
    }
    void derive(std::uint8_t tag, MutBytes out) const noexcept { dk_usage(base, fold, tag, out); }
    void wipe() noexcept { base.wipe(); }
  };
  static std::size_t mac_key_size(const Profile& p) noexcept { return p.info.key_size; }
  static void setup_mac(const Profile&, Mac& m, Bytes key, std::size_t size) noexcept {
    m.setup_hmac(HashKind::kSha1, key, size);
  }
};

// RFC 3961 §5.3: PRF = E(DK(key, "prf"), truncate(SHA1(input)), initial state). The hash is
// truncated to one 16-byte cipher block, as MIT krb5 does (16-byte PRF output); a literal
// reading of RFC 3962's m = 1 octet would keep all 20 bytes and interoperate with no one.
void prf(const Profile& p, Bytes key, Bytes prefix, Bytes input, std::uint8_t* out) {
  std::uint8_t kp[32];
  static constexpr std::uint8_t kPrf[] = {'p', 'r', 'f'};
  dk(key, kPrf, MutBytes(kp, p.info.key_size));
  std::uint8_t digest[20];
  Hasher h(HashKind::kSha1);
  h.update(prefix);
  h.update(input);
  h.finish(digest);
  BlockCipher cipher;
  cipher.setup(BlockCipher::Kind::kAes, Bytes(kp, p.info.key_size));
  cipher.encrypt_block(digest, out);  // one block: CTS is plain ECB with a zero IV
  cipher.wipe();
  secure_wipe(kp, sizeof(kp));
  secure_wipe(digest, sizeof(digest));
}

}  // namespace

constinit const Profile kAes128CtsHmacSha1_96 = simplified_profile(
    {EncType::kAes128CtsHmacSha1_96, "aes128-cts-hmac-sha1-96", 16, 16, kBlockSize, kMacSize, 16,
     CksumType::kHmacSha1_96Aes128, kMacSize, 4096, false},
    string_to_key, derive_key, derive_usage_keys<AesSha1>, derive_checksum_key<AesSha1>, prf);

constinit const Profile kAes256CtsHmacSha1_96 = simplified_profile(
    {EncType::kAes256CtsHmacSha1_96, "aes256-cts-hmac-sha1-96", 32, 32, kBlockSize, kMacSize, 16,
     CksumType::kHmacSha1_96Aes256, kMacSize, 4096, false},
    string_to_key, derive_key, derive_usage_keys<AesSha1>, derive_checksum_key<AesSha1>, prf);

}  // namespace kerb::crypto::detail
