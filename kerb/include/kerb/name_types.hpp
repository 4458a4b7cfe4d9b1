// Name types (RFC 4120 §6.2, IANA "Kerberos Name Types").
#pragma once

#include <cstdint>

namespace kerb {

enum class NameType : std::int32_t {
  kUnknown = 0,
  kPrincipal = 1,  // KRB_NT_PRINCIPAL: users
  kSrvInst = 2,    // KRB_NT_SRV_INST: service and other unique instance (krbtgt)
  kSrvHst = 3,     // KRB_NT_SRV_HST: service with host name as instance
  kSrvXhst = 4,
  kUid = 5,
  kX500Principal = 6,
  kSmtpName = 7,
  kEnterprise = 10,  // RFC 6806 §5
  kWellKnown = 11,   // RFC 6111
};

}  // namespace kerb
