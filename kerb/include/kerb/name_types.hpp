// Name types (RFC 4120 §6.2, §7.5.8; RFC 6111 §3.1; [MS-KILE] §2.2.1; IANA "Kerberos Name
// Types").
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "RFC name"): the NameType enumerators and name_type_name are both expanded
// from it. The names are RFC 4120 §7.5.8's; §6.2 writes the same types as "NT-PRINCIPAL".
#define KERB_NAME_TYPE_LIST(X)                  \
  X(kUnknown, 0, "KRB_NT_UNKNOWN")              \
  X(kPrincipal, 1, "KRB_NT_PRINCIPAL")          \
  X(kSrvInst, 2, "KRB_NT_SRV_INST")             \
  X(kSrvHst, 3, "KRB_NT_SRV_HST")               \
  X(kSrvXhst, 4, "KRB_NT_SRV_XHST")             \
  X(kUid, 5, "KRB_NT_UID")                      \
  X(kX500Principal, 6, "KRB_NT_X500_PRINCIPAL") \
  X(kSmtpName, 7, "KRB_NT_SMTP_NAME")           \
  X(kEnterprise, 10, "KRB_NT_ENTERPRISE")       \
  X(kWellKnown, 11, "KRB_NT_WELLKNOWN")         \
  X(kMsPrincipal, -128, "KRB_NT_MS_PRINCIPAL")

// kPrincipal names users, kSrvInst krbtgt and other unique-instance services, kSrvHst a service
// with a host name as instance, kEnterprise an RFC 6806 §5 alias, kWellKnown an RFC 6111 name.
enum class NameType : std::int32_t {
#define KERB_NAME_TYPE_ENUMERATOR(constant, number, name) constant = number,
  KERB_NAME_TYPE_LIST(KERB_NAME_TYPE_ENUMERATOR)
#undef KERB_NAME_TYPE_ENUMERATOR
};

// The RFC name of a name-type ("KRB_NT_PRINCIPAL"), or "" if unknown.
constexpr std::string_view name_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_NAME_TYPE_CASE(constant, number, name) \
  case number:                                      \
    return name;
    KERB_NAME_TYPE_LIST(KERB_NAME_TYPE_CASE)
#undef KERB_NAME_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_NAME_TYPE_LIST
