// transited_fuzz: a ticket's transited field (RFC 4120 §3.3.3.2) as a service reads it, and the
// §2.7 decision on it. Nothing may crash or read out of bounds; a refusal is a kProtocol error
// carrying KRB_AP_PATH_NOT_ACCEPTED (or KDC_ERR_TRTYPE_NOSUPP for another encoding); whatever
// decodes stays within the kMaxTransited* bounds; and the decision agrees with the decoding
// (a field that does not decode is never accepted).
//
// Input layout:
//   byte 0   tr-type: 1 (DOMAIN-X500-COMPRESS) when even, the byte itself otherwise
//   byte 1   ticket flags: bit 0 sets TRANSITED-POLICY-CHECKED, bit 1 clears trust_kdc_check
//   byte 2   n: the client realm is the next n % 32 bytes
//   byte 3   m: the server realm is the next m % 32 bytes after it
//   rest     the transited contents
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/transited.hpp>

#include "fuzz_check.hpp"

namespace {

bool path_refusal(const kerb::Error& e) {
  return e.category() == kerb::ErrorCategory::kProtocol &&
         (e.code() == kerb::error_code::kKrbApPathNotAccepted ||
          e.code() == kerb::error_code::kKdcErrTrtypeNosupp);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::int32_t tr_type = data[0] % 2 == 0 ? 1 : data[0];
  const bool checked = (data[1] & 1) != 0;
  const bool trust_kdc = (data[1] & 2) == 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 4), size - 4);
  const std::string_view client = rest.substr(0, data[2] % 32);
  rest.remove_prefix(client.size());
  const std::string_view server = rest.substr(0, data[3] % 32);
  rest.remove_prefix(server.size());
  const std::string_view contents = rest;

  auto realms = kerb::decode_transited(contents, client, server);
  if (realms) {
    FUZZ_CHECK(realms->size() <= kerb::kMaxTransitedRealms);
    for (const std::string& r : *realms)
      FUZZ_CHECK(r.size() <= kerb::kMaxTransitedRealmSize);
  } else {
    FUZZ_CHECK(path_refusal(realms.error()));
  }

  // A policy that trusts the client's realm through every realm the field names (when it
  // decodes), and one that trusts nothing.
  kerb::TransitPolicy open;
  open.trust_kdc_check = trust_kdc;
  if (realms) open.trust(client, server, *realms);
  const kerb::TransitPolicy closed;
  const kerb::TransitedEncoding field{
      tr_type,
      kerb::Bytes(reinterpret_cast<const std::uint8_t*>(contents.data()), contents.size())};
  const std::uint32_t flags = checked ? kerb::ticket_flags::kTransitedPolicyChecked : 0;
  const kerb::TransitPolicy* const policies[] = {&open, &closed};
  for (const kerb::TransitPolicy* policy : policies) {
    auto decision = policy->check(client, server, field, flags);
    if (!decision) FUZZ_CHECK(path_refusal(decision.error()));
    // Without the KDC's word, a field that does not decode is never accepted.
    if (decision && tr_type == 1 && !contents.empty() && (!checked || !trust_kdc)) {
      FUZZ_CHECK(realms.ok());
    }
  }
  // A stranger to the server's realm with nothing to vouch for it is always refused.
  if (client != server) FUZZ_CHECK(!closed.check(client, server, field, flags).ok());
  return 0;
}
