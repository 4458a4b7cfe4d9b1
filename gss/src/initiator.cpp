// The krb5 GSS initiator (RFC 4121 §4.1): AP-REQ with the 0x8003 checksum, framed as an
// InitialContextToken; the AP-REP or KRB-ERROR token back; the established context.
#include <kerb/gss/initiator.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <kerb/constants.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/ticket.hpp>

#include "context_access.hpp"
#include "establish_util.hpp"

namespace kerb::gss {

using kerb::detail::Plaintext;

struct Initiator::State {
  std::vector<std::uint8_t> token;
  std::vector<std::uint8_t> mech;
  ApContext context;
  crypto::Key session_key;
  ApReqBuilt request;       // ctime for the AP-REP check, our subkey and sequence number
  std::uint32_t flags = 0;  // as sent in the checksum
  bool mutual = false;
  bool established = false;
  bool failed = false;
  bool taken = false;
  // From the AP-REP, until `security` is made.
  std::optional<crypto::Key> acceptor_subkey;
  std::optional<std::uint32_t> acceptor_seq;
  // Made by the first wrap()/get_mic() (prot_ready), else by take_context().
  SecurityContext security;
  std::int64_t endtime = 0;
  Principal client;
  Principal server;
};

namespace {

Error gss_error_no_context() {
  return detail::gss_error(major_status::kNoContext, "no context: the Initiator was not started");
}

Error usage_error(const char* detail) {
  return Error(ErrorCategory::kInvalidArgument, major_status::kFailure, detail);
}

// KRB-CRED of the delegated TGT (RFC 4120 §5.8.1), its EncKrbCredPart under the service
// ticket's session key with key usage 14 (RFC 4121 §4.1.1). Like MIT's initiator it carries
// neither nonce nor timestamp: the authenticator that holds it already has both.
Result<std::vector<std::uint8_t>> make_krb_cred(const Credentials& tgt,
                                                const crypto::Key& session_key,
                                                crypto::Random& random) {
  KERB_TRY(Ticket ticket, decode_der<Ticket>(tgt.ticket, "the delegated TGT"));
  const PrincipalName pname = tgt.client.name();
  const PrincipalName sname = tgt.server.name();
  std::vector<HostAddress> addresses;
  for (const Credentials::Address& a : tgt.addresses)
    addresses.push_back(HostAddress{a.addr_type, a.address});

  KrbCredInfo info;
  info.key = EncryptionKey{tgt.session_key.enctype, tgt.session_key.contents.view()};
  info.prealm = tgt.client.realm();
  info.pname = pname;
  info.flags = KerberosFlags{tgt.ticket_flags};
  info.authtime = KerberosTime{tgt.authtime};
  if (tgt.starttime != 0) info.starttime = KerberosTime{tgt.starttime};
  info.endtime = KerberosTime{tgt.endtime};
  if (tgt.renew_till != 0) info.renew_till = KerberosTime{tgt.renew_till};
  info.srealm = tgt.server.realm();
  info.sname = sname;
  if (!addresses.empty()) info.caddr = HostAddresses(std::span<const HostAddress>(addresses));

  EncKrbCredPart part;
  part.ticket_info = SequenceOf<KrbCredInfo>(std::span<const KrbCredInfo>(&info, 1));
  // Holds the TGT's session key.
  KERB_TRY(const Plaintext plain, kerb::detail::encode_plaintext(part, "the delegated credentials",
                                                                 major_status::kFailure));
  KERB_TRY(std::vector<std::uint8_t> cipher,
           kerb::detail::seal(session_key, key_usage::kKrbCredEncPart, plain.bytes(), random));

  KrbCred cred;
  cred.tickets = SequenceOf<Ticket>(std::span<const Ticket>(&ticket, 1));
  cred.enc_part = EncryptedData{session_key.enctype(), std::nullopt, cipher};
  der::Writer w;
  encode(w, cred);
  if (!w.ok()) return usage_error("the KRB-CRED could not be encoded");
  return w.take();
}

}  // namespace

Result<Initiator> Initiator::start(const Credentials& service_ticket, InitiatorOptions options,
                                   ApContext context) {
  if (service_ticket.is_skey) {
    return usage_error("user-to-user tickets are not supported by the krb5 mechanism here");
  }
  if (options.mech.empty()) return usage_error("no mech OID to frame the token with");
  if (context.clock == nullptr || context.random == nullptr) {
    return usage_error("ApContext needs a clock and a random source");
  }
  auto state = std::make_shared<State>();
  state->context = context;
  KERB_TRY(state->session_key, service_ticket.session_key.to_key(context.policy));

  std::uint32_t flags = options.flags & detail::kDefinedFlags;
  // Delegation only with a forwardable TGT of the same client (RFC 4121 §4.1.1: "SHOULD have
  // its forwardable flag set"; a KDC refuses to forward one that is not). Otherwise the flag
  // is cleared, as MIT's initiator does, and the context reports no delegation.
  const Credentials* tgt = options.delegated_tgt;
  const bool delegate = (flags & context_flags::kDeleg) != 0 && tgt != nullptr &&
                        (tgt->ticket_flags & ticket_flags::kForwardable) != 0 &&
                        tgt->client == service_ticket.client;
  if (!delegate) flags &= ~context_flags::kDeleg;
  std::vector<std::uint8_t> krb_cred;
  if (delegate) {
    KERB_TRY(krb_cred, make_krb_cred(*tgt, state->session_key, *context.random));
  }

  KERB_TRY(detail::Bnd bnd, detail::channel_bindings_hash(options.channel_bindings));
  KERB_TRY(const crypto::SecretBuffer checksum,
           detail::encode_checksum(bnd, flags, krb_cred, delegate));

  ApReqOptions ap;
  state->mutual = (flags & context_flags::kMutual) != 0;
  ap.ap_options = state->mutual ? ap_options::kMutualRequired : 0;
  ap.checksum = Checksum{detail::kGssChecksumType, checksum.view()};
  ap.subkey = true;
  ap.sequence_number = true;  // RFC 4121 §4.1.1: MUST
  ap.usage = key_usage::kApReqAuthenticator;
  KERB_TRY(state->request, build_ap_req(service_ticket, ap, context));
  KERB_TRY(state->token, frame_token(options.mech, TokenId::kApReq, state->request.bytes));
  state->request.bytes.clear();
  state->request.bytes.shrink_to_fit();

  state->mech.assign(options.mech.begin(), options.mech.end());
  state->flags = flags;
  state->established = !state->mutual;
  state->endtime = service_ticket.endtime;
  state->client = service_ticket.client;
  state->server = service_ticket.server;
  Initiator out;
  out.state_ = std::move(state);
  return out;
}

std::span<const std::uint8_t> Initiator::token() const noexcept {
  if (!state_) return {};
  return state_->token;
}

bool Initiator::established() const noexcept {
  return state_ && state_->established && !state_->failed;
}

Result<Initiator::Step> Initiator::step(Bytes acceptor_token) {
  if (!state_) return gss_error_no_context();
  State& s = *state_;
  if (s.failed) {
    return detail::gss_error(major_status::kFailure, "context establishment already failed");
  }
  if (s.established) {
    return usage_error("the context is established: no acceptor token is expected");
  }
  auto parsed = parse_framed_token(acceptor_token);
  if (!parsed) {
    s.failed = true;
    return parsed.error();
  }
  const MechToken& t = *parsed;
  if (!kerb::detail::same_bytes(t.mech_oid, s.mech) &&
      !kerb::detail::same_bytes(t.mech_oid, kKrb5MechOid)) {
    s.failed = true;
    return detail::gss_error(major_status::kDefectiveToken,
                             "the acceptor's token is framed with another mechanism's OID");
  }
  if (t.tok_id == TokenId::kKrbError) {
    s.failed = true;
    auto error = decode_krb_error(t.body);
    if (!error) {
      return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                           "the acceptor's KRB-ERROR token is malformed: %.*s",
                           static_cast<int>(error.error().detail().size()),
                           error.error().detail().data());
    }
    return to_error(*error);
  }
  if (t.tok_id != TokenId::kApRep) {
    s.failed = true;
    return detail::gss_error(major_status::kDefectiveToken,
                             "the acceptor's token is neither an AP-REP nor a KRB-ERROR");
  }
  auto verified = verify_ap_rep(t.body, s.session_key, s.request, s.context.policy);
  if (!verified) {
    s.failed = true;
    return verified.error();
  }
  if (s.security.established()) {
    // Messages went out before the AP-REP: the same context goes on under the acceptor's
    // subkey, its send sequence where they left it.
    const std::uint32_t our_seq = s.request.seq_number.value_or(0);
    auto done = detail::ContextAccess::complete(s.security, std::move(verified->subkey),
                                                verified->seq_number.value_or(our_seq));
    if (!done) {
      s.failed = true;
      return done.error();
    }
  } else {
    s.acceptor_subkey = std::move(verified->subkey);
    s.acceptor_seq = verified->seq_number;
  }
  s.established = true;
  return Step::kDone;
}

