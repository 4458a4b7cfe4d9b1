#include <kerb/messages/krb_priv.hpp>

#include "fields.hpp"

namespace kerb {

using fields::put;

namespace {
constexpr std::uint8_t kPrivTag = static_cast<std::uint8_t>(MessageType::kPriv);
}  // namespace

bool decode(der::Reader& in, KrbPriv& out) {
  out = KrbPriv();
  der::Reader seq;
  return fields::application_sequence(in, kPrivTag, seq) &&
         fields::expect_int(seq, 0, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 1, kPrivTag, "msg-type does not match the application tag") &&
         fields::field_raw(seq, 3, out.enc_part, out.enc_part_raw) && seq.finish();
}

void encode(der::Writer& out, const KrbPriv& value) {
  out.application(kPrivTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kPrivTag});
      fields::put_raw(out, 3, value.enc_part, value.enc_part_raw);
    });
  });
}

bool decode(der::Reader& in, EncKrbPrivPart& out) {
  out = EncKrbPrivPart();
  der::Reader seq;
  return fields::application_sequence(in, application_tag::kEncKrbPrivPart, seq) &&
         fields::user_data_fields(seq, out) && seq.finish();
}

void encode(der::Writer& out, const EncKrbPrivPart& value) {
  out.application(application_tag::kEncKrbPrivPart,
                  [&] { out.sequence([&] { fields::put_user_data_fields(out, value); }); });
}

Result<KrbPriv> decode_krb_priv(Bytes bytes) {
  return decode_der<KrbPriv>(bytes, "KRB-PRIV");
}
Result<EncKrbPrivPart> decode_enc_krb_priv_part(Bytes bytes) {
  return decode_der<EncKrbPrivPart>(bytes, "EncKrbPrivPart");
}

}  // namespace kerb
