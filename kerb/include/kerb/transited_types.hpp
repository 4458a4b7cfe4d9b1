// Transited encoding types (RFC 4120 §7.5.5).
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "RFC name"); the transited_type:: constants and transited_type_name are
// both expanded from it.
#define KERB_TRANSITED_TYPE_LIST(X) X(kDomainX500Compress, 1, "DOMAIN-X500-COMPRESS")

namespace transited_type {
#define KERB_TRANSITED_TYPE_CONSTANT(constant, number, name) \
  inline constexpr std::int32_t constant = number;
KERB_TRANSITED_TYPE_LIST(KERB_TRANSITED_TYPE_CONSTANT)
#undef KERB_TRANSITED_TYPE_CONSTANT
}  // namespace transited_type

// The RFC name of a tr-type ("DOMAIN-X500-COMPRESS"), or "" if unknown.
constexpr std::string_view transited_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_TRANSITED_TYPE_CASE(constant, number, name) \
  case number:                                           \
    return name;
    KERB_TRANSITED_TYPE_LIST(KERB_TRANSITED_TYPE_CASE)
#undef KERB_TRANSITED_TYPE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_TRANSITED_TYPE_LIST
