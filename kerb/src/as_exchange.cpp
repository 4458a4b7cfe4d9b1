#include <kerb/as_exchange.hpp>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/fast.hpp>
#include <kerb/internal/bytes.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>

#include "exchange_util.hpp"
#include "work_arena.hpp"

namespace kerb {

using detail::as_bytes;
using detail::as_text;

namespace {

Error protocol_error(const char* detail) {
  return Error(ErrorCategory::kProtocol, detail);
}

// RFC 4120 §4: without a salt from the KDC, the realm followed by the name's components.
Result<std::span<const std::uint8_t>> default_salt(detail::WorkArena::Block& block,
                                                   const Principal& p) {
  std::size_t size = p.realm().size();
  for (const std::string& c : p.components())
    size += c.size();
  KERB_TRY(std::span<std::uint8_t> out, block.take(size));
  std::size_t at = 0;
  auto append = [&](std::string_view text) {
    for (char ch : text)
      out[at++] = static_cast<std::uint8_t>(ch);
  };
  append(p.realm());
  for (const std::string& c : p.components())
    append(c);
  block.set_used(size);
  return block.bytes();
}

ClientHints::EtypeInfo to_hint(const EtypeInfo2Entry& e) {
  ClientHints::EtypeInfo info;
  info.etype = e.etype;
  if (e.salt) info.salt = std::string(*e.salt);
  if (e.s2kparams) info.s2kparams.assign(e.s2kparams->begin(), e.s2kparams->end());
  return info;
}

bool same_hint(const ClientHints::EtypeInfo& a, const ClientHints::EtypeInfo& b) {
  return a.etype == b.etype && a.salt == b.salt && a.s2kparams == b.s2kparams;
}

// RFC 6806 §11: PA-REQ-ENC-PA-REP in encrypted-pa-data is the KDC's checksum over the AS-REQ
// it received, under the reply key with usage 56 and the key's mandatory checksum type. If
// present it must match the request as sent; a KDC that sets the enc-pa-rep flag in answer to
// a request carrying PA-REQ-ENC-PA-REP must include it (MIT's krb5int_fast_verify_nego).
Result<void> verify_enc_pa_rep(const EncKdcRepPart& part, const crypto::Key& reply_key,
                               std::span<const std::uint8_t> request, bool enc_pa_rep_sent) {
  std::optional<PaData> pa;
  if (part.encrypted_pa_data) {
    pa = find_padata(*part.encrypted_pa_data, padata_type::kPaReqEncPaRep);
  }
  if (!pa) {
    if (enc_pa_rep_sent && (part.flags.bits & ticket_flags::kEncPaRep) != 0) {
      return protocol_error(
          "the AS-REP sets the enc-pa-rep flag but carries no PA-REQ-ENC-PA-REP: the reply "
          "was modified (RFC 6806 §11)");
    }
    return ok();
  }
  KERB_TRY(Checksum cksum, decode_der<Checksum>(pa->padata_value, "PA-REQ-ENC-PA-REP"));
  const crypto::CksumType mandatory = reply_key.info()->checksum_type;
  if (cksum.cksumtype != static_cast<std::int32_t>(mandatory)) {
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the AS-REP's PA-REQ-ENC-PA-REP checksum is of type %d, not the reply "
                         "key's %s (RFC 6806 §11)",
                         cksum.cksumtype, crypto::checksum_name(mandatory).data());
  }
  if (!crypto::verify_keyed(reply_key, key_usage::kAsReq, mandatory, request, cksum.checksum)) {
    return protocol_error(
        "the AS-REP's PA-REQ-ENC-PA-REP checksum does not match the AS-REQ sent: the request "
        "was modified on its way to the KDC (RFC 6806 §11)");
  }
  return ok();
}

}  // namespace

