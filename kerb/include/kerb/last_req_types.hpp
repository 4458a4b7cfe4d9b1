// LastReq lr-type values (RFC 4120 §5.4.2). A negative lr-type means the same, but for the
// responding server only.
#pragma once

#include <cstdint>

namespace kerb {

namespace last_req_type {
inline constexpr std::int32_t kNone = 0;
inline constexpr std::int32_t kLastInitialTgtRequest = 1;
inline constexpr std::int32_t kLastInitialRequest = 2;
inline constexpr std::int32_t kNewestTgtIssue = 3;
inline constexpr std::int32_t kLastRenewal = 4;
inline constexpr std::int32_t kLastRequest = 5;
inline constexpr std::int32_t kPasswordExpiration = 6;
inline constexpr std::int32_t kAccountExpiration = 7;
}  // namespace last_req_type

}  // namespace kerb
