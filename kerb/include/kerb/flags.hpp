// KerberosFlags registries: TicketFlags, KDCOptions, APOptions and FastOptions (RFC 4120
// §5.3, §5.4.1, §5.5.1; RFC 6113 §5.4.1; IANA "Kerberos Ticket Flags", "KDC Options").
//
// Each is one list X(constant, bit, "ASN.1 name"), from which both the constants and the
// bit-name lookup are expanded. The names are those of the ASN.1 comments ("forwardable(1)").
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// KerberosFlags bit n (RFC 4120 §5.2.8): bit 0 is the most significant bit of the 32.
constexpr std::uint32_t kerberos_flag(unsigned n) noexcept {
  return 0x80000000u >> n;
}

// TicketFlags (RFC 4120 §5.3; RFC 6806 §11; RFC 8062).
#define KERB_TICKET_FLAG_LIST(X)                             \
  X(kReserved, 0, "reserved")                                \
  X(kForwardable, 1, "forwardable")                          \
  X(kForwarded, 2, "forwarded")                              \
  X(kProxiable, 3, "proxiable")                              \
  X(kProxy, 4, "proxy")                                      \
  X(kMayPostdate, 5, "may-postdate")                         \
  X(kPostdated, 6, "postdated")                              \
  X(kInvalid, 7, "invalid")                                  \
  X(kRenewable, 8, "renewable")                              \
  X(kInitial, 9, "initial")                                  \
  X(kPreAuthent, 10, "pre-authent")                          \
  X(kHwAuthent, 11, "hw-authent")                            \
  X(kTransitedPolicyChecked, 12, "transited-policy-checked") \
  X(kOkAsDelegate, 13, "ok-as-delegate")                     \
  X(kEncPaRep, 15, "enc-pa-rep")                             \
  X(kAnonymous, 16, "anonymous")

// KDCOptions (RFC 4120 §5.4.1; RFC 6806 §11; RFC 8062; [MS-SFU] for cname-in-addl-tkt).
#define KERB_KDC_OPTION_LIST(X)                            \
  X(kReserved, 0, "reserved")                              \
  X(kForwardable, 1, "forwardable")                        \
  X(kForwarded, 2, "forwarded")                            \
  X(kProxiable, 3, "proxiable")                            \
  X(kProxy, 4, "proxy")                                    \
  X(kAllowPostdate, 5, "allow-postdate")                   \
  X(kPostdated, 6, "postdated")                            \
  X(kRenewable, 8, "renewable")                            \
  X(kOptHardwareAuth, 11, "opt-hardware-auth")             \
  X(kCnameInAddlTkt, 14, "cname-in-addl-tkt")              \
  X(kCanonicalize, 15, "canonicalize")                     \
  X(kRequestAnonymous, 16, "request-anonymous")            \
  X(kDisableTransitedCheck, 26, "disable-transited-check") \
  X(kRenewableOk, 27, "renewable-ok")                      \
  X(kEncTktInSkey, 28, "enc-tkt-in-skey")                  \
  X(kRenew, 30, "renew")                                   \
  X(kValidate, 31, "validate")

// APOptions (RFC 4120 §5.5.1).
#define KERB_AP_OPTION_LIST(X)            \
  X(kReserved, 0, "reserved")             \
  X(kUseSessionKey, 1, "use-session-key") \
  X(kMutualRequired, 2, "mutual-required")

// FastOptions (RFC 6113 §5.4.1): bits 0-15 are critical.
#define KERB_FAST_OPTION_LIST(X)              \
  X(kReserved, 0, "reserved")                 \
  X(kHideClientNames, 1, "hide-client-names") \
  X(kKdcFollowReferrals, 16, "kdc-follow-referrals")

#define KERB_FLAG_CONSTANT(constant, bit, name) \
  inline constexpr std::uint32_t constant = kerberos_flag(bit);
#define KERB_FLAG_CASE(constant, bit, name) \
  case bit:                                 \
    return name;

namespace ticket_flags {
KERB_TICKET_FLAG_LIST(KERB_FLAG_CONSTANT)
}  // namespace ticket_flags
namespace kdc_options {
KERB_KDC_OPTION_LIST(KERB_FLAG_CONSTANT)
}  // namespace kdc_options
namespace ap_options {
KERB_AP_OPTION_LIST(KERB_FLAG_CONSTANT)
}  // namespace ap_options
namespace fast_options {
KERB_FAST_OPTION_LIST(KERB_FLAG_CONSTANT)
}  // namespace fast_options

// The name of KerberosFlags bit `bit` of each registry ("forwardable"), or "" if unassigned.
constexpr std::string_view ticket_flag_name(unsigned bit) noexcept {
  switch (bit) { KERB_TICKET_FLAG_LIST(KERB_FLAG_CASE) }
  return {};
}
constexpr std::string_view kdc_option_name(unsigned bit) noexcept {
  switch (bit) { KERB_KDC_OPTION_LIST(KERB_FLAG_CASE) }
  return {};
}
constexpr std::string_view ap_option_name(unsigned bit) noexcept {
  switch (bit) { KERB_AP_OPTION_LIST(KERB_FLAG_CASE) }
  return {};
}
constexpr std::string_view fast_option_name(unsigned bit) noexcept {
  switch (bit) { KERB_FAST_OPTION_LIST(KERB_FLAG_CASE) }
  return {};
}

#undef KERB_FLAG_CASE
#undef KERB_FLAG_CONSTANT

}  // namespace kerb

#undef KERB_TICKET_FLAG_LIST
#undef KERB_KDC_OPTION_LIST
#undef KERB_AP_OPTION_LIST
#undef KERB_FAST_OPTION_LIST