Result<AsExchange> AsExchange::with_password(Principal client, std::string_view password,
                                             AsOptions options, AsContext context) {
  AsExchange as;
  if (!as.password_.assign(as_bytes(password))) {
    return Error(ErrorCategory::kInvalidArgument, "password longer than 512 bytes");
  }
  as.have_password_ = true;
  as.client_ = std::move(client);
  as.options_ = std::move(options);
  as.context_ = std::move(context);
  // A returning client knows its ETYPE-INFO2: pre-authenticate in the first request.
  if (const auto& hint = as.context_.hints.etype_info;
      hint && as.context_.policy.permits(hint->etype)) {
    KERB_TRY(crypto::Key key, as.reply_key(hint->etype, &*hint));
    as.preauth_key_ = std::move(key);
    as.optimistic_preauth_ = true;
  }
  KERB_TRY_VOID(as.start());
  return as;
}

Result<AsExchange> AsExchange::with_keys(Principal client, std::span<const KeyBlock> keys,
                                         AsOptions options, AsContext context) {
  AsExchange as;
  as.keys_.assign(keys.begin(), keys.end());
  as.client_ = std::move(client);
  as.options_ = std::move(options);
  as.context_ = std::move(context);
  if (const auto& hint = as.context_.hints.etype_info;
      hint && as.context_.policy.permits(hint->etype)) {
    if (auto key = as.reply_key(hint->etype, &*hint)) {
      as.preauth_key_ = std::move(key).value();
      as.optimistic_preauth_ = true;
    }
  }
  KERB_TRY_VOID(as.start());
  return as;
}

// The armor, when there is one (RFC 6113 §5.4.1.1), then the first request.
Result<void> AsExchange::start() {
  if (!context_.fast_armor) {
    if (context_.require_fast) {
      return Error(ErrorCategory::kPolicy,
                   "FAST is required but no armor TGT was given: refusing an unarmored login");
    }
    return build_request();
  }
  ApContext ap;
  ap.policy = context_.policy;
  ap.clock = context_.clock;
  ap.random = context_.random;
  ap.clock_offset = context_.hints.clock_offset;
  ap.clockskew = context_.clockskew;
  KERB_TRY_VOID(fast_ops().start_as(context_.fast_armor->tgt(), client_.realm(), ap, fast_));
  return build_request();
}

Timestamp AsExchange::kdc_now() const noexcept {
  Timestamp t = context_.clock->now();
  t.seconds += context_.hints.clock_offset;
  return t;
}

// The long-term key for `etype`: string-to-key of the password with the KDC's salt and
// parameters, or the matching key the caller gave.
Result<crypto::Key> AsExchange::reply_key(crypto::EncType etype,
                                          const ClientHints::EtypeInfo* info) {
  if (!have_password_) {
    for (const KeyBlock& k : keys_) {
      if (k.enctype == etype) return k.to_key(context_.policy);
    }
    return Error::format(ErrorCategory::kPolicy, 0, "no key for enctype %d among the client's keys",
                         static_cast<int>(etype));
  }
  // The salt in the work buffer's back, after the request a reply is checked against.
  detail::WorkArena arena(context_.work_buffer, request_size_, work_needed_, reply_);
  detail::WorkArena::Block block(arena);
  std::span<const std::uint8_t> salt;
  if (info && info->salt) {
    salt = as_bytes(*info->salt);
  } else {
    KERB_TRY(salt, default_salt(block, client_));
  }
  const std::span<const std::uint8_t> params =
      info ? std::span<const std::uint8_t>(info->s2kparams) : std::span<const std::uint8_t>();
  return crypto::Key::from_password(etype, as_text(password_.view()), salt, params,
                                    context_.policy);
}

