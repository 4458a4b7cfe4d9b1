// The krb5 GSS acceptor (RFC 4121 §4.1): verifies an InitialContextToken, answers with an
// AP-REP or KRB-ERROR token, and keeps replayed authenticators out (RFC 4120 §3.2.3) with
// kerb's replay cache.
#include <kerb/gss/acceptor.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/internal/addresses.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/ticket.hpp>

#include "establish_util.hpp"

namespace kerb::gss {

using kerb::detail::Plaintext;

namespace {

Error ap_error(std::int32_t code, const char* detail) {
  return Error(ErrorCategory::kProtocol, code, detail);
}

// The delegated TGT from the checksum's KRB-CRED (RFC 4121 §4.1.1). The EncKrbCredPart is
// under the session key with key usage 14; an etype-0 (unencrypted) part is accepted too, as
// MIT accepts it: the KRB-CRED travels inside the authenticator, which the session key
// already protects.
Result<Credentials> delegated_credentials(Bytes krb_cred, const ApReqVerified& verified,
                                          const crypto::Policy& policy) {
  auto cred = decode_krb_cred(krb_cred);
  if (!cred) {
    return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken,
                         "the delegated KRB-CRED is malformed: %.*s",
                         static_cast<int>(cred.error().detail().size()),
                         cred.error().detail().data());
  }
  if (cred->tickets.size() != 1) {
    return detail::gss_error(major_status::kDefectiveToken,
                             "the delegated KRB-CRED must carry exactly one ticket");
  }
  Plaintext plain;
  if (cred->enc_part.etype == crypto::EncType::kNone) {
    plain = Plaintext(crypto::SecretBuffer(cred->enc_part.cipher));
  } else {
    KERB_TRY(crypto::Key session_key, verified.session_key.to_key(policy));
    // RFC 4120 §3.6.2: a modified KRB-CRED is KRB_AP_ERR_BAD_INTEGRITY.
    auto opened = kerb::detail::open(session_key, key_usage::kKrbCredEncPart, cred->enc_part,
                                     "the delegated KRB-CRED", error_code::kKrbApErrBadIntegrity);
    if (!opened) return opened.error();
    plain = std::move(opened).value();
  }
  auto part = decode_der<EncKrbCredPart>(plain.bytes(), "EncKrbCredPart");
  if (!part) return part.error();
  if (part->ticket_info.size() != 1) {
    return detail::gss_error(major_status::kDefectiveToken,
                             "the delegated KRB-CRED must describe exactly one ticket");
  }
  const KrbCredInfo info = *part->ticket_info.begin();
  const Ticket ticket = *cred->tickets.begin();

  Credentials out;
  // The names in KrbCredInfo are the initiator's say-so: they must name the client the
  // ticket authenticated, and the ticket itself must be the one described.
  out.client = verified.client;
  if (info.prealm && info.pname && !(Principal(*info.prealm, *info.pname) == verified.client)) {
    return ap_error(error_code::kKrbApErrBadmatch,
                    "the delegated credentials name another client than the authenticator");
  }
  out.server = Principal(ticket.realm, ticket.sname);
  if (info.srealm && info.sname && !(Principal(*info.srealm, *info.sname) == out.server)) {
    return detail::gss_error(major_status::kDefectiveToken,
                             "the delegated credentials describe another ticket than they carry");
  }
  KERB_TRY(out.session_key, KeyBlock::from_bytes(info.key.keytype, info.key.keyvalue));
  if (info.authtime) out.authtime = info.authtime->seconds;
  if (info.starttime) out.starttime = info.starttime->seconds;
  if (info.endtime) out.endtime = info.endtime->seconds;
  if (info.renew_till) out.renew_till = info.renew_till->seconds;
  if (info.flags) out.ticket_flags = info.flags->bits;
  // Memory in proportion to the token stops where a ccache's does: it could store no more.
  KERB_TRY_VOID(kerb::detail::set_addresses(out, info.caddr, "the delegated credentials",
                                            major_status::kFailure));
  out.ticket.assign(ticket.raw.begin(), ticket.raw.end());
  return out;
}

}  // namespace

