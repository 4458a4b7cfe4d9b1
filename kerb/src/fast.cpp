#include <kerb/fast.hpp>

#include <string_view>
#include <utility>

#include <kerb/constants.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/error_codes.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>

namespace kerb::fast {
namespace {

Error protocol_error(const char* detail) {
  return Error(ErrorCategory::kProtocol, detail);
}

std::span<const std::uint8_t> pepper(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// value's DER encoding, in `out` (a std::vector or a SecretBuffer).
template <class T, class Out>
Result<void> encode_into(const T& value, Out& out, const char* what) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  if (!counter.ok()) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%s could not be encoded", what);
  }
  out.resize(counter.size());
  der::Writer w(std::span<std::uint8_t>(out.data(), out.size()));
  encode(w, value);
  if (!w.ok() || w.size() != out.size()) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "%s could not be encoded", what);
  }
  return ok();
}

}  // namespace

Result<crypto::Key> armor_key(const crypto::Key& subkey, const crypto::Key& ticket_session_key) {
  return crypto::krb_fx_cf2(subkey, ticket_session_key, pepper("subkeyarmor"),
                            pepper("ticketarmor"));
}

Result<AsArmor> make_as_armor(const Credentials& armor_tgt, const ApContext& context) {
  const std::span<const std::string> name = armor_tgt.server.components();
  if (name.size() != 2 || name[0] != kTgsName) {
    return Error(ErrorCategory::kInvalidArgument, "the FAST armor must be a TGT (krbtgt/REALM)");
  }
  ApReqOptions options;
  options.subkey = true;  // the armor key's first half (§5.4.1.1)
  options.usage = key_usage::kApReqAuthenticator;
  KERB_TRY(ApReqBuilt built, build_ap_req(armor_tgt, options, context));
  if (!built.subkey) return Error(ErrorCategory::kCrypto, "the armor AP-REQ has no subkey");
  KERB_TRY(crypto::Key session_key, armor_tgt.session_key.to_key(context.policy));
  AsArmor armor;
  KERB_TRY(armor.armor_key, armor_key(*built.subkey, session_key));
  armor.ap_req = std::move(built.bytes);
  return armor;
}

Result<std::vector<std::uint8_t>> make_fast_request(
    const crypto::Key& armor_key, std::span<const std::uint8_t> armor_ap_req,
    std::span<const std::uint8_t> checksummed, const MethodData& inner_padata,
    const KdcReqBody& body, std::uint32_t fast_options, crypto::Random& random) {
  // KrbFastReq under the armor key, usage 51 (§5.4.2).
  crypto::SecretBuffer plain;
  KERB_TRY_VOID(encode_into(KrbFastReq{KerberosFlags{fast_options}, inner_padata, body}, plain,
                            "KrbFastReq"));
  KERB_TRY(crypto::UsageKey enc, crypto::UsageKey::derive(armor_key, key_usage::kFastEnc));
  std::vector<std::uint8_t> cipher(enc.ciphertext_size(plain.size()));
  KERB_TRY(std::size_t n, enc.encrypt(plain.view(), cipher, random));
  cipher.resize(n);

  // req-checksum binds the FAST padata to the outer request (§5.4.2).
  const crypto::EncTypeInfo* info = armor_key.info();
  std::uint8_t cksum[64];
  if (info == nullptr || info->checksum_size > sizeof cksum) {
    return Error(ErrorCategory::kCrypto, "the armor key has no usable checksum");
  }
  const std::span<std::uint8_t> cksum_bytes(cksum, info->checksum_size);
  KERB_TRY_VOID(
      crypto::make_checksum(armor_key, key_usage::kFastReqChksum, checksummed, cksum_bytes));

  PaFxFastRequest request;
  if (!armor_ap_req.empty())
    request.armored_data.armor = KrbFastArmor{kFxFastArmorApRequest, armor_ap_req};
  request.armored_data.req_checksum =
      Checksum{static_cast<std::int32_t>(info->checksum_type), cksum_bytes};
  request.armored_data.enc_fast_req = EncryptedData{armor_key.enctype(), std::nullopt, cipher};
  std::vector<std::uint8_t> out;
  KERB_TRY_VOID(encode_into(request, out, "PA-FX-FAST-REQUEST"));
  return out;
}

