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
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/clock.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/error.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/transport.hpp>

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

// --- the exchange -------------------------------------------------------------------------

// What the exchange is given rather than reaching for itself (DESIGN.md: sans-I/O).
struct KpasswdContext {
  crypto::Policy policy = crypto::Policy::defaults();
  Clock* clock = &system_clock();
  crypto::Random* random = &crypto::os_random();
  std::int64_t clock_offset = 0;  // KDC time minus local time (ClientHints::clock_offset)
  // The request's KRB-PRIV s-address (RFC 4120 §5.7.1 makes it mandatory): the sender's
  // address. MIT's kadmind does not compare it with where the request came from, so the
  // default, the IPv4 loopback address, serves any path (UDP, TCP, a KDC proxy).
  Credentials::Address s_address{2, {127, 0, 0, 1}};
  // When set, the reply's KRB-PRIV must name this s-address (the server's address, for servers
  // that send theirs). MIT's kadmind 1.20 names none (type -1, empty): leave it unset there.
  std::optional<Credentials::Address> server_address;
};

// The server's answer to a request it authenticated or refused with a result code.
struct KpasswdOutcome {
  std::uint16_t code = 0;                   // KpasswdResultCode, or another value
  std::vector<std::uint8_t> result_string;  // as the server sent it
  // For the user: the result string as text, or the password policy it describes
  // (decode_ad_policy_info), or describe_kpasswd_result(code) when it says nothing.
  std::string message;
  // True when the answer came in an unauthenticated KRB-ERROR (RFC 3244 §2 allows one when the
  // server could not read the request); its code is a failure even so.
  bool from_krb_error = false;

  bool success() const noexcept { return code == 0; }
};

// A password change (RFC 3244 §2) as a state machine: start() builds the request -- an AP-REQ
// for kadmin/changepw with a fresh subkey and sequence number, and a KRB-PRIV sealed under
// that subkey (key usage 13) carrying the new password -- and on_reply() checks the answer:
// the AP-REP (key usage 12, echoing the authenticator), then the KRB-PRIV (our subkey, key
// usage 13, the AP-REP's sequence number), or a KRB-ERROR with a result in its e-data. One request,
// one reply; send the same request again after a timeout.
class KpasswdExchange {
 public:
  // `changepw`: a ticket for kadmin/changepw@REALM of the user (MIT's kadmind wants one from
  // an initial AS exchange). kSetPassword sends a ChangePasswdData naming `target` (both
  // targname and targrealm, as MIT requires); kChangePassword changes the ticket client's own.
  static Result<KpasswdExchange> start(const Credentials& changepw, std::string_view new_password,
                                       const KpasswdContext& context = {},
                                       KpasswdVersion version = KpasswdVersion::kChangePassword,
                                       const std::optional<Principal>& target = std::nullopt);

  // The framed request (no TCP length prefix: a transport adds its own).
  std::span<const std::uint8_t> request() const noexcept { return request_; }

  // The server's result, success or not; every failed check of the reply is an error:
  // kProtocol (a malformed or mismatched reply, a wrong sequence number or address), kCrypto
  // (a reply that does not decrypt), kDer, or kKdc (a KRB-ERROR without a result code).
  Result<KpasswdOutcome> on_reply(std::span<const std::uint8_t> reply) const;

 private:
  KpasswdExchange() = default;

  std::vector<std::uint8_t> request_;
  ApReqBuilt ap_req_;
  crypto::Key session_key_;
  crypto::Policy policy_ = crypto::Policy::defaults();
  std::optional<Credentials::Address> server_address_;
};

// A failed outcome as an error, for apps that only need to know whether the change happened:
// ok for success. A soft error (the password policy refused the new password) is kPolicy with
// code() 4, KpasswdResultCode::kSoftError (local policy errors have code() 0); any other result
// code is kKdc with code() 0 (result codes are not KRB-ERROR codes). The detail reads
// "Password change rejected: <message>" (MIT's words); for kKdc it names the result code too.
Result<void> kpasswd_outcome_error(const KpasswdOutcome& outcome);

// True for an error of an AS exchange whose KDC answered KDC_ERR_KEY_EXPIRED (code() 23): the
// password has expired and must be changed (Client::change_password) before a login.
inline bool password_expired(const Error& error) noexcept {
  return error.category() == ErrorCategory::kKdc && error.code() == 23;
}

// True for kpasswd_outcome_error's soft error: ask the user for another password.
inline bool password_rejected(const Error& error) noexcept {
  return error.category() == ErrorCategory::kPolicy &&
         error.code() == static_cast<std::int32_t>(KpasswdResultCode::kSoftError);
}

// A transport to every realm's kpasswd servers (Config::kpasswd_servers: kpasswd_server, else
// port 464 of each admin_server host), UDP and TCP as PosixKdcTransport does for KDCs; RFC 3244
// §2 frames TCP messages with the same 4-octet length.
Result<PosixKdcTransport> kpasswd_transport_from_config(const Config& config,
                                                        PosixTransportOptions options = {});

// Renders a result string for the user (KpasswdOutcome::message).
std::string kpasswd_result_message(std::uint16_t code, Bytes result_string);

}  // namespace kerb
