#include <kerb/tgs_exchange.hpp>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/ticket.hpp>

#include "exchange_util.hpp"

namespace kerb {
namespace {

Error protocol_error(const char* detail) {
  return Error(ErrorCategory::kProtocol, detail);
}

bool is_tgs_name(const PrincipalName& name) {
  return name.size() == 2 && name[0] == kTgsName;
}

// The KDC a ticket is presented to: a TGT krbtgt/X@Y (local when X is Y, cross-realm
// otherwise) is for X's KDC; a service ticket being renewed or validated goes to its realm's.
std::string_view kdc_for(const Credentials& ticket) {
  const std::span<const std::string> name = ticket.server.components();
  if (name.size() == 2 && name[0] == kTgsName) return name[1];
  return ticket.server.realm();
}

}  // namespace

Result<TgsExchange> TgsExchange::make(const Credentials& ticket, Principal service,
                                      TgsOptions options, std::uint32_t extra_kdc_options,
                                      ApContext context) {
  TgsExchange tgs;
  tgs.tgt_ = ticket;
  tgs.service_ = std::move(service);
  tgs.options_ = options;
  tgs.extra_kdc_options_ = extra_kdc_options;
  tgs.context_ = std::move(context);
  tgs.kdc_realm_ = std::string(kdc_for(ticket));
  KERB_TRY_VOID(tgs.build_request());
  return tgs;
}

Result<TgsExchange> TgsExchange::for_service(const Credentials& tgt, Principal service,
                                             TgsOptions options, ApContext context) {
  return make(tgt, std::move(service), options, 0, std::move(context));
}

// RENEW and VALIDATE present the ticket itself and ask for the same service (RFC 4120 §3.3.1).
Result<TgsExchange> TgsExchange::renew(const Credentials& ticket, ApContext context) {
  TgsOptions options;
  options.canonicalize = false;
  return make(ticket, ticket.server, options, kdc_options::kRenew, std::move(context));
}

Result<TgsExchange> TgsExchange::validate(const Credentials& ticket, ApContext context) {
  TgsOptions options;
  options.canonicalize = false;
  return make(ticket, ticket.server, options, kdc_options::kValidate, std::move(context));
}

Result<void> TgsExchange::build_request() {
  KERB_TRY(nonce_, detail::random_u32(*context_.random, 0x7FFFFFFF));
  Timestamp now = context_.clock->now();
  now.seconds += context_.clock_offset;

  std::vector<std::int32_t> etypes;
  for (crypto::EncType e : context_.policy.enctypes())
    etypes.push_back(static_cast<std::int32_t>(e));

  std::uint32_t flags = options_.kdc_options | extra_kdc_options_;
  if (options_.canonicalize) flags |= kdc_options::kCanonicalize;
  KdcReqBody body;
  body.kdc_options = KerberosFlags{flags};
  body.realm = kdc_realm_;  // the realm asked: the service's, or the one a referral named
  body.sname = service_.name();
  till_ = options_.lifetime > 0 ? now.seconds + options_.lifetime : tgt_.endtime;
  if (extra_kdc_options_ == kdc_options::kRenew) till_ = tgt_.renew_till;
  body.till = KerberosTime{till_};
  if (extra_kdc_options_ == kdc_options::kRenew) body.rtime = KerberosTime{tgt_.renew_till};
  body.nonce = nonce_;
  body.etype = EtypeList(std::span<const std::int32_t>(etypes));

  // The authenticator's checksum covers the req-body bytes exactly as they are sent
  // (RFC 4120 §7.2 / §5.4.1): encode the body once and send those bytes.
  der::Writer body_writer;
  encode(body_writer, body);
  if (!body_writer.ok()) return Error(ErrorCategory::kInvalidArgument, "KDC-REQ-BODY encoding");
  const std::vector<std::uint8_t> body_bytes = body_writer.take();
  KERB_TRY(crypto::Key session_key, tgt_.session_key.to_key(context_.policy));
  const crypto::EncTypeInfo* info = session_key.info();
  std::vector<std::uint8_t> cksum(info->checksum_size);
  KERB_TRY_VOID(
      crypto::make_checksum(session_key, key_usage::kTgsReqPaTgsReqCksum, body_bytes, cksum));

  ApReqOptions ap;
  ap.checksum = Checksum{static_cast<std::int32_t>(info->checksum_type), cksum};
  ap.subkey = options_.subkey;
  ap.usage = key_usage::kTgsReqPaTgsReqAuthenticator;
  KERB_TRY(ApReqBuilt ap_req, build_ap_req(tgt_, ap, context_));
  subkey_ = std::move(ap_req.subkey);

  const PaData padata[1] = {PaData{padata_type::kPaTgsReq, ap_req.bytes}};
  KdcReq req;
  req.msg_type = MessageType::kTgsReq;
  req.padata = MethodData(std::span<const PaData>(padata));
  req.req_body = body;
  req.req_body.raw = body_bytes;
  der::Writer w;
  encode(w, req);
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "the TGS-REQ could not be encoded");
  request_ = w.take();
  return ok();
}

