// Pre-authentication and typed-data types (RFC 4120 §7.5.2; the shared PA/TD registry of
// RFC 6113 §7.1; RFC 6806 §11; [MS-KILE], [MS-SFU]).
//
// Plain integers of padata-type's type, so `pa.padata_type == padata_type::kPaEtypeInfo2` needs
// no cast.
#pragma once

#include <cstdint>

namespace kerb {

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

}  // namespace kerb
