// SPNEGO acceptor (RFC 4178 §5): takes the first krb5 mechanism offered, accepts its token
// with the krb5 acceptor, runs the mechListMIC exchange, and after a failure leaves a reject
// (with the krb5 KRB-ERROR when there is one) for the caller to send.
#include <kerb/gss/spnego.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "krb_error_reply.hpp"
#include "spnego_util.hpp"

namespace kerb::gss {

using detail::spnego::copy;
using detail::spnego::krb5_framed;
using detail::spnego::mech_list_mic;
using detail::spnego::protocol_error;
using detail::spnego::verify_mech_list_mic;

namespace {

// negState reject, with the krb5 mechanism's KRB-ERROR token when there is one (RFC 4121
// §4.1: it tells the initiator why, as MIT's acceptor does).
Result<std::vector<std::uint8_t>> reject_token(Bytes krb_error) {
  NegTokenResp resp;
  resp.neg_state = NegState::kReject;
  if (!krb_error.empty()) resp.response_token = krb_error;
  return encode_neg_token_resp(resp);
}

// `cause` as the caller sees it, noting what could not be sent to the peer and why.
Error with_note(const Error& cause, const char* note, const Error& why) {
  return Error::format(cause.category(), cause.code(), "%.*s; %s: %.*s",
                       static_cast<int>(cause.detail().size()), cause.detail().data(), note,
                       static_cast<int>(why.detail().size()), why.detail().data());
}

}  // namespace

struct SpnegoAcceptor::State {
  enum class Phase : std::uint8_t { kInit, kMechToken, kMic, kDone, kFailed };

  const Keytab* keytab = nullptr;
  AcceptorOptions options;
  std::vector<std::uint8_t> mech_list;  // the MechTypeList as received, the MIC's input
  std::vector<std::uint8_t> selected;   // as offered
  std::optional<Accepted> accepted;
  std::vector<std::uint8_t> output;
  std::vector<std::uint8_t> krb_error;  // the krb5 mechanism's KRB-ERROR after a refusal
  Phase phase = Phase::kInit;
  bool mic_required = false;

  Result<SpnegoAcceptor::Step> first(Bytes token);
  Result<SpnegoAcceptor::Step> mech_token(Bytes token, std::optional<Bytes> mic, bool first);
  Result<SpnegoAcceptor::Step> final_mic(Bytes token);
};

Result<SpnegoAcceptor::Step> SpnegoAcceptor::State::first(Bytes token) {
  KERB_TRY(NegTokenInit init, decode_neg_token_init(token));
  // kerb accepts only krb5, so it takes the first krb5 OID the initiator offers (§3.1: the
  // first mechanism it has credentials for).
  auto it = std::find_if(init.mech_types.begin(), init.mech_types.end(), is_krb5_mech);
  if (it == init.mech_types.end()) {
    return Error(ErrorCategory::kProtocol, kSpnegoBadMech,
                 "SPNEGO: the initiator offers no krb5 mechanism");
  }
  mech_list = copy(init.mech_types_der);
  selected = copy(*it);
  // §3.2 c II: krb5 not being the initiator's first choice makes the MIC exchange required.
  mic_required = it != init.mech_types.begin();
  if (!mic_required && init.mech_token)
    return mech_token(*init.mech_token, init.mech_list_mic, true);

  // No usable optimistic token (it was for another mechanism, or absent): ask for krb5's.
  // A mechListMIC here cannot be checked without a context; the required exchange follows.
  NegTokenResp resp;
  resp.neg_state = mic_required ? NegState::kRequestMic : NegState::kAcceptIncomplete;
  resp.supported_mech = Bytes(selected);
  KERB_TRY(output, encode_neg_token_resp(resp));
  phase = Phase::kMechToken;
  return SpnegoAcceptor::Step::kContinue;
}

Result<SpnegoAcceptor::Step> SpnegoAcceptor::State::mech_token(Bytes token,
                                                               std::optional<Bytes> mic,
                                                               bool first) {
  KERB_TRY(std::vector<std::uint8_t> framed, krb5_framed(token));
  auto krb5 = accept(framed, *keytab, options);
  if (!krb5) {
    if (options.clock != nullptr) {
      auto reply = detail::krb_error_reply(framed, krb5.error(), *options.clock);
      if (!reply) return with_note(krb5.error(), "no KRB-ERROR for the initiator", reply.error());
      if (*reply) krb_error = std::move(**reply);
    }
    return krb5.error();
  }
  accepted.emplace(std::move(krb5).value());
  SecurityContext& context = accepted->context;
  if (options.clock != nullptr) context.set_clock(*options.clock);
  if (options.random != nullptr) context.set_random(*options.random);

  NegTokenResp resp;
  if (first) resp.supported_mech = Bytes(selected);
  if (!accepted->output_token.empty()) resp.response_token = Bytes(accepted->output_token);
  const bool we_send_last = resp.response_token.has_value();

  bool mic_verified = false;
  if (mic) {
    KERB_TRY_VOID(verify_mech_list_mic(context, mech_list, *mic));
    mic_verified = true;
  }
  std::vector<std::uint8_t> our_mic;
  if (mic_verified || mic_required) {
    // §5 c V: the initiator sent the last mechanism token, and without the required MIC.
    if (!mic_verified && !we_send_last) {
      return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                   "SPNEGO: the initiator sent no mechListMIC where RFC 4178 §5 requires one");
    }
    KERB_TRY(our_mic, mech_list_mic(context, mech_list));
    resp.mech_list_mic = Bytes(our_mic);
  }
  // §5 b: with the MIC exchange pending we wait for the initiator's MIC.
  const bool done = !resp.mech_list_mic || mic_verified;
  resp.neg_state = done ? NegState::kAcceptCompleted : NegState::kAcceptIncomplete;
  KERB_TRY(output, encode_neg_token_resp(resp));
  phase = done ? Phase::kDone : Phase::kMic;
  return done ? SpnegoAcceptor::Step::kDone : SpnegoAcceptor::Step::kContinue;
}