Result<Accepted> accept(Bytes initial_token, const Keytab& keytab, const AcceptorOptions& options) {
  if (options.clock == nullptr || options.random == nullptr) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "AcceptorOptions needs a clock and a random source");
  }
  KERB_TRY(MechToken token, parse_framed_token(initial_token));
  if (!kerb::detail::same_bytes(token.mech_oid, kKrb5MechOid)) {
    return detail::gss_error(major_status::kDefectiveToken,
                             "the initial token is not for the krb5 mechanism");
  }
  // RFC 4121 §4.1: an unknown TOK_ID is answered with KRB_AP_ERR_MSG_TYPE (error_token()).
  if (token.tok_id != TokenId::kApReq) {
    return ap_error(error_code::kKrbApErrMsgType, "the initial token is not an AP-REQ (01 00)");
  }

  // The ticket's server must be one we answer as: checked before any key is looked up.
  KERB_TRY(ApReq req, decode_ap_req(token.body));
  if (const Principal server(req.ticket.realm, req.ticket.sname);
      !options.acceptor_name.matches(server)) {
    return Error::format(ErrorCategory::kProtocol, error_code::kKrbApErrNotUs,
                         "the ticket is for %s, not for %s", server.to_string().c_str(),
                         options.acceptor_name.to_string().c_str());
  }

  ApVerifyContext verify;
  verify.policy = options.policy;
  verify.clock = options.clock;
  verify.clockskew = options.clockskew;
  verify.usage = key_usage::kApReqAuthenticator;
  verify.transit = options.transit;
  // Replay detection is verify_ap_req's last check, after authentication, so that forged
  // tokens cannot fill the cache.
  if (options.replay_detection == ReplayDetection::kOn) {
    verify.replay_cache =
        options.replay_cache != nullptr ? options.replay_cache : &default_replay_cache();
  }
  KERB_TRY(ApReqVerified verified, verify_ap_req(token.body, keytab, verify));

  // RFC 4121 §4.1.1: the checksum MUST be of type 0x8003 and the sequence number present.
  if (verified.cksumtype != detail::kGssChecksumType) {
    return ap_error(error_code::kKrbApErrInappCksum,
                    "the authenticator's checksum is not of type 0x8003");
  }
  KERB_TRY(detail::GssChecksum checksum, detail::parse_checksum(verified.cksum));
  if (!verified.seq_number) {
    return detail::gss_error(major_status::kDefectiveToken,
                             "the authenticator carries no sequence number");
  }
  // Channel bindings (RFC 4121 §4.1.1.2): with our own, the initiator's hash must match --
  // 16 zero octets (the initiator had none) included. Without ours, whatever it sent goes.
  if (options.channel_bindings) {
    KERB_TRY(detail::Bnd expected, detail::channel_bindings_hash(options.channel_bindings));
    if (!crypto::constant_time_equal(expected, checksum.bnd)) {
      return detail::gss_error(major_status::kBadBindings,
                               "the initiator's channel bindings do not match the acceptor's");
    }
  }
  const std::uint32_t asked = checksum.flags & detail::kDefinedFlags;
  const bool mutual = (asked & context_flags::kMutual) != 0 ||
                      (verified.ap_options & ap_options::kMutualRequired) != 0;
  if (options.require_mutual && !mutual) {
    return ap_error(error_code::kKrbApErrMethod,
                    "this service requires mutual authentication (GSS_C_MUTUAL_FLAG)");
  }

  std::optional<Credentials> delegated;
  if ((asked & context_flags::kDeleg) != 0 && checksum.deleg) {
    KERB_TRY(delegated, delegated_credentials(*checksum.deleg, verified, options.policy));
  }

  KERB_TRY(crypto::Key session_key, verified.session_key.to_key(options.policy));
  std::optional<crypto::Key> acceptor_subkey;
  std::vector<std::uint8_t> output;
  const std::uint32_t initiator_seq = *verified.seq_number;
  std::uint32_t acceptor_seq = initiator_seq;
  if (mutual) {
    if (options.acceptor_subkey) {
      KERB_TRY(acceptor_subkey,
               crypto::Key::generate(session_key.enctype(), *options.random, options.policy));
    }
    KERB_TRY(acceptor_seq, kerb::detail::random_seq(*options.random));
    KERB_TRY(std::vector<std::uint8_t> ap_rep, build_ap_rep(verified, acceptor_subkey, acceptor_seq,
                                                            *options.random, options.policy));
    KERB_TRY(output, frame_token(kKrb5MechOid, TokenId::kApRep, ap_rep));
  }

  SecurityContext::Params p;
  p.role = SecurityContext::Role::kAcceptor;
  // RFC 4121 §2: our subkey when we asserted one, else the initiator's, else the session key.
  if (acceptor_subkey) {
    p.key = std::move(*acceptor_subkey);
    p.acceptor_subkey = true;
    // The initiator's key stays: its tokens sent before our AP-REP reached it (prot_ready,
    // AcceptorSubkey flag clear) and GSS_C_PRF_KEY_PARTIAL use it.
    if (verified.subkey) {
      KERB_TRY(p.initiator_subkey, verified.subkey->to_key(options.policy));
    } else {
      p.initiator_subkey = std::move(session_key);
    }
  } else if (verified.subkey) {
    KERB_TRY(p.key, verified.subkey->to_key(options.policy));
  } else {
    p.key = std::move(session_key);
  }
  // Without an AP-REP both directions use the initiator's number (as MIT and Heimdal do).
  p.send_seq = acceptor_seq;
  p.recv_seq = initiator_seq;
  p.flags = (asked & (context_flags::kReplay | context_flags::kSequence)) |
            (mutual ? context_flags::kMutual : 0) | (delegated ? context_flags::kDeleg : 0) |
            context_flags::kConf | context_flags::kInteg;
  p.endtime = verified.endtime;
  p.initiator = verified.client;
  p.acceptor = verified.server;
  KERB_TRY(SecurityContext context, SecurityContext::make(std::move(p)));
  // The context goes on with the clock and randomness the acceptor was given.
  context.set_clock(*options.clock);
  context.set_random(*options.random);

  Accepted out{std::move(context), std::move(output), verified.client, asked, std::move(delegated)};
  return out;
}

