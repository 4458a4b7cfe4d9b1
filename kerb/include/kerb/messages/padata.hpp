// The padata-value of the pre-authentication types a client meets (RFC 4120 §5.2.7;
// [MS-KILE] §2.2.3). PA-DATA itself and METHOD-DATA are in types.hpp; PA-PW-SALT's value is
// the salt octets themselves and needs no decoder.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// PA-ENC-TS-ENC ::= SEQUENCE { patimestamp [0] KerberosTime, pausec [1] Microseconds OPTIONAL }
// (PA-ENC-TIMESTAMP ::= EncryptedData of this, key usage 1.)
struct PaEncTsEnc {
  KerberosTime patimestamp;
  std::optional<Microseconds> pausec;
};

// ETYPE-INFO-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] OCTET STRING OPTIONAL }
struct EtypeInfoEntry {
  crypto::EncType etype = crypto::EncType::kNone;
  std::optional<Bytes> salt;
};
using EtypeInfo = SequenceOf<EtypeInfoEntry>;

// ETYPE-INFO2-ENTRY ::= SEQUENCE {
//   etype [0] Int32, salt [1] KerberosString OPTIONAL, s2kparams [2] OCTET STRING OPTIONAL }
struct EtypeInfo2Entry {
  crypto::EncType etype = crypto::EncType::kNone;
  std::optional<std::string_view> salt;
  std::optional<Bytes> s2kparams;
};
using EtypeInfo2 = SequenceOf<EtypeInfo2Entry>;  // SIZE (1..MAX)

// KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN } ([MS-KILE] §2.2.3)
struct PaPacRequest {
  bool include_pac = true;
};

[[nodiscard]] bool decode(der::Reader& in, PaEncTsEnc& out);
void encode(der::Writer& out, const PaEncTsEnc& value);
[[nodiscard]] bool decode(der::Reader& in, EtypeInfoEntry& out);
void encode(der::Writer& out, const EtypeInfoEntry& value);
[[nodiscard]] bool decode(der::Reader& in, EtypeInfo2Entry& out);
void encode(der::Writer& out, const EtypeInfo2Entry& value);
[[nodiscard]] bool decode(der::Reader& in, PaPacRequest& out);
void encode(der::Writer& out, const PaPacRequest& value);

Result<PaEncTsEnc> decode_pa_enc_ts_enc(Bytes bytes);
Result<EtypeInfo> decode_etype_info(Bytes bytes);
// An empty ETYPE-INFO2 is rejected (SIZE (1..MAX)).
Result<EtypeInfo2> decode_etype_info2(Bytes bytes);
Result<PaPacRequest> decode_pa_pac_request(Bytes bytes);

// The first PA-DATA of `type` in a METHOD-DATA (padata of a request or reply, or e-data).
std::optional<PaData> find_padata(const MethodData& method_data, std::int32_t type) noexcept;

}  // namespace kerb
