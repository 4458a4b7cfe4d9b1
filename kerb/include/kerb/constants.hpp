// Protocol constants of RFC 4120 §7.5 and the IANA "Kerberos Parameters" registries, one block
// per registry (DESIGN.md convention 9), named as the RFCs name them. Encryption and checksum
// types are kerb::crypto::EncType / CksumType (RFC 3961 §8); name types are kerb::NameType.
//
// Values compared with a wire field (padata-type, ad-type, error-code, ...) are plain integer
// constants of the field's type, so `pa.padata_type == padata_type::kPaEtypeInfo2` needs no
// cast; message types, which a decoder checks against the application tag, are a scoped enum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace kerb {

// Protocol version number (RFC 4120 §7.5.6): pvno, tkt-vno and authenticator-vno.
inline constexpr std::int32_t kPvno = 5;

// Message types (RFC 4120 §7.5.7). Each equals its message's [APPLICATION n] tag number.
enum class MessageType : std::int32_t {
  kAsReq = 10,       // KRB_AS_REQ: request for initial authentication
  kAsRep = 11,       // KRB_AS_REP
  kTgsReq = 12,      // KRB_TGS_REQ: request for authentication based on a TGT
  kTgsRep = 13,      // KRB_TGS_REP
  kApReq = 14,       // KRB_AP_REQ: application request to server
  kApRep = 15,       // KRB_AP_REP: reply to a mutual-authentication AP_REQ
  kReserved16 = 16,  // KRB_RESERVED16: user-to-user krb_tgt_request
  kReserved17 = 17,  // KRB_RESERVED17: user-to-user krb_tgt_reply
  kSafe = 20,        // KRB_SAFE: checksummed application message
  kPriv = 21,        // KRB_PRIV: encrypted application message
  kCred = 22,        // KRB_CRED: forwarded credentials
  kError = 30,       // KRB_ERROR
};

// [APPLICATION n] tag numbers of the encrypted parts and other non-message types (RFC 4120
// §5.10), for the few places that need them by number.
namespace application_tag {
inline constexpr std::uint8_t kTicket = 1;
inline constexpr std::uint8_t kAuthenticator = 2;
inline constexpr std::uint8_t kEncTicketPart = 3;
inline constexpr std::uint8_t kEncAsRepPart = 25;
inline constexpr std::uint8_t kEncTgsRepPart = 26;
inline constexpr std::uint8_t kEncApRepPart = 27;
inline constexpr std::uint8_t kEncKrbPrivPart = 28;
inline constexpr std::uint8_t kEncKrbCredPart = 29;
}  // namespace application_tag

