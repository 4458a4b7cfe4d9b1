// Pieces the krb5 initiator and acceptor share (RFC 4121 §4.1): the 0x8003 authenticator
// checksum and the channel-bindings hash. Private to kerb::gss; sealing, wiped plaintext and
// random sequence numbers are <kerb/internal/sealed.hpp>'s.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/internal/endian.hpp>
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

using Bnd = std::array<std::uint8_t, kBndLength>;

// An error carrying a GSS major status (context.hpp) as its code.
inline Error gss_error(std::int32_t major, const char* detail) {
  return Error(ErrorCategory::kProtocol, major, detail);
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
  kerb::detail::ByteWriter w(&encoded, /*big_endian=*/false);
  w.u32(cb.initiator_addrtype);
  w.u32(static_cast<std::uint32_t>(cb.initiator_address.size()));
  w.bytes(cb.initiator_address);
  w.u32(cb.acceptor_addrtype);
  w.u32(static_cast<std::uint32_t>(cb.acceptor_address.size()));
  w.bytes(cb.acceptor_address);
  w.u32(static_cast<std::uint32_t>(cb.application_data.size()));
  w.bytes(cb.application_data);
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
  kerb::detail::store_le32(kBndLength, p);
  std::copy(bnd.begin(), bnd.end(), p + 4);
  kerb::detail::store_le32(flags, p + 20);
  if (delegate) {
    kerb::detail::store_le16(kDlgOpt, p + 24);
    kerb::detail::store_le16(static_cast<std::uint16_t>(krb_cred.size()), p + 26);
    std::copy(krb_cred.begin(), krb_cred.end(), p + kChecksumBaseSize + kDelegationHeaderSize);
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
  if (kerb::detail::load_le32(c.data()) != kBndLength) {
    return gss_error(major_status::kDefectiveToken,
                     "the 0x8003 authenticator checksum's Lgth is not 16");
  }
  GssChecksum out;
  for (std::size_t i = 0; i < kBndLength; ++i)
    out.bnd[i] = c[4 + i];
  out.flags = kerb::detail::load_le32(c.data() + 20);
  if ((out.flags & context_flags::kDeleg) != 0) {
    if (c.size() < kChecksumBaseSize + kDelegationHeaderSize) {
      return gss_error(major_status::kDefectiveToken,
                       "GSS_C_DELEG_FLAG is set but the checksum has no delegation fields");
    }
    if (kerb::detail::load_le16(c.data() + 24) != kDlgOpt) {
      return gss_error(major_status::kDefectiveToken, "the checksum's DlgOpt is not 1");
    }
    const std::size_t dlgth = kerb::detail::load_le16(c.data() + 26);
    if (c.size() - kChecksumBaseSize - kDelegationHeaderSize < dlgth) {
      return gss_error(major_status::kDefectiveToken,
                       "the checksum's Dlgth runs past the end of the checksum");
    }
    out.deleg = c.subspan(kChecksumBaseSize + kDelegationHeaderSize, dlgth);
  }
  return out;
}

}  // namespace kerb::gss::detail
