#include <kerb/tgs_exchange.hpp>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/fast.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>

#include "ap_req_sealed.hpp"
#include "exchange_util.hpp"
#include "work_arena.hpp"

namespace kerb {
namespace {

Error protocol_error(const char* detail) {
  return Error(ErrorCategory::kProtocol, detail);
}

bool is_tgs_name(const PrincipalName& name) {
  return name.size() == 2 && name[0] == kTgsName;
}

bool contains(std::span<const std::string> realms, std::string_view realm) {
  for (const std::string& r : realms) {
    if (r == realm) return true;
  }
  return false;
}

}  // namespace

Result<TgsExchange> TgsExchange::for_service(const Credentials& tgt, Principal service,
                                             TgsOptions options, ApContext context) {
  // A TGT krbtgt/X@Y (local when X is Y, cross-realm otherwise) is for X's KDC.
  const std::span<const std::string> tgs_name = tgt.server.components();
  const std::string start(tgs_name.size() == 2 && tgs_name[0] == kTgsName ? tgs_name[1]
                                                                          : tgt.server.realm());
  // No realm: the TGT's, whose KDC refers onwards (MIT's referral realm).
  const std::string_view realm = service.realm().empty() ? start : service.realm();
  std::vector<std::string> path;
  if (realm != start) {
    // RFC 4120 §1.2/§3.3.1: a KDC issues tickets of its own realm only, so a service elsewhere
    // needs a TGT of its realm first, through each realm of the capath.
    for (const std::string& r : options.capath) {
      if (r.empty() || r == start || r == realm || contains(path, r)) {
        return Error(ErrorCategory::kInvalidArgument,
                     "the capath repeats a realm or names an end of the path");
      }
      path.push_back(r);
    }
    path.emplace_back(realm);
  } else if (!options.capath.empty()) {
    return Error(ErrorCategory::kInvalidArgument, "a capath for a service in the TGT's realm");
  }
  TgsExchange tgs(tgt);
  tgs.asked_ = service;
  tgs.service_ = Principal(realm, service.name());
  tgs.path_ = std::move(path);
  tgs.kdc_realm_ = start;
  tgs.options_ = std::move(options);
  tgs.context_ = std::move(context);
  KERB_TRY_VOID(tgs.build_request());
  return tgs;
}

// RENEW and VALIDATE present the ticket itself and ask for the same service (RFC 4120 §3.3.1)
// of the realm that issued it: the Ticket's own realm and sname, which after a referral are
// not the name the credentials carry.
Result<TgsExchange> TgsExchange::renew(const Credentials& ticket, ApContext context) {
  return again(ticket, kdc_options::kRenew, std::move(context));
}

Result<TgsExchange> TgsExchange::validate(const Credentials& ticket, ApContext context) {
  return again(ticket, kdc_options::kValidate, std::move(context));
}

Result<TgsExchange> TgsExchange::again(const Credentials& ticket, std::uint32_t extra_kdc_options,
                                       ApContext context) {
  KERB_TRY(Ticket t, decode_der<Ticket>(ticket.ticket, "Ticket"));
  TgsExchange tgs(ticket);
  tgs.asked_ = ticket.server;
  tgs.service_ = Principal(t.realm, t.sname);
  tgs.kdc_realm_ = std::string(t.realm);
  tgs.options_.canonicalize = false;
  tgs.extra_kdc_options_ = extra_kdc_options;
  tgs.context_ = std::move(context);
  KERB_TRY_VOID(tgs.build_request());
  return tgs;
}

Result<void> TgsExchange::build_request() {
  KERB_TRY(nonce_, detail::random_u32(*context_.random, 0x7FFFFFFF));
  Timestamp now = context_.clock->now();
  now.seconds += context_.clock_offset;

  const std::span<const crypto::EncType> etypes = context_.policy.enctypes();

  // A hop along the path asks for krbtgt/NEXT exactly, so without CANONICALIZE (as MIT).
  const bool hop = hop_ < path_.size();
  std::uint32_t flags = options_.kdc_options | extra_kdc_options_;
  if (options_.canonicalize && !hop) flags |= kdc_options::kCanonicalize;
  KdcReqBody body;
  body.kdc_options = KerberosFlags{flags};
  body.realm = kdc_realm_;  // the realm asked: on the path, the service's, or a referral's
  body.sname = hop ? PrincipalName(NameType::kSrvInst, {kTgsName, path_[hop_]}) : service_.name();
  till_ = options_.lifetime > 0 ? now.seconds + options_.lifetime : tgt_.endtime;
  if (extra_kdc_options_ == kdc_options::kRenew) till_ = tgt_.renew_till;
  body.till = KerberosTime{till_};
  if (extra_kdc_options_ == kdc_options::kRenew) body.rtime = KerberosTime{tgt_.renew_till};
  body.nonce = nonce_;
  body.etype = EtypeList(etypes);

  // The new request replaces the old one at the front; its parts are made at the back.
  detail::WorkArena arena(context_.work_buffer, 0, work_needed_, reply_);

  // The authenticator's checksum covers the req-body bytes exactly as they are sent
  // (RFC 4120 §7.2 / §5.4.1): encode the body once and send those bytes.
  detail::WorkArena::Block body_block(arena);
  KERB_TRY(std::span<const std::uint8_t> body_bytes,
           arena.encoded(body_block, body, "the KDC-REQ-BODY"));
  KERB_TRY(crypto::Key session_key, tgt_.session_key.to_key(context_.policy));
  const crypto::EncTypeInfo* info = session_key.info();
  std::uint8_t cksum[64];  // the longest checksum (hmac-sha384-192) is 24 bytes
  if (info->checksum_size > sizeof cksum) {
    return Error(ErrorCategory::kCrypto, "the session key's checksum is too long");
  }
  const std::span<std::uint8_t> cksum_bytes(cksum, info->checksum_size);
  KERB_TRY_VOID(
      crypto::make_checksum(session_key, key_usage::kTgsReqPaTgsReqCksum, body_bytes, cksum_bytes));

  ApReqOptions ap;
  ap.checksum = Checksum{static_cast<std::int32_t>(info->checksum_type), cksum_bytes};
  ap.subkey = options_.subkey || options_.fast != nullptr;
  ap.usage = key_usage::kTgsReqPaTgsReqAuthenticator;
  detail::WorkArena::Block plain(arena), cipher(arena), ap_block(arena);
  ApReq ap_req;
  ApReqBuilt ap_built;
  KERB_TRY_VOID(detail::seal_ap_req(arena, plain, cipher, tgt_, ap, context_, ap_req, ap_built));
  KERB_TRY(std::span<const std::uint8_t> ap_bytes, arena.encoded(ap_block, ap_req, "the AP-REQ"));
  subkey_ = std::move(ap_built.subkey);

  PaData padata[2] = {PaData{padata_type::kPaTgsReq, ap_bytes}, PaData{}};
  std::size_t padata_count = 1;
  std::vector<std::uint8_t> fx_fast;  // FAST uses the heap, work buffer or not
  armor_key_.reset();
  if (options_.fast) {
    // RFC 6113 §5.4.1.1, §5.4.2: implicit armor; req-checksum over the PA-TGS-REQ's AP-REQ.
    if (!subkey_)
      return Error(ErrorCategory::kCrypto, "the PA-TGS-REQ has no subkey to armor with");
    body.raw = body_bytes;
    KERB_TRY_VOID(options_.fast->armor_tgs_request(*subkey_, session_key, ap_bytes, body,
                                                   *context_.random, armor_key_, fx_fast));
    padata[padata_count++] = PaData{padata_type::kPaFxFast, fx_fast};
  }
  KdcReq req;
  req.msg_type = MessageType::kTgsReq;
  req.padata = MethodData(std::span<const PaData>(padata, padata_count));
  req.req_body = body;
  req.req_body.raw = body_bytes;
  KERB_TRY(std::span<const std::uint8_t> encoded,
           arena.encode_request(req, request_, "the TGS-REQ"));
  request_size_ = encoded.size();
  return ok();
}

Result<TgsExchange::Step> TgsExchange::on_reply(std::span<const std::uint8_t> reply) {
  const detail::ReplyInUse in_use(reply_, reply);
  const std::optional<std::int32_t> type = peek_message_type(reply);
  if (type == static_cast<std::int32_t>(MessageType::kError)) {
    KERB_TRY(KrbError error, decode_krb_error(reply));
    if (!armor_key_) return to_error(error);
    // RFC 6113 §5.4.4: the real error is inside the FAST reply.
    return options_.fast->tgs_error(*armor_key_, error, nonce_);
  }
  if (type != static_cast<std::int32_t>(MessageType::kTgsRep)) {
    return protocol_error("the KDC's reply is neither a TGS-REP nor a KRB-ERROR");
  }
  KERB_TRY(KdcRep rep, decode_tgs_rep(reply));

  // Under the subkey (usage 9) when we sent one; some KDCs still use the session key (8).
  KERB_TRY(crypto::Key session_key, tgt_.session_key.to_key(context_.policy));
  std::optional<crypto::Key> reply_subkey = subkey_;
  if (armor_key_) {
    // RFC 6113 §5.4.3: the FAST reply, its finished over the ticket, the strengthened keys.
    KERB_TRY_VOID(options_.fast->open_tgs_reply(*armor_key_, rep, nonce_, tgt_.client,
                                                context_.policy, session_key, reply_subkey));
  }
  detail::WorkArena arena(context_.work_buffer, request_size_, work_needed_, reply_);
  detail::WorkArena::Block plain_block(arena);
  Result<std::span<const std::uint8_t>> plain = Error(ErrorCategory::kCrypto, "unset");
  if (reply_subkey) {
    plain = arena.open(plain_block, *reply_subkey, key_usage::kTgsRepEncPartSubkey,
                       rep.enc_part.etype, rep.enc_part.cipher, "the TGS-REP");
  }
  if (!plain && plain.error().category() != ErrorCategory::kBufferTooSmall) {
    // The block is taken once: a second try needs its own.
    detail::WorkArena::Block retry_block(arena);
    plain = arena.open(retry_block, session_key, key_usage::kTgsRepEncPart, rep.enc_part.etype,
                       rep.enc_part.cipher, "the TGS-REP");
    if (!plain) return plain.error();
    return on_tgs_rep(rep, *plain);
  }
  if (!plain) return plain.error();
  return on_tgs_rep(rep, *plain);
}

Result<TgsExchange::Step> TgsExchange::on_tgs_rep(const KdcRep& rep,
                                                  std::span<const std::uint8_t> plain) {
  KERB_TRY(EncKdcRepPart part, decode_enc_kdc_rep_part(plain));

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

  // A KDC issues tickets of its own realm only (RFC 4120 §1.2), referral TGTs included: a
  // ticket of another realm is one the KDC asked made up under a key it chose.
  if (part.srealm != kdc_realm_) {
    return protocol_error("the TGS-REP's ticket is of another realm than the one asked");
  }
  const bool hop = hop_ < path_.size();
  const PrincipalName wanted = service_.name();
  const bool referral =
      !hop && options_.canonicalize && is_tgs_name(part.sname) && !is_tgs_name(wanted);
  if (hop) {
    // Exactly krbtgt/NEXT@CUR: the path is the caller's trusted configuration (RFC 4120
    // §3.3.1), so no 'closer' TGT a KDC picks instead.
    if (!is_tgs_name(part.sname) || part.sname[1] != path_[hop_]) {
      return protocol_error("the TGS-REP is not the cross-realm TGT of the path's next realm");
    }
  } else if (!referral && !(part.sname == wanted)) {
    // RFC 6806 §6: a TGS reply MUST NOT change the name; only a caller that opted in (for
    // KDCs that do anyway) takes a name the KDC chose, never in place of a krbtgt.
    if (!options_.canonicalize || !options_.allow_name_change || is_tgs_name(wanted)) {
      return protocol_error("the TGS-REP is for another service than the request");
    }
  }

  Credentials c;
  KERB_TRY_VOID(detail::set_from_reply(c, tgt_.client, rep, part, key));

  if (hop || referral) {
    // krbtgt/NEXT@THIS: ask NEXT's KDC with this TGT (RFC 6806 §8), a bounded number of times,
    // never a realm already asked.
    if (referral && referrals_ >= options_.max_referrals) {
      return protocol_error("too many cross-realm referrals");
    }
    const std::string next(part.sname[1]);
    if (next == kdc_realm_) return protocol_error("a referral back to the same realm");
    if (contains(visited_, next)) return protocol_error("a cross-realm referral loop");
    visited_.push_back(kdc_realm_);
    if (hop) {
      ++hop_;
    } else {
      ++referrals_;
    }
    tgt_ = std::move(c);
    kdc_realm_ = next;
    KERB_TRY_VOID(build_request());
    return Step::kSendAgain;
  }
  // Named as asked (MIT does the same), so a later lookup by that name finds them; the ticket
  // is the one the KDC sent.
  c.server = asked_;
  credentials_ = std::move(c);
  return Step::kDone;
}

}  // namespace kerb