// Pre-authentication and typed-data types (RFC 4120 §7.5.2; the shared PA/TD registry of
// RFC 6113 §7.1; RFC 6806 §11; [MS-KILE], [MS-SFU]).
namespace padata_type {
inline constexpr std::int32_t kPaTgsReq = 1;
inline constexpr std::int32_t kPaEncTimestamp = 2;
inline constexpr std::int32_t kPaPwSalt = 3;
inline constexpr std::int32_t kPaEncUnixTime = 5;  // deprecated
inline constexpr std::int32_t kPaSandiaSecureid = 6;
inline constexpr std::int32_t kPaSesame = 7;
inline constexpr std::int32_t kPaOsfDce = 8;
inline constexpr std::int32_t kPaCybersafeSecureid = 9;
inline constexpr std::int32_t kPaAfs3Salt = 10;
inline constexpr std::int32_t kPaEtypeInfo = 11;
inline constexpr std::int32_t kPaSamChallenge = 12;
inline constexpr std::int32_t kPaSamResponse = 13;
inline constexpr std::int32_t kPaPkAsReqOld = 14;
inline constexpr std::int32_t kPaPkAsRepOld = 15;
inline constexpr std::int32_t kPaPkAsReq = 16;         // RFC 4556
inline constexpr std::int32_t kPaPkAsRep = 17;         // RFC 4556
inline constexpr std::int32_t kPaPkOcspResponse = 18;  // RFC 4557
inline constexpr std::int32_t kPaEtypeInfo2 = 19;
inline constexpr std::int32_t kPaUseSpecifiedKvno = 20;
inline constexpr std::int32_t kPaSvrReferralInfo = 20;
inline constexpr std::int32_t kPaSamRedirect = 21;
inline constexpr std::int32_t kPaGetFromTypedData = 22;
inline constexpr std::int32_t kTdPadata = 22;
inline constexpr std::int32_t kPaSamEtypeInfo = 23;
inline constexpr std::int32_t kPaAltPrinc = 24;
inline constexpr std::int32_t kPaServerReferral = 25;
inline constexpr std::int32_t kPaSamChallenge2 = 30;
inline constexpr std::int32_t kPaSamResponse2 = 31;
inline constexpr std::int32_t kPaExtraTgt = 41;
inline constexpr std::int32_t kTdPkinitCmsCertificates = 101;
inline constexpr std::int32_t kTdKrbPrincipal = 102;
inline constexpr std::int32_t kTdKrbRealm = 103;
inline constexpr std::int32_t kTdTrustedCertifiers = 104;
inline constexpr std::int32_t kTdCertificateIndex = 105;
inline constexpr std::int32_t kTdAppDefinedError = 106;
inline constexpr std::int32_t kTdReqNonce = 107;
inline constexpr std::int32_t kTdReqSeq = 108;
inline constexpr std::int32_t kTdDhParameters = 109;
inline constexpr std::int32_t kTdCmsDigestAlgorithms = 111;
inline constexpr std::int32_t kTdCertDigestAlgorithms = 112;
inline constexpr std::int32_t kPaPacRequest = 128;          // [MS-KILE] KERB-PA-PAC-REQUEST
inline constexpr std::int32_t kPaForUser = 129;             // [MS-SFU] S4U2Self
inline constexpr std::int32_t kPaForX509User = 130;         // [MS-SFU]
inline constexpr std::int32_t kPaForCheckDups = 131;        // [MS-KILE]
inline constexpr std::int32_t kPaAsChecksum = 132;          // [MS-KILE]
inline constexpr std::int32_t kPaFxCookie = 133;            // RFC 6113
inline constexpr std::int32_t kPaAuthenticationSet = 134;   // RFC 6113
inline constexpr std::int32_t kPaAuthSetSelected = 135;     // RFC 6113
inline constexpr std::int32_t kPaFxFast = 136;              // RFC 6113
inline constexpr std::int32_t kPaFxError = 137;             // RFC 6113
inline constexpr std::int32_t kPaEncryptedChallenge = 138;  // RFC 6113
inline constexpr std::int32_t kPaOtpChallenge = 141;        // RFC 6560
inline constexpr std::int32_t kPaOtpRequest = 142;          // RFC 6560
inline constexpr std::int32_t kPaOtpConfirm = 143;
inline constexpr std::int32_t kPaOtpPinChange = 144;  // RFC 6560
inline constexpr std::int32_t kPaEpakAsReq = 145;
inline constexpr std::int32_t kPaEpakAsRep = 146;
inline constexpr std::int32_t kPaPkinitKx = 147;  // RFC 6112
inline constexpr std::int32_t kPaPku2uName = 148;
inline constexpr std::int32_t kPaReqEncPaRep = 149;      // RFC 6806 §11
inline constexpr std::int32_t kPaAsFreshness = 150;      // RFC 8070
inline constexpr std::int32_t kPaSupportedEtypes = 165;  // [MS-KILE]
inline constexpr std::int32_t kPaExtendedError = 166;    // [MS-KILE]
}  // namespace padata_type

