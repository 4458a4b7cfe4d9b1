// SPNEGO (RFC 4178): token codec and the krb5-only negotiation drivers.
#include <kerb/gss/spnego.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>

#include <kerb/der/oid.hpp>
#include <kerb/der/tag.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/ap.hpp>

namespace kerb::gss {

namespace {

bool same(Bytes a, Bytes b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

std::vector<std::uint8_t> copy(Bytes b) {
  return {b.begin(), b.end()};
}

Error der_fault(const der::Error& err, const char* what) {
  char text[112];
  err.format(text, sizeof(text));
  return Error::format(ErrorCategory::kDer, major_status::kDefectiveToken, "SPNEGO %s: %s", what,
                       text);
}

Error protocol_error(const char* detail) {
  return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken, "SPNEGO: %s",
                       detail);
}

Error invalid_argument(const char* detail) {
  return Error::format(ErrorCategory::kInvalidArgument, major_status::kFailure, "SPNEGO: %s",
                       detail);
}

// --- decoding --------------------------------------------------------------------------------

// [n] EXPLICIT OCTET STRING, when present.
bool read_optional_octets(der::Reader& seq, std::uint8_t number, std::optional<Bytes>& out) {
  if (auto field = seq.read_optional(der::ctx(number))) {
    Bytes value;
    if (!field->read_octet_string(value) || !field->finish()) return false;
    out = value;
  }
  return seq.ok();
}

// After the known fields: RFC 4178's "..." admits extensions, but kerb knows none, and a field
// out of order is not DER. Either way, name it.
bool finish_fields(der::Reader& seq) {
  if (!seq.ok()) return false;
  if (!seq.empty()) return seq.fault(seq.offset(), "unknown or out-of-order field");
  return true;
}

// NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2], mechListMIC [3] }
bool read_neg_token_init(der::Reader& in, NegTokenInit& out) {
  der::Reader seq;
  if (!in.read_sequence(seq)) return false;

  der::Reader field;
  if (!seq.read_element(der::ctx(0), field)) return false;
  der::Reader raw = field;  // the same element again, to keep its bytes for the MIC
  if (!raw.read_raw(der::tags::kSequence, out.mech_types_der)) return false;
  const std::size_t list_at = field.offset();
  der::Reader list;
  if (!field.read_sequence(list) || !field.finish()) return false;
  if (list.empty()) return list.fault(list_at, "mechTypes is empty");
  while (!list.empty()) {
    const std::size_t at = list.offset();
    Bytes oid;
    if (!list.read_oid(oid)) return false;
    if (out.mech_types.size() == NegTokenInit::kMaxMechTypes) {
      return list.fault(at, "more than 32 mechTypes");
    }
    out.mech_types.push_back(oid);
  }

  if (auto flags = seq.read_optional(der::ctx(1))) {
    der::BitString bits;
    if (!flags->read_bit_string(bits) || !flags->finish()) return false;
    out.req_flags = bits;
  }
  if (!seq.ok()) return false;
  if (!read_optional_octets(seq, 2, out.mech_token)) return false;
  if (!read_optional_octets(seq, 3, out.mech_list_mic)) return false;
  return finish_fields(seq);
}

// NegTokenResp ::= SEQUENCE { negState [0], supportedMech [1], responseToken [2],
//                             mechListMIC [3] }
bool read_neg_token_resp(der::Reader& in, NegTokenResp& out) {
  der::Reader seq;
  if (!in.read_sequence(seq)) return false;

  if (auto field = seq.read_optional(der::ctx(0))) {
    const std::size_t at = field->offset();
    std::int32_t state = 0;
    if (!field->read_enumerated(state) || !field->finish()) return false;
    if (state < 0 || state > 3) return field->fault(at, "unknown negState");
    out.neg_state = static_cast<NegState>(state);
  }
  if (!seq.ok()) return false;
  if (auto field = seq.read_optional(der::ctx(1))) {
    Bytes oid;
    if (!field->read_oid(oid) || !field->finish()) return false;
    out.supported_mech = oid;
  }
  if (!seq.ok()) return false;
  if (!read_optional_octets(seq, 2, out.response_token)) return false;
  if (!read_optional_octets(seq, 3, out.mech_list_mic)) return false;
  return finish_fields(seq);
}

// --- encoding --------------------------------------------------------------------------------

void write_mech_type_list(der::Writer& w, std::span<const Bytes> mech_types) {
  w.sequence([&] {
    for (Bytes oid : mech_types)
      w.write_oid(oid);
  });
}

Result<void> check_mech_types(std::span<const Bytes> mech_types) {
  if (mech_types.empty()) return invalid_argument("mechTypes is empty");
  if (mech_types.size() > NegTokenInit::kMaxMechTypes) {
    return invalid_argument("more than 32 mechTypes");
  }
  for (Bytes oid : mech_types) {
    if (!der::valid_oid(oid)) return invalid_argument("a mechType is not a valid OID");
  }
  return ok();
}

Result<std::vector<std::uint8_t>> take(der::Writer& w, const char* what) {
  if (!w.ok()) return invalid_argument(what);
  return w.take();
}

}  // namespace

bool is_krb5_mech(Bytes oid) noexcept {
  return same(oid, kKrb5MechOid) || same(oid, kKrb5LegacyMechOid);
}

Result<std::vector<std::uint8_t>> encode_mech_type_list(std::span<const Bytes> mech_types) {
  KERB_TRY_VOID(check_mech_types(mech_types));
  der::Writer w;
  write_mech_type_list(w, mech_types);
  return take(w, "cannot encode MechTypeList");
}

Result<std::vector<std::uint8_t>> encode_neg_token_init(const NegTokenInit& init) {
  KERB_TRY_VOID(check_mech_types(init.mech_types));
  der::Writer w;
  w.application(0, [&] {
    w.write_oid(kSpnegoMechOid);
    w.context(0, [&] {
      w.sequence([&] {
        w.context(0, [&] { write_mech_type_list(w, init.mech_types); });
        if (init.req_flags) {
          w.context(
              1, [&] { w.write_bit_string(init.req_flags->bytes, init.req_flags->unused_bits); });
        }
        if (init.mech_token) w.context(2, [&] { w.write_octet_string(*init.mech_token); });
        if (init.mech_list_mic) w.context(3, [&] { w.write_octet_string(*init.mech_list_mic); });
      });
    });
  });
  return take(w, "cannot encode NegTokenInit (invalid reqFlags?)");
}

Result<std::vector<std::uint8_t>> encode_neg_token_resp(const NegTokenResp& resp) {
  if (resp.neg_state && static_cast<std::uint8_t>(*resp.neg_state) > 3) {
    return invalid_argument("unknown negState");
  }
  der::Writer w;
  w.context(1, [&] {
    w.sequence([&] {
      if (resp.neg_state) {
        w.context(0, [&] { w.write_enumerated(static_cast<std::int32_t>(*resp.neg_state)); });
      }
      if (resp.supported_mech) w.context(1, [&] { w.write_oid(*resp.supported_mech); });
      if (resp.response_token) w.context(2, [&] { w.write_octet_string(*resp.response_token); });
      if (resp.mech_list_mic) w.context(3, [&] { w.write_octet_string(*resp.mech_list_mic); });
    });
  });
  return take(w, "cannot encode NegTokenResp (invalid supportedMech?)");
}

Result<NegTokenInit> decode_neg_token_init(Bytes token) {
  der::Error err;
  der::Reader in(token, err);
  der::Reader framed;
  if (!in.read_element(der::app(0), framed) || !in.finish()) {
    return der_fault(err, "initial token");
  }
  const std::size_t oid_at = framed.offset();
  Bytes oid;
  if (!framed.read_oid(oid)) return der_fault(err, "initial token");
  if (!same(oid, kSpnegoMechOid)) {
    framed.fault(oid_at, "not the SPNEGO mechanism OID");
    return der_fault(err, "initial token");
  }
  der::Reader choice;
  if (!framed.read_element(der::ctx(0), choice) || !framed.finish()) {
    return der_fault(err, "initial token");
  }
  NegTokenInit out;
  if (!read_neg_token_init(choice, out) || !choice.finish()) return der_fault(err, "NegTokenInit");
  return out;
}

Result<NegTokenResp> decode_neg_token_resp(Bytes token) {
  der::Error err;
  der::Reader in(token, err);
  der::Reader choice;
  if (!in.read_element(der::ctx(1), choice) || !in.finish()) return der_fault(err, "NegTokenResp");
  NegTokenResp out;
  if (!read_neg_token_resp(choice, out) || !choice.finish()) return der_fault(err, "NegTokenResp");
  return out;
}

Result<NegotiationToken> decode_negotiation_token(Bytes token) {
  NegotiationToken out;
  if (!token.empty() && token[0] == der::app(0).octet()) {
    KERB_TRY(out.init, decode_neg_token_init(token));
    return out;
  }
  if (!token.empty() && token[0] == der::ctx(0).octet()) {
    return Error(ErrorCategory::kDer, major_status::kDefectiveToken,
                 "SPNEGO token: a negTokenInit must be framed as an InitialContextToken at "
                 "offset 0");
  }
  KERB_TRY(out.resp, decode_neg_token_resp(token));
  return out;
}

// --- driver helpers ----------------------------------------------------------------------------

namespace {

// kerb's krb5 mechanism frames with the standard OID; a peer may frame with the legacy one
// (Windows does when it offered it first). The framing is not integrity protected (the
// authenticator checksum covers bindings and flags, RFC 4121 §4.1.1), so re-framing is safe.
Result<std::vector<std::uint8_t>> krb5_framed(Bytes token) {
  KERB_TRY(MechToken parsed, parse_framed_token(token));
  if (same(parsed.mech_oid, kKrb5LegacyMechOid)) {
    return frame_token(kKrb5MechOid, parsed.tok_id, parsed.body);
  }
  return copy(token);
}

Result<std::vector<std::uint8_t>> mech_list_mic(SecurityContext& context, Bytes mech_list) {
  auto mic = context.get_mic(mech_list);
  if (!mic) return mic.error();
  return std::move(mic).value();
}

// RFC 4178 §5: the MIC must verify, and as the first token of its kind it cannot be a
// duplicate, old or out of sequence either.
Result<void> verify_mech_list_mic(SecurityContext& context, Bytes mech_list, Bytes mic) {
  auto verified = context.verify_mic(mech_list, mic);
  if (!verified) {
    return Error::format(
        ErrorCategory::kCrypto, major_status::kBadMic, "SPNEGO: mechListMIC does not verify (%.*s)",
        static_cast<int>(verified.error().detail().size()), verified.error().detail().data());
  }
  if (*verified != 0) {
    return Error(ErrorCategory::kCrypto, major_status::kBadMic,
                 "SPNEGO: mechListMIC is a replayed or out-of-sequence token");
  }
  return ok();
}

// negState reject, with the krb5 mechanism's KRB-ERROR token when there is one (RFC 4121
// §4.1: it tells the initiator why, as MIT's acceptor does).
std::vector<std::uint8_t> reject_token(Bytes krb_error = {}) {
  NegTokenResp resp;
  resp.neg_state = NegState::kReject;
  if (!krb_error.empty()) resp.response_token = krb_error;
  auto encoded = encode_neg_token_resp(resp);
  return encoded ? std::move(encoded).value() : std::vector<std::uint8_t>{};
}

// The KRB-ERROR token for a refused AP-REQ, addressed from the service its ticket names; empty
// when the token is not even a readable AP-REQ.
std::vector<std::uint8_t> krb_error_for(Bytes framed_ap_req, const Error& why, const Clock& clock) {
  auto token = parse_framed_token(framed_ap_req);
  if (!token || token->tok_id != TokenId::kApReq) return {};
  auto ap_req = decode_ap_req(token->body);
  if (!ap_req) return {};
  const Principal service(ap_req->ticket.realm, ap_req->ticket.sname);
  auto krb_error = error_token(why, service, clock);
  return krb_error ? std::move(krb_error).value() : std::vector<std::uint8_t>{};
}

}  // namespace

// --- initiator ---------------------------------------------------------------------------------

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

// --- acceptor ----------------------------------------------------------------------------------

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
    if (options.clock != nullptr) krb_error = krb_error_for(framed, krb5.error(), *options.clock);
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
    state_->output = reject_token(state_->krb_error);
    if (state_->accepted) state_->accepted->context.destroy();
    state_->accepted.reset();
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
