// The krb5 mechanism's answer to a refused AP-REQ: a KRB-ERROR token (RFC 4121 §4.1) sent
// from the service its ticket names. Private to kerb::gss.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/result.hpp>

namespace kerb::gss::detail {

// nullopt when the token is not even a readable AP-REQ (there is no service to answer from);
// an error when the KRB-ERROR cannot be encoded.
Result<std::optional<std::vector<std::uint8_t>>> krb_error_reply(Bytes framed_ap_req,
                                                                 const Error& why,
                                                                 const Clock& clock);

}  // namespace kerb::gss::detail