// Key usage numbers (RFC 4120 §7.5.1; RFC 4121 §2; RFC 6113 §6.2; RFC 6806 §11; [MS-SFU]).
// std::uint32_t, as kerb::crypto takes them.
namespace key_usage {
inline constexpr std::uint32_t kAsReqPaEncTimestamp = 1;  // PA-ENC-TIMESTAMP, client key
inline constexpr std::uint32_t kTicket = 2;               // EncTicketPart, service key
inline constexpr std::uint32_t kAsRepEncPart = 3;         // EncASRepPart, client key
inline constexpr std::uint32_t kTgsReqAuthData = 4;       // enc-authorization-data, TGS session key
inline constexpr std::uint32_t kTgsReqAuthDataSubkey = 5;         // enc-authorization-data, subkey
inline constexpr std::uint32_t kTgsReqPaTgsReqCksum = 6;          // PA-TGS-REQ authenticator cksum
inline constexpr std::uint32_t kTgsReqPaTgsReqAuthenticator = 7;  // PA-TGS-REQ authenticator
inline constexpr std::uint32_t kTgsRepEncPart = 8;                // EncTGSRepPart, TGS session key
inline constexpr std::uint32_t kTgsRepEncPartSubkey = 9;  // EncTGSRepPart, authenticator subkey
inline constexpr std::uint32_t kApReqAuthenticatorCksum = 10;
inline constexpr std::uint32_t kApReqAuthenticator = 11;
inline constexpr std::uint32_t kApRepEncPart = 12;
inline constexpr std::uint32_t kKrbPrivEncPart = 13;
inline constexpr std::uint32_t kKrbCredEncPart = 14;
inline constexpr std::uint32_t kKrbSafeCksum = 15;
inline constexpr std::uint32_t kAdKdcIssuedCksum = 19;
inline constexpr std::uint32_t kAcceptorSeal = 22;          // RFC 4121 KG-USAGE-ACCEPTOR-SEAL
inline constexpr std::uint32_t kAcceptorSign = 23;          // KG-USAGE-ACCEPTOR-SIGN
inline constexpr std::uint32_t kInitiatorSeal = 24;         // KG-USAGE-INITIATOR-SEAL
inline constexpr std::uint32_t kInitiatorSign = 25;         // KG-USAGE-INITIATOR-SIGN
inline constexpr std::uint32_t kPaS4uX509UserRequest = 26;  // [MS-SFU] PA-S4U-X509-USER
inline constexpr std::uint32_t kPaS4uX509UserReply = 27;    // [MS-SFU]
inline constexpr std::uint32_t kFastReqChksum = 50;         // RFC 6113 KEY_USAGE_FAST_REQ_CHKSUM
inline constexpr std::uint32_t kFastEnc = 51;
inline constexpr std::uint32_t kFastRep = 52;
inline constexpr std::uint32_t kFastFinished = 53;
inline constexpr std::uint32_t kEncChallengeClient = 54;
inline constexpr std::uint32_t kEncChallengeKdc = 55;
inline constexpr std::uint32_t kAsReq = 56;                    // RFC 6806 KEY_USAGE_AS_REQ
inline constexpr std::uint32_t kApplicationEncryption = 1024;  // protocols without their own
inline constexpr std::uint32_t kApplicationChecksum = 1025;
}  // namespace key_usage

// KerberosFlags bit n (RFC 4120 §5.2.8): bit 0 is the most significant bit of the 32.
constexpr std::uint32_t kerberos_flag(unsigned n) noexcept {
  return 0x80000000u >> n;
}

// TicketFlags (RFC 4120 §5.3; RFC 6806 §11; RFC 8062).
namespace ticket_flags {
inline constexpr std::uint32_t kReserved = kerberos_flag(0);
inline constexpr std::uint32_t kForwardable = kerberos_flag(1);
inline constexpr std::uint32_t kForwarded = kerberos_flag(2);
inline constexpr std::uint32_t kProxiable = kerberos_flag(3);
inline constexpr std::uint32_t kProxy = kerberos_flag(4);
inline constexpr std::uint32_t kMayPostdate = kerberos_flag(5);
inline constexpr std::uint32_t kPostdated = kerberos_flag(6);
inline constexpr std::uint32_t kInvalid = kerberos_flag(7);
inline constexpr std::uint32_t kRenewable = kerberos_flag(8);
inline constexpr std::uint32_t kInitial = kerberos_flag(9);
inline constexpr std::uint32_t kPreAuthent = kerberos_flag(10);
inline constexpr std::uint32_t kHwAuthent = kerberos_flag(11);
inline constexpr std::uint32_t kTransitedPolicyChecked = kerberos_flag(12);
inline constexpr std::uint32_t kOkAsDelegate = kerberos_flag(13);
inline constexpr std::uint32_t kEncPaRep = kerberos_flag(15);   // RFC 6806
inline constexpr std::uint32_t kAnonymous = kerberos_flag(16);  // RFC 8062
}  // namespace ticket_flags