Result<SpnegoAcceptor::Step> SpnegoAcceptor::State::final_mic(Bytes token) {
  KERB_TRY(NegTokenResp resp, decode_neg_token_resp(token));
  if (resp.neg_state == NegState::kReject) {
    return protocol_error("the initiator rejected the negotiation");
  }
  if (resp.supported_mech || resp.response_token) {
    return protocol_error("unexpected fields where only a mechListMIC belongs");
  }
  if (!resp.mech_list_mic) {
    return Error(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                 "SPNEGO: the initiator sent no mechListMIC where RFC 4178 §5 requires one");
  }
  KERB_TRY_VOID(verify_mech_list_mic(accepted->context, mech_list, *resp.mech_list_mic));
  phase = Phase::kDone;
  return SpnegoAcceptor::Step::kDone;
}

SpnegoAcceptor::SpnegoAcceptor(const Keytab& keytab, AcceptorOptions options)
    : state_(std::make_unique<State>()) {
  state_->keytab = &keytab;
  state_->options = std::move(options);
}

SpnegoAcceptor::SpnegoAcceptor(SpnegoAcceptor&&) noexcept = default;
SpnegoAcceptor& SpnegoAcceptor::operator=(SpnegoAcceptor&&) noexcept = default;
SpnegoAcceptor::~SpnegoAcceptor() = default;

Result<SpnegoAcceptor::Step> SpnegoAcceptor::step(Bytes initiator_token) {
  if (!state_ || state_->phase == State::Phase::kDone || state_->phase == State::Phase::kFailed) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "SPNEGO: no token expected");
  }
  state_->output.clear();
  Result<Step> result = [&]() -> Result<Step> {
    switch (state_->phase) {
      case State::Phase::kInit:
        return state_->first(initiator_token);
      case State::Phase::kMechToken: {
        KERB_TRY(NegTokenResp resp, decode_neg_token_resp(initiator_token));
        if (resp.neg_state == NegState::kReject) {
          return protocol_error("the initiator rejected the negotiation");
        }
        if (resp.supported_mech) return protocol_error("supportedMech from the initiator");
        if (!resp.response_token) return protocol_error("no krb5 token from the initiator");
        return state_->mech_token(*resp.response_token, resp.mech_list_mic, false);
      }
      case State::Phase::kMic:
        return state_->final_mic(initiator_token);
      case State::Phase::kDone:
      case State::Phase::kFailed:
        break;
    }
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "SPNEGO: no token expected");
  }();
  if (!result) {
    state_->phase = State::Phase::kFailed;
    if (state_->accepted) state_->accepted->context.destroy();
    state_->accepted.reset();
    auto reject = reject_token(state_->krb_error);
    if (!reject) return with_note(result.error(), "no reject token", reject.error());
    state_->output = std::move(reject).value();
  }
  return result;
}

std::span<const std::uint8_t> SpnegoAcceptor::token() const noexcept {
  return state_ ? std::span<const std::uint8_t>(state_->output) : std::span<const std::uint8_t>{};
}

bool SpnegoAcceptor::established() const noexcept {
  return state_ && state_->phase == State::Phase::kDone && state_->accepted.has_value();
}

Bytes SpnegoAcceptor::selected_mech() const noexcept {
  return state_ ? Bytes(state_->selected) : Bytes{};
}

Result<Accepted> SpnegoAcceptor::take_accepted() {
  if (!established()) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kNoContext,
                 "SPNEGO: the negotiation is not complete");
  }
  Accepted out = std::move(*state_->accepted);
  state_->accepted.reset();
  return out;
}

Result<SpnegoAccepted> spnego_accept(Bytes initial_token, const Keytab& keytab,
                                     const AcceptorOptions& options) {
  SpnegoAcceptor acceptor(keytab, options);
  KERB_TRY(SpnegoAcceptor::Step step, acceptor.step(initial_token));
  if (step != SpnegoAcceptor::Step::kDone) {
    return Error(ErrorCategory::kProtocol, major_status::kFailure,
                 "SPNEGO: the negotiation needs another round (krb5 not the initiator's first "
                 "choice, or no optimistic token): use SpnegoAcceptor");
  }
  std::vector<std::uint8_t> output(acceptor.token().begin(), acceptor.token().end());
  KERB_TRY(Accepted accepted, acceptor.take_accepted());
  return SpnegoAccepted{std::move(output), std::move(accepted)};
}

}  // namespace kerb::gss