Result<void> AsExchange::build_request() {
  KERB_TRY(nonce_, detail::random_u32(*context_.random, 0x7FFFFFFF));
  const Timestamp now = kdc_now();

  // The new request replaces the old one at the front; temporaries go to the back.
  detail::WorkArena arena(context_.work_buffer, 0, work_needed_, reply_);

  // PA-ENC-TIMESTAMP (RFC 4120 §5.2.7.2): the current time under the client key, usage 1.
  detail::WorkArena::Block ts(arena), cipher(arena), enc_timestamp(arena);
  PaData padata[3];
  std::size_t padata_count = 0;
  if (preauth_key_ && fast_) {
    // RFC 6113 §5.4.6: PA-ENCRYPTED-CHALLENGE inside the FAST request instead (below).
    preauth_sent_ = true;
  } else if (preauth_key_) {
    KERB_TRY(std::span<const std::uint8_t> ts_bytes,
             arena.encoded(ts, PaEncTsEnc{KerberosTime{now.seconds}, Microseconds{now.usec}},
                           "PA-ENC-TS-ENC"));
    KERB_TRY(std::span<const std::uint8_t> sealed,
             arena.seal(cipher, *preauth_key_, key_usage::kAsReqPaEncTimestamp, ts_bytes,
                        *context_.random));
    KERB_TRY(
        std::span<const std::uint8_t> pa_value,
        arena.encoded(enc_timestamp, EncryptedData{preauth_key_->enctype(), std::nullopt, sealed},
                      "PA-ENC-TIMESTAMP"));
    padata[padata_count++] = PaData{padata_type::kPaEncTimestamp, pa_value};
    preauth_sent_ = true;
  }
  // RFC 6806 §11: an empty PA-REQ-ENC-PA-REP asks the KDC to return, in the encrypted part, a
  // checksum over this request as it arrived (MIT's KDC answers only when asked).
  if (options_.canonicalize) {
    padata[padata_count++] = PaData{padata_type::kPaReqEncPaRep, {}};
    enc_pa_rep_sent_ = true;
  }
  // The enctypes we accept, in policy order; with long-term keys only those we hold.
  crypto::EncType etypes[crypto::Policy::kMaxEnctypes];
  std::size_t etype_count = 0;
  for (crypto::EncType e : context_.policy.enctypes()) {
    bool usable = have_password_;
    for (const KeyBlock& k : keys_)
      usable = usable || k.enctype == e;
    if (usable && etype_count < crypto::Policy::kMaxEnctypes) etypes[etype_count++] = e;
  }
  if (etype_count == 0) {
    return Error(ErrorCategory::kPolicy, "none of the client's keys has a permitted enctype");
  }

  const PrincipalName tgs(NameType::kSrvInst, {kTgsName, client_.realm()});
  if (options_.service && options_.service->realm() != client_.realm()) {
    return Error(ErrorCategory::kInvalidArgument,
                 "an AS request can only name a service of the client's own realm");
  }
  std::uint32_t kdc_flags = options_.kdc_options;
  if (options_.renew_lifetime > 0) kdc_flags |= kdc_options::kRenewable;
  if (options_.canonicalize) kdc_flags |= kdc_options::kCanonicalize;

  KdcReq req;
  req.msg_type = MessageType::kAsReq;
  if (padata_count != 0) req.padata = MethodData(std::span<const PaData>(padata, padata_count));
  KdcReqBody& body = req.req_body;
  ++requests_;
  body.kdc_options = KerberosFlags{kdc_flags};
  body.cname = client_.name();
  body.realm = client_.realm();
  body.sname = options_.service ? options_.service->name() : tgs;
  body.till = KerberosTime{now.seconds + options_.lifetime};
  if (options_.renew_lifetime > 0) body.rtime = KerberosTime{now.seconds + options_.renew_lifetime};
  body.nonce = nonce_;
  body.etype = EtypeList(std::span<const crypto::EncType>(etypes, etype_count));
  till_ = body.till.seconds;
  rtime_ = body.rtime ? body.rtime->seconds : 0;

  // FAST (RFC 6113 §5.4.2): the padata travel inside KrbFastReq; outside, only PA-FX-FAST,
  // whose req-checksum covers the outer req-body as sent.
  std::vector<std::uint8_t> fx_fast;
  PaData outer[1];
  if (fast_) {
    KERB_TRY_VOID(fast_ops().armor_as_request(*fast_, preauth_key_ ? &*preauth_key_ : nullptr, now,
                                              std::span<const PaData>(padata, padata_count), body,
                                              *context_.random, fx_fast));
    outer[0] = PaData{padata_type::kPaFxFast, fx_fast};
    req.padata = MethodData(std::span<const PaData>(outer));
  }

  KERB_TRY(std::span<const std::uint8_t> encoded,
           arena.encode_request(req, request_, "the AS-REQ"));
  request_size_ = encoded.size();
  return ok();
}

