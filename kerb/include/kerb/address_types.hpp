// Host address types (RFC 4120 §7.5.3, §7.1).
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "RFC name"), sorted by number; the address_type:: constants and
// address_type_name are both expanded from it.
#define KERB_ADDRESS_TYPE_LIST(X)          \
  X(kIpv4, 2, "IPv4")                      \
  X(kDirectional, 3, "Directional")        \
  X(kChaosNet, 5, "ChaosNet")              \
  X(kXns, 6, "XNS")                        \
  X(kIso, 7, "ISO")                        \
  X(kDecnetPhaseIv, 12, "DECNET Phase IV") \
  X(kAppleTalkDdp, 16, "AppleTalk DDP")    \
  X(kNetBios, 20, "NetBios")               \
  X(kIpv6, 24, "IPv6")

namespace address_type {
#define KERB_ADDRESS_TYPE_CONSTANT(constant, number, name) \
  inline constexpr std::int32_t constant = number;
KERB_ADDRESS_TYPE_LIST(KERB_ADDRESS_TYPE_CONSTANT)
#undef KERB_ADDRESS_TYPE_CONSTANT
}  // namespace address_type

// The RFC name of an addr-type ("IPv4"), or "" if unknown.
constexpr std::string_view address_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_ADDRESS_TYPE_CASE(constant, number, name) \
  case number:                                         \
    return name;
    KERB_ADDRESS_TYPE_LIST(KERB_ADDRESS_TYPE_CASE)
#undef KERB_ADDRESS_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_ADDRESS_TYPE_LIST
