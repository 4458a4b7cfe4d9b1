// SPNEGO (RFC 4178): the negotiation tokens, and a driver that negotiates the krb5 mechanism
// for either side.
//
//   NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }
//
// The initiator's first token is framed as an InitialContextToken (RFC 2743 §3.1):
// [APPLICATION 0] { 1.3.6.1.5.5.2, negTokenInit }; every later token, either way, is a bare
// negTokenResp (RFC 4178 §4.2). Decoding is strict DER: every fault names its byte offset, the
// extension marker "..." admits no unknown field (a field kerb does not know is an error, not
// something to skip), and decoded values are views into the bytes given.
//
// The drivers speak only krb5, under its standard OID 1.2.840.113554.1.2.2 or Microsoft's legacy
// 1.2.840.48018.1.2.2 (which Windows offers first and MIT and Windows accept as the same mech).
// mechListMIC follows RFC 4178 §5: the MIC exchange is required when the selected mechanism was
// not the initiator's first choice (negState request-mic), optional otherwise; a MIC that is
// sent is always verified, and a required one that is missing ends the negotiation.
//
//   // initiator (a phone app)                         // acceptor (the bank)
//   auto spnego = SpnegoInitiator::start(ticket, {}, ap);   SpnegoAcceptor acc(keytab, options);
//   send(spnego->token());                    ------>     acc.step(received);   send(acc.token());
//   spnego->step(received);                   <------
//   if (!spnego->token().empty()) send(spnego->token());  // only when a MIC round is needed
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/credentials.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>
#include <kerb/result.hpp>

namespace kerb::gss {

// Microsoft's legacy krb5 OID 1.2.840.48018.1.2.2 (a mistyped 1.2.840.113554: 48018 is 113554
// masked to 16 bits), content octets.
inline constexpr std::uint8_t kKrb5LegacyMechOid[] = {0x2A, 0x86, 0x48, 0x82, 0xF7,
                                                      0x12, 0x01, 0x02, 0x02};

// GSS_S_BAD_MECH (RFC 2744 §3.9.1): no mechanism offered is acceptable; code() of the error.
inline constexpr std::int32_t kSpnegoBadMech = 1 << 16;

// True for the krb5 OID and for Microsoft's legacy one.
bool is_krb5_mech(Bytes oid) noexcept;

// --- tokens (RFC 4178 §4.2) ----------------------------------------------------------------

enum class NegState : std::uint8_t {
  kAcceptCompleted = 0,
  kAcceptIncomplete = 1,
  kReject = 2,
  kRequestMic = 3,
};

struct NegTokenInit {
  // More mechanisms than any initiator offers (MIT offers one or two, Windows four).
  static constexpr std::size_t kMaxMechTypes = 32;

  std::vector<Bytes> mech_types;  // MechTypeList: OID content octets, initiator's preference
  // Decoding keeps the MechTypeList element as it travelled: the mechListMIC covers exactly
  // these bytes (§5 a). Ignored when encoding, which writes mech_types.
  Bytes mech_types_der;
  std::optional<der::BitString> req_flags;  // ContextFlags, kept as sent; acceptors ignore it
  std::optional<Bytes> mech_token;          // the optimistic token for mech_types[0]
  std::optional<Bytes> mech_list_mic;
};

struct NegTokenResp {
  std::optional<NegState> neg_state;    // required in the acceptor's first reply
  std::optional<Bytes> supported_mech;  // OID contents; only in the acceptor's first reply
  std::optional<Bytes> response_token;
  std::optional<Bytes> mech_list_mic;
};

// The initial token: [APPLICATION 0] { SPNEGO OID, [0] NegTokenInit }. kInvalidArgument for an
// empty or oversized mech list or an invalid OID.
Result<std::vector<std::uint8_t>> encode_neg_token_init(const NegTokenInit& init);
// Strict: framing, SPNEGO OID, at least one and at most kMaxMechTypes valid OIDs, known fields
// only, nothing trailing. Errors are kDer (code major_status::kDefectiveToken) with the offset.
Result<NegTokenInit> decode_neg_token_init(Bytes token);

// A later token: the bare [1] NegTokenResp.
Result<std::vector<std::uint8_t>> encode_neg_token_resp(const NegTokenResp& resp);
Result<NegTokenResp> decode_neg_token_resp(Bytes token);

// Either kind, as it may arrive: a framed negTokenInit or a bare negTokenResp (a bare
// negTokenInit is refused: RFC 4178 §4.2 frames the initial token and only that one).
struct NegotiationToken {
  std::optional<NegTokenInit> init;  // exactly one of the two is set
  std::optional<NegTokenResp> resp;
};
Result<NegotiationToken> decode_negotiation_token(Bytes token);

// MechTypeList ::= SEQUENCE OF MechType: the DER a mechListMIC is computed over (§5 a).
Result<std::vector<std::uint8_t>> encode_mech_type_list(std::span<const Bytes> mech_types);

// --- initiator ------------------------------------------------------------------------------

struct SpnegoInitiatorOptions {
  // Flags, channel bindings and delegation for the krb5 mechanism (its `mech` is ignored: krb5
  // tokens are framed with the standard krb5 OID).
  InitiatorOptions krb5;
  // What to offer, in preference order. Must include the krb5 OID or the legacy one; other
  // OIDs may be listed (e.g. to test an acceptor's MIC handling) but kerb can only complete
  // krb5. The optimistic krb5 token is sent only when mech_types[0] is a krb5 OID. The
  // default offers the standard OID alone, as MIT does: MIT and Windows acceptors take it, and
  // listing the legacy OID as well would cost 11 bytes on every context.
  std::vector<std::vector<std::uint8_t>> mech_types = {
      {std::begin(kKrb5MechOid), std::end(kKrb5MechOid)},
  };
};

class SpnegoInitiator {
 public:
  enum class Step { kDone, kContinue };