Result<AsExchange::Step> AsExchange::on_reply(std::span<const std::uint8_t> reply) {
  const detail::ReplyInUse in_use(reply_, reply);
  const std::optional<std::int32_t> type = peek_message_type(reply);
  if (type == static_cast<std::int32_t>(MessageType::kError)) return on_error(reply);
  if (type == static_cast<std::int32_t>(MessageType::kAsRep)) return on_as_rep(reply);
  return protocol_error("the KDC's reply is neither an AS-REP nor a KRB-ERROR");
}

// The ETYPE-INFO2 entry (or, from old KDCs, ETYPE-INFO or PA-PW-SALT) to use, in the KDC's
// order of preference, among the enctypes we accept and hold keys for.
Result<ClientHints::EtypeInfo> AsExchange::choose_etype_info(const MethodData& method_data) const {
  auto usable = [&](crypto::EncType etype) {
    if (!context_.policy.permits(etype)) return false;
    if (have_password_) return true;
    for (const KeyBlock& k : keys_) {
      if (k.enctype == etype) return true;
    }
    return false;
  };
  if (auto pa = find_padata(method_data, padata_type::kPaEtypeInfo2)) {
    KERB_TRY(EtypeInfo2 entries, decode_etype_info2(pa->padata_value));
    for (const EtypeInfo2Entry& e : entries) {
      if (usable(e.etype)) return to_hint(e);
    }
    return Error(ErrorCategory::kPolicy, "the KDC offers no enctype that policy permits");
  }
  if (auto pa = find_padata(method_data, padata_type::kPaEtypeInfo)) {
    KERB_TRY(EtypeInfo entries, decode_etype_info(pa->padata_value));
    for (const EtypeInfoEntry& e : entries) {
      if (!usable(e.etype)) continue;
      ClientHints::EtypeInfo info;
      info.etype = e.etype;
      if (e.salt) info.salt = std::string(as_text(*e.salt));
      return info;
    }
    return Error(ErrorCategory::kPolicy, "the KDC offers no enctype that policy permits");
  }
  // A KDC that shares no enctype with us offers neither enctype information nor encrypted
  // timestamps (MIT's does this for a principal whose only key is rc4-hmac when the request
  // leaves out the weak enctypes).
  if (!find_padata(method_data, padata_type::kPaEncTimestamp)) {
    return Error::format(ErrorCategory::kPolicy, error_code::kKdcErrEtypeNosupp,
                         "the KDC shares no permitted enctype for %s: its keys may be of a weak "
                         "enctype (rc4-hmac) that policy refuses",
                         client_.to_string().c_str());
  }
  // No enctype information: our first choice, with PA-PW-SALT's salt if there is one.
  ClientHints::EtypeInfo info;
  for (crypto::EncType e : context_.policy.enctypes()) {
    if (usable(e)) {
      info.etype = e;
      break;
    }
  }
  if (auto pa = find_padata(method_data, padata_type::kPaPwSalt)) {
    info.salt = std::string(as_text(pa->padata_value));
  }
  return info;
}

Result<void> AsExchange::adopt_etype_info(const ClientHints::EtypeInfo& info) {
  optimistic_preauth_ = false;
  KERB_TRY(crypto::Key key, reply_key(info.etype, &info));
  preauth_key_ = std::move(key);
  context_.hints.etype_info = info;
  return build_request();
}