// KDCOptions (RFC 4120 §5.4.1; RFC 6806 §11; RFC 8062; [MS-SFU]).
namespace kdc_options {
inline constexpr std::uint32_t kReserved = kerberos_flag(0);
inline constexpr std::uint32_t kForwardable = kerberos_flag(1);
inline constexpr std::uint32_t kForwarded = kerberos_flag(2);
inline constexpr std::uint32_t kProxiable = kerberos_flag(3);
inline constexpr std::uint32_t kProxy = kerberos_flag(4);
inline constexpr std::uint32_t kAllowPostdate = kerberos_flag(5);
inline constexpr std::uint32_t kPostdated = kerberos_flag(6);
inline constexpr std::uint32_t kRenewable = kerberos_flag(8);
inline constexpr std::uint32_t kOptHardwareAuth = kerberos_flag(11);
inline constexpr std::uint32_t kCnameInAddlTkt = kerberos_flag(14);    // [MS-SFU] S4U2Proxy
inline constexpr std::uint32_t kCanonicalize = kerberos_flag(15);      // RFC 6806
inline constexpr std::uint32_t kRequestAnonymous = kerberos_flag(16);  // RFC 8062
inline constexpr std::uint32_t kDisableTransitedCheck = kerberos_flag(26);
inline constexpr std::uint32_t kRenewableOk = kerberos_flag(27);
inline constexpr std::uint32_t kEncTktInSkey = kerberos_flag(28);
inline constexpr std::uint32_t kRenew = kerberos_flag(30);
inline constexpr std::uint32_t kValidate = kerberos_flag(31);
}  // namespace kdc_options

// APOptions (RFC 4120 §5.5.1).
namespace ap_options {
inline constexpr std::uint32_t kReserved = kerberos_flag(0);
inline constexpr std::uint32_t kUseSessionKey = kerberos_flag(1);
inline constexpr std::uint32_t kMutualRequired = kerberos_flag(2);
}  // namespace ap_options

// Host address types (RFC 4120 §7.5.3, §7.1).
namespace address_type {
inline constexpr std::int32_t kIpv4 = 2;
inline constexpr std::int32_t kDirectional = 3;
inline constexpr std::int32_t kChaosNet = 5;
inline constexpr std::int32_t kXns = 6;
inline constexpr std::int32_t kIso = 7;
inline constexpr std::int32_t kDecnetPhaseIv = 12;
inline constexpr std::int32_t kAppleTalkDdp = 16;
inline constexpr std::int32_t kNetBios = 20;
inline constexpr std::int32_t kIpv6 = 24;
}  // namespace address_type

// Authorization data types (RFC 4120 §7.5.4; RFC 6113 §6.3; RFC 7751).
namespace ad_type {
inline constexpr std::int32_t kAdIfRelevant = 1;
inline constexpr std::int32_t kAdIntendedForServer = 2;
inline constexpr std::int32_t kAdIntendedForApplicationClass = 3;
inline constexpr std::int32_t kAdKdcIssued = 4;
inline constexpr std::int32_t kAdAndOr = 5;
inline constexpr std::int32_t kAdMandatoryTicketExtensions = 6;
inline constexpr std::int32_t kAdInTicketExtensions = 7;
inline constexpr std::int32_t kAdMandatoryForKdc = 8;
inline constexpr std::int32_t kOsfDce = 64;
inline constexpr std::int32_t kSesame = 65;
inline constexpr std::int32_t kAdOsfDcePkiCertid = 66;
inline constexpr std::int32_t kAdAuthenticationStrength = 70;  // RFC 6113
inline constexpr std::int32_t kAdFxFastArmor = 71;             // RFC 6113
inline constexpr std::int32_t kAdFxFastUsed = 72;              // RFC 6113
inline constexpr std::int32_t kAdCammac = 96;                  // RFC 7751
inline constexpr std::int32_t kAdWin2kPac = 128;
inline constexpr std::int32_t kAdEtypeNegotiation = 129;  // RFC 4537
}  // namespace ad_type