  // Builds the krb5 AP-REQ for `service_ticket` and the initial NegTokenInit around it.
  static Result<SpnegoInitiator> start(const Credentials& service_ticket,
                                       SpnegoInitiatorOptions options, ApContext context);

  SpnegoInitiator(SpnegoInitiator&&) noexcept;
  SpnegoInitiator& operator=(SpnegoInitiator&&) noexcept;
  ~SpnegoInitiator();

  // The token to send now: the NegTokenInit after start(); after step(), the NegTokenResp to
  // send (carrying the krb5 token after a reselection, or our mechListMIC), or empty when there
  // is nothing to send. Valid until the next step().
  std::span<const std::uint8_t> token() const noexcept;
  // Consumes the acceptor's NegTokenResp. kDone: negotiation and krb5 context complete on our
  // side (send token() first when it is not empty); kContinue: send token() and call again.
  // A reject becomes an error (the krb5 KRB-ERROR's code when the acceptor sent one).
  Result<Step> step(Bytes acceptor_token);
  bool established() const noexcept;
  // The mechanism OID the acceptor selected (as offered), empty before the first reply.
  Bytes selected_mech() const noexcept;
  // The krb5 security context, once established().
  Result<SecurityContext> take_context();

 private:
  struct State;
  SpnegoInitiator() = default;
  std::unique_ptr<State> state_;
};

// --- acceptor -------------------------------------------------------------------------------

class SpnegoAcceptor {
 public:
  enum class Step { kDone, kContinue };

  // `keytab` is used by reference and must outlive the acceptor. The krb5 mechanism accepts
  // with `options` as accept() does: replays refused by default (default_replay_cache(), shared
  // by every acceptor of the process, so one SpnegoAcceptor per connection still catches a
  // replay across connections), tickets only for options.acceptor_name, clients of other
  // realms only as options.transit trusts them.
  SpnegoAcceptor(const Keytab& keytab, AcceptorOptions options);
  SpnegoAcceptor(SpnegoAcceptor&&) noexcept;
  SpnegoAcceptor& operator=(SpnegoAcceptor&&) noexcept;
  ~SpnegoAcceptor();

  // Consumes the initiator's token (the framed NegTokenInit first, NegTokenResps after).
  // kDone: the context is established; send token() if it is not empty. kContinue: send
  // token() and wait for the initiator's next one. After a failure token() holds a reject
  // NegTokenResp the caller may send, and the acceptor is spent. When the krb5 KRB-ERROR for
  // that reject, or the reject itself, cannot be encoded, the error (still the refusal's
  // category and code) says so in its detail; without a reject token() is empty.
  Result<Step> step(Bytes initiator_token);
  std::span<const std::uint8_t> token() const noexcept;  // valid until the next step()
  bool established() const noexcept;
  Bytes selected_mech() const noexcept;  // as the initiator offered it
  // What the krb5 acceptor learnt (context, initiator, flags, delegated credentials), once
  // established(). Its output_token is the bare krb5 AP-REP token.
  Result<Accepted> take_accepted();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct SpnegoAccepted {
  std::vector<std::uint8_t> output_token;  // the NegTokenResp to send back (AP-REP inside)
  Accepted accepted;
};

// One-round acceptance, the common case (RFC 4559 servers, MIT and Windows clients): a
// NegTokenInit whose first mechanism is krb5 with its optimistic token. A negotiation that
// needs another round (another mechanism preferred, MIC exchange) fails with kProtocol: drive
// SpnegoAcceptor for those.
Result<SpnegoAccepted> spnego_accept(Bytes initial_token, const Keytab& keytab,
                                     const AcceptorOptions& options);

}  // namespace kerb::gss
