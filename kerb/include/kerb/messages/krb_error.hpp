// KRB-ERROR (RFC 4120 §5.9.1) and its e-data: METHOD-DATA or TYPED-DATA (§5.9.1, §7.5.9).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <kerb/constants.hpp>
#include <kerb/messages/types.hpp>

namespace kerb {

// KRB-ERROR ::= [APPLICATION 30] SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (30), ... }
struct KrbError {
  std::optional<KerberosTime> ctime;       // [2]
  std::optional<Microseconds> cusec;       // [3]
  KerberosTime stime;                      // [4]
  Microseconds susec;                      // [5]
  std::int32_t error_code = 0;             // [6] error_code::k...
  std::optional<std::string_view> crealm;  // [7]
  std::optional<PrincipalName> cname;      // [8]
  std::string_view realm;                  // [9] service realm
  PrincipalName sname;                     // [10] service name
  std::optional<std::string_view> e_text;  // [11] KerberosString
  std::optional<Bytes> e_data;             // [12] METHOD-DATA, TYPED-DATA or mechanism data
};

// TYPED-DATA ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
//   data-type [0] Int32, data-value [1] OCTET STRING OPTIONAL }
struct TypedDataEntry {
  std::int32_t data_type = 0;  // padata_type::kTd... (PA and TD types share one registry)
  std::optional<Bytes> data_value;
};
using TypedData = SequenceOf<TypedDataEntry>;

[[nodiscard]] bool decode(der::Reader& in, KrbError& out);
void encode(der::Writer& out, const KrbError& value);
[[nodiscard]] bool decode(der::Reader& in, TypedDataEntry& out);
void encode(der::Writer& out, const TypedDataEntry& value);

Result<KrbError> decode_krb_error(Bytes bytes);

// e-data as METHOD-DATA (SEQUENCE OF PA-DATA), as KDC_ERR_PREAUTH_REQUIRED and friends carry
// it (RFC 4120 §5.2.7, RFC 6113 §5.2).
Result<MethodData> decode_method_data(Bytes bytes);
// e-data as TYPED-DATA; an empty sequence is rejected (SIZE (1..MAX)).
Result<TypedData> decode_typed_data(Bytes bytes);

// A kerb::Error of category kKdc for a KRB-ERROR: code() is its error-code, and the detail
// reads "KDC_ERR_PREAUTH_FAILED: Pre-authentication information was invalid (<e-text>)".
Error to_error(const KrbError& error);

}  // namespace kerb
