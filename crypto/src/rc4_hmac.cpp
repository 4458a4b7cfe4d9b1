// rc4-hmac (23) and its hmac-md5 checksum (-138), RFC 4757. Weak: reachable only through a
// Policy with allow_rc4_hmac(). Not an RFC 3961 simplified profile: keys are derived per
// message type with HMAC-MD5, and the checksum is taken over the plaintext.
#include "hash.hpp"
#include "kdf.hpp"
#include "profile.hpp"

namespace kerb::crypto::detail {
namespace {

constexpr std::size_t kConfounder = 8;
constexpr std::size_t kChecksum = 16;

// RFC 4757 §4 maps Kerberos key usages to Microsoft message types. This follows the mapping
// MIT krb5 applies (3 -> 8 for the AS-REP enc-part, 23 -> 13 for GSS wrap); other usages
// are used as they are -- including 9, which the RFC's table also lists as 8 but MIT does
// not map (checked against MIT's libk5crypto).
std::uint32_t ms_usage(std::uint32_t usage) noexcept {
  switch (usage) {
    case 3:
      return 8;
    case 23:
      return 13;
    default:
      return usage;
  }
}

// Decodes one UTF-8 scalar value starting at s[i]; returns false on malformed input.
bool next_utf8(std::string_view s, std::size_t& i, std::uint32_t& cp) noexcept {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  std::size_t len;
  std::uint32_t min;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < len) return false;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += len;
  return true;
}

// RFC 4757 §3: K = MD4(UTF-16LE(password)); the salt is not used. Streams the UTF-16 into
// MD4 in small chunks, so a long password needs no heap.
Result<void> string_to_key(const Profile&, std::string_view password, Bytes, std::uint32_t,
                           MutBytes key) {
  Hasher md4(HashKind::kMd4);
  std::uint8_t buf[64];
  std::size_t used = 0;
  auto put16 = [&](std::uint32_t unit) {
    buf[used++] = static_cast<std::uint8_t>(unit);
    buf[used++] = static_cast<std::uint8_t>(unit >> 8);
    if (used == sizeof(buf)) {
      md4.update(Bytes(buf, used));
      used = 0;
    }
  };
  for (std::size_t i = 0; i < password.size();) {
    std::uint32_t cp;
    if (!next_utf8(password, i, cp)) {
      secure_wipe(buf, sizeof(buf));
      return Error(ErrorCategory::kInvalidArgument, "password is not valid UTF-8");
    }
    if (cp >= 0x10000) {  // surrogate pair
      cp -= 0x10000;
      put16(0xD800 | (cp >> 10));
      put16(0xDC00 | (cp & 0x3FF));
    } else {
      put16(cp);
    }
  }
  md4.update(Bytes(buf, used));
  md4.finish(key.data());
  secure_wipe(buf, sizeof(buf));
  return ok();
}

// RFC 4757 §6: K1 = HMAC-MD5(K, T) with T the 4-byte little-endian message type; both the
// checksum and the RC4 key K3 are HMACs under K1, so K1's pads are all a UsageKey keeps.
void derive_usage(const Profile&, Bytes key, std::uint32_t usage, UsageImpl& out) {
  Hmac base;
  base.setup(HashKind::kMd5, key);
  std::uint8_t t[4];
  store_le32(ms_usage(usage), t);
  std::uint8_t k1[16];
  base.mac({Bytes(t, 4)}, k1);
  out.ki.setup_hmac(HashKind::kMd5, Bytes(k1, 16), kChecksum);
  if (usage == 9) {
    store_le32(8, t);
    base.mac({Bytes(t, 4)}, out.fallback_k1);
    out.has_fallback_k1 = true;
  }
  secure_wipe(k1, sizeof(k1));
  secure_wipe(&base, sizeof(base));
}

// checksum = HMAC(K1, conf | plaintext); K3 = HMAC(K1, checksum);
// out = checksum | RC4(K3, conf | plaintext).
Result<std::size_t> encrypt(const UsageImpl& u, Bytes plaintext, MutBytes out, Random& random) {
  MutBytes body = out.subspan(kChecksum);
  KERB_TRY_VOID(random.fill(body.first(kConfounder)));
  if (!plaintext.empty())
    std::memcpy(body.data() + kConfounder, plaintext.data(), plaintext.size());
  u.ki.hmac.mac({body}, out.data());
  std::uint8_t k3[16];
  u.ki.hmac.mac({out.first(kChecksum)}, k3);
  rc4_state rc4;
  rc4_stream_setup(&rc4, k3, sizeof(k3));
  rc4_stream_crypt(&rc4, body.data(), static_cast<unsigned long>(body.size()), body.data());
  secure_wipe(&rc4, sizeof(rc4));
  secure_wipe(k3, sizeof(k3));
  return out.size();
}

// Decrypts under the K1 whose pads `k1` holds; true if the checksum matched.
bool decrypt_with(const Hmac& k1, Bytes ciphertext, MutBytes out) {
  Bytes checksum = ciphertext.first(kChecksum);
  Bytes body = ciphertext.subspan(kChecksum);
  std::uint8_t k3[16];
  k1.mac({checksum}, k3);
  rc4_state rc4;
  rc4_stream_setup(&rc4, k3, sizeof(k3));
  std::uint8_t conf[kConfounder];
  rc4_stream_crypt(&rc4, body.data(), kConfounder, conf);
  if (!out.empty()) {
    rc4_stream_crypt(&rc4, body.data() + kConfounder, static_cast<unsigned long>(out.size()),
                     out.data());
  }
  std::uint8_t expect[16];
  k1.mac({Bytes(conf, kConfounder), out}, expect);
  const bool good = constant_time_equal(Bytes(expect, kChecksum), checksum);
  secure_wipe(&rc4, sizeof(rc4));
  secure_wipe(k3, sizeof(k3));
  secure_wipe(conf, sizeof(conf));
  secure_wipe(expect, sizeof(expect));
  return good;
}

Result<std::size_t> decrypt(const UsageImpl& u, Bytes ciphertext, MutBytes out) {
  bool good = decrypt_with(u.ki.hmac, ciphertext, out);
  if (!good && u.has_fallback_k1) {
    Hmac k1;
    k1.setup(HashKind::kMd5, Bytes(u.fallback_k1, sizeof(u.fallback_k1)));
    good = decrypt_with(k1, ciphertext, out);
    secure_wipe(&k1, sizeof(k1));
  }
  if (!good) {
    secure_wipe(out);
    return integrity_error();
  }
  return out.size();
}

// RFC 4757 §5 (hmac-md5): Ksign = HMAC(K, "signaturekey\0"); tmp = MD5(T | data);
// checksum = HMAC(Ksign, tmp).
void derive_checksum(const Profile&, Bytes key, std::uint32_t, ChecksumImpl& out) {
  static constexpr std::uint8_t kSignatureKey[] = {'s', 'i', 'g', 'n', 'a', 't', 'u',
                                                   'r', 'e', 'k', 'e', 'y', 0};
  Hmac base;
  base.setup(HashKind::kMd5, key);
  std::uint8_t ksign[16];
  base.mac({kSignatureKey}, ksign);
  out.kc.setup_hmac(HashKind::kMd5, Bytes(ksign, 16), kChecksum);
  secure_wipe(ksign, sizeof(ksign));
  secure_wipe(&base, sizeof(base));
}

void make_checksum(const ChecksumImpl& c, Bytes data, std::uint8_t* out) {
  std::uint8_t t[4];
  store_le32(ms_usage(c.usage), t);
  std::uint8_t tmp[16];
  Hasher md5(HashKind::kMd5);
  md5.update(Bytes(t, 4));
  md5.update(data);
  md5.finish(tmp);
  c.kc.hmac.mac({Bytes(tmp, 16)}, out);
  secure_wipe(tmp, sizeof(tmp));
}

// RFC 4757 defines no PRF; this is the one MIT krb5 uses for rc4-hmac, so that KRB-FX-CF2
// and GSS PRF interoperate: HMAC-SHA1(key, input), 20 bytes.
void prf(const Profile&, Bytes key, Bytes prefix, Bytes input, std::uint8_t* out) {
  Hmac h;
  h.setup(HashKind::kSha1, key);
  h.mac({prefix, input}, out);
  secure_wipe(&h, sizeof(h));
}

}  // namespace

constinit const Profile kRc4Hmac{{EncType::kRc4Hmac, "rc4-hmac", 16, 16, kConfounder, kChecksum, 20,
                                  CksumType::kHmacMd5, kChecksum, 0, true},
                                 string_to_key,
                                 nullptr,
                                 derive_usage,
                                 encrypt,
                                 decrypt,
                                 derive_checksum,
                                 make_checksum,
                                 prf};

}  // namespace kerb::crypto::detail
