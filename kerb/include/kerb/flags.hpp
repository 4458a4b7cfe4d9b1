// KerberosFlags registries: TicketFlags, KDCOptions and APOptions (IANA "Kerberos Ticket
// Flags", "KDC Options", RFC 4120 §5.5.1).
#pragma once

#include <cstdint>

namespace kerb {

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

}  // namespace kerb
