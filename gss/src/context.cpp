// A krb5 security context (RFC 4121): construction, the keys of each direction, flags and
// lifetime, GSS_Pseudo_random (RFC 7802), and completing a prot_ready initiator's context.
// Per-message tokens are in per_message.cpp, export and import in context_export.cpp.
#include <kerb/gss/context.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/internal/endian.hpp>

#include "context_access.hpp"
#include "context_seq.hpp"
#include "context_state.hpp"
#include "scratch.hpp"

namespace kerb::gss {

namespace detail {

Result<void> derive_direction(const crypto::Key& key, bool acceptor, DirectionKeys& out) {
  const std::uint32_t seal = acceptor ? key_usage::kAcceptorSeal : key_usage::kInitiatorSeal;
  const std::uint32_t sign = acceptor ? key_usage::kAcceptorSign : key_usage::kInitiatorSign;
  {
    auto k = crypto::UsageKey::derive(key, seal);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.seal = *k;
  }
  {
    auto k = crypto::ChecksumKey::derive(key, seal);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.wrap_mic = *k;
  }
  {
    auto k = crypto::ChecksumKey::derive(key, sign);
    if (!k) return recode(k.error(), major_status::kFailure);
    out.sign = *k;
  }
  out.checksum_size = out.sign.size();
  if (out.checksum_size == 0 || out.checksum_size > kMaxChecksum) {
    return Error(ErrorCategory::kCrypto, major_status::kFailure, "unexpected checksum size");
  }
  return ok();
}

Error unsupported_enctype(crypto::EncType e) {
  return Error::format(ErrorCategory::kPolicy, major_status::kFailure,
                       "no RFC 4121 tokens for enctype %d", static_cast<int>(e));
}

}  // namespace detail

using detail::derive_direction;
using detail::DirectionKeys;
using detail::no_context;
using detail::recode;
using detail::supported_enctype;
using detail::unsupported_enctype;

// --- the state's checks --------------------------------------------------------------------

Result<void> SecurityContext::State::check_time() const {
  const std::int64_t now = clock->now().seconds;
  if (now > endtime) {
    return Error::format(ErrorCategory::kProtocol, major_status::kContextExpired,
                         "security context expired at %lld (now %lld)",
                         static_cast<long long>(endtime), static_cast<long long>(now));
  }
  return ok();
}

Result<void> SecurityContext::State::derive_keys(const crypto::Key& base) {
  if (!supported_enctype(base.enctype())) return unsupported_enctype(base.enctype());
  const bool acceptor = role == Role::kAcceptor;
  KERB_TRY_VOID(derive_direction(base, acceptor, sending));
  return derive_direction(base, !acceptor, receiving);
}

Result<const DirectionKeys*> SecurityContext::State::recv_keys(std::uint8_t flags) {
  const bool from_acceptor = (flags & detail::kSentByAcceptor) != 0;
  if (from_acceptor == (role == Role::kAcceptor)) {
    return Error(ErrorCategory::kProtocol, major_status::kBadMic,
                 "token was sent in this context's own direction (reflected)");
  }
  const bool flagged = (flags & detail::kAcceptorSubkey) != 0;
  if (flagged == acceptor_subkey) return &receiving;
  if (flagged) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "AcceptorSubkey flag set; the context has no acceptor subkey");
  }
  // Flag clear although we asserted a subkey: the initiator protected it with its own
  // before our AP-REP reached it (RFC 2743 §1.2.7). MIT's acceptor picks the key by the flag
  // the same way. An acceptor's tokens always carry the flag once it asserted a subkey.
  if (role != Role::kAcceptor || !initiator_subkey) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "AcceptorSubkey flag missing; the context uses the acceptor's subkey");
  }
  if (!recv_early) {
    if (!supported_enctype(initiator_subkey->enctype())) {
      return unsupported_enctype(initiator_subkey->enctype());
    }
    auto keys = std::make_unique<DirectionKeys>();
    KERB_TRY_VOID(derive_direction(*initiator_subkey, false, *keys));
    recv_early = std::move(keys);
  }
  return recv_early.get();
}

Result<std::uint32_t> SecurityContext::State::accept_seq(std::uint64_t seq) {
  const std::uint32_t bits = recv.classify(seq);
  if (bits == supplementary::kDuplicateToken &&
      (flags & (context_flags::kReplay | context_flags::kSequence)) != 0) {
    return Error(ErrorCategory::kProtocol, major_status::kFailure, "duplicate token (replay)");
  }
  recv.record(seq);
  return bits;
}

// --- construction ----------------------------------------------------------------------------

Result<SecurityContext> SecurityContext::make(Params params) {
  if (params.key.empty()) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "security context needs a key");
  }
  if (params.role != Role::kInitiator && params.role != Role::kAcceptor) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "bad context role");
  }
  if (params.initiator_subkey && (!params.acceptor_subkey || params.initiator_subkey->empty())) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "an initiator subkey goes with an acceptor subkey only");
  }
  auto state = std::make_unique<State>();
  state->role = params.role;
  KERB_TRY_VOID(state->derive_keys(params.key));
  state->flags = params.flags;
  state->acceptor_subkey = params.acceptor_subkey;
  state->endtime = params.endtime;
  state->key = std::move(params.key);
  state->initiator_subkey = std::move(params.initiator_subkey);
  state->send_seq = params.send_seq;
  state->recv = detail::SeqWindow(params.recv_seq);
  state->initiator = std::move(params.initiator);
  state->acceptor = std::move(params.acceptor);
  SecurityContext ctx;
  ctx.state_ = std::move(state);
  return ctx;
}

