// The transited field (RFC 4120 §3.3.3.2) and a service's policy on it (§2.7): which realms a
// service trusts to have authenticated a client of another realm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb {

class Config;

// Bounds on what a ticket's transited field may make a service hold.
inline constexpr std::size_t kMaxTransitedSize = 4096;  // octets of contents
inline constexpr std::size_t kMaxTransitedRealms = 64;  // realms, null subfields expanded
inline constexpr std::size_t kMaxTransitedRealmSize = 1024;

// The realms a DOMAIN-X500-COMPRESS transited field names (RFC 4120 §3.3.3.2), in order:
// "," separates; "\\" quotes the next character; a name ending in "." is prepended to the
// previous realm ("EDU,MIT." is EDU, MIT.EDU); one starting with "/" is appended to it (the
// realm before the first is ""); a leading " " makes a "/" name stand by itself. A null
// subfield stands for every realm on the hierarchical path between its neighbours, the client
// realm counting as the first and the server realm as the last; it is expanded here (both
// neighbours must then be in one hierarchy of the same style). Strict: a dangling "\\", an
// unquoted leading space before anything but "/", "." compression with no previous realm,
// and anything past the bounds above are kProtocol errors with KRB_AP_PATH_NOT_ACCEPTED.
Result<std::vector<std::string>> decode_transited(std::string_view contents,
                                                  std::string_view client_realm,
                                                  std::string_view server_realm);

// A service's transited policy (RFC 4120 §2.7), capaths-style. Refuses what it is not told:
//   - a client of the server's own realm is accepted, and its ticket's transited field must be
//     empty;
//   - a client of another realm is accepted only if trust() (or [capaths]) names its realm for
//     the server's realm. Then, unless the KDC set TRANSITED-POLICY-CHECKED, every realm in
//     the transited field must be one of the entry's intermediate realms (none for a direct
//     trust). With the flag set, the KDC of the server's realm vouches for the path, as MIT's
//     krb5_rd_req takes it; trust_kdc_check = false checks the path here all the same.
// The client realm is always checked here: a KDC's flag says the path was acceptable to it,
// not that this service trusts the client's realm (MIT would accept any realm the KDC did).
// A transited field of a type other than DOMAIN-X500-COMPRESS is refused with
// KDC_ERR_TRTYPE_NOSUPP unless it is empty; other refusals carry KRB_AP_PATH_NOT_ACCEPTED.
class TransitPolicy {
 public:
  // Trusts clients of `client_realm` at services of `server_realm` through `intermediates`,
  // the realms between them (empty: direct), as one [capaths] entry does. Adding an entry for
  // a pair that has one replaces it.
  void trust(std::string_view client_realm, std::string_view server_realm,
             std::vector<std::string> intermediates = {});

  // One entry per [capaths] client realm that has an entry for `service_realm`.
  static Result<TransitPolicy> from_config(const Config& config, std::string_view service_realm);

  // Adds `other`'s entries, as trust() adds each (a service with keys in several realms merges
  // from_config of each). trust_kdc_check stays this policy's.
  void merge(const TransitPolicy& other);

  // Whether TRANSITED-POLICY-CHECKED spares checking the path (not the client realm) here.
  bool trust_kdc_check = true;

  // The §2.7 decision for a ticket of `client_realm` at a service of `server_realm`.
  Result<void> check(std::string_view client_realm, std::string_view server_realm,
                     const TransitedEncoding& transited, std::uint32_t ticket_flags) const;

 private:
  struct Entry {
    std::string client_realm;
    std::string server_realm;
    std::vector<std::string> intermediates;
  };
  std::vector<Entry> entries_;
};

}  // namespace kerb
