// Ticket and EncTicketPart (RFC 4120 §5.3).
#pragma once

#include <optional>
#include <string_view>

#include <kerb/messages/types.hpp>

namespace kerb {

// Ticket ::= [APPLICATION 1] SEQUENCE {
//   tkt-vno [0] INTEGER (5), realm [1] Realm, sname [2] PrincipalName, enc-part [3] EncryptedData }
struct Ticket {
  std::string_view realm;
  PrincipalName sname;
  EncryptedData enc_part;  // EncTicketPart, key usage 2, under the service's long-term key
  // The whole encoding as received. A decoded Ticket re-encodes to exactly these bytes, so a
  // ticket travels on (TGS-REQ, AP-REQ, ccache) unchanged (DESIGN.md convention 8).
  Bytes raw;
};

// EncTicketPart ::= [APPLICATION 3] SEQUENCE { ... }
struct EncTicketPart {
  KerberosFlags flags;                                  // [0] TicketFlags
  EncryptionKey key;                                    // [1] session key
  std::string_view crealm;                              // [2]
  PrincipalName cname;                                  // [3]
  TransitedEncoding transited;                          // [4]
  KerberosTime authtime;                                // [5]
  std::optional<KerberosTime> starttime;                // [6]
  KerberosTime endtime;                                 // [7]
  std::optional<KerberosTime> renew_till;               // [8]
  std::optional<HostAddresses> caddr;                   // [9]
  std::optional<AuthorizationData> authorization_data;  // [10]
};

[[nodiscard]] bool decode(der::Reader& in, Ticket& out);
void encode(der::Writer& out, const Ticket& value);
[[nodiscard]] bool decode(der::Reader& in, EncTicketPart& out);
void encode(der::Writer& out, const EncTicketPart& value);

}  // namespace kerb