// Transited encoding types (RFC 4120 §7.5.5).
namespace transited_type {
inline constexpr std::int32_t kDomainX500Compress = 1;
}  // namespace transited_type

// LastReq lr-type values (RFC 4120 §5.4.2). A negative lr-type means the same, but for the
// responding server only.
namespace last_req_type {
inline constexpr std::int32_t kNone = 0;
inline constexpr std::int32_t kLastInitialTgtRequest = 1;
inline constexpr std::int32_t kLastInitialRequest = 2;
inline constexpr std::int32_t kNewestTgtIssue = 3;
inline constexpr std::int32_t kLastRenewal = 4;
inline constexpr std::int32_t kLastRequest = 5;
inline constexpr std::int32_t kPasswordExpiration = 6;
inline constexpr std::int32_t kAccountExpiration = 7;
}  // namespace last_req_type

// KRB-ERROR error-code values (RFC 4120 §7.5.9; RFC 4556 §3.1.3; RFC 6113 §6.1; IAKERB;
// RFC 8636). The names are the RFCs'; error_code_name() returns them as text.
namespace error_code {
inline constexpr std::int32_t kKdcErrNone = 0;
inline constexpr std::int32_t kKdcErrNameExp = 1;
inline constexpr std::int32_t kKdcErrServiceExp = 2;
inline constexpr std::int32_t kKdcErrBadPvno = 3;
inline constexpr std::int32_t kKdcErrCOldMastKvno = 4;
inline constexpr std::int32_t kKdcErrSOldMastKvno = 5;
inline constexpr std::int32_t kKdcErrCPrincipalUnknown = 6;
inline constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
inline constexpr std::int32_t kKdcErrPrincipalNotUnique = 8;
inline constexpr std::int32_t kKdcErrNullKey = 9;
inline constexpr std::int32_t kKdcErrCannotPostdate = 10;
inline constexpr std::int32_t kKdcErrNeverValid = 11;
inline constexpr std::int32_t kKdcErrPolicy = 12;
inline constexpr std::int32_t kKdcErrBadoption = 13;
inline constexpr std::int32_t kKdcErrEtypeNosupp = 14;
inline constexpr std::int32_t kKdcErrSumtypeNosupp = 15;
inline constexpr std::int32_t kKdcErrPadataTypeNosupp = 16;
inline constexpr std::int32_t kKdcErrTrtypeNosupp = 17;
inline constexpr std::int32_t kKdcErrClientRevoked = 18;
inline constexpr std::int32_t kKdcErrServiceRevoked = 19;
inline constexpr std::int32_t kKdcErrTgtRevoked = 20;
inline constexpr std::int32_t kKdcErrClientNotyet = 21;
inline constexpr std::int32_t kKdcErrServiceNotyet = 22;
inline constexpr std::int32_t kKdcErrKeyExpired = 23;
inline constexpr std::int32_t kKdcErrPreauthFailed = 24;
inline constexpr std::int32_t kKdcErrPreauthRequired = 25;
inline constexpr std::int32_t kKdcErrServerNomatch = 26;
inline constexpr std::int32_t kKdcErrMustUseUser2user = 27;
inline constexpr std::int32_t kKdcErrPathNotAccepted = 28;
inline constexpr std::int32_t kKdcErrSvcUnavailable = 29;
inline constexpr std::int32_t kKrbApErrBadIntegrity = 31;
inline constexpr std::int32_t kKrbApErrTktExpired = 32;
inline constexpr std::int32_t kKrbApErrTktNyv = 33;
inline constexpr std::int32_t kKrbApErrRepeat = 34;
inline constexpr std::int32_t kKrbApErrNotUs = 35;
inline constexpr std::int32_t kKrbApErrBadmatch = 36;
inline constexpr std::int32_t kKrbApErrSkew = 37;
inline constexpr std::int32_t kKrbApErrBadaddr = 38;
inline constexpr std::int32_t kKrbApErrBadversion = 39;
inline constexpr std::int32_t kKrbApErrMsgType = 40;
inline constexpr std::int32_t kKrbApErrModified = 41;
inline constexpr std::int32_t kKrbApErrBadorder = 42;
inline constexpr std::int32_t kKrbApErrBadkeyver = 44;
inline constexpr std::int32_t kKrbApErrNokey = 45;
inline constexpr std::int32_t kKrbApErrMutFail = 46;
inline constexpr std::int32_t kKrbApErrBaddirection = 47;
inline constexpr std::int32_t kKrbApErrMethod = 48;
inline constexpr std::int32_t kKrbApErrBadseq = 49;
inline constexpr std::int32_t kKrbApErrInappCksum = 50;
inline constexpr std::int32_t kKrbApPathNotAccepted = 51;
inline constexpr std::int32_t kKrbErrResponseTooBig = 52;
inline constexpr std::int32_t kKrbErrGeneric = 60;
inline constexpr std::int32_t kKrbErrFieldToolong = 61;
inline constexpr std::int32_t kKdcErrorClientNotTrusted = 62;
inline constexpr std::int32_t kKdcErrorKdcNotTrusted = 63;
inline constexpr std::int32_t kKdcErrorInvalidSig = 64;
inline constexpr std::int32_t kKdcErrKeyTooWeak =
    65;  // RFC 4556: ..._DH_KEY_PARAMETERS_NOT_ACCEPTED
inline constexpr std::int32_t kKdcErrCertificateMismatch = 66;
inline constexpr std::int32_t kKrbApErrNoTgt = 67;
inline constexpr std::int32_t kKdcErrWrongRealm = 68;
inline constexpr std::int32_t kKrbApErrUserToUserRequired = 69;
inline constexpr std::int32_t kKdcErrCantVerifyCertificate = 70;
inline constexpr std::int32_t kKdcErrInvalidCertificate = 71;
inline constexpr std::int32_t kKdcErrRevokedCertificate = 72;
inline constexpr std::int32_t kKdcErrRevocationStatusUnknown = 73;
inline constexpr std::int32_t kKdcErrRevocationStatusUnavailable = 74;
inline constexpr std::int32_t kKdcErrClientNameMismatch = 75;
inline constexpr std::int32_t kKdcErrKdcNameMismatch = 76;
inline constexpr std::int32_t kKdcErrInconsistentKeyPurpose = 77;           // RFC 4556
inline constexpr std::int32_t kKdcErrDigestInCertNotAccepted = 78;          // RFC 4556
inline constexpr std::int32_t kKdcErrPaChecksumMustBeIncluded = 79;         // RFC 4556
inline constexpr std::int32_t kKdcErrDigestInSignedDataNotAccepted = 80;    // RFC 4556
inline constexpr std::int32_t kKdcErrPublicKeyEncryptionNotSupported = 81;  // RFC 4556
inline constexpr std::int32_t kKrbApErrIakerbKdcNotFound = 85;              // IAKERB
inline constexpr std::int32_t kKrbApErrIakerbKdcNoResponse = 86;            // IAKERB
inline constexpr std::int32_t kKdcErrPreauthExpired = 90;                   // RFC 6113
inline constexpr std::int32_t kKdcErrMorePreauthDataRequired = 91;          // RFC 6113
inline constexpr std::int32_t kKdcErrPreauthBadAuthenticationSet = 92;      // RFC 6113
inline constexpr std::int32_t kKdcErrUnknownCriticalFastOptions = 93;       // RFC 6113
inline constexpr std::int32_t kKdcErrNoAcceptableKdf = 100;                 // RFC 8636
}  // namespace error_code

