// What the SPNEGO codec and its drivers share: OID comparison, SPNEGO's error shapes, and the
// krb5 mechanism's part in a negotiation (its tokens re-framed, the mechListMIC of RFC 4178
// §5). Private to kerb::gss.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <kerb/gss/context.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/result.hpp>

namespace kerb::gss::detail::spnego {

inline bool same(Bytes a, Bytes b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

inline std::vector<std::uint8_t> copy(Bytes b) {
  return {b.begin(), b.end()};
}

inline Error protocol_error(const char* detail) {
  return Error::format(ErrorCategory::kProtocol, major_status::kDefectiveToken, "SPNEGO: %s",
                       detail);
}

inline Error invalid_argument(const char* detail) {
  return Error::format(ErrorCategory::kInvalidArgument, major_status::kFailure, "SPNEGO: %s",
                       detail);
}

// kerb's krb5 mechanism frames with the standard OID; a peer may frame with the legacy one
// (Windows does when it offered it first). The framing is not integrity protected (the
// authenticator checksum covers bindings and flags, RFC 4121 §4.1.1), so re-framing is safe.
Result<std::vector<std::uint8_t>> krb5_framed(Bytes token);

// Our mechListMIC over the DER MechTypeList (§5 a).
Result<std::vector<std::uint8_t>> mech_list_mic(SecurityContext& context, Bytes mech_list);

// RFC 4178 §5: the MIC must verify, and as the first token of its kind it cannot be a
// duplicate, old or out of sequence either.
Result<void> verify_mech_list_mic(SecurityContext& context, Bytes mech_list, Bytes mic);

}  // namespace kerb::gss::detail::spnego
