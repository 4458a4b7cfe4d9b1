// The password change exchange (RFC 3244 §2): the request sealed, the reply checked.
#include <algorithm>

#include <kerb/constants.hpp>
#include <kerb/internal/sealed.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/messages/ap.hpp>

namespace kerb {

using detail::open;
using detail::Plaintext;

namespace {

Error reply_error(const char* detail) {
  return Error(ErrorCategory::kProtocol, detail);
}

bool same_address(const HostAddress& a, const Credentials::Address& b) noexcept {
  return a.addr_type == b.addr_type &&
         std::equal(a.address.begin(), a.address.end(), b.address.begin(), b.address.end());
}

// Whether the bytes read as text a user can be shown: UTF-8 without control characters other
// than line breaks and tabs (a binary policy blob fails this).
bool printable_text(Bytes s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const std::uint8_t c = s[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) return false;
      ++i;
      continue;
    }
    const std::size_t n = (c & 0xe0) == 0xc0   ? 2
                          : (c & 0xf0) == 0xe0 ? 3
                          : (c & 0xf8) == 0xf0 ? 4
                                               : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((s[i + k] & 0xc0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Ages in 100 ns units (Active Directory's) as whole days.
std::uint64_t days(std::uint64_t ticks) noexcept {
  return ticks / (10'000'000ull * 86400);
}

// Short enough that Error's detail holds it whole after "Password change rejected: ".
std::string policy_message(const AdPolicyInfo& p) {
  std::string out = "the password policy asks for";
  if (p.min_length > 0) out += " at least " + std::to_string(p.min_length) + " characters,";
  if (p.properties & AdPolicyInfo::kComplex) out += " mixed character classes,";
  if (p.history > 0) out += " none of the last " + std::to_string(p.history) + " passwords,";
  if (p.min_age > 0)
    out += " at most one change every " + std::to_string(days(p.min_age)) + " days,";
  if (out.back() != ',') return "the password does not meet the password policy";
  out.back() = '.';
  return out;
}

}  // namespace

std::string kpasswd_result_message(std::uint16_t code, Bytes result_string) {
  if (auto policy = decode_ad_policy_info(result_string)) return policy_message(*policy);
  if (!result_string.empty() && printable_text(result_string)) {
    std::string text(result_string.begin(), result_string.end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
      text.pop_back();
    if (!text.empty()) return text;
  }
  return std::string(describe_kpasswd_result(code));
}

Result<KpasswdExchange> KpasswdExchange::start(const Credentials& changepw,
                                               std::string_view new_password,
                                               const KpasswdContext& context,
                                               KpasswdVersion version,
                                               const std::optional<Principal>& target) {
  if (new_password.empty())
    return Error(ErrorCategory::kInvalidArgument, "kpasswd: the new password is empty");
  KpasswdExchange out;
  out.policy_ = context.policy;
  out.server_address_ = context.server_address;
  KERB_TRY(out.session_key_, changepw.session_key.to_key(context.policy));

  // RFC 3244 §2: a fresh subkey and a sequence number in the authenticator. Mutual
  // authentication is asked for because the reply's AP-REP is what proves the server genuine.
  ApContext ap;
  ap.policy = context.policy;
  ap.clock = context.clock;
  ap.random = context.random;
  ap.clock_offset = context.clock_offset;
  ApReqOptions options;
  options.ap_options = ap_options::kMutualRequired;
  options.subkey = true;
  options.sequence_number = true;
  KERB_TRY(out.ap_req_, build_ap_req(changepw, options, ap));

  ChangePasswdData data;
  data.newpasswd =
      Bytes(reinterpret_cast<const std::uint8_t*>(new_password.data()), new_password.size());
  if (target) {
    if (version != KpasswdVersion::kSetPassword)
      return Error(ErrorCategory::kInvalidArgument,
                   "kpasswd: a target principal needs the set-password version 0xff80");
    data.targname = target->name();
    data.targrealm = target->realm();
  }
  KERB_TRY(crypto::SecretBuffer user_data, kpasswd_user_data(version, data));

  // MIT's client sends the sequence number and no timestamp (RFC 4120 §5.7.1 needs one of them).
  EncKrbPrivPart part;
  part.user_data = user_data.view();
  part.seq_number = out.ap_req_.seq_number;
  part.s_address = HostAddress{context.s_address.addr_type, context.s_address.address};
  KERB_TRY(Plaintext plain, detail::encode_plaintext(part, "the EncKrbPrivPart"));
  KERB_TRY(std::vector<std::uint8_t> cipher,
           detail::seal(*out.ap_req_.subkey, key_usage::kKrbPrivEncPart, plain.bytes(),
                        *context.random));
  KrbPriv priv;
  priv.enc_part = EncryptedData{out.ap_req_.subkey->enctype(), std::nullopt, cipher};
  der::Writer w;
  encode(w, priv);
  if (!w.ok()) return Error(ErrorCategory::kInvalidArgument, "the KRB-PRIV could not be encoded");
  const std::vector<std::uint8_t> priv_bytes = w.take();
  KERB_TRY(out.request_, frame_kpasswd_request(version, out.ap_req_.bytes, priv_bytes));
  return out;
}

Result<KpasswdOutcome> KpasswdExchange::on_reply(std::span<const std::uint8_t> bytes) const {
  KERB_TRY(KpasswdReply reply, parse_kpasswd_reply(bytes));
  KpasswdOutcome out;
  if (reply.krb_error) {
    KERB_TRY(KpasswdResult result, kpasswd_error_result(*reply.krb_error));
    out.code = result.code;
    out.result_string.assign(result.result_string.begin(), result.result_string.end());
    out.message = kpasswd_result_message(out.code, result.result_string);
    out.from_krb_error = true;
    return out;
  }

  // The AP-REP under the ticket's session key, echoing our authenticator (RFC 4120 §3.2.5).
  KERB_TRY(const ApRepVerified ap_rep, verify_ap_rep(reply.ap_rep, session_key_, ap_req_, policy_));
  // RFC 3244 §2: the KRB-PRIV is sealed under the subkey of our authenticator, whatever the
  // AP-REP says (MIT's kadmind echoes it there). Opening it binds the reply to this request.
  const crypto::Key& key = *ap_req_.subkey;
  KERB_TRY(Plaintext plain,
           open(key, key_usage::kKrbPrivEncPart, reply.krb_priv->enc_part, "the kpasswd KRB-PRIV"));
  KERB_TRY(EncKrbPrivPart part, decode_enc_krb_priv_part(plain.bytes()));
  // RFC 4120 §5.7.1 with sequence numbers: the server's KRB-PRIV carries the sequence number
  // its AP-REP announced (MIT's client takes an absent one as 0).
  if (!part.seq_number) return reply_error("kpasswd reply: the KRB-PRIV has no sequence number");
  if (*part.seq_number != ap_rep.seq_number.value_or(0))
    return Error::format(ErrorCategory::kProtocol, error_code::kKrbApErrBadorder,
                         "kpasswd reply: the KRB-PRIV's sequence number %u is not the AP-REP's %u",
                         *part.seq_number, ap_rep.seq_number.value_or(0));
  if (server_address_ && !same_address(part.s_address, *server_address_))
    return Error(ErrorCategory::kProtocol, error_code::kKrbApErrBadaddr,
                 "kpasswd reply: the KRB-PRIV's sender address is not the server's");
  KERB_TRY(KpasswdResult result, parse_kpasswd_result(part.user_data));
  out.code = result.code;
  out.result_string.assign(result.result_string.begin(), result.result_string.end());
  out.message = kpasswd_result_message(out.code, result.result_string);
  return out;
}

Result<PosixKdcTransport> kpasswd_transport_from_config(const Config& config,
                                                        PosixTransportOptions options) {
  PosixKdcTransport transport(std::move(options));
  for (std::string_view realm : config.realms()) {
    KERB_TRY(std::vector<KdcAddress> servers, config.kpasswd_servers(realm));
    transport.set_kdcs(realm, std::move(servers));
  }
  return transport;
}

Result<void> kpasswd_outcome_error(const KpasswdOutcome& outcome) {
  if (outcome.success()) return ok();
  if (outcome.code == static_cast<std::uint16_t>(KpasswdResultCode::kSoftError))
    return Error::format(ErrorCategory::kPolicy, outcome.code, "Password change rejected: %s",
                         outcome.message.c_str());
  return Error::format(ErrorCategory::kKdc, 0, "Password change rejected: %s (kpasswd result %u)",
                       outcome.message.c_str(), static_cast<unsigned>(outcome.code));
}

}  // namespace kerb
