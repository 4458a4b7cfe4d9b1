// Pre-authentication and typed-data types (RFC 4120 §7.5.2; the shared PA/TD registry of
// RFC 6113 §7.1; RFC 4556; RFC 6560; RFC 6806 §11; RFC 8070; [MS-KILE]; [MS-SFU]; IANA
// "Pre-authentication and Typed Data").
//
// Plain integers of padata-type's type, so `pa.padata_type == padata_type::kPaEtypeInfo2` needs
// no cast.
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "name"), sorted by number; the padata_type:: constants and
// padata_type_name are both expanded from it. Names are RFC 6113 §7.1's, written with hyphens as
// the defining documents write them where that table has underscores (TD-DH-PARAMETERS of
// RFC 4556, PA-FOR-USER, PA-PKINIT-KX of RFC 6112, PA-PKU2U-NAME, PA-EXTENDED-ERROR) and
// PA-SUPPORTED-ENCTYPES as [MS-KILE] names 165; "_OLD" and "CHECK_DUPS" are the table's. 149 is
// RFC 6806 §11's, 150 RFC 8070's, 151 the IANA registry's PA-SPAKE.
#define KERB_PADATA_TYPE_LIST(X)                                 \
  X(kPaTgsReq, 1, "PA-TGS-REQ")                                  \
  X(kPaEncTimestamp, 2, "PA-ENC-TIMESTAMP")                      \
  X(kPaPwSalt, 3, "PA-PW-SALT")                                  \
  X(kPaEncUnixTime, 5, "PA-ENC-UNIX-TIME")                       \
  X(kPaSandiaSecureid, 6, "PA-SANDIA-SECUREID")                  \
  X(kPaSesame, 7, "PA-SESAME")                                   \
  X(kPaOsfDce, 8, "PA-OSF-DCE")                                  \
  X(kPaCybersafeSecureid, 9, "PA-CYBERSAFE-SECUREID")            \
  X(kPaAfs3Salt, 10, "PA-AFS3-SALT")                             \
  X(kPaEtypeInfo, 11, "PA-ETYPE-INFO")                           \
  X(kPaSamChallenge, 12, "PA-SAM-CHALLENGE")                     \
  X(kPaSamResponse, 13, "PA-SAM-RESPONSE")                       \
  X(kPaPkAsReqOld, 14, "PA-PK-AS-REQ_OLD")                       \
  X(kPaPkAsRepOld, 15, "PA-PK-AS-REP_OLD")                       \
  X(kPaPkAsReq, 16, "PA-PK-AS-REQ")                              \
  X(kPaPkAsRep, 17, "PA-PK-AS-REP")                              \
  X(kPaPkOcspResponse, 18, "PA-PK-OCSP-RESPONSE")                \
  X(kPaEtypeInfo2, 19, "PA-ETYPE-INFO2")                         \
  X(kPaUseSpecifiedKvno, 20, "PA-USE-SPECIFIED-KVNO")            \
  X(kPaSamRedirect, 21, "PA-SAM-REDIRECT")                       \
  X(kPaGetFromTypedData, 22, "PA-GET-FROM-TYPED-DATA")           \
  X(kPaSamEtypeInfo, 23, "PA-SAM-ETYPE-INFO")                    \
  X(kPaAltPrinc, 24, "PA-ALT-PRINC")                             \
  X(kPaServerReferral, 25, "PA-SERVER-REFERRAL")                 \
  X(kPaSamChallenge2, 30, "PA-SAM-CHALLENGE2")                   \
  X(kPaSamResponse2, 31, "PA-SAM-RESPONSE2")                     \
  X(kPaExtraTgt, 41, "PA-EXTRA-TGT")                             \
  X(kTdPkinitCmsCertificates, 101, "TD-PKINIT-CMS-CERTIFICATES") \
  X(kTdKrbPrincipal, 102, "TD-KRB-PRINCIPAL")                    \
  X(kTdKrbRealm, 103, "TD-KRB-REALM")                            \
  X(kTdTrustedCertifiers, 104, "TD-TRUSTED-CERTIFIERS")          \
  X(kTdCertificateIndex, 105, "TD-CERTIFICATE-INDEX")            \
  X(kTdAppDefinedError, 106, "TD-APP-DEFINED-ERROR")             \
  X(kTdReqNonce, 107, "TD-REQ-NONCE")                            \
  X(kTdReqSeq, 108, "TD-REQ-SEQ")                                \
  X(kTdDhParameters, 109, "TD-DH-PARAMETERS")                    \
  X(kTdCmsDigestAlgorithms, 111, "TD-CMS-DIGEST-ALGORITHMS")     \
  X(kTdCertDigestAlgorithms, 112, "TD-CERT-DIGEST-ALGORITHMS")   \
  X(kPaPacRequest, 128, "PA-PAC-REQUEST")                        \
  X(kPaForUser, 129, "PA-FOR-USER")                              \
  X(kPaForX509User, 130, "PA-FOR-X509-USER")                     \
  X(kPaForCheckDups, 131, "PA-FOR-CHECK_DUPS")                   \
  X(kPaAsChecksum, 132, "PA-AS-CHECKSUM")                        \
  X(kPaFxCookie, 133, "PA-FX-COOKIE")                            \
  X(kPaAuthenticationSet, 134, "PA-AUTHENTICATION-SET")          \
  X(kPaAuthSetSelected, 135, "PA-AUTH-SET-SELECTED")             \
  X(kPaFxFast, 136, "PA-FX-FAST")                                \
  X(kPaFxError, 137, "PA-FX-ERROR")                              \
  X(kPaEncryptedChallenge, 138, "PA-ENCRYPTED-CHALLENGE")        \
  X(kPaOtpChallenge, 141, "PA-OTP-CHALLENGE")                    \
  X(kPaOtpRequest, 142, "PA-OTP-REQUEST")                        \
  X(kPaOtpConfirm, 143, "PA-OTP-CONFIRM")                        \
  X(kPaOtpPinChange, 144, "PA-OTP-PIN-CHANGE")                   \
  X(kPaEpakAsReq, 145, "PA-EPAK-AS-REQ")                         \
  X(kPaEpakAsRep, 146, "PA-EPAK-AS-REP")                         \
  X(kPaPkinitKx, 147, "PA-PKINIT-KX")                            \
  X(kPaPku2uName, 148, "PA-PKU2U-NAME")                          \
  X(kPaReqEncPaRep, 149, "PA-REQ-ENC-PA-REP")                    \
  X(kPaAsFreshness, 150, "PA-AS-FRESHNESS")                      \
  X(kPaSpake, 151, "PA-SPAKE")                                   \
  X(kPaSupportedEtypes, 165, "PA-SUPPORTED-ENCTYPES")            \
  X(kPaExtendedError, 166, "PA-EXTENDED-ERROR")

namespace padata_type {
#define KERB_PADATA_TYPE_CONSTANT(constant, number, name) \
  inline constexpr std::int32_t constant = number;
KERB_PADATA_TYPE_LIST(KERB_PADATA_TYPE_CONSTANT)
#undef KERB_PADATA_TYPE_CONSTANT

// RFC 6113 §7.1 gives 20 and 22 second names: PA-SVR-REFERRAL-INFO (RFC 6806) and TD-PADATA.
inline constexpr std::int32_t kPaSvrReferralInfo = kPaUseSpecifiedKvno;
inline constexpr std::int32_t kTdPadata = kPaGetFromTypedData;
}  // namespace padata_type

// The registry name of a padata-type or data-type ("PA-ENC-TIMESTAMP"), or "" if unknown. 20
// and 22 carry their first names.
constexpr std::string_view padata_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_PADATA_TYPE_CASE(constant, number, name) \
  case number:                                        \
    return name;
    KERB_PADATA_TYPE_LIST(KERB_PADATA_TYPE_CASE)
#undef KERB_PADATA_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_PADATA_TYPE_LIST
