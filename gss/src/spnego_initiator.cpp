// SPNEGO initiator (RFC 4178 §5): offers krb5 (with its optimistic token when krb5 is the
// first choice), follows the acceptor's selection and runs the mechListMIC exchange.
#include <kerb/gss/spnego.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "spnego_util.hpp"

namespace kerb::gss {

using detail::spnego::invalid_argument;
using detail::spnego::krb5_framed;
using detail::spnego::mech_list_mic;
using detail::spnego::protocol_error;
using detail::spnego::same;
using detail::spnego::verify_mech_list_mic;

struct SpnegoInitiator::State {
  enum class Phase : std::uint8_t { kFirstReply, kReply, kDone, kFailed };

  std::vector<std::vector<std::uint8_t>> offered;
  std::vector<std::uint8_t> mech_list;  // DER MechTypeList, the MIC's input
  std::optional<Initiator> krb5;
  std::optional<SecurityContext> context;  // taken from krb5 once it is established
  std::vector<std::uint8_t> output;
  Clock* clock = nullptr;               // ApContext's, for the context's expiry checks
  crypto::Random* random = nullptr;     // and its confounders
  std::optional<std::size_t> selected;  // index into offered, once the acceptor chose
  Phase phase = Phase::kFirstReply;
  bool mic_required = false;
  bool mic_sent = false;
  bool mic_verified = false;

  Result<void> take_krb5_context() {
    if (context || !krb5->established()) return ok();
    KERB_TRY(SecurityContext taken, krb5->take_context());
    // The injected clock and randomness carry over to the context (DESIGN.md convention 11).
    if (clock != nullptr) taken.set_clock(*clock);
    if (random != nullptr) taken.set_random(*random);
    context = std::move(taken);
    return ok();
  }

  Result<std::vector<std::uint8_t>> our_mic() {
    KERB_TRY(std::vector<std::uint8_t> mic, mech_list_mic(*context, mech_list));
    mic_sent = true;
    return mic;
  }

  // The acceptor selected a mechanism other than our first choice: no optimistic token went
  // out for it, so send the krb5 initial token now (with our MIC when it is the last one).
  Result<SpnegoInitiator::Step> send_krb5_token() {
    NegTokenResp resp;
    resp.response_token = krb5->token();
    KERB_TRY_VOID(take_krb5_context());
    std::vector<std::uint8_t> mic;
    if (context) {  // no mutual authentication: this is the last mechanism token (§5 c)
      KERB_TRY(mic, our_mic());
      resp.mech_list_mic = Bytes(mic);
    }
    KERB_TRY(output, encode_neg_token_resp(resp));
    phase = Phase::kReply;
    return SpnegoInitiator::Step::kContinue;
  }

  Result<SpnegoInitiator::Step> step(Bytes token);
};

Result<SpnegoInitiator::Step> SpnegoInitiator::State::step(Bytes token) {
  KERB_TRY(NegTokenResp resp, decode_neg_token_resp(token));
  const bool first = phase == Phase::kFirstReply;

  if (resp.neg_state == NegState::kReject) {
    // The acceptor may say why in a krb5 KRB-ERROR token: surface its code.
    if (resp.response_token && first && is_krb5_mech(offered.front()) && !krb5->established()) {
      auto framed = krb5_framed(*resp.response_token);
      if (framed) {
        auto krb5_step = krb5->step(*framed);
        if (!krb5_step) return krb5_step.error();
      }
    }
    return Error(ErrorCategory::kProtocol, kSpnegoBadMech,
                 "SPNEGO: the acceptor rejected the negotiation");
  }

  if (first) {
    if (!resp.neg_state) return protocol_error("the acceptor's first reply has no negState");
    if (!resp.supported_mech) {
      return protocol_error("the acceptor's first reply has no supportedMech");
    }
    auto it = std::find_if(offered.begin(), offered.end(),
                           [&](const auto& oid) { return same(oid, *resp.supported_mech); });
    if (it == offered.end()) return protocol_error("supportedMech is not a mechanism we offered");
    if (!is_krb5_mech(*resp.supported_mech)) {
      return Error(ErrorCategory::kProtocol, kSpnegoBadMech,
                   "SPNEGO: the acceptor selected a mechanism other than krb5");
    }
    selected = static_cast<std::size_t>(std::distance(offered.begin(), it));
    // Both krb5 OIDs name one mechanism (an acceptor may answer the legacy OID for the
    // standard one, or the reverse), so what was selected is our first krb5 OID.
    const auto krb5_at = static_cast<std::size_t>(std::distance(
        offered.begin(), std::find_if(offered.begin(), offered.end(),
                                      [](const auto& oid) { return is_krb5_mech(oid); })));
    // §5: the MIC exchange is required unless the selected mechanism was our first choice;
    // the acceptor may require it anyway.
    mic_required = krb5_at != 0 || resp.neg_state == NegState::kRequestMic;
    if (krb5_at != 0) {
      if (resp.response_token) {
        return protocol_error("a response token for a mechanism we sent no token for");
      }
      if (resp.neg_state == NegState::kAcceptCompleted) {
        return protocol_error("accept-completed before any krb5 token was sent");
      }
      if (resp.mech_list_mic) return protocol_error("a mechListMIC before any mechanism context");
      return send_krb5_token();
    }
  } else {
    if (resp.supported_mech) return protocol_error("supportedMech after the first reply");
    if (resp.neg_state == NegState::kRequestMic) {
      return protocol_error("request-mic after the first reply");
    }
  }

  if (resp.response_token) {
    if (krb5->established()) return protocol_error("a mechanism token after krb5 completed");
    KERB_TRY(std::vector<std::uint8_t> framed, krb5_framed(*resp.response_token));
    KERB_TRY(Initiator::Step krb5_step, krb5->step(framed));
    if (krb5_step != Initiator::Step::kDone || !krb5->established()) {
      return protocol_error("the krb5 mechanism did not complete");
    }
  }
  if (!krb5->established()) {
    return protocol_error("no krb5 AP-REP from the acceptor (mutual authentication asked)");
  }
  KERB_TRY_VOID(take_krb5_context());

  if (resp.mech_list_mic) {
    if (mic_verified) return protocol_error("a second mechListMIC");
    KERB_TRY_VOID(verify_mech_list_mic(*context, mech_list, *resp.mech_list_mic));
    mic_verified = true;
  }
  // §5 b IV: a required MIC that the acceptor did not send ends the negotiation.
  if (mic_required && !mic_verified) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "SPNEGO: the acceptor sent no mechListMIC where RFC 4178 §5 requires one");
  }
  const NegState state = resp.neg_state.value_or(
      mic_verified && !mic_sent ? NegState::kAcceptIncomplete : NegState::kAcceptCompleted);
  if (state == NegState::kAcceptIncomplete || state == NegState::kRequestMic) {
    // §5 b I and c IV: the acceptor's MIC verified; ours completes the negotiation for it.
    if (!mic_verified || mic_sent) {
      return protocol_error("accept-incomplete, but krb5 is complete and no MIC is pending");
    }
    KERB_TRY(std::vector<std::uint8_t> mic, our_mic());
    NegTokenResp reply;
    reply.neg_state = NegState::kAcceptCompleted;
    reply.mech_list_mic = Bytes(mic);
    KERB_TRY(output, encode_neg_token_resp(reply));
  }
  phase = Phase::kDone;
  return SpnegoInitiator::Step::kDone;
}

