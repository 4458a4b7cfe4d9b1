// Host address types (RFC 4120 §7.5.3, §7.1).
#pragma once

#include <cstdint>

namespace kerb {

namespace address_type {
inline constexpr std::int32_t kIpv4 = 2;
inline constexpr std::int32_t kDirectional = 3;
inline constexpr std::int32_t kChaosNet = 5;
inline constexpr std::int32_t kXns = 6;
inline constexpr std::int32_t kIso = 7;
inline constexpr std::int32_t kDecnetPhaseIv = 12;
inline constexpr std::int32_t kAppleTalkDdp = 16;
inline constexpr std::int32_t kNetBios = 20;
inline constexpr std::int32_t kIpv6 = 24;
}  // namespace address_type

}  // namespace kerb
