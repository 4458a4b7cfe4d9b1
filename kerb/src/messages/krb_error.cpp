#include <kerb/messages/krb_error.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {
constexpr std::uint8_t kErrorTag = static_cast<std::uint8_t>(MessageType::kError);
}  // namespace

bool decode(der::Reader& in, KrbError& out) {
  out = KrbError();
  der::Reader seq;
  return fields::application_sequence(in, kErrorTag, seq) &&
         fields::expect_int(seq, 0, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 1, kErrorTag, "msg-type does not match the application tag") &&
         field(seq, 2, out.ctime) && field(seq, 3, out.cusec) && field(seq, 4, out.stime) &&
         field(seq, 5, out.susec) && field(seq, 6, out.error_code) && field(seq, 7, out.crealm) &&
         field(seq, 8, out.cname) && field(seq, 9, out.realm) && field(seq, 10, out.sname) &&
         field(seq, 11, out.e_text) && field(seq, 12, out.e_data) && seq.finish();
}

void encode(der::Writer& out, const KrbError& value) {
  out.application(kErrorTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kErrorTag});
      put(out, 2, value.ctime);
      put(out, 3, value.cusec);
      put(out, 4, value.stime);
      put(out, 5, value.susec);
      put(out, 6, value.error_code);
      put(out, 7, value.crealm);
      put(out, 8, value.cname);
      put(out, 9, value.realm);
      put(out, 10, value.sname);
      put(out, 11, value.e_text);
      put(out, 12, value.e_data);
    });
  });
}

bool decode(der::Reader& in, TypedDataEntry& out) {
  der::Reader seq;
  out.data_value.reset();
  return in.read_sequence(seq) && field(seq, 0, out.data_type) && field(seq, 1, out.data_value) &&
         seq.finish();
}

void encode(der::Writer& out, const TypedDataEntry& value) {
  out.sequence([&] {
    put(out, 0, value.data_type);
    put(out, 1, value.data_value);
  });
}

Result<KrbError> decode_krb_error(Bytes bytes) {
  return decode_der<KrbError>(bytes, "KRB-ERROR");
}

Result<MethodData> decode_method_data(Bytes bytes) {
  return decode_der<MethodData>(bytes, "METHOD-DATA");
}

Result<TypedData> decode_typed_data(Bytes bytes) {
  return fields::decode_whole<TypedData>(bytes, "TYPED-DATA", [](der::Reader& in, TypedData& out) {
    const std::size_t at = in.offset();
    return decode(in, out) && (!out.empty() || in.fault(at, "TYPED-DATA must not be empty"));
  });
}

Error to_error(const KrbError& error) {
  const std::string_view name = error_code_name(error.error_code);
  const std::string_view message = error_code_message(error.error_code);
  const int name_length = static_cast<int>(name.size());
  const int message_length = static_cast<int>(message.size());
  if (error.e_text && !error.e_text->empty()) {
    // e-text comes from the network: keep a bounded, printable copy.
    char text[64];
    std::size_t n = 0;
    for (char c : *error.e_text) {
      if (n == sizeof text) break;
      text[n++] = (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    const int text_length = static_cast<int>(n);
    if (name.empty()) {
      return Error::format(ErrorCategory::kKdc, error.error_code, "KRB-ERROR %d: %.*s (%.*s)",
                           error.error_code, message_length, message.data(), text_length, text);
    }
    return Error::format(ErrorCategory::kKdc, error.error_code, "%.*s: %.*s (%.*s)", name_length,
                         name.data(), message_length, message.data(), text_length, text);
  }
  if (name.empty()) {
    return Error::format(ErrorCategory::kKdc, error.error_code, "KRB-ERROR %d: %.*s",
                         error.error_code, message_length, message.data());
  }
  return Error::format(ErrorCategory::kKdc, error.error_code, "%.*s: %.*s", name_length,
                       name.data(), message_length, message.data());
}

}  // namespace kerb
