// Transited encoding types (RFC 4120 §7.5.5).
#pragma once

#include <cstdint>

namespace kerb {

namespace transited_type {
inline constexpr std::int32_t kDomainX500Compress = 1;
}  // namespace transited_type

}  // namespace kerb
