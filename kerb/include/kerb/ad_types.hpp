// Authorization data types (RFC 4120 §7.5.4; RFC 6113 §6.3; RFC 7751; RFC 4537; [MS-KILE];
// IANA "Kerberos Authorization Data Types").
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "registry name"), sorted by number; the ad_type:: constants and
// ad_type_name are both expanded from it. 70-72 are RFC 6113 §6.3's (in its lower case), 96
// RFC 7751's, 129 RFC 4537's, 141-144 [MS-KILE]'s.
#define KERB_AD_TYPE_LIST(X)                                                  \
  X(kAdIfRelevant, 1, "AD-IF-RELEVANT")                                       \
  X(kAdIntendedForServer, 2, "AD-INTENDED-FOR-SERVER")                        \
  X(kAdIntendedForApplicationClass, 3, "AD-INTENDED-FOR-APPLICATION-CLASS")   \
  X(kAdKdcIssued, 4, "AD-KDC-ISSUED")                                         \
  X(kAdAndOr, 5, "AD-AND-OR")                                                 \
  X(kAdMandatoryTicketExtensions, 6, "AD-MANDATORY-TICKET-EXTENSIONS")        \
  X(kAdInTicketExtensions, 7, "AD-IN-TICKET-EXTENSIONS")                      \
  X(kAdMandatoryForKdc, 8, "AD-MANDATORY-FOR-KDC")                            \
  X(kOsfDce, 64, "OSF-DCE")                                                   \
  X(kSesame, 65, "SESAME")                                                    \
  X(kAdOsfDcePkiCertid, 66, "AD-OSF-DCE-PKI-CERTID")                          \
  X(kAdAuthenticationStrength, 70, "AD-authentication-strength")              \
  X(kAdFxFastArmor, 71, "AD-fx-fast-armor")                                   \
  X(kAdFxFastUsed, 72, "AD-fx-fast-used")                                     \
  X(kAdCammac, 96, "AD-CAMMAC")                                               \
  X(kAdWin2kPac, 128, "AD-WIN2K-PAC")                                         \
  X(kAdEtypeNegotiation, 129, "AD-ETYPE-NEGOTIATION")                         \
  X(kKerbAuthDataTokenRestrictions, 141, "KERB-AUTH-DATA-TOKEN-RESTRICTIONS") \
  X(kKerbLocal, 142, "KERB-LOCAL")                                            \
  X(kAdAuthDataApOptions, 143, "AD-AUTH-DATA-AP-OPTIONS")                     \
  X(kKerbAuthDataTargetName, 144, "KERB-AUTH-DATA-TARGET-NAME")

namespace ad_type {
#define KERB_AD_TYPE_CONSTANT(constant, number, name) \
  inline constexpr std::int32_t constant = number;
KERB_AD_TYPE_LIST(KERB_AD_TYPE_CONSTANT)
#undef KERB_AD_TYPE_CONSTANT
}  // namespace ad_type

// The registry name of an ad-type ("AD-IF-RELEVANT"), or "" if unknown.
constexpr std::string_view ad_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_AD_TYPE_CASE(constant, number, name) \
  case number:                                    \
    return name;
    KERB_AD_TYPE_LIST(KERB_AD_TYPE_CASE)
#undef KERB_AD_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_AD_TYPE_LIST