Result<FastReply> open_fast_reply(const crypto::Key& armor_key,
                                  std::span<const std::uint8_t> pa_fx_fast, std::uint32_t nonce) {
  KERB_TRY(PaFxFastReply reply, decode_pa_fx_fast_reply(pa_fx_fast));
  const EncryptedData& enc = reply.armored_data.enc_fast_rep;
  if (enc.etype != armor_key.enctype()) {
    return protocol_error("the FAST reply is not encrypted in the armor key's enctype");
  }
  KERB_TRY(crypto::UsageKey key, crypto::UsageKey::derive(armor_key, key_usage::kFastRep));
  KERB_TRY(std::size_t size, key.plaintext_size(enc.cipher.size()));
  FastReply out;
  out.plain.resize(size);
  auto n = key.decrypt(enc.cipher, std::span<std::uint8_t>(out.plain.data(), size));
  if (!n) return Error(ErrorCategory::kCrypto, "the FAST reply does not open under the armor key");
  out.plain.resize(*n);
  KERB_TRY(out.response, decode_krb_fast_response(out.plain.view()));
  if (out.response.nonce != nonce) {
    return protocol_error("the FAST reply's nonce is not the request's (RFC 6113 §5.4.3)");
  }
  return out;
}

std::optional<PaData> find_fast_padata(std::optional<Bytes> method_data_bytes) {
  if (!method_data_bytes) return std::nullopt;
  auto md = decode_method_data(*method_data_bytes);
  if (!md) return std::nullopt;
  return find_padata(*md, padata_type::kPaFxFast);
}

Result<crypto::Key> strengthen_reply_key(const KrbFastResponse& response,
                                         const crypto::Key& reply_key,
                                         const crypto::Policy& policy) {
  if (!response.strengthen_key) return reply_key;
  KERB_TRY(crypto::Key strengthen,
           crypto::Key::from_bytes(response.strengthen_key->keytype,
                                   response.strengthen_key->keyvalue, policy));
  return crypto::krb_fx_cf2(strengthen, reply_key, pepper("strengthenkey"), pepper("replykey"));
}

Result<void> verify_finished(const KrbFastFinished& finished, const crypto::Key& armor_key,
                             std::span<const std::uint8_t> ticket, const Principal& client) {
  const auto type = static_cast<crypto::CksumType>(finished.ticket_checksum.cksumtype);
  if (!crypto::verify_keyed(armor_key, key_usage::kFastFinished, type, ticket,
                            finished.ticket_checksum.checksum)) {
    return protocol_error(
        "the FAST reply's ticket checksum does not match the ticket: the reply was modified "
        "(RFC 6113 §5.4.3)");
  }
  if (finished.crealm != client.realm() || !(finished.cname == client.name())) {
    return protocol_error("the FAST reply's finished names another client than the request");
  }
  return ok();
}

Result<crypto::Key> client_challenge_key(const crypto::Key& armor_key,
                                         const crypto::Key& long_term_key) {
  return crypto::krb_fx_cf2(armor_key, long_term_key, pepper("clientchallengearmor"),
                            pepper("challengelongterm"));
}

Result<crypto::Key> kdc_challenge_key(const crypto::Key& armor_key,
                                      const crypto::Key& long_term_key) {
  return crypto::krb_fx_cf2(armor_key, long_term_key, pepper("kdcchallengearmor"),
                            pepper("challengelongterm"));
}

Result<std::vector<std::uint8_t>> make_encrypted_challenge(const crypto::Key& armor_key,
                                                           const crypto::Key& long_term_key,
                                                           Timestamp now, crypto::Random& random) {
  KERB_TRY(crypto::Key key, client_challenge_key(armor_key, long_term_key));
  crypto::SecretBuffer ts;
  KERB_TRY_VOID(encode_into(PaEncTsEnc{KerberosTime{now.seconds}, Microseconds{now.usec}}, ts,
                            "PA-ENC-TS-ENC"));
  KERB_TRY(crypto::UsageKey enc, crypto::UsageKey::derive(key, key_usage::kEncChallengeClient));
  std::vector<std::uint8_t> cipher(enc.ciphertext_size(ts.size()));
  KERB_TRY(std::size_t n, enc.encrypt(ts.view(), cipher, random));
  cipher.resize(n);
  std::vector<std::uint8_t> out;
  KERB_TRY_VOID(encode_into(EncryptedData{key.enctype(), std::nullopt, cipher}, out,
                            "PA-ENCRYPTED-CHALLENGE"));
  return out;
}

Result<KerberosTime> open_kdc_challenge(const crypto::Key& armor_key,
                                        const crypto::Key& long_term_key,
                                        std::span<const std::uint8_t> padata_value) {
  KERB_TRY(EncryptedData enc, decode_der<EncryptedData>(padata_value, "PA-ENCRYPTED-CHALLENGE"));
  KERB_TRY(crypto::Key key, kdc_challenge_key(armor_key, long_term_key));
  KERB_TRY(crypto::UsageKey dec, crypto::UsageKey::derive(key, key_usage::kEncChallengeKdc));
  auto size = dec.plaintext_size(enc.cipher.size());
  if (!size || enc.etype != key.enctype()) {
    return protocol_error("the KDC's encrypted challenge is not in the challenge key's enctype");
  }
  crypto::SecretBuffer plain(*size);
  auto n = dec.decrypt(enc.cipher, std::span<std::uint8_t>(plain.data(), plain.size()));
  if (!n) {
    return protocol_error(
        "the KDC's encrypted challenge does not open under the KDC challenge key: the reply "
        "is not from a KDC that knows the client's key (RFC 6113 §5.4.6)");
  }
  plain.resize(*n);
  KERB_TRY(PaEncTsEnc ts, decode_pa_enc_ts_enc(plain.view()));
  return ts.patimestamp;
}

