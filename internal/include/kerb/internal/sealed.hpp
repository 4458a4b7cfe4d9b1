// Sealed plaintext: EncryptedData (RFC 4120 §5.2.9) sealed and opened under a key usage
// (RFC 3961 §3), decrypted plaintext that wipes itself, and random protocol numbers.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/error.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// Decrypted plaintext (or a plaintext encoding holding keys): wiped when it goes, and never
// copied through a growing vector (DESIGN.md convention 10). Move-only.
class Plaintext {
 public:
  Plaintext() = default;
  explicit Plaintext(crypto::SecretBuffer bytes) noexcept : bytes_(std::move(bytes)) {}
  // Takes over bytes that arrived in a vector: copied, then wiped where they were.
  explicit Plaintext(std::vector<std::uint8_t>&& bytes) : bytes_(std::span(bytes)) {
    crypto::secure_wipe(bytes);
    bytes.clear();
  }
  Plaintext(Plaintext&&) noexcept = default;
  Plaintext& operator=(Plaintext&&) noexcept = default;
  Plaintext(const Plaintext&) = delete;
  Plaintext& operator=(const Plaintext&) = delete;

  std::span<const std::uint8_t> bytes() const noexcept { return bytes_.view(); }

 private:
  crypto::SecretBuffer bytes_;
};

// `value`'s DER encoding (its encode(der::Writer&, const T&)), straight into wiping storage: a
// growable der::Writer would leave copies of the keys it holds in the blocks it outgrows. A
// failure is kInvalidArgument with `code` (the caller's layer: 0, or a GSS major status).
template <class T>
Result<Plaintext> encode_plaintext(const T& value, std::string_view what, std::int32_t code = 0) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  crypto::SecretBuffer buffer(counter.size());
  der::Writer w(buffer.mutable_view());
  encode(w, value);
  if (!counter.ok() || !w.ok() || w.size() != buffer.size()) {
    return Error::format(ErrorCategory::kInvalidArgument, code, "%.*s could not be encoded",
                         static_cast<int>(what.size()), what.data());
  }
  return Plaintext(std::move(buffer));
}

// `plain` encrypted under (key, usage) with a confounder from `random`: an EncryptedData's
// cipher, exactly as long as the enctype makes it.
Result<std::vector<std::uint8_t>> seal(const crypto::Key& key, std::uint32_t usage,
                                       std::span<const std::uint8_t> plain, crypto::Random& random);

// The usage key that opens an EncryptedData of `etype` under (key, usage). An etype other than
// the key's is kProtocol, named after `what`.
Result<crypto::UsageKey> opening_key(const crypto::Key& key, std::uint32_t usage,
                                     crypto::EncType etype, std::string_view what);

// `cipher` decrypted with `k` into `out` (k.plaintext_size long): the plaintext's length. A
// failed integrity check is kCrypto with `integrity_code`, named after `what`.
Result<std::size_t> decrypt_into(const crypto::UsageKey& k, std::span<const std::uint8_t> cipher,
                                 std::span<std::uint8_t> out, std::string_view what,
                                 std::int32_t integrity_code);

// `cipher` decrypted under (key, usage). An etype other than the key's is kProtocol; a failed
// integrity check is kCrypto with `integrity_code` (KRB_AP_ERR_BAD_INTEGRITY where RFC 4120
// §3.2.3, §3.4.2, §3.5.2, §3.6.2 name it; 0 for a client reading a KDC reply).
Result<Plaintext> open(const crypto::Key& key, std::uint32_t usage, crypto::EncType etype,
                       std::span<const std::uint8_t> cipher, std::string_view what,
                       std::int32_t integrity_code = 0);

// The same for an EncryptedData (anything with `etype` and `cipher`, as kerb's messages have).
template <class EncryptedData>
Result<Plaintext> open(const crypto::Key& key, std::uint32_t usage, const EncryptedData& data,
                       std::string_view what, std::int32_t integrity_code = 0) {
  return open(key, usage, data.etype, std::span<const std::uint8_t>(data.cipher), what,
              integrity_code);
}

// A random number in [0, mask]: nonces (mask 0x7FFFFFFF) and sequence numbers stay positive
// for peers that read UInt32 as Int32. Four bytes from `random`, read big-endian.
Result<std::uint32_t> random_u32(crypto::Random& random, std::uint32_t mask);

// Initial sequence numbers (AP-REQ, AP-REP, GSS contexts) stay below 2^30, as MIT's do, so
// that a peer counting them as a signed 32-bit number never wraps into the negative.
inline constexpr std::uint32_t kSeqNumberMask = 0x3FFFFFFF;

// A random initial sequence number (RFC 4120 §5.5.1 seq-number, RFC 4121 §4.2.6 SND_SEQ).
inline Result<std::uint32_t> random_seq(crypto::Random& random) {
  return random_u32(random, kSeqNumberMask);
}

}  // namespace kerb::detail
