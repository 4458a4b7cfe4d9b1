// LastReq lr-type values (RFC 4120 §5.4.2). A negative lr-type means the same, but for the
// responding server only.
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "description"); the last_req_type:: constants and last_req_type_name are
// both expanded from it. RFC 4120 §5.4.2 names these only in prose; the descriptions are its
// words, shortened.
#define KERB_LAST_REQ_TYPE_LIST(X)                         \
  X(kNone, 0, "none")                                      \
  X(kLastInitialTgtRequest, 1, "last initial TGT request") \
  X(kLastInitialRequest, 2, "last initial request")        \
  X(kNewestTgtIssue, 3, "newest TGT issued")               \
  X(kLastRenewal, 4, "last renewal")                       \
  X(kLastRequest, 5, "last request")                       \
  X(kPasswordExpiration, 6, "password expiration")         \
  X(kAccountExpiration, 7, "account expiration")

namespace last_req_type {
#define KERB_LAST_REQ_TYPE_CONSTANT(constant, number, name) \
  inline constexpr std::int32_t constant = number;
KERB_LAST_REQ_TYPE_LIST(KERB_LAST_REQ_TYPE_CONSTANT)
#undef KERB_LAST_REQ_TYPE_CONSTANT
}  // namespace last_req_type

// What an lr-type's lr-value is the time of ("last renewal"), or "" if unknown. A negative
// lr-type has the description of its absolute value.
constexpr std::string_view last_req_type_name(std::int32_t type) noexcept {
  switch (type < 0 ? -static_cast<std::int64_t>(type) : type) {
#define KERB_LAST_REQ_TYPE_CASE(constant, number, name) \
  case number:                                          \
    return name;
    KERB_LAST_REQ_TYPE_LIST(KERB_LAST_REQ_TYPE_CASE)
#undef KERB_LAST_REQ_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_LAST_REQ_TYPE_LIST