Result<AsExchange::Step> AsExchange::on_error(std::span<const std::uint8_t> reply) {
  KERB_TRY(KrbError error, decode_krb_error(reply));
  if (fast_) {
    // RFC 6113 §5.4.4: the real error is the PA-FX-ERROR inside the FAST reply, and its
    // padata (ETYPE-INFO2, the cookie) come from there too; the outer ones are not protected.
    KrbError inner;
    MethodData padata;
    KERB_TRY(bool armored, fast_ops().open_as_error(*fast_, error, nonce_, inner, padata));
    if (!armored) return to_error(error);
    return on_error_data(inner, padata);
  }
  // e-data that is not METHOD-DATA (some KDCs send TYPED-DATA) counts as absent, so the
  // KDC's own error is what the caller sees.
  std::optional<MethodData> method_data;
  if (error.e_data) {
    if (auto md = decode_method_data(*error.e_data)) method_data = *md;
  }
  return on_error_data(error, method_data);
}

Result<AsExchange::Step> AsExchange::on_error_data(const KrbError& error,
                                                   const std::optional<MethodData>& method_data) {
  switch (error.error_code) {
    case error_code::kKdcErrPreauthRequired: {
      // Asked again after we pre-authenticated: the KDC wants something we cannot give --
      // unless that pre-authentication came from a saved hint the KDC no longer agrees with
      // (e.g. the enctype was removed), which is worth one fresh start.
      if ((preauth_sent_ && !optimistic_preauth_) || !method_data) return to_error(error);
      optimistic_preauth_ = false;
      KERB_TRY(ClientHints::EtypeInfo info, choose_etype_info(*method_data));
      KERB_TRY_VOID(adopt_etype_info(info));
      return Step::kSendAgain;
    }
    case error_code::kKdcErrPreauthFailed: {
      // A KDC whose salt or iteration count changed says so with fresh ETYPE-INFO2; derive
      // once more. Without it (or a second time) the password or key is wrong.
      if (rederived_ || !method_data) return to_error(error);
      auto info = choose_etype_info(*method_data);
      if (!info || (context_.hints.etype_info && same_hint(*info, *context_.hints.etype_info))) {
        return to_error(error);
      }
      rederived_ = true;
      KERB_TRY_VOID(adopt_etype_info(*info));
      return Step::kSendAgain;
    }
    case error_code::kKrbApErrSkew: {
      // RFC 4120 §3.1.3: adopt the KDC's time (stime) as an offset and try once more. stime is
      // unauthenticated: without kdc_timesync the local clock stands and the error is final.
      if (skew_retried_ || !context_.kdc_timesync) return to_error(error);
      skew_retried_ = true;
      context_.hints.clock_offset = error.stime.seconds - context_.clock->now().seconds;
      KERB_TRY_VOID(build_request());
      return Step::kSendAgain;
    }
    default:
      return to_error(error);
  }
}

