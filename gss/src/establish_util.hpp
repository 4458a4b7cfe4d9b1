// Pieces the krb5 initiator and acceptor share (RFC 4121 §4.1): the 0x8003 authenticator
// checksum, the channel-bindings hash, wiped plaintext, and EncryptedData sealed and opened
// under a key usage. Private to kerb::gss.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb::gss::detail {

// The authenticator checksum type of the krb5 mechanism (RFC 4121 §4.1.1).
inline constexpr std::int32_t kGssChecksumType = 0x8003;
// Lgth: the Bnd field is an MD5 hash.
inline constexpr std::uint32_t kBndLength = 16;
// Octets before the optional delegation fields: Lgth, Bnd, Flags.
inline constexpr std::size_t kChecksumBaseSize = 24;
// DlgOpt (= 1) and Dlgth.
inline constexpr std::size_t kDelegationHeaderSize = 4;
inline constexpr std::uint16_t kDlgOpt = 1;
// The six flags RFC 4121 §4.1.1.1 defines; a sender clears every other bit.
inline constexpr std::uint32_t kDefinedFlags = context_flags::kDeleg | context_flags::kMutual |
                                               context_flags::kReplay | context_flags::kSequence |
                                               context_flags::kConf | context_flags::kInteg;
// Initial sequence numbers stay below 2^30, as kerb's AP-REQ does, for peers that read the
// UInt32 as a signed number.
inline constexpr std::uint32_t kSeqMask = 0x3FFFFFFF;

using Bnd = std::array<std::uint8_t, kBndLength>;

// An error carrying a GSS major status (context.hpp) as its code.
inline Error gss_error(std::int32_t major, const char* detail) {
  return Error(ErrorCategory::kProtocol, major, detail);
}

// Decrypted plaintext, or an encoding holding keys: wiped when it goes, and never copied
// through a growing vector (DESIGN.md convention 10).
class Plain {
 public:
  Plain() = default;
  explicit Plain(crypto::SecretBuffer bytes) noexcept : bytes_(std::move(bytes)) {}
  Plain(Plain&&) noexcept = default;
  Plain& operator=(Plain&&) noexcept = default;
  Plain(const Plain&) = delete;
  Plain& operator=(const Plain&) = delete;

  std::span<const std::uint8_t> bytes() const noexcept { return bytes_.view(); }

 private:
  crypto::SecretBuffer bytes_;
};

// `value`'s DER encoding, straight into wiping storage: a growing der::Writer would leave
// copies of the keys it holds in the blocks it outgrows.
template <class T>
Result<Plain> encode_secret(const T& value, const char* what) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  crypto::SecretBuffer buffer(counter.size());
  der::Writer w(buffer.mutable_view());
  encode(w, value);
  if (!counter.ok() || !w.ok() || w.size() != buffer.size()) {
    return Error::format(ErrorCategory::kInvalidArgument, major_status::kFailure,
                         "%s could not be encoded", what);
  }
  return Plain(std::move(buffer));
}

inline void put_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 24));
}

inline std::uint32_t get_le32(std::span<const std::uint8_t> b) noexcept {
  return std::uint32_t{b[0]} | std::uint32_t{b[1]} << 8 | std::uint32_t{b[2]} << 16 |
         std::uint32_t{b[3]} << 24;
}

inline std::uint16_t get_le16(std::span<const std::uint8_t> b) noexcept {
  return static_cast<std::uint16_t>(b[0] | b[1] << 8);
}

// Bnd (RFC 4121 §4.1.1.2): MD5 over the gss_channel_bindings_struct as RFC 2744 §3.11 lays it
// out -- each address type and every buffer length as four little-endian octets, each
// buffer's value after its length -- or 16 zero octets without bindings.
inline Result<Bnd> channel_bindings_hash(const std::optional<ChannelBindings>& bindings) {
  Bnd out{};
  if (!bindings) return out;
  const ChannelBindings& cb = *bindings;
  constexpr std::size_t kMaxBuffer = 0xFFFFFFFFu;
  if (cb.initiator_address.size() > kMaxBuffer || cb.acceptor_address.size() > kMaxBuffer ||
      cb.application_data.size() > kMaxBuffer) {
    return gss_error(major_status::kBadBindings, "a channel-bindings buffer exceeds 2^32-1 octets");
  }
  std::vector<std::uint8_t> encoded;
  encoded.reserve(20 + cb.initiator_address.size() + cb.acceptor_address.size() +
                  cb.application_data.size());
  put_le32(encoded, cb.initiator_addrtype);
  put_le32(encoded, static_cast<std::uint32_t>(cb.initiator_address.size()));
  encoded.insert(encoded.end(), cb.initiator_address.begin(), cb.initiator_address.end());
  put_le32(encoded, cb.acceptor_addrtype);
  put_le32(encoded, static_cast<std::uint32_t>(cb.acceptor_address.size()));
  encoded.insert(encoded.end(), cb.acceptor_address.begin(), cb.acceptor_address.end());
  put_le32(encoded, static_cast<std::uint32_t>(cb.application_data.size()));
  encoded.insert(encoded.end(), cb.application_data.begin(), cb.application_data.end());
  KERB_TRY(std::size_t n, crypto::compute_unkeyed(crypto::CksumType::kRsaMd5, encoded, out));
  if (n != out.size()) return gss_error(major_status::kFailure, "MD5 gave an unexpected size");
  return out;
}

