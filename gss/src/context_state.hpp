// What a SecurityContext holds (its keys per direction, flags, sequence state, names) and the
// helpers its per-message, PRF and export code share. Private to kerb::gss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <kerb/clock.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

#include "context_seq.hpp"

namespace kerb::gss::detail {

inline constexpr std::size_t kMaxChecksum = 32;  // hmac-sha384-192 is the longest (24)

// RFC 4121 §4.2.2.
inline constexpr std::uint8_t kSentByAcceptor = 0x01;
inline constexpr std::uint8_t kSealed = 0x02;
inline constexpr std::uint8_t kAcceptorSubkey = 0x04;

// Larger messages would overflow the size arithmetic of the tokens and the PRF.
inline constexpr std::size_t kMaxMessage = std::size_t{1} << (sizeof(std::size_t) * 8 - 2);

inline Error no_context() {
  return Error(ErrorCategory::kInvalidArgument, major_status::kNoContext, "no security context");
}
// A crypto error re-coded as a GSS status, keeping its category and detail.
inline Error recode(const Error& e, std::int32_t code) {
  return Error(e.category(), code, e.detail());
}

// The enctypes with RFC 4121 tokens: every one this build implements but rc4-hmac, which uses
// RFC 4757's token formats (not implemented).
constexpr bool supported_enctype(crypto::EncType e) noexcept {
  if (e == crypto::EncType::kRc4Hmac) return false;
  for (crypto::EncType implemented : crypto::kImplementedEnctypes) {
    if (e == implemented) return true;
  }
  return false;
}
Error unsupported_enctype(crypto::EncType e);

// The keys derived from one base key for one direction (RFC 4121 §2): Wrap tokens use the
// SEAL usage with or without confidentiality, MIC tokens the SIGN usage.
struct DirectionKeys {
  crypto::UsageKey seal;
  crypto::ChecksumKey wrap_mic;  // Wrap without confidentiality
  crypto::ChecksumKey sign;      // MIC tokens
  std::size_t checksum_size = 0;
};

Result<void> derive_direction(const crypto::Key& key, bool acceptor, DirectionKeys& out);

}  // namespace kerb::gss::detail

namespace kerb::gss {

struct SecurityContext::State {
  Role role = Role::kInitiator;
  std::uint32_t flags = 0;
  bool acceptor_subkey = false;
  std::int64_t endtime = 0;
  crypto::Key key;  // the base key: kept for export_context() and pseudo_random()
  // With acceptor_subkey: the initiator's subkey (or the session key), see Params.
  std::optional<crypto::Key> initiator_subkey;
  // Derived once from `key`.
  detail::DirectionKeys sending;    // our tokens
  detail::DirectionKeys receiving;  // the peer's
  // An acceptor's keys for the initiator's tokens under initiator_subkey, derived at the first
  // such token (only a prot_ready initiator sends them).
  std::unique_ptr<detail::DirectionKeys> recv_early;
  std::uint64_t send_seq = 0;
  detail::SeqWindow recv;
  Principal initiator;
  Principal acceptor;
  crypto::Random* random = &crypto::os_random();
  const Clock* clock = &system_clock();

  std::uint8_t our_flags() const noexcept {
    return static_cast<std::uint8_t>((role == Role::kAcceptor ? detail::kSentByAcceptor : 0) |
                                     (acceptor_subkey ? detail::kAcceptorSubkey : 0));
  }

  Result<void> check_time() const;

  // Derives sending and receiving from `base` for this context's role.
  Result<void> derive_keys(const crypto::Key& base);

  // Checks a received token's flags (§4.2.2) and picks the keys that verify it: the direction
  // must be the peer's, and the AcceptorSubkey flag says which subkey protected the token.
  // Unknown flags are ignored.
  Result<const detail::DirectionKeys*> recv_keys(std::uint8_t flags);

  // Classifies an authentic token's sequence number and records it. With kReplay or
  // kSequence a duplicate is an error; every other case is reported as supplementary bits.
  Result<std::uint32_t> accept_seq(std::uint64_t seq);

  // Unwrap without the wipe-on-failure of the public form.
  Result<Unwrapped> unwrap(Bytes token, std::span<std::uint8_t> message);
};

}  // namespace kerb::gss
