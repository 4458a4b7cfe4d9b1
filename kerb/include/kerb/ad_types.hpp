// Authorization data types (RFC 4120 §7.5.4; RFC 6113 §6.3; RFC 7751).
#pragma once

#include <cstdint>

namespace kerb {

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

}  // namespace kerb
