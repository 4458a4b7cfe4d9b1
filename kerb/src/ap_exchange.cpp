#include <kerb/ap_exchange.hpp>

#include <kerb/constants.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/ticket.hpp>

#include "ap_req_sealed.hpp"
#include "exchange_util.hpp"

namespace kerb {

using detail::open;
using detail::Plaintext;
using detail::seal;

namespace {

Error ap_error(std::int32_t code, const char* detail) {
  return Error(ErrorCategory::kProtocol, code, detail);
}

// A key carried inside decrypted plaintext, copied out under policy before the plaintext goes.
Result<crypto::Key> key_from(const EncryptionKey& k, const crypto::Policy& policy) {
  return detail::session_key(k, policy);
}

}  // namespace

Result<void> detail::seal_ap_req(WorkArena& arena, WorkArena::Block& plain,
                                 WorkArena::Block& cipher, const Credentials& credentials,
                                 const ApReqOptions& options, const ApContext& context, ApReq& req,
                                 ApReqBuilt& out) {
  KERB_TRY(crypto::Key session_key, credentials.session_key.to_key(context.policy));
  out.ctime = context.clock->now();
  out.ctime.seconds += context.clock_offset;

  Authenticator a;
  a.crealm = credentials.client.realm();
  a.cname = credentials.client.name();
  a.cksum = options.checksum;
  a.cusec = Microseconds{out.ctime.usec};
  a.ctime = KerberosTime{out.ctime.seconds};
  if (options.subkey) {
    KERB_TRY(crypto::Key subkey,
             crypto::Key::generate(session_key.enctype(), *context.random, context.policy));
    out.subkey = std::move(subkey);
    a.subkey = EncryptionKey{out.subkey->enctype(), out.subkey->expose_secret()};
  }
  if (options.sequence_number) {
    KERB_TRY(out.seq_number, detail::random_seq(*context.random));
    a.seq_number = out.seq_number;
  }
  // Holds the subkey: encoded straight into wiping storage.
  KERB_TRY(std::span<const std::uint8_t> plain_bytes, arena.encoded(plain, a, "the authenticator"));
  KERB_TRY(std::span<const std::uint8_t> sealed,
           arena.seal(cipher, session_key, options.usage, plain_bytes, *context.random));

  req.ap_options = KerberosFlags{options.ap_options};
  req.ticket.raw = credentials.ticket;  // the ticket travels exactly as the KDC issued it
  req.authenticator = EncryptedData{session_key.enctype(), std::nullopt, sealed};
  return ok();
}

Result<ApReqBuilt> build_ap_req(const Credentials& credentials, const ApReqOptions& options,
                                const ApContext& context) {
  std::size_t needed = 0;
  detail::WorkArena arena(context.work_buffer, 0, needed);
  detail::WorkArena::Block plain(arena), cipher(arena);
  ApReq req;
  ApReqBuilt out;
  KERB_TRY_VOID(detail::seal_ap_req(arena, plain, cipher, credentials, options, context, req, out));
  // Counted first: the one block the caller keeps, of exactly its size.
  der::Writer counter = der::Writer::counting();
  encode(counter, req);
  out.bytes.resize(counter.size());
  der::Writer w(out.bytes);
  encode(w, req);
  if (!counter.ok() || !w.ok() || w.size() != out.bytes.size()) {
    return Error(ErrorCategory::kInvalidArgument, "the AP-REQ could not be encoded");
  }
  return out;
}

Result<ApRepVerified> verify_ap_rep(std::span<const std::uint8_t> ap_rep,
                                    const crypto::Key& session_key, const ApReqBuilt& request,
                                    const crypto::Policy& policy) {
  KERB_TRY(ApRep rep, decode_ap_rep(ap_rep));
  KERB_TRY(Plaintext plain, open(session_key, key_usage::kApRepEncPart, rep.enc_part, "AP-REP"));
  KERB_TRY(EncApRepPart part, decode_enc_ap_rep_part(plain.bytes()));
  // RFC 4120 §3.2.5: only the holder of the session key can echo our authenticator's time.
  if (part.ctime.seconds != request.ctime.seconds || part.cusec.value != request.ctime.usec) {
    return ap_error(error_code::kKrbApErrMutFail,
                    "the AP-REP does not echo the authenticator's time (mutual authentication "
                    "failed)");
  }
  ApRepVerified out;
  if (part.subkey) {
    KERB_TRY(crypto::Key subkey, key_from(*part.subkey, policy));
    out.subkey = std::move(subkey);
  }
  out.seq_number = part.seq_number;
  return out;
}

Result<ApReqVerified> verify_ap_req(std::span<const std::uint8_t> ap_req, const Keytab& keytab,
                                    const ApVerifyContext& context) {
  KERB_TRY(ApReq req, decode_ap_req(ap_req));
  if (req.ap_options.has(ap_options::kUseSessionKey)) {
    return ap_error(error_code::kKrbApErrMethod, "user-to-user AP-REQs are not supported");
  }

  // The service's key: the ticket's server name, key version and enctype.
  const Principal server(req.ticket.realm, req.ticket.sname);
  auto entry = keytab.find(server, req.ticket.enc_part.kvno, req.ticket.enc_part.etype);
  if (!entry && req.ticket.enc_part.kvno) {
    // §3.2.3: a key version the server no longer (or not yet) has, for a principal and enctype
    // it holds -- a rekeyed service with a stale keytab -- is KRB_AP_ERR_BADKEYVER, as MIT says.
    if (auto held = keytab.find(server, std::nullopt, req.ticket.enc_part.etype)) {
      return Error::format(ErrorCategory::kProtocol, error_code::kKrbApErrBadkeyver,
                           "the ticket is under key version %u of %s; the keytab holds %u",
                           *req.ticket.enc_part.kvno, server.to_string().c_str(), (*held)->kvno);
    }
  }
  if (!entry) {
    return Error::format(ErrorCategory::kProtocol, error_code::kKrbApErrNokey,
                         "no key for %s (kvno %u, enctype %d) in the keytab",
                         server.to_string().c_str(), req.ticket.enc_part.kvno.value_or(0),
                         static_cast<int>(req.ticket.enc_part.etype));
  }
  KERB_TRY(crypto::Key service_key, (*entry)->key.to_key(context.policy));
  KERB_TRY(Plaintext ticket_plain, open(service_key, key_usage::kTicket, req.ticket.enc_part,
                                        "the ticket", error_code::kKrbApErrBadIntegrity));
  KERB_TRY(EncTicketPart ticket, decode_der<EncTicketPart>(ticket_plain.bytes(), "EncTicketPart"));
  KERB_TRY(crypto::Key session_key, key_from(ticket.key, context.policy));
  KERB_TRY(Plaintext auth_plain, open(session_key, context.usage, req.authenticator,
                                      "the authenticator", error_code::kKrbApErrBadIntegrity));
  KERB_TRY(Authenticator auth, decode_authenticator(auth_plain.bytes()));

  // RFC 4120 §3.2.3.
  if (auth.crealm != ticket.crealm || !(auth.cname == ticket.cname)) {
    return ap_error(error_code::kKrbApErrBadmatch,
                    "the authenticator names another client than the ticket");
  }
  const Timestamp now = context.clock->now();
  const std::int64_t skew = auth.ctime.seconds - now.seconds;
  if (skew > context.clockskew || skew < -context.clockskew) {
    return ap_error(error_code::kKrbApErrSkew, "the authenticator's time is outside the skew");
  }
  const std::int64_t start = ticket.starttime ? ticket.starttime->seconds : ticket.authtime.seconds;
  if (start > now.seconds + context.clockskew || ticket.flags.has(ticket_flags::kInvalid)) {
    return ap_error(error_code::kKrbApErrTktNyv, "the ticket is not yet valid");
  }
  if (ticket.endtime.seconds < now.seconds - context.clockskew) {
    return ap_error(error_code::kKrbApErrTktExpired, "the ticket has expired");
  }

  KERB_TRY_VOID(
      context.transit.check(ticket.crealm, req.ticket.realm, ticket.transited, ticket.flags.bits));

  ApReqVerified out;
  out.client = Principal(ticket.crealm, ticket.cname);
  out.server = server;
  KERB_TRY(out.session_key, KeyBlock::from_bytes(ticket.key.keytype, ticket.key.keyvalue));
  if (auth.subkey) {
    KERB_TRY(KeyBlock subkey, KeyBlock::from_bytes(auth.subkey->keytype, auth.subkey->keyvalue));
    KERB_TRY_VOID(subkey.to_key(context.policy));  // refuse a subkey policy would not use
    out.subkey = std::move(subkey);
  }
  out.seq_number = auth.seq_number;
  out.ctime = Timestamp{auth.ctime.seconds, auth.cusec.value};
  out.ap_options = req.ap_options.bits;
  out.ticket_flags = ticket.flags.bits;
  out.authtime = ticket.authtime.seconds;
  out.endtime = ticket.endtime.seconds;
  if (auth.cksum) {
    out.cksumtype = auth.cksum->cksumtype;
    out.cksum.assign(auth.cksum->checksum);
  }
  // RFC 4120 §3.2.3: the same authenticator (client, ctime, cusec under this ticket's session
  // key) is a replay while its ctime is within the skew. Checked last, so only an AP-REQ that
  // passed everything else is remembered.
  if (context.replay_cache != nullptr) {
    const std::int64_t expires = auth.ctime.seconds + context.clockskew + 1;
    KERB_TRY(bool fresh,
             context.replay_cache->check_and_store(out.client.to_string(), req.authenticator.cipher,
                                                   now.seconds, expires));
    if (!fresh) return ap_error(error_code::kKrbApErrRepeat, "the authenticator is a replay");
  }
  return out;
}

Result<std::vector<std::uint8_t>> build_ap_rep(const ApReqVerified& request,
                                               const std::optional<crypto::Key>& subkey,
                                               std::optional<std::uint32_t> seq_number,
                                               crypto::Random& random,
                                               const crypto::Policy& policy) {
  KERB_TRY(crypto::Key session_key, request.session_key.to_key(policy));
  EncApRepPart part;
  part.ctime = KerberosTime{request.ctime.seconds};
  part.cusec = Microseconds{request.ctime.usec};
  if (subkey) {
    part.subkey = EncryptionKey{subkey->enctype(), subkey->expose_secret()};
  }
  part.seq_number = seq_number;
  KERB_TRY(const Plaintext plain, detail::encode_plaintext(part, "the EncAPRepPart"));
  KERB_TRY(std::vector<std::uint8_t> cipher,
           seal(session_key, key_usage::kApRepEncPart, plain.bytes(), random));
  ApRep rep;
  rep.enc_part = EncryptedData{session_key.enctype(), std::nullopt, cipher};
  der::Writer w;
  encode(w, rep);
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "the AP-REP could not be encoded");
  return w.take();
}

}  // namespace kerb
