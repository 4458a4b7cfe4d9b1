// AP-REQ, Authenticator, AP-REP and EncAPRepPart (RFC 4120 §5.5.1, §5.5.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// AP-REQ ::= [APPLICATION 14] SEQUENCE {
//   pvno [0] INTEGER (5), msg-type [1] INTEGER (14), ap-options [2] APOptions,
//   ticket [3] Ticket, authenticator [4] EncryptedData }
struct ApReq {
  KerberosFlags ap_options;     // [2] ap_options::k...
  Ticket ticket;                // [3] (Ticket::raw keeps its bytes)
  EncryptedData authenticator;  // [4] Authenticator, key usage 11 (7 inside PA-TGS-REQ)
  // The authenticator EncryptedData element as received (a replay cache keys on it); when
  // set, encode writes it instead of `authenticator` (DESIGN.md convention 8).
  Bytes authenticator_raw;
};

// Authenticator ::= [APPLICATION 2] SEQUENCE { authenticator-vno [0] INTEGER (5), ... }
struct Authenticator {
  std::string_view crealm;                              // [1]
  PrincipalName cname;                                  // [2]
  std::optional<Checksum> cksum;                        // [3]
  Microseconds cusec;                                   // [4]
  KerberosTime ctime;                                   // [5]
  std::optional<EncryptionKey> subkey;                  // [6]
  std::optional<std::uint32_t> seq_number;              // [7]
  std::optional<AuthorizationData> authorization_data;  // [8]
};

// AP-REP ::= [APPLICATION 15] SEQUENCE {
//   pvno [0] INTEGER (5), msg-type [1] INTEGER (15), enc-part [2] EncryptedData }
struct ApRep {
  EncryptedData enc_part;  // [2] EncAPRepPart, key usage 12
  Bytes enc_part_raw;      // as received; when set, encode writes it instead of enc_part
};

// EncAPRepPart ::= [APPLICATION 27] SEQUENCE {
//   ctime [0] KerberosTime, cusec [1] Microseconds, subkey [2] EncryptionKey OPTIONAL,
//   seq-number [3] UInt32 OPTIONAL }
struct EncApRepPart {
  KerberosTime ctime;
  Microseconds cusec;
  std::optional<EncryptionKey> subkey;
  std::optional<std::uint32_t> seq_number;
};

[[nodiscard]] bool decode(der::Reader& in, ApReq& out);
void encode(der::Writer& out, const ApReq& value);
[[nodiscard]] bool decode(der::Reader& in, Authenticator& out);
void encode(der::Writer& out, const Authenticator& value);
[[nodiscard]] bool decode(der::Reader& in, ApRep& out);
void encode(der::Writer& out, const ApRep& value);
[[nodiscard]] bool decode(der::Reader& in, EncApRepPart& out);
void encode(der::Writer& out, const EncApRepPart& value);

Result<ApReq> decode_ap_req(Bytes bytes);
Result<Authenticator> decode_authenticator(Bytes bytes);
Result<ApRep> decode_ap_rep(Bytes bytes);
Result<EncApRepPart> decode_enc_ap_rep_part(Bytes bytes);

}  // namespace kerb
