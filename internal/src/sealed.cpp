// Sealed plaintext of <kerb/internal/sealed.hpp>.
#include <kerb/internal/sealed.hpp>

#include <kerb/internal/endian.hpp>

namespace kerb::detail {

Result<std::vector<std::uint8_t>> seal(const crypto::Key& key, std::uint32_t usage,
                                       std::span<const std::uint8_t> plain,
                                       crypto::Random& random) {
  KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
  std::vector<std::uint8_t> cipher(k.ciphertext_size(plain.size()));
  KERB_TRY(std::size_t n, k.encrypt(plain, cipher, random));
  cipher.resize(n);
  return cipher;
}

Result<crypto::UsageKey> opening_key(const crypto::Key& key, std::uint32_t usage,
                                     crypto::EncType etype, std::string_view what) {
  if (etype != key.enctype()) {
    return Error::format(ErrorCategory::kProtocol, 0, "%.*s is encrypted with enctype %d, not %d",
                         static_cast<int>(what.size()), what.data(), static_cast<int>(etype),
                         static_cast<int>(key.enctype()));
  }
  return crypto::UsageKey::derive(key, usage);
}

Result<std::size_t> decrypt_into(const crypto::UsageKey& k, std::span<const std::uint8_t> cipher,
                                 std::span<std::uint8_t> out, std::string_view what,
                                 std::int32_t integrity_code) {
  auto n = k.decrypt(cipher, out);
  if (!n) {
    return Error::format(ErrorCategory::kCrypto, integrity_code, "%.*s failed its integrity check",
                         static_cast<int>(what.size()), what.data());
  }
  return *n;
}

Result<Plaintext> open(const crypto::Key& key, std::uint32_t usage, crypto::EncType etype,
                       std::span<const std::uint8_t> cipher, std::string_view what,
                       std::int32_t integrity_code) {
  KERB_TRY(crypto::UsageKey k, opening_key(key, usage, etype, what));
  KERB_TRY(std::size_t size, k.plaintext_size(cipher.size()));
  crypto::SecretBuffer plain(size);
  KERB_TRY(std::size_t n, decrypt_into(k, cipher, plain.mutable_view(), what, integrity_code));
  plain.resize(n);
  return Plaintext(std::move(plain));
}

Result<std::uint32_t> random_u32(crypto::Random& random, std::uint32_t mask) {
  std::uint8_t b[4];
  KERB_TRY_VOID(random.fill(b));
  return load_be32(b) & mask;
}

}  // namespace kerb::detail
