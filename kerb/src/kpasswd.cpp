#include <kerb/kpasswd.hpp>

#include <algorithm>

#include <kerb/messages/ap.hpp>

#include "messages/fields.hpp"

namespace kerb {

namespace {

// message length, protocol version number, AP-REQ/AP-REP length (RFC 3244 §2).
constexpr std::size_t kHeaderSize = 6;
constexpr std::size_t kMaxMessage = 0xffff;
// The first octet of an [APPLICATION 30] KRB-ERROR.
constexpr std::uint8_t kKrbErrorFirstOctet = 0x7e;

std::uint16_t load_be16(Bytes b, std::size_t at) noexcept {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}
std::uint32_t load_be32(Bytes b, std::size_t at) noexcept {
  return static_cast<std::uint32_t>(load_be16(b, at)) << 16 | load_be16(b, at + 2);
}
std::uint64_t load_be64(Bytes b, std::size_t at) noexcept {
  return static_cast<std::uint64_t>(load_be32(b, at)) << 32 | load_be32(b, at + 4);
}
void store_be16(std::uint8_t* p, std::size_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

// Decodes reply[at..] as exactly one T; a DER fault names its offset in the whole reply.
template <class T>
Result<T> decode_at(Bytes reply, std::size_t at, std::string_view what) {
  der::Error fault;
  der::Reader in(reply.subspan(at), fault);
  T out{};
  if (!decode(in, out) || !in.finish()) {
    fault.offset += at;
    return der_error(fault, what);
  }
  return out;
}

Error malformed(const char* fmt, std::size_t a, std::size_t b) {
  return Error::format(ErrorCategory::kProtocol, 0, fmt, a, b);
}

}  // namespace

bool decode(der::Reader& in, ChangePasswdData& out) {
  out = ChangePasswdData();
  der::Reader seq;
  return in.read_sequence(seq) && fields::field(seq, 0, out.newpasswd) &&
         fields::field(seq, 1, out.targname) && fields::field(seq, 2, out.targrealm) &&
         seq.finish();
}

void encode(der::Writer& out, const ChangePasswdData& value) {
  out.sequence([&] {
    fields::put(out, 0, value.newpasswd);
    fields::put(out, 1, value.targname);
    fields::put(out, 2, value.targrealm);
  });
}

Result<ChangePasswdData> decode_change_passwd_data(Bytes bytes) {
  return decode_der<ChangePasswdData>(bytes, "ChangePasswdData");
}

Result<crypto::SecretBuffer> kpasswd_user_data(KpasswdVersion version,
                                               const ChangePasswdData& data) {
  if (version == KpasswdVersion::kChangePassword) {
    if (data.targname || data.targrealm)
      return Error(ErrorCategory::kInvalidArgument,
                   "kpasswd: version 1 changes only the ticket client's password; "
                   "a target principal needs the set-password version 0xff80");
    return crypto::SecretBuffer(data.newpasswd);
  }
  if (version != KpasswdVersion::kSetPassword)
    return Error(ErrorCategory::kInvalidArgument, "kpasswd: unknown protocol version");
  // Sized first, then written in place: a growable writer would leave unwiped copies of the
  // password behind as it grows.
  der::Writer counter = der::Writer::counting();
  encode(counter, data);
  crypto::SecretBuffer out(counter.size());
  der::Writer writer(out.mutable_view());
  encode(writer, data);
  if (!writer.ok() || writer.size() != out.size())
    return Error(ErrorCategory::kInvalidArgument, "ChangePasswdData: cannot encode");
  return out;
}

Result<std::vector<std::uint8_t>> frame_kpasswd_request(KpasswdVersion version, Bytes ap_req,
                                                        Bytes krb_priv) {
  if (ap_req.empty())
    return Error(ErrorCategory::kInvalidArgument, "kpasswd request: the AP-REQ is empty");
  if (krb_priv.empty())
    return Error(ErrorCategory::kInvalidArgument, "kpasswd request: the KRB-PRIV is empty");
  // Compared one by one so that the sum cannot wrap.
  if (ap_req.size() > kMaxMessage || krb_priv.size() > kMaxMessage ||
      kHeaderSize + ap_req.size() + krb_priv.size() > kMaxMessage)
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "kpasswd request: %zu octets do not fit the 16-bit message length",
                         kHeaderSize + ap_req.size() + krb_priv.size());
  const std::size_t total = kHeaderSize + ap_req.size() + krb_priv.size();
  std::vector<std::uint8_t> out(total);
  store_be16(out.data(), total);
  store_be16(out.data() + 2, static_cast<std::uint16_t>(version));
  store_be16(out.data() + 4, ap_req.size());
  std::copy(ap_req.begin(), ap_req.end(), out.data() + kHeaderSize);
  std::copy(krb_priv.begin(), krb_priv.end(), out.data() + kHeaderSize + ap_req.size());
  return out;
}

Result<KpasswdReply> parse_kpasswd_reply(Bytes reply) {
  KpasswdReply out;
  // An unframed KRB-ERROR (RFC 3244 §2 says errors go "without any encapsulation"; Active
  // Directory does so for version 1 too). Tried only when the octets cannot be a framed reply,
  // so a framed message of 0x7e00 octets or more still parses as one.
  if (!reply.empty() && reply[0] == kKrbErrorFirstOctet &&
      (reply.size() < 2 || load_be16(reply, 0) != reply.size())) {
    auto error = decode_at<KrbError>(reply, 0, "kpasswd reply: KRB-ERROR");
    if (!error) return error.error();
    out.krb_error = std::move(error).value();
    return out;
  }
  if (reply.size() < kHeaderSize)
    return malformed("kpasswd reply: %zu octets, shorter than the %zu-octet header", reply.size(),
                     kHeaderSize);
  const std::size_t length = load_be16(reply, 0);
  if (length != reply.size())
    return malformed("kpasswd reply: message length %zu at offset 0, but %zu octets arrived",
                     length, reply.size());
  out.version = load_be16(reply, 2);
  if (out.version != static_cast<std::uint16_t>(KpasswdVersion::kChangePassword) &&
      out.version != static_cast<std::uint16_t>(KpasswdVersion::kSetPassword))
    return Error::format(ErrorCategory::kProtocol, 0,
                         "kpasswd reply: unknown protocol version 0x%04x at offset 2", out.version);
  const std::size_t ap_rep_length = load_be16(reply, 4);
  const std::size_t rest = reply.size() - kHeaderSize;
  if (ap_rep_length > rest)
    return malformed("kpasswd reply: AP-REP length %zu at offset 4 exceeds the %zu octets left",
                     ap_rep_length, rest);
  if (ap_rep_length == 0) {
    if (rest == 0)
      return malformed("kpasswd reply: no KRB-ERROR after the header (%zu octets, offset %zu)",
                       reply.size(), kHeaderSize);
    auto error = decode_at<KrbError>(reply, kHeaderSize, "kpasswd reply: KRB-ERROR");
    if (!error) return error.error();
    out.krb_error = std::move(error).value();
    return out;
  }
  const std::size_t priv_at = kHeaderSize + ap_rep_length;
  out.ap_rep = reply.subspan(kHeaderSize, ap_rep_length);
  // Checked here so that a caller never verifies an AP-REP with trailing bytes in its span.
  if (auto ap_rep = decode_at<ApRep>(reply.first(priv_at), kHeaderSize, "kpasswd reply: AP-REP");
      !ap_rep)
    return ap_rep.error();
  if (priv_at == reply.size())
    return malformed("kpasswd reply: no KRB-PRIV after the AP-REP (%zu octets, offset %zu)",
                     reply.size(), priv_at);
  auto priv = decode_at<KrbPriv>(reply, priv_at, "kpasswd reply: KRB-PRIV");
  if (!priv) return priv.error();
  out.krb_priv_raw = reply.subspan(priv_at);
  out.krb_priv = std::move(priv).value();
  return out;
}

Result<KpasswdResult> parse_kpasswd_result(Bytes user_data) {
  if (user_data.size() < 2)
    return malformed("kpasswd result: %zu octets, shorter than the %zu-octet result code",
                     user_data.size(), 2);
  KpasswdResult out;
  out.code = load_be16(user_data, 0);
  out.result_string = user_data.subspan(2);
  return out;
}

Result<KpasswdResult> kpasswd_error_result(const KrbError& error) {
  if (!error.e_data) {
    const std::string_view text = error.e_text.value_or("no result code");
    return Error::format(ErrorCategory::kKdc, error.error_code,
                         "kpasswd: KRB-ERROR %d without a result (%.*s)", error.error_code,
                         static_cast<int>(text.size()), text.data());
  }
  auto result = parse_kpasswd_result(*error.e_data);
  if (!result) return result;
  if (result->success())
    return Error(ErrorCategory::kProtocol,
                 "kpasswd: a KRB-ERROR reply claims success (RFC 3244 §2 forbids it)");
  return result;
}

std::string_view describe(KpasswdResultCode code) noexcept {
  switch (code) {
    case KpasswdResultCode::kSuccess:
      return "Password changed";
    case KpasswdResultCode::kMalformed:
      return "The password server could not parse the request";
    case KpasswdResultCode::kHardError:
      return "The password server failed to process the request";
    case KpasswdResultCode::kAuthError:
      return "The password server could not authenticate the request";
    case KpasswdResultCode::kSoftError:
      return "The new password was rejected (for example by password policy)";
    case KpasswdResultCode::kAccessDenied:
      return "Not authorized to change this password";
    case KpasswdResultCode::kBadVersion:
      return "The password server does not support this protocol version";
    case KpasswdResultCode::kInitialFlagNeeded:
      return "Password change needs a ticket from an initial (password) login";
  }
  return "Password change failed";
}

std::string_view describe_kpasswd_result(std::uint16_t code) noexcept {
  return describe(static_cast<KpasswdResultCode>(code));
}

std::optional<AdPolicyInfo> decode_ad_policy_info(Bytes result_string) noexcept {
  // The two leading zero octets make the blob read as an empty UTF-8 string.
  constexpr std::size_t kSize = 30;
  if (result_string.size() != kSize || load_be16(result_string, 0) != 0) return std::nullopt;
  AdPolicyInfo out;
  out.min_length = load_be32(result_string, 2);
  out.history = load_be32(result_string, 6);
  out.properties = load_be32(result_string, 10);
  out.max_age = load_be64(result_string, 14);
  out.min_age = load_be64(result_string, 22);
  return out;
}

}  // namespace kerb
