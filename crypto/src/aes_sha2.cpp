// aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20), RFC 8009:
// AES-CTS encrypt-then-MAC, with an SP 800-108 counter-mode KDF on HMAC-SHA2.
#include "cts.hpp"
#include "kdf.hpp"
#include "profile.hpp"

namespace kerb::crypto::detail {
namespace {

constexpr auto kAes = BlockCipher::Kind::kAes;
constexpr std::uint8_t kZeroIv[kBlockSize] = {};

bool is_aes128(const Profile& p) noexcept {
  return p.info.enctype == EncType::kAes128CtsHmacSha256_128;
}
HashKind hash_of(const Profile& p) noexcept {
  return is_aes128(p) ? HashKind::kSha256 : HashKind::kSha384;
}

// RFC 8009 §3: KDF-HMAC-SHA2(key, label, [context,] k) =
//   k-truncate(HMAC(key, 0x00000001 | label | 0x00 | context | k)), k in bits, big-endian.
// Every use needs at most one hash output, so only i = 1 is ever computed.
// `hmac` is keyed with the base key once for all its derivations.
void kdf(const Hmac& hmac, Bytes label, Bytes context1, Bytes context2, MutBytes out) noexcept {
  static constexpr std::uint8_t kOne[4] = {0, 0, 0, 1};
  static constexpr std::uint8_t kZero[1] = {0};
  std::uint8_t bits[4];
  store_be32(static_cast<std::uint32_t>(8 * out.size()), bits);
  std::uint8_t full[kMaxDigest];
  hmac.mac({kOne, label, kZero, context1, context2, Bytes(bits, 4)}, full);
  std::memcpy(out.data(), full, out.size());
  secure_wipe(full, sizeof(full));
}

void kdf(HashKind h, Bytes key, Bytes label, Bytes context1, Bytes context2,
         MutBytes out) noexcept {
  Hmac hmac;
  hmac.setup(h, key);
  kdf(hmac, label, context1, context2, out);
  hmac.wipe();
}

void derive_key(const Profile& p, Bytes base, Bytes constant, MutBytes out) {
  kdf(hash_of(p), base, constant, {}, {}, out);
}

void kdf_usage(const Hmac& base, std::uint32_t usage, std::uint8_t tag, MutBytes out) noexcept {
  std::uint8_t label[5];
  store_be32(usage, label);
  label[4] = tag;
  kdf(base, Bytes(label, 5), {}, {}, out);
}

// RFC 8009 §4: saltp = enctype-name | 0x00 | salt;
//   tkey = random-to-key(PBKDF2-HMAC-SHA2(passphrase, saltp, iter, keylength));
//   key = KDF-HMAC-SHA2(tkey, "kerberos", keylength).
Result<void> string_to_key(const Profile& p, std::string_view password, Bytes salt,
                           std::uint32_t iterations, MutBytes key) {
  SecretBytes<32> tkey;
  if (!tkey.resize(p.info.key_size)) return Error(ErrorCategory::kInvalidArgument, "key size");
  // The name is a string literal, so the byte after it is the 0x00 separator.
  Bytes prefix(reinterpret_cast<const std::uint8_t*>(p.info.name.data()), p.info.name.size() + 1);
  pbkdf2(hash_of(p), Bytes(reinterpret_cast<const std::uint8_t*>(password.data()), password.size()),
         prefix, salt, iterations, tkey.mutable_view());
  static constexpr std::uint8_t kKerberos[] = {'k', 'e', 'r', 'b', 'e', 'r', 'o', 's'};
  kdf(hash_of(p), tkey.view(), kKerberos, {}, {}, key);
  return ok();
}

// RFC 8009 §5: Ke, Ki and Kc are KDF(key, usage | tag), all under one HMAC keyed with the
// base key; Ki and Kc are 128/192 bits, Ke is the AES key size.
struct AesSha2 {
  static constexpr auto kCipher = kAes;
  struct Kdf {
    Hmac base;
    std::uint32_t usage;
    Kdf(const Profile& p, Bytes key, std::uint32_t u) noexcept : usage(u) {
      base.setup(hash_of(p), key);
    }
    void derive(std::uint8_t tag, MutBytes out) const noexcept { kdf_usage(base, usage, tag, out); }
    void wipe() noexcept { base.wipe(); }
  };
  static std::size_t mac_key_size(const Profile& p) noexcept { return is_aes128(p) ? 16 : 24; }
  static void setup_mac(const Profile& p, Mac& m, Bytes key, std::size_t size) noexcept {
    m.setup_hmac(hash_of(p), key, size);
  }
};

// RFC 8009 §5: C = E(Ke, N | plaintext, iv = 0); H = h-trunc(HMAC(Ki, iv | C)); out = C | H.
Result<std::size_t> encrypt(const UsageImpl& u, Bytes plaintext, MutBytes out, Random& random) {
  const std::size_t n = plaintext.size();
  MutBytes body = out.first(kBlockSize + n);
  KERB_TRY_VOID(random.fill(body.first(kBlockSize)));  // N, the confounder
  cts_encrypt_split(u.ke, body.data(), plaintext, body);
  Mac::Ctx mac(u.ki);
  mac.update_joined(kZeroIv, body);
  mac.finish(out.data() + body.size());
  return out.size();
}

// Encrypt-then-MAC: the MAC is checked before anything is decrypted.
Result<std::size_t> decrypt(const UsageImpl& u, Bytes ciphertext, MutBytes out) {
  const std::size_t n = out.size();
  Bytes body = ciphertext.first(kBlockSize + n);
  std::uint8_t mac[kMaxDigest];
  {
    Mac::Ctx ctx(u.ki);
    ctx.update_joined(kZeroIv, body);
    ctx.finish(mac);
  }
  const bool good = constant_time_equal(Bytes(mac, u.ki.out_size), ciphertext.subspan(body.size()));
  secure_wipe(mac, sizeof(mac));
  if (!good) {
    secure_wipe(out);
    return integrity_error();
  }
  std::uint8_t conf[kBlockSize];
  cts_decrypt_split(u.ke, body, conf, out);
  secure_wipe(conf, sizeof(conf));
  return n;
}

// RFC 8009 §5: PRF = KDF-HMAC-SHA2(key, "prf", input, 256 or 384).
void prf(const Profile& p, Bytes key, Bytes prefix, Bytes input, std::uint8_t* out) {
  static constexpr std::uint8_t kPrf[] = {'p', 'r', 'f'};
  kdf(hash_of(p), key, kPrf, prefix, input, MutBytes(out, p.info.prf_size));
}

constexpr Profile aes_sha2_profile(EncTypeInfo info) noexcept {
  return {info,
          string_to_key,
          derive_key,
          derive_usage_keys<AesSha2>,
          encrypt,
          decrypt,
          derive_checksum_key<AesSha2>,
          mac_checksum,
          prf};
}

}  // namespace

constinit const Profile kAes128CtsHmacSha256_128 =
    aes_sha2_profile({EncType::kAes128CtsHmacSha256_128, "aes128-cts-hmac-sha256-128", 16, 16,
                      kBlockSize, 16, 32, CksumType::kHmacSha256_128Aes128, 16, 32768, false});

constinit const Profile kAes256CtsHmacSha384_192 =
    aes_sha2_profile({EncType::kAes256CtsHmacSha384_192, "aes256-cts-hmac-sha384-192", 32, 32,
                      kBlockSize, 24, 48, CksumType::kHmacSha384_192Aes256, 24, 32768, false});

}  // namespace kerb::crypto::detail
