// KRB-SAFE and KRB-SAFE-BODY (RFC 4120 §5.6.1).
#pragma once

#include <cstdint>
#include <optional>

#include <kerb/constants.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// KRB-SAFE-BODY ::= SEQUENCE {
//   user-data [0] OCTET STRING, timestamp [1] KerberosTime OPTIONAL,
//   usec [2] Microseconds OPTIONAL, seq-number [3] UInt32 OPTIONAL,
//   s-address [4] HostAddress, r-address [5] HostAddress OPTIONAL }
struct KrbSafeBody {
  Bytes user_data;
  std::optional<KerberosTime> timestamp;
  std::optional<Microseconds> usec;
  std::optional<std::uint32_t> seq_number;
  HostAddress s_address;
  std::optional<HostAddress> r_address;
  // The whole encoding as received: the bytes cksum covers (key usage 15). When set, encode
  // writes these bytes instead of the fields (DESIGN.md convention 8).
  Bytes raw;
};

// KRB-SAFE ::= [APPLICATION 20] SEQUENCE {
//   pvno [0] INTEGER (5), msg-type [1] INTEGER (20), safe-body [2] KRB-SAFE-BODY,
//   cksum [3] Checksum }
struct KrbSafe {
  KrbSafeBody safe_body;
  Checksum cksum;
};

[[nodiscard]] bool decode(der::Reader& in, KrbSafeBody& out);
void encode(der::Writer& out, const KrbSafeBody& value);
[[nodiscard]] bool decode(der::Reader& in, KrbSafe& out);
void encode(der::Writer& out, const KrbSafe& value);

Result<KrbSafe> decode_krb_safe(Bytes bytes);

}  // namespace kerb