Result<AsExchange::Step> AsExchange::on_as_rep(std::span<const std::uint8_t> reply) {
  KERB_TRY(KdcRep rep, decode_as_rep(reply));

  // FAST (RFC 6113 §5.4.3): the reply's padata are inside its PA-FX-FAST; a reply without it
  // answers a request the KDC never saw armored.
  std::optional<MethodData> padata = rep.padata;
  if (fast_) {
    KERB_TRY_VOID(fast_ops().open_as_reply(*fast_, rep, nonce_, client_, padata));
  }

  // The reply key: the one we pre-authenticated with, or one made with the ETYPE-INFO2 the
  // reply carries (RFC 4120 §3.1.3), the saved hint, or the default salt.
  crypto::Key key;
  const crypto::EncType etype = rep.enc_part.etype;
  if (preauth_key_ && preauth_key_->enctype() == etype) {
    key = *preauth_key_;
  } else {
    std::optional<ClientHints::EtypeInfo> info;
    if (padata) {
      if (auto pa = find_padata(*padata, padata_type::kPaEtypeInfo2)) {
        KERB_TRY(EtypeInfo2 entries, decode_etype_info2(pa->padata_value));
        for (const EtypeInfo2Entry& e : entries) {
          if (e.etype == etype) info = to_hint(e);
        }
      }
    }
    if (!info && context_.hints.etype_info && context_.hints.etype_info->etype == etype) {
      info = context_.hints.etype_info;
    }
    if (!info) info = ClientHints::EtypeInfo{etype, std::nullopt, {}};
    KERB_TRY(key, reply_key(etype, &*info));
    context_.hints.etype_info = info;
  }
  if (fast_) {
    KERB_TRY_VOID(fast_ops().as_reply_key(*fast_, preauth_sent_, context_.policy, key));
  }

  // Decrypted behind the request, which PA-REQ-ENC-PA-REP is checked against.
  detail::WorkArena arena(context_.work_buffer, request_size_, work_needed_, reply_);
  detail::WorkArena::Block plain_block(arena);
  auto plain = arena.open(plain_block, key, key_usage::kAsRepEncPart, rep.enc_part.etype,
                          rep.enc_part.cipher, "the AS-REP");
  if (!plain) {
    if (plain.error().category() == ErrorCategory::kBufferTooSmall) return plain.error();
    return Error(ErrorCategory::kCrypto,
                 "the AS-REP does not decrypt under the client key (wrong password or key?)");
  }
  KERB_TRY(EncKdcRepPart part, decode_enc_kdc_rep_part(*plain));

  // RFC 4120 §3.1.5 and what MIT's verify_as_reply adds.
  if (part.nonce != nonce_) return protocol_error("the AS-REP's nonce is not the request's");
  KERB_TRY_VOID(verify_enc_pa_rep(part, key, request(), enc_pa_rep_sent_));
  // cname and crealm travel outside the encrypted part. A KDC may change them under
  // canonicalize (RFC 6806 §6), but only FAST's KrbFastFinished authenticates the change;
  // PA-REQ-ENC-PA-REP covers the request, not these fields (RFC 6806 §13). kerb follows no
  // client name change, armored or not, so a changed client is refused rather than believed.
  if (rep.crealm != client_.realm() || !(rep.cname == client_.name())) {
    const std::string got = Principal(rep.crealm, rep.cname).to_string();
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the AS-REP names client %s, not the requested %s: an unprotected "
                         "client name change is refused (RFC 6806 §6, §13)",
                         got.c_str(), client_.to_string().c_str());
  }
  // The names inside the encrypted part must match the ticket's (Heimdal CVE-2017-11103).
  if (part.srealm != rep.ticket.realm || !(part.sname == rep.ticket.sname)) {
    return protocol_error("the AS-REP's encrypted part names another service than its ticket");
  }
  const PrincipalName tgs(NameType::kSrvInst, {kTgsName, client_.realm()});
  const PrincipalName requested_server = options_.service ? options_.service->name() : tgs;
  if (!options_.canonicalize &&
      (part.srealm != client_.realm() || !(part.sname == requested_server))) {
    return protocol_error("the AS-REP is for another service than the request");
  }
  if (part.endtime.seconds > till_) {
    return protocol_error("the AS-REP's ticket ends after the requested end time");
  }
  // Renewable no longer than asked: rtime, or till when RENEWABLE-OK let the KDC make a
  // ticket renewable instead of long.
  if (part.renew_till && ((rtime_ != 0 && part.renew_till->seconds > rtime_) ||
                          (rtime_ == 0 && (options_.kdc_options & kdc_options::kRenewableOk) &&
                           part.renew_till->seconds > till_))) {
    return protocol_error("the AS-REP's ticket is renewable beyond what was requested");
  }
  // The KDC's clock: authtime is when it issued the ticket (RFC 4120 §3.1.5).
  const Timestamp local = context_.clock->now();
  const std::int64_t kdc_time = part.authtime.seconds;
  const std::int64_t skew = kdc_time - (local.seconds + context_.hints.clock_offset);
  if (skew > context_.clockskew || skew < -context_.clockskew) {
    if (!context_.kdc_timesync) {
      return Error(ErrorCategory::kProtocol, error_code::kKrbApErrSkew,
                   "the KDC's clock differs from ours by more than the allowed skew");
    }
  }
  if (context_.kdc_timesync) context_.hints.clock_offset = kdc_time - local.seconds;
  KERB_TRY(crypto::Key session_key, detail::session_key(part.key, context_.policy));

  KERB_TRY_VOID(detail::set_from_reply(credentials_, client_, rep, part, session_key));
  return Step::kDone;
}

}  // namespace kerb