Result<SpnegoInitiator> SpnegoInitiator::start(const Credentials& service_ticket,
                                               SpnegoInitiatorOptions options, ApContext context) {
  std::vector<Bytes> views;
  views.reserve(std::min(options.mech_types.size(), NegTokenInit::kMaxMechTypes + 1));
  bool has_krb5 = false;
  for (const auto& oid : options.mech_types) {
    if (views.size() == NegTokenInit::kMaxMechTypes) {
      return invalid_argument("more than 32 mechTypes");
    }
    if (same(oid, kSpnegoMechOid)) return invalid_argument("SPNEGO cannot offer itself");
    for (Bytes earlier : views) {
      if (same(earlier, oid)) return invalid_argument("a mechType is offered twice");
    }
    has_krb5 = has_krb5 || is_krb5_mech(oid);
    views.emplace_back(oid);
  }
  if (!has_krb5) return invalid_argument("mechTypes must offer krb5");

  auto state = std::make_unique<State>();
  KERB_TRY(state->mech_list, encode_mech_type_list(views));

  InitiatorOptions krb5_options = std::move(options.krb5);
  krb5_options.mech = kKrb5MechOid;
  state->clock = context.clock;
  state->random = context.random;
  KERB_TRY(Initiator krb5, Initiator::start(service_ticket, std::move(krb5_options), context));
  state->krb5.emplace(std::move(krb5));

  NegTokenInit init;
  init.mech_types = views;
  if (is_krb5_mech(views.front())) init.mech_token = state->krb5->token();
  KERB_TRY(state->output, encode_neg_token_init(init));
  state->offered = std::move(options.mech_types);

  SpnegoInitiator out;
  out.state_ = std::move(state);
  return out;
}

SpnegoInitiator::SpnegoInitiator(SpnegoInitiator&&) noexcept = default;
SpnegoInitiator& SpnegoInitiator::operator=(SpnegoInitiator&&) noexcept = default;
SpnegoInitiator::~SpnegoInitiator() = default;

std::span<const std::uint8_t> SpnegoInitiator::token() const noexcept {
  return state_ ? std::span<const std::uint8_t>(state_->output) : std::span<const std::uint8_t>{};
}

Result<SpnegoInitiator::Step> SpnegoInitiator::step(Bytes acceptor_token) {
  if (!state_ || state_->phase == State::Phase::kDone || state_->phase == State::Phase::kFailed) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "SPNEGO: no reply expected");
  }
  state_->output.clear();
  auto result = state_->step(acceptor_token);
  if (!result) {
    state_->phase = State::Phase::kFailed;
    state_->output.clear();
    if (state_->context) state_->context->destroy();
  }
  return result;
}

bool SpnegoInitiator::established() const noexcept {
  return state_ && state_->phase == State::Phase::kDone;
}

Bytes SpnegoInitiator::selected_mech() const noexcept {
  if (!state_ || !state_->selected) return {};
  return state_->offered[*state_->selected];
}

Result<SecurityContext> SpnegoInitiator::take_context() {
  if (!established() || !state_->context) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kNoContext,
                 "SPNEGO: the negotiation is not complete");
  }
  SecurityContext out = std::move(*state_->context);
  state_->context.reset();
  return out;
}

}  // namespace kerb::gss