namespace detail {
struct ErrorCodeInfo {
  std::int32_t code;
  std::string_view name;
  std::string_view message;
};

// Sorted by code. The messages follow RFC 4120 §7.5.9's "Meaning" column, spelled out where
// that column only says "Reserved for PKINIT".
inline constexpr ErrorCodeInfo kErrorCodes[] = {
    {0, "KDC_ERR_NONE", "No error"},
    {1, "KDC_ERR_NAME_EXP", "Client's entry in database has expired"},
    {2, "KDC_ERR_SERVICE_EXP", "Server's entry in database has expired"},
    {3, "KDC_ERR_BAD_PVNO", "Requested protocol version number not supported"},
    {4, "KDC_ERR_C_OLD_MAST_KVNO", "Client's key encrypted in old master key"},
    {5, "KDC_ERR_S_OLD_MAST_KVNO", "Server's key encrypted in old master key"},
    {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN", "Client not found in Kerberos database"},
    {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN", "Server not found in Kerberos database"},
    {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE", "Multiple principal entries in database"},
    {9, "KDC_ERR_NULL_KEY", "The client or server has a null key"},
    {10, "KDC_ERR_CANNOT_POSTDATE", "Ticket not eligible for postdating"},
    {11, "KDC_ERR_NEVER_VALID", "Requested starttime is later than end time"},
    {12, "KDC_ERR_POLICY", "KDC policy rejects request"},
    {13, "KDC_ERR_BADOPTION", "KDC cannot accommodate requested option"},
    {14, "KDC_ERR_ETYPE_NOSUPP", "KDC has no support for encryption type"},
    {15, "KDC_ERR_SUMTYPE_NOSUPP", "KDC has no support for checksum type"},
    {16, "KDC_ERR_PADATA_TYPE_NOSUPP", "KDC has no support for padata type"},
    {17, "KDC_ERR_TRTYPE_NOSUPP", "KDC has no support for transited type"},
    {18, "KDC_ERR_CLIENT_REVOKED", "Client's credentials have been revoked"},
    {19, "KDC_ERR_SERVICE_REVOKED", "Credentials for server have been revoked"},
    {20, "KDC_ERR_TGT_REVOKED", "TGT has been revoked"},
    {21, "KDC_ERR_CLIENT_NOTYET", "Client not yet valid; try again later"},
    {22, "KDC_ERR_SERVICE_NOTYET", "Server not yet valid; try again later"},
    {23, "KDC_ERR_KEY_EXPIRED", "Password has expired; change password to reset"},
    {24, "KDC_ERR_PREAUTH_FAILED", "Pre-authentication information was invalid"},
    {25, "KDC_ERR_PREAUTH_REQUIRED", "Additional pre-authentication required"},
    {26, "KDC_ERR_SERVER_NOMATCH", "Requested server and ticket don't match"},
    {27, "KDC_ERR_MUST_USE_USER2USER", "Server principal valid for user2user only"},
    {28, "KDC_ERR_PATH_NOT_ACCEPTED", "KDC policy rejects transited path"},
    {29, "KDC_ERR_SVC_UNAVAILABLE", "A service is not available"},
    {31, "KRB_AP_ERR_BAD_INTEGRITY", "Integrity check on decrypted field failed"},
    {32, "KRB_AP_ERR_TKT_EXPIRED", "Ticket expired"},
    {33, "KRB_AP_ERR_TKT_NYV", "Ticket not yet valid"},
    {34, "KRB_AP_ERR_REPEAT", "Request is a replay"},
    {35, "KRB_AP_ERR_NOT_US", "The ticket isn't for us"},
    {36, "KRB_AP_ERR_BADMATCH", "Ticket and authenticator don't match"},
    {37, "KRB_AP_ERR_SKEW", "Clock skew too great"},
    {38, "KRB_AP_ERR_BADADDR", "Incorrect net address"},
    {39, "KRB_AP_ERR_BADVERSION", "Protocol version mismatch"},
    {40, "KRB_AP_ERR_MSG_TYPE", "Invalid msg type"},
    {41, "KRB_AP_ERR_MODIFIED", "Message stream modified"},
    {42, "KRB_AP_ERR_BADORDER", "Message out of order"},
    {44, "KRB_AP_ERR_BADKEYVER", "Specified version of key is not available"},
    {45, "KRB_AP_ERR_NOKEY", "Service key not available"},
    {46, "KRB_AP_ERR_MUT_FAIL", "Mutual authentication failed"},
    {47, "KRB_AP_ERR_BADDIRECTION", "Incorrect message direction"},
    {48, "KRB_AP_ERR_METHOD", "Alternative authentication method required"},
    {49, "KRB_AP_ERR_BADSEQ", "Incorrect sequence number in message"},
    {50, "KRB_AP_ERR_INAPP_CKSUM", "Inappropriate type of checksum in message"},
    {51, "KRB_AP_PATH_NOT_ACCEPTED", "Policy rejects transited path"},
    {52, "KRB_ERR_RESPONSE_TOO_BIG", "Response too big for UDP; retry with TCP"},
    {60, "KRB_ERR_GENERIC", "Generic error (description in e-text)"},
    {61, "KRB_ERR_FIELD_TOOLONG", "Field is too long for this implementation"},
    {62, "KDC_ERROR_CLIENT_NOT_TRUSTED", "Client not trusted (PKINIT)"},
    {63, "KDC_ERROR_KDC_NOT_TRUSTED", "KDC not trusted (PKINIT)"},
    {64, "KDC_ERROR_INVALID_SIG", "Invalid signature (PKINIT)"},
    {65, "KDC_ERR_KEY_TOO_WEAK", "Key too weak or key parameters not accepted (PKINIT)"},
    {66, "KDC_ERR_CERTIFICATE_MISMATCH", "Certificate mismatch (PKINIT)"},
    {67, "KRB_AP_ERR_NO_TGT", "No TGT available to validate USER-TO-USER"},
    {68, "KDC_ERR_WRONG_REALM", "Wrong realm"},
    {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED", "Ticket must be for USER-TO-USER"},
    {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE", "Can't verify certificate (PKINIT)"},
    {71, "KDC_ERR_INVALID_CERTIFICATE", "Invalid certificate (PKINIT)"},
    {72, "KDC_ERR_REVOKED_CERTIFICATE", "Revoked certificate (PKINIT)"},
    {73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN", "Revocation status unknown (PKINIT)"},
    {74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE", "Revocation status unavailable (PKINIT)"},
    {75, "KDC_ERR_CLIENT_NAME_MISMATCH", "Client name mismatch (PKINIT)"},
    {76, "KDC_ERR_KDC_NAME_MISMATCH", "KDC name mismatch (PKINIT)"},
    {77, "KDC_ERR_INCONSISTENT_KEY_PURPOSE", "Inconsistent key purpose (PKINIT)"},
    {78, "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED", "Digest in certificate not accepted (PKINIT)"},
    {79, "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED", "paChecksum must be included (PKINIT)"},
    {80, "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
     "Digest in signed-data not accepted (PKINIT)"},
    {81, "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
     "Public key encryption not supported (PKINIT)"},
    {85, "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND", "The IAKERB proxy could not find a KDC"},
    {86, "KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE", "The KDC did not respond to the IAKERB proxy"},
    {90, "KDC_ERR_PREAUTH_EXPIRED", "Pre-authentication expired; start again"},
    {91, "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED", "More pre-authentication data is required"},
    {92, "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
     "Pre-authentication failed within the selected authentication set"},
    {93, "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS", "Unknown critical FAST options requested"},
    {100, "KDC_ERR_NO_ACCEPTABLE_KDF", "No acceptable key derivation function (PKINIT)"},
};

// The index of `code` in kErrorCodes, or its size if absent. (An index rather than a
// pointer: GCC cannot compare a pointer with null in a constant expression under UBSan.)
constexpr std::size_t find_error_code(std::int32_t code) noexcept {
  std::size_t i = 0;
  for (const ErrorCodeInfo& info : kErrorCodes) {
    if (info.code == code) break;
    ++i;
  }
  return i;
}
}  // namespace detail

// The RFC name of a KRB-ERROR error-code ("KDC_ERR_PREAUTH_REQUIRED"), or "" if unknown.
constexpr std::string_view error_code_name(std::int32_t code) noexcept {
  const std::size_t i = detail::find_error_code(code);
  return i < std::size(detail::kErrorCodes) ? detail::kErrorCodes[i].name : std::string_view{};
}

// A short human sentence for an error-code ("Additional pre-authentication required"), or
// "Unknown error code" if the code is not in the table.
constexpr std::string_view error_code_message(std::int32_t code) noexcept {
  const std::size_t i = detail::find_error_code(code);
  return i < std::size(detail::kErrorCodes) ? detail::kErrorCodes[i].message
                                            : std::string_view("Unknown error code");
}

}  // namespace kerb
