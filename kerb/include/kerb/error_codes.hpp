// KRB-ERROR error-code values (RFC 4120 §7.5.9; RFC 4556 §3.1.3; RFC 6113 §6.1; IAKERB;
// RFC 8636).
//
// One list, KERB_ERROR_CODE_LIST, holds each code's constant, number, RFC name and meaning; the
// error_code:: constants and the name/message table are both expanded from it, so no code has
// a constant without a name or a name without a constant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

// X(constant, number, RFC_NAME, "meaning"), sorted by number. The meanings follow RFC 4120
// §7.5.9's "Meaning" column, spelled out where that column only says "Reserved for PKINIT".
// RFC 4556 names 65 KDC_ERR_DH_KEY_PARAMETERS_NOT_ACCEPTED; RFC 4120 (and MIT) say
// KDC_ERR_KEY_TOO_WEAK.
#define KERB_ERROR_CODE_LIST(X)                                                                    \
  X(kKdcErrNone, 0, KDC_ERR_NONE, "No error")                                                      \
  X(kKdcErrNameExp, 1, KDC_ERR_NAME_EXP, "Client's entry in database has expired")                 \
  X(kKdcErrServiceExp, 2, KDC_ERR_SERVICE_EXP, "Server's entry in database has expired")           \
  X(kKdcErrBadPvno, 3, KDC_ERR_BAD_PVNO, "Requested protocol version number not supported")        \
  X(kKdcErrCOldMastKvno, 4, KDC_ERR_C_OLD_MAST_KVNO, "Client's key encrypted in old master key")   \
  X(kKdcErrSOldMastKvno, 5, KDC_ERR_S_OLD_MAST_KVNO, "Server's key encrypted in old master key")   \
  X(kKdcErrCPrincipalUnknown, 6, KDC_ERR_C_PRINCIPAL_UNKNOWN,                                      \
    "Client not found in Kerberos database")                                                       \
  X(kKdcErrSPrincipalUnknown, 7, KDC_ERR_S_PRINCIPAL_UNKNOWN,                                      \
    "Server not found in Kerberos database")                                                       \
  X(kKdcErrPrincipalNotUnique, 8, KDC_ERR_PRINCIPAL_NOT_UNIQUE,                                    \
    "Multiple principal entries in database")                                                      \
  X(kKdcErrNullKey, 9, KDC_ERR_NULL_KEY, "The client or server has a null key")                    \
  X(kKdcErrCannotPostdate, 10, KDC_ERR_CANNOT_POSTDATE, "Ticket not eligible for postdating")      \
  X(kKdcErrNeverValid, 11, KDC_ERR_NEVER_VALID, "Requested starttime is later than end time")      \
  X(kKdcErrPolicy, 12, KDC_ERR_POLICY, "KDC policy rejects request")                               \
  X(kKdcErrBadoption, 13, KDC_ERR_BADOPTION, "KDC cannot accommodate requested option")            \
  X(kKdcErrEtypeNosupp, 14, KDC_ERR_ETYPE_NOSUPP, "KDC has no support for encryption type")        \
  X(kKdcErrSumtypeNosupp, 15, KDC_ERR_SUMTYPE_NOSUPP, "KDC has no support for checksum type")      \
  X(kKdcErrPadataTypeNosupp, 16, KDC_ERR_PADATA_TYPE_NOSUPP, "KDC has no support for padata type") \
  X(kKdcErrTrtypeNosupp, 17, KDC_ERR_TRTYPE_NOSUPP, "KDC has no support for transited type")       \
  X(kKdcErrClientRevoked, 18, KDC_ERR_CLIENT_REVOKED, "Client's credentials have been revoked")    \
  X(kKdcErrServiceRevoked, 19, KDC_ERR_SERVICE_REVOKED,                                            \
    "Credentials for server have been revoked")                                                    \
  X(kKdcErrTgtRevoked, 20, KDC_ERR_TGT_REVOKED, "TGT has been revoked")                            \
  X(kKdcErrClientNotyet, 21, KDC_ERR_CLIENT_NOTYET, "Client not yet valid; try again later")       \
  X(kKdcErrServiceNotyet, 22, KDC_ERR_SERVICE_NOTYET, "Server not yet valid; try again later")     \
  X(kKdcErrKeyExpired, 23, KDC_ERR_KEY_EXPIRED, "Password has expired; change password to reset")  \
  X(kKdcErrPreauthFailed, 24, KDC_ERR_PREAUTH_FAILED,                                              \
    "Pre-authentication information was invalid")                                                  \
  X(kKdcErrPreauthRequired, 25, KDC_ERR_PREAUTH_REQUIRED,                                          \
    "Additional pre-authentication required")                                                      \
  X(kKdcErrServerNomatch, 26, KDC_ERR_SERVER_NOMATCH, "Requested server and ticket don't match")   \
  X(kKdcErrMustUseUser2user, 27, KDC_ERR_MUST_USE_USER2USER,                                       \
    "Server principal valid for user2user only")                                                   \
  X(kKdcErrPathNotAccepted, 28, KDC_ERR_PATH_NOT_ACCEPTED, "KDC policy rejects transited path")    \
  X(kKdcErrSvcUnavailable, 29, KDC_ERR_SVC_UNAVAILABLE, "A service is not available")              \
  X(kKrbApErrBadIntegrity, 31, KRB_AP_ERR_BAD_INTEGRITY,                                           \
    "Integrity check on decrypted field failed")                                                   \
  X(kKrbApErrTktExpired, 32, KRB_AP_ERR_TKT_EXPIRED, "Ticket expired")                             \
  X(kKrbApErrTktNyv, 33, KRB_AP_ERR_TKT_NYV, "Ticket not yet valid")                               \
  X(kKrbApErrRepeat, 34, KRB_AP_ERR_REPEAT, "Request is a replay")                                 \
  X(kKrbApErrNotUs, 35, KRB_AP_ERR_NOT_US, "The ticket isn't for us")                              \
  X(kKrbApErrBadmatch, 36, KRB_AP_ERR_BADMATCH, "Ticket and authenticator don't match")            \
  X(kKrbApErrSkew, 37, KRB_AP_ERR_SKEW, "Clock skew too great")                                    \
  X(kKrbApErrBadaddr, 38, KRB_AP_ERR_BADADDR, "Incorrect net address")                             \
  X(kKrbApErrBadversion, 39, KRB_AP_ERR_BADVERSION, "Protocol version mismatch")                   \
  X(kKrbApErrMsgType, 40, KRB_AP_ERR_MSG_TYPE, "Invalid msg type")                                 \
  X(kKrbApErrModified, 41, KRB_AP_ERR_MODIFIED, "Message stream modified")                         \
  X(kKrbApErrBadorder, 42, KRB_AP_ERR_BADORDER, "Message out of order")                            \
  X(kKrbApErrBadkeyver, 44, KRB_AP_ERR_BADKEYVER, "Specified version of key is not available")     \
  X(kKrbApErrNokey, 45, KRB_AP_ERR_NOKEY, "Service key not available")                             \
  X(kKrbApErrMutFail, 46, KRB_AP_ERR_MUT_FAIL, "Mutual authentication failed")                     \
  X(kKrbApErrBaddirection, 47, KRB_AP_ERR_BADDIRECTION, "Incorrect message direction")             \
  X(kKrbApErrMethod, 48, KRB_AP_ERR_METHOD, "Alternative authentication method required")          \
  X(kKrbApErrBadseq, 49, KRB_AP_ERR_BADSEQ, "Incorrect sequence number in message")                \
  X(kKrbApErrInappCksum, 50, KRB_AP_ERR_INAPP_CKSUM, "Inappropriate type of checksum in message")  \
  X(kKrbApPathNotAccepted, 51, KRB_AP_PATH_NOT_ACCEPTED, "Policy rejects transited path")          \
  X(kKrbErrResponseTooBig, 52, KRB_ERR_RESPONSE_TOO_BIG,                                           \
    "Response too big for UDP; retry with TCP")                                                    \
  X(kKrbErrGeneric, 60, KRB_ERR_GENERIC, "Generic error (description in e-text)")                  \
  X(kKrbErrFieldToolong, 61, KRB_ERR_FIELD_TOOLONG, "Field is too long for this implementation")   \
  X(kKdcErrorClientNotTrusted, 62, KDC_ERROR_CLIENT_NOT_TRUSTED, "Client not trusted (PKINIT)")    \
  X(kKdcErrorKdcNotTrusted, 63, KDC_ERROR_KDC_NOT_TRUSTED, "KDC not trusted (PKINIT)")             \
  X(kKdcErrorInvalidSig, 64, KDC_ERROR_INVALID_SIG, "Invalid signature (PKINIT)")                  \
  X(kKdcErrKeyTooWeak, 65, KDC_ERR_KEY_TOO_WEAK,                                                   \
    "Key too weak or key parameters not accepted (PKINIT)")                                        \
  X(kKdcErrCertificateMismatch, 66, KDC_ERR_CERTIFICATE_MISMATCH, "Certificate mismatch (PKINIT)") \
  X(kKrbApErrNoTgt, 67, KRB_AP_ERR_NO_TGT, "No TGT available to validate USER-TO-USER")            \
  X(kKdcErrWrongRealm, 68, KDC_ERR_WRONG_REALM, "Wrong realm")                                     \
  X(kKrbApErrUserToUserRequired, 69, KRB_AP_ERR_USER_TO_USER_REQUIRED,                             \
    "Ticket must be for USER-TO-USER")                                                             \
  X(kKdcErrCantVerifyCertificate, 70, KDC_ERR_CANT_VERIFY_CERTIFICATE,                             \
    "Can't verify certificate (PKINIT)")                                                           \
  X(kKdcErrInvalidCertificate, 71, KDC_ERR_INVALID_CERTIFICATE, "Invalid certificate (PKINIT)")    \
  X(kKdcErrRevokedCertificate, 72, KDC_ERR_REVOKED_CERTIFICATE, "Revoked certificate (PKINIT)")    \
  X(kKdcErrRevocationStatusUnknown, 73, KDC_ERR_REVOCATION_STATUS_UNKNOWN,                         \
    "Revocation status unknown (PKINIT)")                                                          \
  X(kKdcErrRevocationStatusUnavailable, 74, KDC_ERR_REVOCATION_STATUS_UNAVAILABLE,                 \
    "Revocation status unavailable (PKINIT)")                                                      \
  X(kKdcErrClientNameMismatch, 75, KDC_ERR_CLIENT_NAME_MISMATCH, "Client name mismatch (PKINIT)")  \
  X(kKdcErrKdcNameMismatch, 76, KDC_ERR_KDC_NAME_MISMATCH, "KDC name mismatch (PKINIT)")           \
  X(kKdcErrInconsistentKeyPurpose, 77, KDC_ERR_INCONSISTENT_KEY_PURPOSE,                           \
    "Inconsistent key purpose (PKINIT)")                                                           \
  X(kKdcErrDigestInCertNotAccepted, 78, KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED,                       \
    "Digest in certificate not accepted (PKINIT)")                                                 \
  X(kKdcErrPaChecksumMustBeIncluded, 79, KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED,                     \
    "paChecksum must be included (PKINIT)")                                                        \
  X(kKdcErrDigestInSignedDataNotAccepted, 80, KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED,          \
    "Digest in signed-data not accepted (PKINIT)")                                                 \
  X(kKdcErrPublicKeyEncryptionNotSupported, 81, KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED,       \
    "Public key encryption not supported (PKINIT)")                                                \
  X(kKrbApErrIakerbKdcNotFound, 85, KRB_AP_ERR_IAKERB_KDC_NOT_FOUND,                               \
    "The IAKERB proxy could not find a KDC")                                                       \
  X(kKrbApErrIakerbKdcNoResponse, 86, KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE,                           \
    "The KDC did not respond to the IAKERB proxy")                                                 \
  X(kKdcErrPreauthExpired, 90, KDC_ERR_PREAUTH_EXPIRED, "Pre-authentication expired; start again") \
  X(kKdcErrMorePreauthDataRequired, 91, KDC_ERR_MORE_PREAUTH_DATA_REQUIRED,                        \
    "More pre-authentication data is required")                                                    \
  X(kKdcErrPreauthBadAuthenticationSet, 92, KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET,                \
    "Pre-authentication failed within the selected authentication set")                            \
  X(kKdcErrUnknownCriticalFastOptions, 93, KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS,                  \
    "Unknown critical FAST options requested")                                                     \
  X(kKdcErrNoAcceptableKdf, 100, KDC_ERR_NO_ACCEPTABLE_KDF,                                        \
    "No acceptable key derivation function (PKINIT)")

namespace kerb {

namespace error_code {
#define KERB_ERROR_CODE_CONSTANT(constant, number, rfc_name, meaning) \
  inline constexpr std::int32_t constant = number;
KERB_ERROR_CODE_LIST(KERB_ERROR_CODE_CONSTANT)
#undef KERB_ERROR_CODE_CONSTANT
}  // namespace error_code

namespace detail {
struct ErrorCodeInfo {
  std::int32_t code;
  std::string_view name;
  std::string_view message;
};

inline constexpr ErrorCodeInfo kErrorCodes[] = {
#define KERB_ERROR_CODE_INFO(constant, number, rfc_name, meaning) \
  {error_code::constant, #rfc_name, meaning},
    KERB_ERROR_CODE_LIST(KERB_ERROR_CODE_INFO)
#undef KERB_ERROR_CODE_INFO
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

#undef KERB_ERROR_CODE_LIST
