// KDC-REP: AS-REP and TGS-REP, and their encrypted part EncKDCRepPart (RFC 4120 §5.4.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// AS-REP ::= [APPLICATION 11] KDC-REP, TGS-REP ::= [APPLICATION 13] KDC-REP
// KDC-REP ::= SEQUENCE { pvno [0] INTEGER (5), msg-type [1], padata [2] OPTIONAL, crealm [3],
//                        cname [4], ticket [5], enc-part [6] }
struct KdcRep {
  MessageType msg_type = MessageType::kAsRep;  // kAsRep or kTgsRep; picks the application tag
  std::optional<MethodData> padata;            // [2]
  std::string_view crealm;                     // [3]
  PrincipalName cname;                         // [4]
  Ticket ticket;                               // [5] (Ticket::raw keeps its bytes)
  EncryptedData enc_part;                      // [6] EncASRepPart (usage 3) / EncTGSRepPart (8, 9)
  // The enc-part EncryptedData element as received; when set, encode writes it instead of
  // enc_part (DESIGN.md convention 8).
  Bytes enc_part_raw;
};

// Which application tag an EncKDCRepPart carried.
enum class EncKdcRepPartTag : std::uint8_t {
  kEncAsRepPart = application_tag::kEncAsRepPart,    // [APPLICATION 25]
  kEncTgsRepPart = application_tag::kEncTgsRepPart,  // [APPLICATION 26]
};

// EncASRepPart ::= [APPLICATION 25] EncKDCRepPart, EncTGSRepPart ::= [APPLICATION 26] ...
// Either tag is accepted whatever the reply: RFC 4120 §5.4.2's compatibility note (some KDCs,
// MIT's among them, send [APPLICATION 26] in AS-REPs too). `tag` records which one came.
struct EncKdcRepPart {
  EncKdcRepPartTag tag = EncKdcRepPartTag::kEncAsRepPart;
  EncryptionKey key;                            // [0]
  LastReq last_req;                             // [1]
  std::uint32_t nonce = 0;                      // [2]
  std::optional<KerberosTime> key_expiration;   // [3]
  KerberosFlags flags;                          // [4] TicketFlags (ticket_flags::k...)
  KerberosTime authtime;                        // [5]
  std::optional<KerberosTime> starttime;        // [6]
  KerberosTime endtime;                         // [7]
  std::optional<KerberosTime> renew_till;       // [8]
  std::string_view srealm;                      // [9]
  PrincipalName sname;                          // [10]
  std::optional<HostAddresses> caddr;           // [11]
  std::optional<MethodData> encrypted_pa_data;  // [12] RFC 6806 §11
};

// decode(KdcRep) accepts either AS-REP or TGS-REP; the wrappers accept only their own.
[[nodiscard]] bool decode(der::Reader& in, KdcRep& out);
void encode(der::Writer& out, const KdcRep& value);
[[nodiscard]] bool decode(der::Reader& in, EncKdcRepPart& out);
void encode(der::Writer& out, const EncKdcRepPart& value);

Result<KdcRep> decode_as_rep(Bytes bytes);
Result<KdcRep> decode_tgs_rep(Bytes bytes);
// A decrypted enc-part: [APPLICATION 25] or [APPLICATION 26].
Result<EncKdcRepPart> decode_enc_kdc_rep_part(Bytes bytes);

// The message type a KDC or peer sent, from the [APPLICATION n] identifier octet alone: one
// of the MessageType values (10..15, 20..22, 30) or nullopt. Tells AS-REP, TGS-REP and
// KRB-ERROR apart before decoding; the decode still checks everything.
std::optional<std::int32_t> peek_message_type(Bytes bytes) noexcept;

}  // namespace kerb