Result<TgsExchange::Step> TgsExchange::on_reply(std::span<const std::uint8_t> reply) {
  const std::optional<std::int32_t> type = peek_message_type(reply);
  if (type == static_cast<std::int32_t>(MessageType::kError)) {
    KERB_TRY(KrbError error, decode_krb_error(reply));
    return to_error(error);
  }
  if (type != static_cast<std::int32_t>(MessageType::kTgsRep)) {
    return protocol_error("the KDC's reply is neither a TGS-REP nor a KRB-ERROR");
  }
  KERB_TRY(KdcRep rep, decode_tgs_rep(reply));

  // Under the subkey (usage 9) when we sent one; some KDCs still use the session key (8).
  KERB_TRY(crypto::Key session_key, tgt_.session_key.to_key(context_.policy));
  Result<detail::Plaintext> plain = Error(ErrorCategory::kCrypto, "unset");
  if (subkey_) {
    plain = detail::open(*subkey_, key_usage::kTgsRepEncPartSubkey, rep.enc_part, "the TGS-REP");
  }
  if (!plain) {
    plain = detail::open(session_key, key_usage::kTgsRepEncPart, rep.enc_part, "the TGS-REP");
  }
  if (!plain) return plain.error();
  KERB_TRY(EncKdcRepPart part, decode_enc_kdc_rep_part(plain->bytes()));

  // RFC 4120 §3.3.4 (and §3.1.5's checks, which apply to TGS replies too).
  if (part.nonce != nonce_) return protocol_error("the TGS-REP's nonce is not the request's");
  if (rep.crealm != tgt_.client.realm() || !(rep.cname == tgt_.client.name())) {
    return protocol_error("the TGS-REP names another client than the TGT");
  }
  if (part.srealm != rep.ticket.realm || !(part.sname == rep.ticket.sname)) {
    return protocol_error("the TGS-REP's encrypted part names another service than its ticket");
  }
  if (part.endtime.seconds > till_ && till_ != 0) {
    return protocol_error("the TGS-REP's ticket ends after the requested end time");
  }
  KERB_TRY(crypto::Key key, detail::session_key(part.key, context_.policy));

  const PrincipalName wanted = service_.name();
  const bool referral = options_.canonicalize && is_tgs_name(part.sname) && !is_tgs_name(wanted);
  if (!referral && !options_.canonicalize &&
      (part.srealm != service_.realm() || !(part.sname == wanted))) {
    return protocol_error("the TGS-REP is for another service than the request");
  }

  Credentials c;
  c.client = tgt_.client;
  c.server = Principal(part.srealm, part.sname);
  c.session_key = KeyBlock::from_key(key);
  c.authtime = part.authtime.seconds;
  c.starttime = part.starttime ? part.starttime->seconds : 0;
  c.endtime = part.endtime.seconds;
  c.renew_till = part.renew_till ? part.renew_till->seconds : 0;
  c.ticket_flags = part.flags.bits;
  if (part.caddr) {
    for (const HostAddress& a : *part.caddr) {
      c.addresses.push_back({a.addr_type, {a.address.begin(), a.address.end()}});
    }
  }
  c.ticket.assign(rep.ticket.raw.begin(), rep.ticket.raw.end());

  if (referral) {
    // krbtgt/NEXT@THIS: ask NEXT's KDC with this TGT (RFC 6806 §8), a bounded number of times.
    if (referrals_ >= options_.max_referrals) {
      return protocol_error("too many cross-realm referrals");
    }
    // The referral TGT must come from the realm asked, and lead somewhere new.
    if (part.srealm != kdc_realm_) {
      return protocol_error("a referral TGT issued by another realm than the one asked");
    }
    const std::string next(part.sname[1]);
    for (const std::string& seen : visited_) {
      if (seen == next) return protocol_error("a cross-realm referral loop");
    }
    if (next == kdc_realm_) return protocol_error("a referral back to the same realm");
    visited_.push_back(kdc_realm_);
    ++referrals_;
    tgt_ = std::move(c);
    kdc_realm_ = next;
    KERB_TRY_VOID(build_request());
    return Step::kSendAgain;
  }
  credentials_ = std::move(c);
  return Step::kDone;
}

}  // namespace kerb
