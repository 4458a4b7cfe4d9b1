// An established krb5 GSS security context (RFC 4121): per-message tokens, sequence state,
// lifetime, and export/import so that protection survives the connection it was set up on.
//
// Made by Initiator or Acceptor once the AP exchange is done, or by import_context() from a
// blob an app kept in secure storage. No new handshake is needed after an import: the
// imported context goes on with the same keys and sequence numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb::gss {

namespace detail {
struct ContextAccess;  // the establishment code's way in (gss/src/context_access.hpp)
}

// Context flags (RFC 2744 §5.19 values; RFC 4121 §4.1.1.1 carries the same bits in the
// authenticator checksum).
namespace context_flags {
inline constexpr std::uint32_t kDeleg = 1;
inline constexpr std::uint32_t kMutual = 2;
inline constexpr std::uint32_t kReplay = 4;
inline constexpr std::uint32_t kSequence = 8;
inline constexpr std::uint32_t kConf = 16;
inline constexpr std::uint32_t kInteg = 32;
}  // namespace context_flags

// GSS major status codes (RFC 2744 §3.9.1), carried as kerb::Error::code() by gss errors so
// that an app can branch as it would on gss_unwrap's status.
namespace major_status {
inline constexpr std::int32_t kBadBindings = 4 << 16;
inline constexpr std::int32_t kBadMic = 6 << 16;  // also GSS_S_BAD_SIG
inline constexpr std::int32_t kNoContext = 8 << 16;
inline constexpr std::int32_t kDefectiveToken = 9 << 16;
inline constexpr std::int32_t kDefectiveCredential = 10 << 16;
inline constexpr std::int32_t kCredentialsExpired = 11 << 16;
inline constexpr std::int32_t kContextExpired = 12 << 16;
inline constexpr std::int32_t kFailure = 13 << 16;
}  // namespace major_status

// Supplementary status bits of gss_unwrap / gss_verify_mic (RFC 2743 §1.2.1.1): the token is
// authentic, but not the next one expected. With kReplay/kSequence flags set a duplicate is
// an error; the others are reported, as MIT reports them.
namespace supplementary {
inline constexpr std::uint32_t kDuplicateToken = 1;
inline constexpr std::uint32_t kOldToken = 2;
inline constexpr std::uint32_t kUnseqToken = 4;
inline constexpr std::uint32_t kGapToken = 8;
}  // namespace supplementary

// Which key GSS_Pseudo_random uses (RFC 4401 §2; RFC 7802 §2 for krb5): kPartial is
// GSS_C_PRF_KEY_PARTIAL (the initiator's subkey, else the session key), kFull is
// GSS_C_PRF_KEY_FULL (the acceptor's subkey when it asserted one, else as kPartial).
enum class PrfKey : std::uint8_t { kPartial, kFull };

struct Unwrapped {
  std::size_t length = 0;           // plaintext octets written to the caller's buffer
  bool conf = false;                // the token was sealed
  std::uint32_t supplementary = 0;  // supplementary:: bits
};

class SecurityContext {
 public:
  enum class Role : std::uint8_t { kInitiator, kAcceptor };

  // What Initiator/Acceptor hand over (RFC 4121 §2): the key is the acceptor's subkey when it
  // asserted one (acceptor_subkey true), else the initiator's subkey, else the session key.
  struct Params {
    Role role = Role::kInitiator;
    crypto::Key key;
    bool acceptor_subkey = false;
    // With acceptor_subkey: the initiator's subkey (the session key when it sent none), for
    // tokens the initiator protected before the AP-REP (RFC 2743 §1.2.7 prot_ready; their
    // AcceptorSubkey flag is clear) and for PrfKey::kPartial. Empty otherwise: `key` is it.
    std::optional<crypto::Key> initiator_subkey;
    std::uint64_t send_seq = 0;  // our initial sequence number
    std::uint64_t recv_seq = 0;  // the peer's initial sequence number
    std::uint32_t flags = 0;     // context_flags:: negotiated
    std::int64_t endtime = 0;    // the ticket's endtime: the context expires with it
    Principal initiator;
    Principal acceptor;
  };

  SecurityContext() noexcept;  // no context: every operation fails with kNoContext
  static Result<SecurityContext> make(Params params);