Result<SecurityContext> Initiator::take_context() {
  if (!state_) return gss_error_no_context();
  State& s = *state_;
  if (s.failed) {
    return detail::gss_error(major_status::kNoContext, "context establishment failed");
  }
  if (!s.established) {
    return detail::gss_error(major_status::kNoContext,
                             "mutual authentication is not complete: pass the acceptor's token "
                             "to step() first");
  }
  if (s.taken) return detail::gss_error(major_status::kNoContext, "the context was already taken");

  KERB_TRY(SecurityContext * context, protecting_context());
  SecurityContext out = std::move(*context);
  s.taken = true;
  s.acceptor_subkey.reset();
  s.request.subkey.reset();
  s.session_key = crypto::Key();
  return out;
}

bool Initiator::prot_ready() const noexcept {
  return state_ && !state_->failed && !state_->taken;
}

Result<SecurityContext*> Initiator::protecting_context() {
  if (!state_) return gss_error_no_context();
  State& s = *state_;
  if (s.failed) {
    return detail::gss_error(major_status::kNoContext, "context establishment failed");
  }
  if (s.taken) {
    return detail::gss_error(major_status::kNoContext,
                             "the context was taken: protect messages with it");
  }
  if (s.security.established()) return &s.security;

  // RFC 4121 §2: our subkey (always sent) protects what goes before the AP-REP, and
  // everything when the acceptor asserts none.
  SecurityContext::Params p;
  p.role = SecurityContext::Role::kInitiator;
  p.key = s.request.subkey ? *s.request.subkey : s.session_key;
  const std::uint32_t our_seq = s.request.seq_number.value_or(0);
  p.send_seq = our_seq;
  // Until an AP-REP says otherwise (none without mutual authentication) both directions start
  // at the initiator's number, as MIT's and Heimdal's acceptors do.
  p.recv_seq = our_seq;
  p.flags = s.flags | context_flags::kConf | context_flags::kInteg;
  p.endtime = s.endtime;
  p.initiator = s.client;
  p.acceptor = s.server;
  KERB_TRY(SecurityContext context, SecurityContext::make(std::move(p)));
  // The context goes on with the clock and randomness this exchange was given.
  context.set_clock(*s.context.clock);
  context.set_random(*s.context.random);
  if (s.mutual && s.established) {
    // The AP-REP is in: from here on the acceptor's subkey, when it asserted one.
    KERB_TRY_VOID(detail::ContextAccess::complete(context, std::move(s.acceptor_subkey),
                                                  s.acceptor_seq.value_or(our_seq)));
    s.acceptor_subkey.reset();
  }
  s.security = std::move(context);
  return &s.security;
}

Result<std::vector<std::uint8_t>> Initiator::wrap(Bytes message, bool conf) {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->wrap(message, conf);
}

Result<std::vector<std::uint8_t>> Initiator::get_mic(Bytes message) {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->get_mic(message);
}

Result<std::size_t> Initiator::wrap(Bytes message, bool conf, std::span<std::uint8_t> token) {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->wrap(message, conf, token);
}

Result<std::size_t> Initiator::get_mic(Bytes message, std::span<std::uint8_t> token) {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->get_mic(message, token);
}

Result<std::size_t> Initiator::wrap_size(std::size_t message_size, bool conf) {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->wrap_size(message_size, conf);
}

Result<std::size_t> Initiator::mic_size() {
  KERB_TRY(SecurityContext * context, protecting_context());
  return context->mic_size();
}

}  // namespace kerb::gss
