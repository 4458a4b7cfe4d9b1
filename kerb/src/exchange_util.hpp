// Pieces every exchange needs: EncryptedData sealed and opened under a key usage, decrypted
// plaintext that wipes itself, and random protocol numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// Decrypted plaintext (or a plaintext encoding holding keys): wiped when it goes, and never
// copied through a growing vector (DESIGN.md convention 10).
class Plaintext {
 public:
  Plaintext() = default;
  explicit Plaintext(crypto::SecretBuffer bytes) noexcept : bytes_(std::move(bytes)) {}
  // Takes over bytes that arrived in a vector: copied, then wiped where they were.
  explicit Plaintext(std::vector<std::uint8_t>&& bytes) : bytes_(std::span(bytes)) {
    crypto::secure_wipe(bytes);
    bytes.clear();
  }

  std::span<const std::uint8_t> bytes() const noexcept { return bytes_.view(); }

 private:
  crypto::SecretBuffer bytes_;
};

// `value`'s DER encoding, straight into wiping storage: a growable der::Writer would leave
// copies of the key it holds in the blocks it outgrows.
template <class T>
Result<Plaintext> encode_plaintext(const T& value, std::string_view what) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  crypto::SecretBuffer buffer(counter.size());
  der::Writer w(buffer.mutable_view());
  encode(w, value);
  if (!counter.ok() || !w.ok() || w.size() != buffer.size()) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%.*s could not be encoded",
                         static_cast<int>(what.size()), what.data());
  }
  return Plaintext(std::move(buffer));
}

// Owned copies of a reply's caddr (RFC 4120 §5.4.2), at most Credentials::kMaxAddresses.
inline Result<void> set_addresses(Credentials& c, const std::optional<HostAddresses>& caddr) {
  c.addresses.clear();
  if (!caddr) return ok();
  if (caddr->size() > Credentials::kMaxAddresses) {
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the ticket carries %zu addresses, more than the limit of %zu",
                         caddr->size(), Credentials::kMaxAddresses);
  }
  c.addresses.reserve(caddr->size());
  for (const HostAddress& a : *caddr) {
    c.addresses.push_back({a.addr_type, {a.address.begin(), a.address.end()}});
  }
  return ok();
}

// `plain` encrypted under key and usage, as an EncryptedData's cipher.
inline Result<std::vector<std::uint8_t>> seal(const crypto::Key& key, std::uint32_t usage,
                                              std::span<const std::uint8_t> plain,
                                              crypto::Random& random) {
  KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
  std::vector<std::uint8_t> cipher(k.ciphertext_size(plain.size()));
  KERB_TRY_VOID(k.encrypt(plain, cipher, random));
  return cipher;
}

// An EncryptedData opened under key and usage; its etype must be the key's. An integrity
// failure is kCrypto with `integrity_code` (e.g. KRB_AP_ERR_BAD_INTEGRITY for a service).
inline Result<Plaintext> open(const crypto::Key& key, std::uint32_t usage,
                              const EncryptedData& data, std::string_view what,
                              std::int32_t integrity_code = 0) {
  if (data.etype != static_cast<std::int32_t>(key.enctype())) {
    return Error::format(ErrorCategory::kProtocol, 0, "%.*s is encrypted with enctype %d, not %d",
                         static_cast<int>(what.size()), what.data(), data.etype,
                         static_cast<int>(key.enctype()));
  }
  KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
  KERB_TRY(std::size_t size, k.plaintext_size(data.cipher.size()));
  crypto::SecretBuffer plain(size);
  auto n = k.decrypt(data.cipher, plain.mutable_view());
  if (!n) {
    return Error::format(ErrorCategory::kCrypto, integrity_code, "%.*s failed its integrity check",
                         static_cast<int>(what.size()), what.data());
  }
  plain.resize(*n);
  return Plaintext(std::move(plain));
}

// A session key from a KDC reply or ticket: an enctype policy permits, of the right length.
inline Result<crypto::Key> session_key(const EncryptionKey& key, const crypto::Policy& policy) {
  return crypto::Key::from_bytes(static_cast<crypto::EncType>(key.keytype), key.keyvalue, policy);
}

// A random 32-bit number below `mask`+1 (nonces and sequence numbers stay positive for peers
// that read UInt32 as Int32).
inline Result<std::uint32_t> random_u32(crypto::Random& random, std::uint32_t mask) {
  std::uint8_t b[4];
  KERB_TRY_VOID(random.fill(b));
  return (std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3]) &
         mask;
}

inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace kerb::detail