// Out of line: State is incomplete in the header (a constructor may invoke ~unique_ptr).
SecurityContext::SecurityContext() noexcept = default;
SecurityContext::SecurityContext(SecurityContext&&) noexcept = default;
SecurityContext& SecurityContext::operator=(SecurityContext&&) noexcept = default;
SecurityContext::~SecurityContext() = default;  // State's keys wipe themselves

void SecurityContext::destroy() noexcept {
  state_.reset();
}

bool SecurityContext::established() const noexcept {
  return state_ != nullptr;
}
SecurityContext::Role SecurityContext::role() const noexcept {
  return state_ ? state_->role : Role::kInitiator;
}
std::uint32_t SecurityContext::flags() const noexcept {
  return state_ ? state_->flags : 0;
}
std::int64_t SecurityContext::endtime() const noexcept {
  return state_ ? state_->endtime : 0;
}
const Principal& SecurityContext::initiator() const noexcept {
  static const Principal kNone;
  return state_ ? state_->initiator : kNone;
}
const Principal& SecurityContext::acceptor() const noexcept {
  static const Principal kNone;
  return state_ ? state_->acceptor : kNone;
}
void SecurityContext::set_random(crypto::Random& random) noexcept {
  if (state_) state_->random = &random;
}
void SecurityContext::set_clock(const Clock& clock) noexcept {
  if (state_) state_->clock = &clock;
}

// --- GSS_Pseudo_random ------------------------------------------------------------------------

Result<void> SecurityContext::pseudo_random(PrfKey which, Bytes input,
                                            std::span<std::uint8_t> out) {
  if (!state_) return no_context();
  const State& s = *state_;
  if (which != PrfKey::kPartial && which != PrfKey::kFull) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "unknown PRF key");
  }
  if (out.size() > kMaxPrfOutput) {
    return Error::format(ErrorCategory::kInvalidArgument, major_status::kFailure,
                         "PRF output of %zu octets exceeds %zu", out.size(), kMaxPrfOutput);
  }
  if (input.size() > detail::kMaxMessage) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, "PRF input too large");
  }
  // RFC 7802 §2: the full key is the base key of the per-message tokens; the partial one the
  // key the context had before the acceptor's subkey arrived.
  const crypto::Key* key = &s.key;
  if (which == PrfKey::kPartial && s.acceptor_subkey) {
    if (!s.initiator_subkey) {
      return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                   "this context does not know the initiator's subkey (imported from a "
                   "version 1 blob)");
    }
    key = &*s.initiator_subkey;
  }
  const std::size_t block = key->info()->prf_size;
  std::uint8_t t[64];
  if (block == 0 || block > sizeof t) {
    return Error(ErrorCategory::kCrypto, major_status::kFailure, "unexpected PRF size");
  }
  detail::Scratch ns(4 + input.size());  // counter | input
  if (!input.empty()) std::memcpy(ns.data() + 4, input.data(), input.size());
  std::uint32_t counter = 0;  // RFC 7802 §2: from 0, as deployed (RFC 4402 said 1)
  for (std::size_t off = 0; off < out.size(); off += block, ++counter) {
    kerb::detail::store_be32(counter, ns.data());
    auto made = crypto::prf(*key, ns.span(), t);
    if (!made) {
      crypto::secure_wipe(t, sizeof t);
      crypto::secure_wipe(out);
      return recode(made.error(), major_status::kFailure);
    }
    std::memcpy(out.data() + off, t, std::min(block, out.size() - off));
  }
  crypto::secure_wipe(t, sizeof t);
  return ok();
}

// --- completing a prot_ready initiator's context ----------------------------------------------

Result<void> detail::ContextAccess::complete(SecurityContext& context,
                                             std::optional<crypto::Key> acceptor_subkey,
                                             std::uint64_t peer_seq) {
  if (!context.state_) return no_context();
  SecurityContext::State& s = *context.state_;
  if (s.role != SecurityContext::Role::kInitiator || s.acceptor_subkey) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "the context is already complete");
  }
  if (acceptor_subkey) {
    // Derived first, so that a failure leaves the context as it was.
    DirectionKeys sending, receiving;
    if (!supported_enctype(acceptor_subkey->enctype())) {
      return unsupported_enctype(acceptor_subkey->enctype());
    }
    KERB_TRY_VOID(derive_direction(*acceptor_subkey, false, sending));
    KERB_TRY_VOID(derive_direction(*acceptor_subkey, true, receiving));
    s.sending = sending;
    s.receiving = receiving;
    s.initiator_subkey = std::move(s.key);
    s.key = std::move(*acceptor_subkey);
    s.acceptor_subkey = true;
  }
  s.recv = detail::SeqWindow(peer_seq);
  return ok();
}

}  // namespace kerb::gss
