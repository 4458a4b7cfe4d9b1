// KDC-REQ: AS-REQ and TGS-REQ (RFC 4120 §5.4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// etype [8] SEQUENCE OF Int32, in preference order. Build one from a
// std::span<const crypto::EncType>.
using EtypeList = SequenceOf<crypto::EncType>;

// KDC-REQ-BODY ::= SEQUENCE { ... }
struct KdcReqBody {
  KerberosFlags kdc_options;               // [0] KDCOptions (kdc_options::k...)
  std::optional<PrincipalName> cname;      // [1] AS-REQ only
  std::string_view realm;                  // [2] server's realm (also client's in AS-REQ)
  std::optional<PrincipalName> sname;      // [3]
  std::optional<KerberosTime> from;        // [4]
  KerberosTime till;                       // [5]
  std::optional<KerberosTime> rtime;       // [6]
  std::uint32_t nonce = 0;                 // [7] UInt32
  EtypeList etype;                         // [8]
  std::optional<HostAddresses> addresses;  // [9]
  std::optional<EncryptedData> enc_authorization_data;   // [10] usage 4 or 5
  std::optional<SequenceOf<Ticket>> additional_tickets;  // [11]
  // The whole encoding as received: the bytes the PA-TGS-REQ authenticator checksum and FAST
  // cover (DESIGN.md convention 8). When set, encode writes these bytes instead of the fields,
  // so a caller may encode the body once, checksum it, set raw and then encode the request.
  Bytes raw;
};

// AS-REQ ::= [APPLICATION 10] KDC-REQ, TGS-REQ ::= [APPLICATION 12] KDC-REQ
// KDC-REQ ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2], padata [3] OPTIONAL, req-body [4] }
struct KdcReq {
  MessageType msg_type = MessageType::kAsReq;  // kAsReq or kTgsReq; picks the application tag
  std::optional<MethodData> padata;            // [3]
  KdcReqBody req_body;                         // [4]
};

// decode(KdcReq) accepts either AS-REQ or TGS-REQ; the wrappers accept only their own.
[[nodiscard]] bool decode(der::Reader& in, KdcReqBody& out);
void encode(der::Writer& out, const KdcReqBody& value);
[[nodiscard]] bool decode(der::Reader& in, KdcReq& out);
void encode(der::Writer& out, const KdcReq& value);

Result<KdcReq> decode_as_req(Bytes bytes);
Result<KdcReq> decode_tgs_req(Bytes bytes);
Result<KdcReqBody> decode_kdc_req_body(Bytes bytes);

}  // namespace kerb
