// A credential's addresses from a HostAddresses (RFC 4120 §5.2.5), as a KDC reply's caddr
// (§5.4.2) or a KRB-CRED's KrbCredInfo (§5.8.1) carries them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <kerb/error.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// Owned copies of `caddr` into c.addresses (replacing them), at most Credentials::kMaxAddresses:
// more is kProtocol with `code` (0, or a GSS major status) and a detail naming `what`. A
// template over kerb's Credentials and HostAddresses, so this library includes no kerb header.
template <class Credentials, class HostAddresses>
Result<void> set_addresses(Credentials& c, const std::optional<HostAddresses>& caddr,
                           std::string_view what = "the ticket", std::int32_t code = 0) {
  c.addresses.clear();
  if (!caddr) return ok();
  if (caddr->size() > Credentials::kMaxAddresses) {
    return Error::format(ErrorCategory::kProtocol, code,
                         "%zu addresses in %.*s, more than a credential's limit of %zu",
                         caddr->size(), static_cast<int>(what.size()), what.data(),
                         Credentials::kMaxAddresses);
  }
  c.addresses.reserve(caddr->size());
  for (const auto& a : *caddr) {
    c.addresses.push_back(
        {a.addr_type, std::vector<std::uint8_t>(a.address.begin(), a.address.end())});
  }
  return ok();
}

}  // namespace kerb::detail
