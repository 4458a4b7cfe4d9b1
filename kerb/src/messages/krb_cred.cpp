#include <kerb/messages/krb_cred.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {
constexpr std::uint8_t kCredTag = static_cast<std::uint8_t>(MessageType::kCred);
}  // namespace

bool decode(der::Reader& in, KrbCred& out) {
  out = KrbCred();
  der::Reader seq;
  return fields::application_sequence(in, kCredTag, seq) &&
         fields::expect_int(seq, 0, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 1, kCredTag, "msg-type does not match the application tag") &&
         field(seq, 2, out.tickets) && fields::field_raw(seq, 3, out.enc_part, out.enc_part_raw) &&
         seq.finish();
}

void encode(der::Writer& out, const KrbCred& value) {
  out.application(kCredTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kCredTag});
      put(out, 2, value.tickets);
      fields::put_raw(out, 3, value.enc_part, value.enc_part_raw);
    });
  });
}

bool decode(der::Reader& in, KrbCredInfo& out) {
  out = KrbCredInfo();
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.key) && field(seq, 1, out.prealm) &&
         field(seq, 2, out.pname) && field(seq, 3, out.flags) && field(seq, 4, out.authtime) &&
         field(seq, 5, out.starttime) && field(seq, 6, out.endtime) &&
         field(seq, 7, out.renew_till) && field(seq, 8, out.srealm) && field(seq, 9, out.sname) &&
         field(seq, 10, out.caddr) && seq.finish();
}

void encode(der::Writer& out, const KrbCredInfo& value) {
  out.sequence([&] {
    put(out, 0, value.key);
    put(out, 1, value.prealm);
    put(out, 2, value.pname);
    put(out, 3, value.flags);
    put(out, 4, value.authtime);
    put(out, 5, value.starttime);
    put(out, 6, value.endtime);
    put(out, 7, value.renew_till);
    put(out, 8, value.srealm);
    put(out, 9, value.sname);
    put(out, 10, value.caddr);
  });
}

bool decode(der::Reader& in, EncKrbCredPart& out) {
  out = EncKrbCredPart();
  der::Reader seq;
  return fields::application_sequence(in, application_tag::kEncKrbCredPart, seq) &&
         field(seq, 0, out.ticket_info) && field(seq, 1, out.nonce) &&
         field(seq, 2, out.timestamp) && field(seq, 3, out.usec) && field(seq, 4, out.s_address) &&
         field(seq, 5, out.r_address) && seq.finish();
}

void encode(der::Writer& out, const EncKrbCredPart& value) {
  out.application(application_tag::kEncKrbCredPart, [&] {
    out.sequence([&] {
      put(out, 0, value.ticket_info);
      put(out, 1, value.nonce);
      put(out, 2, value.timestamp);
      put(out, 3, value.usec);
      put(out, 4, value.s_address);
      put(out, 5, value.r_address);
    });
  });
}

Result<KrbCred> decode_krb_cred(Bytes bytes) {
  return decode_der<KrbCred>(bytes, "KRB-CRED");
}
Result<EncKrbCredPart> decode_enc_krb_cred_part(Bytes bytes) {
  return decode_der<EncKrbCredPart>(bytes, "EncKrbCredPart");
}

}  // namespace kerb