Result<KrbError> inner_error(const FastReply& reply) {
  const std::optional<PaData> pa = find_padata(reply.response.padata, padata_type::kPaFxError);
  if (!pa) return protocol_error("the FAST error reply carries no PA-FX-ERROR (RFC 6113 §5.4.4)");
  return decode_krb_error(pa->padata_value);
}

bool unarmored_error_allowed(std::int32_t error_code) noexcept {
  // The armor AP-REQ's own failures (RFC 4120 §3.2.3 errors, 31..51), the KDC not knowing a
  // critical FAST option (§5.4.2, no e-data), and the transport's response-too-big.
  return (error_code >= error_code::kKrbApErrBadIntegrity &&
          error_code <= error_code::kKrbErrResponseTooBig) ||
         error_code == error_code::kKdcErrUnknownCriticalFastOptions;
}

struct AsState {
  crypto::Key armor_key;
  std::vector<std::uint8_t> armor_ap_req;
  std::vector<std::uint8_t> cookie;
  std::optional<FastReply> reply;
};

namespace {

void destroy_as(AsState* state) noexcept {
  delete state;
}

Result<void> start_as(const Credentials& armor_tgt, std::string_view realm,
                      const ApContext& context, AsStatePtr& state) {
  const std::span<const std::string> name = armor_tgt.server.components();
  if (name.size() != 2 || name[0] != kTgsName || name[1] != realm ||
      armor_tgt.server.realm() != realm) {
    return Error(ErrorCategory::kInvalidArgument,
                 "the FAST armor must be a TGT of the client's realm (krbtgt/REALM@REALM)");
  }
  KERB_TRY(AsArmor armor, make_as_armor(armor_tgt, context));
  state = AsStatePtr(new AsState{std::move(armor.armor_key), std::move(armor.ap_req), {}, {}},
                     AsStateDeleter{destroy_as});
  return ok();
}

Result<void> armor_as_request(AsState& state, const crypto::Key* challenge_key, Timestamp now,
                              std::span<const PaData> padata, const KdcReqBody& body,
                              crypto::Random& random, std::vector<std::uint8_t>& pa_fx_fast) {
  std::vector<std::uint8_t> challenge;
  std::vector<PaData> inner;
  inner.reserve(padata.size() + 2);
  if (challenge_key) {
    KERB_TRY(challenge, make_encrypted_challenge(state.armor_key, *challenge_key, now, random));
    inner.push_back(PaData{padata_type::kPaEncryptedChallenge, challenge});
  }
  for (const PaData& pa : padata)
    inner.push_back(pa);
  if (!state.cookie.empty()) inner.push_back(PaData{padata_type::kPaFxCookie, state.cookie});
  std::vector<std::uint8_t> body_bytes;
  KERB_TRY_VOID(encode_into(body, body_bytes, "the KDC-REQ-BODY"));
  KdcReqBody sent = body;
  sent.raw = body_bytes;
  KERB_TRY(pa_fx_fast,
           make_fast_request(state.armor_key, state.armor_ap_req, body_bytes,
                             MethodData(std::span<const PaData>(inner)), sent, 0, random));
  return ok();
}

// The FAST reply in a KRB-ERROR's e-data, opened (§5.4.4); nullopt for an unarmored error
// unarmored_error_allowed, kProtocol for any other.
Result<std::optional<FastReply>> open_error_reply(const crypto::Key& armor_key,
                                                  const KrbError& outer, std::uint32_t nonce) {
  const std::optional<PaData> fx = find_fast_padata(outer.e_data);
  if (!fx) {
    if (unarmored_error_allowed(outer.error_code)) return std::optional<FastReply>();
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the KDC answered an armored request with an unarmored %s: refused as "
                         "a FAST downgrade (RFC 6113 §5.4.4)",
                         error_code_name(outer.error_code).data());
  }
  KERB_TRY(FastReply reply, open_fast_reply(armor_key, fx->padata_value, nonce));
  return std::optional<FastReply>(std::move(reply));
}

Result<bool> open_as_error(AsState& state, const KrbError& outer, std::uint32_t nonce,
                           KrbError& inner, MethodData& padata) {
  KERB_TRY(state.reply, open_error_reply(state.armor_key, outer, nonce));
  if (!state.reply) return false;
  KERB_TRY(inner, inner_error(*state.reply));
  padata = state.reply->response.padata;
  if (auto cookie = find_padata(padata, padata_type::kPaFxCookie)) {
    state.cookie.assign(cookie->padata_value.begin(), cookie->padata_value.end());
  } else {
    state.cookie.clear();
  }
  return true;
}

