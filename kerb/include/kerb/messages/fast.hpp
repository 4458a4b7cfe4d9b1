// FAST (RFC 6113 §5.4): the armored request and reply that PA-FX-FAST carries, and the
// KRB-ERROR a KDC returns inside one (PA-FX-ERROR). The module is EXPLICIT TAGS, so each CHOICE
// alternative is [0] { ... } around its SEQUENCE. Extension markers (...) are not accepted:
// kerb knows no extension, and strict DER refuses what it cannot check.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// armor-type values (RFC 6113 §5.4.1).
inline constexpr std::int32_t kFxFastArmorApRequest = 1;

// KrbFastArmor ::= SEQUENCE { armor-type [0] Int32, armor-value [1] OCTET STRING, ... }
struct KrbFastArmor {
  std::int32_t armor_type = kFxFastArmorApRequest;
  Bytes armor_value;  // FX_FAST_ARMOR_AP_REQUEST: an AP-REQ
};

// KrbFastArmoredReq ::= SEQUENCE {
//   armor [0] KrbFastArmor OPTIONAL, req-checksum [1] Checksum,
//   enc-fast-req [2] EncryptedData -- KrbFastReq, armor key, usage 51 -- }
struct KrbFastArmoredReq {
  std::optional<KrbFastArmor> armor;  // absent in a TGS-REQ: the PA-TGS-REQ is the armor
  Checksum req_checksum;              // armor key, usage 50
  EncryptedData enc_fast_req;
};

// PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq, ... }
struct PaFxFastRequest {
  KrbFastArmoredReq armored_data;
};

// KrbFastReq ::= SEQUENCE {
//   fast-options [0] FastOptions, padata [1] SEQUENCE OF PA-DATA, req-body [2] KDC-REQ-BODY }
struct KrbFastReq {
  KerberosFlags fast_options;
  MethodData padata;
  KdcReqBody req_body;
};

// KrbFastFinished ::= SEQUENCE {
//   timestamp [0] KerberosTime, usec [1] Microseconds, crealm [2] Realm,
//   cname [3] PrincipalName, ticket-checksum [4] Checksum -- armor key, usage 53 -- }
struct KrbFastFinished {
  KerberosTime timestamp;
  Microseconds usec;
  std::string_view crealm;
  PrincipalName cname;
  Checksum ticket_checksum;
};

// KrbFastResponse ::= SEQUENCE {
//   padata [0] SEQUENCE OF PA-DATA, strengthen-key [1] EncryptionKey OPTIONAL,
//   finished [2] KrbFastFinished OPTIONAL, nonce [3] UInt32 }
struct KrbFastResponse {
  MethodData padata;
  std::optional<EncryptionKey> strengthen_key;  // secret: points into decrypted plaintext
  std::optional<KrbFastFinished> finished;
  std::uint32_t nonce = 0;
};

// KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData -- armor key, usage 52 -- }
struct KrbFastArmoredRep {
  EncryptedData enc_fast_rep;
};

// PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep, ... }
struct PaFxFastReply {
  KrbFastArmoredRep armored_data;
};

[[nodiscard]] bool decode(der::Reader& in, KrbFastArmor& out);
void encode(der::Writer& out, const KrbFastArmor& value);
[[nodiscard]] bool decode(der::Reader& in, KrbFastArmoredReq& out);
void encode(der::Writer& out, const KrbFastArmoredReq& value);
[[nodiscard]] bool decode(der::Reader& in, PaFxFastRequest& out);
void encode(der::Writer& out, const PaFxFastRequest& value);
[[nodiscard]] bool decode(der::Reader& in, KrbFastReq& out);
void encode(der::Writer& out, const KrbFastReq& value);
[[nodiscard]] bool decode(der::Reader& in, KrbFastFinished& out);
void encode(der::Writer& out, const KrbFastFinished& value);
[[nodiscard]] bool decode(der::Reader& in, KrbFastResponse& out);
void encode(der::Writer& out, const KrbFastResponse& value);
[[nodiscard]] bool decode(der::Reader& in, KrbFastArmoredRep& out);
void encode(der::Writer& out, const KrbFastArmoredRep& value);
[[nodiscard]] bool decode(der::Reader& in, PaFxFastReply& out);
void encode(der::Writer& out, const PaFxFastReply& value);

Result<PaFxFastRequest> decode_pa_fx_fast_request(Bytes bytes);
Result<KrbFastReq> decode_krb_fast_req(Bytes bytes);
Result<PaFxFastReply> decode_pa_fx_fast_reply(Bytes bytes);
Result<KrbFastResponse> decode_krb_fast_response(Bytes bytes);
Result<KrbFastFinished> decode_krb_fast_finished(Bytes bytes);

}  // namespace kerb
