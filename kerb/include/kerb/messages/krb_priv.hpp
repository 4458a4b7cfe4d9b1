// KRB-PRIV and EncKrbPrivPart (RFC 4120 §5.7.1).
#pragma once

#include <cstdint>
#include <optional>

#include <kerb/constants.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// KRB-PRIV ::= [APPLICATION 21] SEQUENCE {
//   pvno [0] INTEGER (5), msg-type [1] INTEGER (21), -- no [2] -- enc-part [3] EncryptedData }
struct KrbPriv {
  EncryptedData enc_part;  // [3] EncKrbPrivPart, key usage 13
  Bytes enc_part_raw;      // as received; when set, encode writes it instead of enc_part
};

// EncKrbPrivPart ::= [APPLICATION 28] SEQUENCE {
//   user-data [0] OCTET STRING, timestamp [1] KerberosTime OPTIONAL,
//   usec [2] Microseconds OPTIONAL, seq-number [3] UInt32 OPTIONAL,
//   s-address [4] HostAddress, r-address [5] HostAddress OPTIONAL }
struct EncKrbPrivPart {
  Bytes user_data;
  std::optional<KerberosTime> timestamp;
  std::optional<Microseconds> usec;
  std::optional<std::uint32_t> seq_number;
  HostAddress s_address;
  std::optional<HostAddress> r_address;
};

[[nodiscard]] bool decode(der::Reader& in, KrbPriv& out);
void encode(der::Writer& out, const KrbPriv& value);
[[nodiscard]] bool decode(der::Reader& in, EncKrbPrivPart& out);
void encode(der::Writer& out, const EncKrbPrivPart& value);

Result<KrbPriv> decode_krb_priv(Bytes bytes);
Result<EncKrbPrivPart> decode_enc_krb_priv_part(Bytes bytes);

}  // namespace kerb