// §5.4.3: a KDC-REP's FAST reply, with a KrbFastFinished that passes verify_finished.
Result<FastReply> open_reply(const crypto::Key& armor_key, const KdcRep& rep, std::uint32_t nonce,
                             const Principal& client) {
  const char* name = rep.msg_type == MessageType::kAsRep ? "AS" : "TGS";
  const std::optional<PaData> fx =
      rep.padata ? find_padata(*rep.padata, padata_type::kPaFxFast) : std::nullopt;
  if (!fx) {
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the %s-REP to an armored request carries no PA-FX-FAST: refused as a "
                         "FAST downgrade (RFC 6113 §5.4.3)",
                         name);
  }
  KERB_TRY(FastReply reply, open_fast_reply(armor_key, fx->padata_value, nonce));
  if (!reply.response.finished) {
    return Error::format(ErrorCategory::kProtocol, 0,
                         "the FAST reply to a %s-REQ has no KrbFastFinished (RFC 6113 §5.4.3)",
                         name);
  }
  KERB_TRY_VOID(verify_finished(*reply.response.finished, armor_key, rep.ticket.raw, client));
  return reply;
}

Result<void> open_as_reply(AsState& state, const KdcRep& rep, std::uint32_t nonce,
                           const Principal& client, std::optional<MethodData>& padata) {
  KERB_TRY(state.reply, open_reply(state.armor_key, rep, nonce, client));
  padata = state.reply->response.padata;
  return ok();
}

Result<void> as_reply_key(const AsState& state, bool challenge_sent, const crypto::Policy& policy,
                          crypto::Key& key) {
  if (!state.reply) return protocol_error("no FAST reply was opened");
  const KrbFastResponse& response = state.reply->response;
  // §5.4.6: a KDC that accepted our encrypted challenge proves it knows the long-term key with
  // its own, and must strengthen the reply key.
  if (challenge_sent) {
    const std::optional<PaData> challenge =
        find_padata(response.padata, padata_type::kPaEncryptedChallenge);
    if (!challenge) {
      return protocol_error(
          "the FAST reply lacks the KDC's PA-ENCRYPTED-CHALLENGE (RFC 6113 §5.4.6)");
    }
    KERB_TRY_VOID(open_kdc_challenge(state.armor_key, key, challenge->padata_value));
    if (!response.strengthen_key) {
      return protocol_error("the FAST reply does not strengthen the reply key (RFC 6113 §5.4.6)");
    }
  }
  KERB_TRY(key, strengthen_reply_key(response, key, policy));
  return ok();
}

Result<void> armor_tgs_request(const crypto::Key& subkey, const crypto::Key& session_key,
                               std::span<const std::uint8_t> ap_req, const KdcReqBody& body,
                               crypto::Random& random, std::optional<crypto::Key>& armor,
                               std::vector<std::uint8_t>& pa_fx_fast) {
  KERB_TRY(armor, armor_key(subkey, session_key));
  KERB_TRY(pa_fx_fast, make_fast_request(*armor, {}, ap_req, MethodData(), body, 0, random));
  return ok();
}

Error tgs_error(const crypto::Key& armor_key, const KrbError& outer, std::uint32_t nonce) {
  auto reply = open_error_reply(armor_key, outer, nonce);
  if (!reply) return reply.error();
  if (!*reply) return to_error(outer);
  auto inner = inner_error(**reply);
  if (!inner) return inner.error();
  return to_error(*inner);
}

Result<void> open_tgs_reply(const crypto::Key& armor_key, const KdcRep& rep, std::uint32_t nonce,
                            const Principal& client, const crypto::Policy& policy,
                            crypto::Key& session_key, std::optional<crypto::Key>& subkey) {
  KERB_TRY(FastReply reply, open_reply(armor_key, rep, nonce, client));
  KERB_TRY(session_key, strengthen_reply_key(reply.response, session_key, policy));
  if (subkey) {
    KERB_TRY(subkey, strengthen_reply_key(reply.response, *subkey, policy));
  }
  return ok();
}

}  // namespace

const Operations& operations() noexcept {
  static constexpr Operations kOperations{
      start_as,     armor_as_request,  open_as_error, open_as_reply,
      as_reply_key, armor_tgs_request, tgs_error,     open_tgs_reply,
  };
  return kOperations;
}

}  // namespace kerb::fast

namespace kerb {

FastArmor::FastArmor(Credentials tgt) : tgt_(std::move(tgt)), operations_(&fast::operations()) {}

}  // namespace kerb