// The 0x8003 checksum's fields (RFC 4121 §4.1.1).
struct GssChecksum {
  Bnd bnd{};
  std::uint32_t flags = 0;
  std::optional<std::span<const std::uint8_t>> deleg;  // the KRB-CRED, when DlgOpt is present
};

// In wiping storage: with delegation it carries the KRB-CRED of the TGT.
inline Result<crypto::SecretBuffer> encode_checksum(const Bnd& bnd, std::uint32_t flags,
                                                    std::span<const std::uint8_t> krb_cred,
                                                    bool delegate) {
  if (delegate && krb_cred.size() > 0xFFFF) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "the delegated KRB-CRED exceeds the 65535 octets Dlgth can carry");
  }
  // Sized once, so that it never moves while it grows.
  crypto::SecretBuffer out(kChecksumBaseSize +
                           (delegate ? kDelegationHeaderSize + krb_cred.size() : 0));
  std::uint8_t* p = out.data();
  const auto le = [&p](std::uint32_t v, int octets) {
    for (int i = 0; i < octets; ++i)
      *p++ = static_cast<std::uint8_t>(v >> (8 * i));
  };
  le(kBndLength, 4);
  p = std::copy(bnd.begin(), bnd.end(), p);
  le(flags, 4);
  if (delegate) {
    le(kDlgOpt, 2);
    le(static_cast<std::uint32_t>(krb_cred.size()), 2);
    std::copy(krb_cred.begin(), krb_cred.end(), p);
  }
  return out;
}

// Parses the checksum strictly: at least 24 octets, Lgth 16, and with GSS_C_DELEG_FLAG the
// DlgOpt/Dlgth/Deleg fields right after Flags. Octets past them (Exts) are ignored, as
// RFC 4121 §4.1.1 asks of acceptors that know no extensions.
inline Result<GssChecksum> parse_checksum(std::span<const std::uint8_t> c) {
  if (c.size() < kChecksumBaseSize) {
    return gss_error(major_status::kDefectiveToken,
                     "the 0x8003 authenticator checksum is shorter than 24 octets");
  }
  if (get_le32(c.first(4)) != kBndLength) {
    return gss_error(major_status::kDefectiveToken,
                     "the 0x8003 authenticator checksum's Lgth is not 16");
  }
  GssChecksum out;
  for (std::size_t i = 0; i < kBndLength; ++i)
    out.bnd[i] = c[4 + i];
  out.flags = get_le32(c.subspan(20, 4));
  if ((out.flags & context_flags::kDeleg) != 0) {
    if (c.size() < kChecksumBaseSize + kDelegationHeaderSize) {
      return gss_error(major_status::kDefectiveToken,
                       "GSS_C_DELEG_FLAG is set but the checksum has no delegation fields");
    }
    if (get_le16(c.subspan(24, 2)) != kDlgOpt) {
      return gss_error(major_status::kDefectiveToken, "the checksum's DlgOpt is not 1");
    }
    const std::size_t dlgth = get_le16(c.subspan(26, 2));
    if (c.size() - kChecksumBaseSize - kDelegationHeaderSize < dlgth) {
      return gss_error(major_status::kDefectiveToken,
                       "the checksum's Dlgth runs past the end of the checksum");
    }
    out.deleg = c.subspan(kChecksumBaseSize + kDelegationHeaderSize, dlgth);
  }
  return out;
}

// `plain` sealed under (key, usage), as an EncryptedData's cipher.
inline Result<std::vector<std::uint8_t>> seal(const crypto::Key& key, std::uint32_t usage,
                                              std::span<const std::uint8_t> plain,
                                              crypto::Random& random) {
  KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
  std::vector<std::uint8_t> cipher(k.ciphertext_size(plain.size()));
  KERB_TRY(std::size_t n, k.encrypt(plain, cipher, random));
  cipher.resize(n);
  return cipher;
}

// An EncryptedData opened under (key, usage); its etype must be the key's.
inline Result<Plain> open(const crypto::Key& key, std::uint32_t usage, const EncryptedData& data,
                          const char* what) {
  if (data.etype != static_cast<std::int32_t>(key.enctype())) {
    return Error::format(ErrorCategory::kProtocol, 0, "%s is encrypted with enctype %d, not %d",
                         what, data.etype, static_cast<int>(key.enctype()));
  }
  KERB_TRY(crypto::UsageKey k, crypto::UsageKey::derive(key, usage));
  KERB_TRY(std::size_t size, k.plaintext_size(data.cipher.size()));
  crypto::SecretBuffer plain(size);
  auto n = k.decrypt(data.cipher, plain.mutable_view());
  if (!n) {
    return Error::format(ErrorCategory::kCrypto, 0, "%s failed its integrity check", what);
  }
  plain.resize(*n);
  return Plain(std::move(plain));
}

inline Result<std::uint32_t> random_seq(crypto::Random& random) {
  std::uint8_t b[4];
  KERB_TRY_VOID(random.fill(b));
  const std::uint32_t v =
      std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
  crypto::secure_wipe(b, sizeof b);
  return v & kSeqMask;
}

inline bool same_bytes(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace kerb::gss::detail