  SecurityContext(SecurityContext&&) noexcept;
  SecurityContext& operator=(SecurityContext&&) noexcept;
  ~SecurityContext();  // wipes the keys (destroy)

  bool established() const noexcept;
  Role role() const noexcept;
  std::uint32_t flags() const noexcept;
  std::int64_t endtime() const noexcept;
  const Principal& initiator() const noexcept;
  const Principal& acceptor() const noexcept;
  // Injected randomness for confounders (default: the OS) and time for expiry checks.
  void set_random(crypto::Random& random) noexcept;
  void set_clock(const Clock& clock) noexcept;

  // Wrap (RFC 4121 §4.2.6.2), with or without confidentiality. wrap_size() is the exact
  // token length; the span form writes into the caller's buffer (not overlapping `message`).
  // It allocates nothing, except with conf for a message over 496 octets: then one wiped
  // scratch copy of message | header, since the crypto layer encrypts one contiguous span.
  std::size_t wrap_size(std::size_t message_size, bool conf) const noexcept;
  Result<std::size_t> wrap(Bytes message, bool conf, std::span<std::uint8_t> token);
  Result<std::vector<std::uint8_t>> wrap(Bytes message, bool conf);
  // Unwrap: `message` must hold at least token.size() octets and not overlap `token`. Accepts
  // any RRC and EC the peer chose (MIT and Windows differ), checks direction, flags, the
  // encrypted header copy against the outer one, and every length before use. On failure the
  // first token.size() octets of `message` are zeroed. Errors carry major_status codes:
  // kDefectiveToken (malformed), kBadMic (integrity, reflection), kContextExpired, and
  // kFailure for a duplicate under kReplay/kSequence ("duplicate token (replay)").
  //
  // Success does not mean "the next token": an authentic token that is old (behind the 64-token
  // window, so possibly a replay), out of sequence, or after a gap is returned with only its
  // supplementary bits set, as gss_unwrap returns it (RFC 2743 §1.2.3). A caller that relies
  // on replay or sequence detection MUST check Unwrapped::supplementary (or the bits of
  // verify_mic) and refuse the token when any is set.
  Result<Unwrapped> unwrap(Bytes token, std::span<std::uint8_t> message);
  // The same; the bits go to *supplementary, which a caller relying on detection must pass.
  Result<std::vector<std::uint8_t>> unwrap(Bytes token, std::uint32_t* supplementary = nullptr);

  // MIC (RFC 4121 §4.2.6.1). The span form writes mic_size() octets into the caller's buffer
  // and allocates nothing for a message of at most 496 octets (beyond that, one wiped scratch
  // copy of message | header, as for wrap).
  std::size_t mic_size() const noexcept;
  Result<std::size_t> get_mic(Bytes message, std::span<std::uint8_t> token);
  Result<std::vector<std::uint8_t>> get_mic(Bytes message);
  // Returns the supplementary bits: as with unwrap, a success may be an old, out-of-sequence
  // or gap token, and the caller MUST check the bits when it relies on replay or sequence
  // detection.
  Result<std::uint32_t> verify_mic(Bytes message, Bytes token);

  // GSS_Pseudo_random (RFC 4401): fills `out` with the krb5 PRF+ of `input` under the key
  // `key` picks (RFC 7802 §2: PRF(K, 0 | S) || PRF(K, 1 | S) || ..., the counter a 32-bit
  // big-endian number from 0, as MIT computes it). At most kMaxPrfOutput octets, far more
  // than keying needs; more is kInvalidArgument.
  static constexpr std::size_t kMaxPrfOutput = std::size_t{1} << 16;
  Result<void> pseudo_random(PrfKey key, Bytes input, std::span<std::uint8_t> out);

  // A versioned byte blob holding the keys and sequence state: secret, keep it in secure
  // storage and wipe it after use. The context is unchanged; import_context() restores it.
  Result<std::vector<std::uint8_t>> export_context() const;
  static Result<SecurityContext> import_context(Bytes blob);

  // Wipes the keys; the context is then unusable.
  void destroy() noexcept;

 private:
  friend struct detail::ContextAccess;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kerb::gss
