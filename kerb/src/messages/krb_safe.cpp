#include <kerb/messages/krb_safe.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {
constexpr std::uint8_t kSafeTag = static_cast<std::uint8_t>(MessageType::kSafe);
}  // namespace

bool decode(der::Reader& in, KrbSafeBody& out) {
  out = KrbSafeBody();
  der::Reader whole = in;
  der::Reader seq;
  if (!in.read_raw(der::tags::kSequence, out.raw) || !whole.read_sequence(seq)) return false;
  return fields::user_data_fields(seq, out) && seq.finish();
}

void encode(der::Writer& out, const KrbSafeBody& value) {
  if (!value.raw.empty()) return out.write_raw(value.raw);
  out.sequence([&] { fields::put_user_data_fields(out, value); });
}

bool decode(der::Reader& in, KrbSafe& out) {
  out = KrbSafe();
  der::Reader seq;
  return fields::application_sequence(in, kSafeTag, seq) &&
         fields::expect_int(seq, 0, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 1, kSafeTag, "msg-type does not match the application tag") &&
         field(seq, 2, out.safe_body) && field(seq, 3, out.cksum) && seq.finish();
}

void encode(der::Writer& out, const KrbSafe& value) {
  out.application(kSafeTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kSafeTag});
      put(out, 2, value.safe_body);
      put(out, 3, value.cksum);
    });
  });
}

Result<KrbSafe> decode_krb_safe(Bytes bytes) {
  return decode_der<KrbSafe>(bytes, "KRB-SAFE");
}

}  // namespace kerb
