// Password change and set (RFC 3244, and the original change-password protocol it extends):
// the sans-I/O framing of the request and reply, ChangePasswdData, and the result the server
// returns in the KRB-PRIV user-data or the KRB-ERROR e-data.
//
// The caller builds the AP-REQ (for kadmin/changepw@REALM, with a subkey and a seq-number)
// and seals the KRB-PRIV; this layer frames them and takes the reply apart, checking every
// length against the buffer. A TCP transport adds its own 4-octet length in front (RFC 3244 §2).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <kerb/crypto/secret.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// The protocol version number field (RFC 3244 §2).
enum class KpasswdVersion : std::uint16_t {
  // Change password: the KRB-PRIV user-data is the new password itself. Every reply carries
  // this version, RFC 3244 replies included.
  kChangePassword = 0x0001,
  // Set/change password: the user-data is a DER ChangePasswdData.
  kSetPassword = 0xff80,
};

// ChangePasswdData ::= SEQUENCE {
//   newpasswd [0] OCTET STRING, targname [1] PrincipalName OPTIONAL, targrealm [2] Realm OPTIONAL }
// Without targname the password of the ticket's client changes. MIT's kadmind decodes the
// fields as required, and refuses a ChangePasswdData without both targname and targrealm: to
// change one's own password there, use KpasswdVersion::kChangePassword (as MIT's client does).
struct ChangePasswdData {
  Bytes newpasswd;
  std::optional<PrincipalName> targname;
  std::optional<std::string_view> targrealm;
};

[[nodiscard]] bool decode(der::Reader& in, ChangePasswdData& out);
void encode(der::Writer& out, const ChangePasswdData& value);
Result<ChangePasswdData> decode_change_passwd_data(Bytes bytes);

// The KRB-PRIV user-data for `version`: the raw password for kChangePassword, the DER
// ChangePasswdData for kSetPassword (whose targname/targrealm kChangePassword cannot carry).
// The result holds the password, so it is a wiping buffer.
Result<crypto::SecretBuffer> kpasswd_user_data(KpasswdVersion version,
                                               const ChangePasswdData& data);

// message length (2) | version (2) | AP-REQ length (2) | AP-REQ | KRB-PRIV, lengths big-endian.
// kInvalidArgument when the AP-REQ is empty or the whole message exceeds 65535 octets.
Result<std::vector<std::uint8_t>> frame_kpasswd_request(KpasswdVersion version, Bytes ap_req,
                                                        Bytes krb_priv);

// A reply taken apart. Views into the reply buffer, which the caller keeps alive.
struct KpasswdReply {
  std::uint16_t version = 0;  // 0x0001, or 0xff80 from servers that echo the request's
  Bytes ap_rep;               // the AP-REP's DER; empty when the server sent a KRB-ERROR
  Bytes krb_priv_raw;         // the KRB-PRIV's DER, for ap_rep non-empty
  std::optional<KrbPriv> krb_priv;
  std::optional<KrbError> krb_error;  // the result is in its e-data (parse_kpasswd_result)
};

// Every length is checked against the buffer; a fault names its byte offset. A reply whose
// message length does not match but which is a whole KRB-ERROR by itself is accepted as one
// (version 0): Microsoft servers send errors without the framing.
Result<KpasswdReply> parse_kpasswd_reply(Bytes reply);

// Result codes (RFC 3244 §2; 0-4 from the original protocol). Any other nonzero value, 0xffff
// included, is a failure too.
enum class KpasswdResultCode : std::uint16_t {
  kSuccess = 0,
  kMalformed = 1,
  kHardError = 2,
  kAuthError = 3,
  kSoftError = 4,
  kAccessDenied = 5,
  kBadVersion = 6,
  kInitialFlagNeeded = 7,
};

// result code (2, big-endian) | result string: the KRB-PRIV user-data or the KRB-ERROR e-data.
struct KpasswdResult {
  std::uint16_t code = 0;
  // UTF-8 for the user per RFC 3244; MIT and Active Directory may instead put a binary
  // policy description here (decode_ad_policy_info). Shown as bytes: the caller decides.
  Bytes result_string;

  bool success() const noexcept { return code == 0; }
};

Result<KpasswdResult> parse_kpasswd_result(Bytes user_data);
// The result a KRB-ERROR reply carries in its e-data. Without e-data the KRB-ERROR itself is
// the answer (kKdc, its error code); a success code there is a protocol violation.
Result<KpasswdResult> kpasswd_error_result(const KrbError& error);

// A sentence for a result code, for the user; unknown codes get a generic one.
std::string_view describe(KpasswdResultCode code) noexcept;
std::string_view describe_kpasswd_result(std::uint16_t code) noexcept;

// The Active Directory password policy a server returns as the result string of a soft error
// (MIT lib/krb5/krb/chpw.c): 0x0000, then big-endian min length, history length, properties,
// maximum age and minimum age (ages in 100 ns units), 30 octets in all.
struct AdPolicyInfo {
  static constexpr std::uint32_t kComplex = 0x1;  // properties: complexity required

  std::uint32_t min_length = 0;
  std::uint32_t history = 0;
  std::uint32_t properties = 0;
  std::uint64_t max_age = 0;
  std::uint64_t min_age = 0;
};

// nullopt when the result string is not in that form (a UTF-8 message, or nothing).
std::optional<AdPolicyInfo> decode_ad_policy_info(Bytes result_string) noexcept;

}  // namespace kerb
