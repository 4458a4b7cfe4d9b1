// KRB-CRED, EncKrbCredPart and KrbCredInfo (RFC 4120 §5.8.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// KRB-CRED ::= [APPLICATION 22] SEQUENCE {
//   pvno [0] INTEGER (5), msg-type [1] INTEGER (22), tickets [2] SEQUENCE OF Ticket,
//   enc-part [3] EncryptedData }
struct KrbCred {
  SequenceOf<Ticket> tickets;  // [2]
  EncryptedData enc_part;      // [3] EncKrbCredPart, key usage 14 (or etype 0: plaintext)
  Bytes enc_part_raw;          // as received; when set, encode writes it instead of enc_part
};

// KrbCredInfo ::= SEQUENCE { key [0] EncryptionKey, prealm [1] Realm OPTIONAL, ... }
struct KrbCredInfo {
  EncryptionKey key;                       // [0]
  std::optional<std::string_view> prealm;  // [1]
  std::optional<PrincipalName> pname;      // [2]
  std::optional<KerberosFlags> flags;      // [3] TicketFlags
  std::optional<KerberosTime> authtime;    // [4]
  std::optional<KerberosTime> starttime;   // [5]
  std::optional<KerberosTime> endtime;     // [6]
  std::optional<KerberosTime> renew_till;  // [7]
  std::optional<std::string_view> srealm;  // [8]
  std::optional<PrincipalName> sname;      // [9]
  std::optional<HostAddresses> caddr;      // [10]
};

// EncKrbCredPart ::= [APPLICATION 29] SEQUENCE {
//   ticket-info [0] SEQUENCE OF KrbCredInfo, nonce [1] UInt32 OPTIONAL,
//   timestamp [2] KerberosTime OPTIONAL, usec [3] Microseconds OPTIONAL,
//   s-address [4] HostAddress OPTIONAL, r-address [5] HostAddress OPTIONAL }
struct EncKrbCredPart {
  SequenceOf<KrbCredInfo> ticket_info;  // one per ticket of KRB-CRED, same order
  std::optional<std::uint32_t> nonce;
  std::optional<KerberosTime> timestamp;
  std::optional<Microseconds> usec;
  std::optional<HostAddress> s_address;
  std::optional<HostAddress> r_address;
};

[[nodiscard]] bool decode(der::Reader& in, KrbCred& out);
void encode(der::Writer& out, const KrbCred& value);
[[nodiscard]] bool decode(der::Reader& in, KrbCredInfo& out);
void encode(der::Writer& out, const KrbCredInfo& value);
[[nodiscard]] bool decode(der::Reader& in, EncKrbCredPart& out);
void encode(der::Writer& out, const EncKrbCredPart& value);

Result<KrbCred> decode_krb_cred(Bytes bytes);
Result<EncKrbCredPart> decode_enc_krb_cred_part(Bytes bytes);

}  // namespace kerb
