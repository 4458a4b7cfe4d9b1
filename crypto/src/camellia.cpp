// camellia128-cts-cmac (25) and camellia256-cts-cmac (26), RFC 6803: the RFC 3961 §5.3
// simplified profile with Camellia-CTS, CMAC as the integrity function, and an SP 800-108
// feedback-mode KDF with CMAC instead of RFC 3961's DK.
#include "cts.hpp"
#include "kdf.hpp"
#include "profile.hpp"

namespace kerb::crypto::detail {
namespace {

constexpr auto kCamellia = BlockCipher::Kind::kCamellia;

// RFC 6803 §2: K(0) = zeros; K(i) = CMAC(key, K(i-1) | i | constant | 0x00 | k);
// DR = k-truncate(K(1) | K(2) | ...); i and k (output bits) are 32-bit big-endian.
// `cmac` is keyed with the base key once for all its derivations.
void kdf_feedback_cmac(const Cmac& cmac, Bytes constant, MutBytes out) noexcept {
  std::uint8_t k[kBlockSize] = {};
  std::uint8_t bits[4];
  store_be32(static_cast<std::uint32_t>(8 * out.size()), bits);
  static constexpr std::uint8_t kZero[1] = {0};
  std::uint32_t i = 1;
  for (std::size_t off = 0; off < out.size(); off += kBlockSize, ++i) {
    std::uint8_t counter[4];
    store_be32(i, counter);
    cmac.mac({Bytes(k, kBlockSize), Bytes(counter, 4), constant, kZero, Bytes(bits, 4)}, k);
    const std::size_t take = out.size() - off < kBlockSize ? out.size() - off : kBlockSize;
    std::memcpy(out.data() + off, k, take);
  }
  secure_wipe(k, sizeof(k));
}

void kdf_feedback_cmac(Bytes base, Bytes constant, MutBytes out) noexcept {
  Cmac cmac;
  cmac.setup(kCamellia, base);
  kdf_feedback_cmac(cmac, constant, out);
  cmac.wipe();
}

void derive_key(const Profile&, Bytes base, Bytes constant, MutBytes out) {
  kdf_feedback_cmac(base, constant, out);
}

void kdf_usage(const Cmac& base, std::uint32_t usage, std::uint8_t tag, MutBytes out) noexcept {
  std::uint8_t constant[5];
  store_be32(usage, constant);
  constant[4] = tag;
  kdf_feedback_cmac(base, Bytes(constant, 5), out);
}

// RFC 6803 §3: saltp = enctype-name | 0x00 | salt;
//   tkey = random-to-key(PBKDF2-HMAC-SHA1(passphrase, saltp, iter, keylength));
// (PBKDF2 stays on HMAC-SHA1 here, unlike RFC 8009; checked against MIT krb5.)
//   key = KDF-FEEDBACK-CMAC(tkey, "kerberos").
Result<void> string_to_key(const Profile& p, std::string_view password, Bytes salt,
                           std::uint32_t iterations, MutBytes key) {
  SecretBytes<32> tkey;
  if (!tkey.resize(p.info.key_size)) return Error(ErrorCategory::kInvalidArgument, "key size");
  // The name is a string literal, so the byte after it is the 0x00 separator.
  Bytes prefix(reinterpret_cast<const std::uint8_t*>(p.info.name.data()), p.info.name.size() + 1);
  pbkdf2(HashKind::kSha1,
         Bytes(reinterpret_cast<const std::uint8_t*>(password.data()), password.size()), prefix,
         salt, iterations, tkey.mutable_view());
  static constexpr std::uint8_t kKerberos[] = {'k', 'e', 'r', 'b', 'e', 'r', 'o', 's'};
  kdf_feedback_cmac(tkey.view(), kKerberos, key);
  return ok();
}

// RFC 6803 §2: Ke, Ki and Kc all come from CMAC under the base key, keyed once.
struct Camellia {
  static constexpr auto kCipher = kCamellia;
  struct Kdf {
    Cmac base;
    std::uint32_t usage;
    Kdf(const Profile&, Bytes key, std::uint32_t u) noexcept : usage(u) {
      base.setup(kCipher, key);
    }
    void derive(std::uint8_t tag, MutBytes out) const noexcept { kdf_usage(base, usage, tag, out); }
    void wipe() noexcept { base.wipe(); }
  };
  static std::size_t mac_key_size(const Profile& p) noexcept { return p.info.key_size; }
  // CMAC keeps its whole 16-byte block (RFC 6803 §2), the profile's mac and checksum size.
  static void setup_mac(const Profile&, Mac& m, Bytes key, std::size_t) noexcept {
    m.setup_cmac(kCipher, key);
  }
};

// RFC 6803 §4: PRF = CMAC(KDF-FEEDBACK-CMAC(key, "prf"), input).
void prf(const Profile& p, Bytes key, Bytes prefix, Bytes input, std::uint8_t* out) {
  std::uint8_t kp[32];
  static constexpr std::uint8_t kPrf[] = {'p', 'r', 'f'};
  kdf_feedback_cmac(key, kPrf, MutBytes(kp, p.info.key_size));
  Cmac cmac;
  cmac.setup(kCamellia, Bytes(kp, p.info.key_size));
  cmac.mac({prefix, input}, out);
  secure_wipe(&cmac, sizeof(cmac));
  secure_wipe(kp, sizeof(kp));
}

constexpr std::size_t kMacSize = 16;

}  // namespace

constinit const Profile kCamellia128CtsCmac = simplified_profile(
    {EncType::kCamellia128CtsCmac, "camellia128-cts-cmac", 16, 16, kBlockSize, kMacSize, 16,
     CksumType::kCmacCamellia128, kMacSize, 32768, false},
    string_to_key, derive_key, derive_usage_keys<Camellia>, derive_checksum_key<Camellia>, prf);

constinit const Profile kCamellia256CtsCmac = simplified_profile(
    {EncType::kCamellia256CtsCmac, "camellia256-cts-cmac", 32, 32, kBlockSize, kMacSize, 16,
     CksumType::kCmacCamellia256, kMacSize, 32768, false},
    string_to_key, derive_key, derive_usage_keys<Camellia>, derive_checksum_key<Camellia>, prf);

}  // namespace kerb::crypto::detail
