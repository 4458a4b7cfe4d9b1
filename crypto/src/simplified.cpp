// RFC 3961 §5.3 simplified profile encryption, shared by aes-sha1 (RFC 3962) and camellia
// (RFC 6803): the MAC covers the plaintext (with confounder), so decryption must decrypt
// before it can verify -- hence the wipe of the output on failure. Also the MAC checksum that
// every profile but rc4-hmac uses.
#include "cts.hpp"
#include "profile.hpp"

namespace kerb::crypto::detail {

Result<std::size_t> simplified_encrypt(const UsageImpl& u, Bytes plaintext, MutBytes out,
                                       Random& random) {
  const std::size_t n = plaintext.size();
  MutBytes body = out.first(kBlockSize + n);
  KERB_TRY_VOID(random.fill(body.first(kBlockSize)));  // conf
  {
    Mac::Ctx mac(u.ki);
    mac.update_joined(body.first(kBlockSize), plaintext);
    mac.finish(out.data() + body.size());  // H = HMAC/CMAC(Ki, conf | plaintext)
  }
  // C = E(Ke, conf | plaintext), default state; the plaintext is read in place.
  cts_encrypt_split(u.ke, body.data(), plaintext, body);
  return out.size();
}

Result<std::size_t> simplified_decrypt(const UsageImpl& u, Bytes ciphertext, MutBytes out) {
  const std::size_t n = out.size();
  std::uint8_t conf[kBlockSize];
  std::uint8_t mac[kBlockSize + 8];
  cts_decrypt_split(u.ke, ciphertext.first(kBlockSize + n), conf, out);
  {
    Mac::Ctx ctx(u.ki);
    ctx.update_joined(Bytes(conf, kBlockSize), out);
    ctx.finish(mac);
  }
  const bool good =
      constant_time_equal(Bytes(mac, u.ki.out_size), ciphertext.subspan(kBlockSize + n));
  secure_wipe(conf, sizeof(conf));
  secure_wipe(mac, sizeof(mac));
  if (!good) {
    secure_wipe(out);
    return integrity_error();
  }
  return n;
}

void mac_checksum(const ChecksumImpl& c, Bytes data, std::uint8_t* out) {
  Mac::Ctx ctx(c.kc);
  ctx.update(data);
  ctx.finish(out);
}

}  // namespace kerb::crypto::detail