Result<std::vector<std::uint8_t>> error_token(const Error& error, const Principal& service,
                                              const Clock& clock) {
  // A Kerberos code (RFC 4120 §7.5.9) travels as is; anything else -- a GSS major status, a
  // DER or I/O fault -- as KRB_ERR_GENERIC, the code MIT sends for errors outside its table.
  std::int32_t code = error.code();
  const bool kerberos_code =
      (error.category() == ErrorCategory::kProtocol || error.category() == ErrorCategory::kKdc ||
       error.category() == ErrorCategory::kCrypto) &&
      code > 0 && code < 128 && !error_code_name(code).empty();
  if (!kerberos_code) code = error_code::kKrbErrGeneric;
  const Timestamp now = clock.now();
  const PrincipalName sname = service.name();
  KrbError e;
  e.stime = KerberosTime{now.seconds};
  e.susec = Microseconds{now.usec};
  e.error_code = code;
  e.realm = service.realm();
  e.sname = sname;
  der::Writer w;
  encode(w, e);
  if (!w.ok()) {
    return Error(ErrorCategory::kInvalidArgument, major_status::kFailure,
                 "the KRB-ERROR could not be encoded");
  }
  const std::vector<std::uint8_t> body = w.take();
  return frame_token(kKrb5MechOid, TokenId::kKrbError, body);
}

// --- acceptor names --------------------------------------------------------------------------

AcceptorName AcceptorName::principal(Principal principal) {
  AcceptorName n;
  n.kind_ = Kind::kPrincipal;
  n.principal_ = std::move(principal);
  return n;
}

AcceptorName AcceptorName::host_based(std::string service, std::string host) {
  AcceptorName n;
  n.kind_ = Kind::kHostBased;
  n.service_ = std::move(service);
  n.host_ = std::move(host);
  return n;
}

bool AcceptorName::matches(const Principal& server) const {
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kPrincipal:
      return server == principal_;
    case Kind::kHostBased: {
      // service/host, as MIT's krb5_sname_match compares a host-based name: the realm and an
      // absent host match anything, the component count does not.
      const auto c = server.components();
      return c.size() == 2 && c[0] == service_ && (host_.empty() || c[1] == host_);
    }
  }
  return false;
}

std::string AcceptorName::to_string() const {
  switch (kind_) {
    case Kind::kAny:
      return "any principal in the keytab";
    case Kind::kPrincipal:
      return principal_.to_string();
    case Kind::kHostBased:
      return service_ + "/" + (host_.empty() ? std::string("<any host>") : host_) + "@<any realm>";
  }
  return {};
}

}  // namespace kerb::gss
