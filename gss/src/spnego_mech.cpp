// The krb5 mechanism inside SPNEGO, for both drivers: its tokens re-framed under the standard
// OID, and the mechListMIC (RFC 4178 §5) made and checked with its security context.
#include <utility>
#include <vector>

#include <kerb/gss/spnego.hpp>
#include <kerb/gss/token.hpp>

#include "spnego_util.hpp"

namespace kerb::gss::detail::spnego {

Result<std::vector<std::uint8_t>> krb5_framed(Bytes token) {
  KERB_TRY(MechToken parsed, parse_framed_token(token));
  if (same(parsed.mech_oid, kKrb5LegacyMechOid)) {
    return frame_token(kKrb5MechOid, parsed.tok_id, parsed.body);
  }
  return copy(token);
}

Result<std::vector<std::uint8_t>> mech_list_mic(SecurityContext& context, Bytes mech_list) {
  auto mic = context.get_mic(mech_list);
  if (!mic) return mic.error();
  return std::move(mic).value();
}

Result<void> verify_mech_list_mic(SecurityContext& context, Bytes mech_list, Bytes mic) {
  auto verified = context.verify_mic(mech_list, mic);
  if (!verified) {
    return Error::format(
        ErrorCategory::kCrypto, major_status::kBadMic, "SPNEGO: mechListMIC does not verify (%.*s)",
        static_cast<int>(verified.error().detail().size()), verified.error().detail().data());
  }
  if (*verified != 0) {
    return Error(ErrorCategory::kCrypto, major_status::kBadMic,
                 "SPNEGO: mechListMIC is a replayed or out-of-sequence token");
  }
  return ok();
}

}  // namespace kerb::gss::detail::spnego
