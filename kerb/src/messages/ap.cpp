#include <kerb/messages/ap.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {
constexpr std::uint8_t kApReqTag = static_cast<std::uint8_t>(MessageType::kApReq);
constexpr std::uint8_t kApRepTag = static_cast<std::uint8_t>(MessageType::kApRep);
constexpr const char* kPvnoFault = "pvno must be 5";
constexpr const char* kMsgTypeFault = "msg-type does not match the application tag";
}  // namespace

bool decode(der::Reader& in, ApReq& out) {
  out = ApReq();
  der::Reader seq;
  return fields::application_sequence(in, kApReqTag, seq) &&
         fields::expect_int(seq, 0, kPvno, kPvnoFault) &&
         fields::expect_int(seq, 1, kApReqTag, kMsgTypeFault) && field(seq, 2, out.ap_options) &&
         field(seq, 3, out.ticket) &&
         fields::field_raw(seq, 4, out.authenticator, out.authenticator_raw) && seq.finish();
}

void encode(der::Writer& out, const ApReq& value) {
  out.application(kApReqTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kApReqTag});
      put(out, 2, value.ap_options);
      put(out, 3, value.ticket);
      fields::put_raw(out, 4, value.authenticator, value.authenticator_raw);
    });
  });
}

bool decode(der::Reader& in, Authenticator& out) {
  out = Authenticator();
  der::Reader seq;
  return fields::application_sequence(in, application_tag::kAuthenticator, seq) &&
         fields::expect_int(seq, 0, kPvno, "authenticator-vno must be 5") &&
         field(seq, 1, out.crealm) && field(seq, 2, out.cname) && field(seq, 3, out.cksum) &&
         field(seq, 4, out.cusec) && field(seq, 5, out.ctime) && field(seq, 6, out.subkey) &&
         field(seq, 7, out.seq_number) && field(seq, 8, out.authorization_data) && seq.finish();
}

void encode(der::Writer& out, const Authenticator& value) {
  out.application(application_tag::kAuthenticator, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, value.crealm);
      put(out, 2, value.cname);
      put(out, 3, value.cksum);
      put(out, 4, value.cusec);
      put(out, 5, value.ctime);
      put(out, 6, value.subkey);
      put(out, 7, value.seq_number);
      put(out, 8, value.authorization_data);
    });
  });
}

bool decode(der::Reader& in, ApRep& out) {
  out = ApRep();
  der::Reader seq;
  return fields::application_sequence(in, kApRepTag, seq) &&
         fields::expect_int(seq, 0, kPvno, kPvnoFault) &&
         fields::expect_int(seq, 1, kApRepTag, kMsgTypeFault) &&
         fields::field_raw(seq, 2, out.enc_part, out.enc_part_raw) && seq.finish();
}

void encode(der::Writer& out, const ApRep& value) {
  out.application(kApRepTag, [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, std::int32_t{kApRepTag});
      fields::put_raw(out, 2, value.enc_part, value.enc_part_raw);
    });
  });
}

bool decode(der::Reader& in, EncApRepPart& out) {
  out = EncApRepPart();
  der::Reader seq;
  return fields::application_sequence(in, application_tag::kEncApRepPart, seq) &&
         field(seq, 0, out.ctime) && field(seq, 1, out.cusec) && field(seq, 2, out.subkey) &&
         field(seq, 3, out.seq_number) && seq.finish();
}

void encode(der::Writer& out, const EncApRepPart& value) {
  out.application(application_tag::kEncApRepPart, [&] {
    out.sequence([&] {
      put(out, 0, value.ctime);
      put(out, 1, value.cusec);
      put(out, 2, value.subkey);
      put(out, 3, value.seq_number);
    });
  });
}

Result<ApReq> decode_ap_req(Bytes bytes) {
  return decode_der<ApReq>(bytes, "AP-REQ");
}
Result<Authenticator> decode_authenticator(Bytes bytes) {
  return decode_der<Authenticator>(bytes, "Authenticator");
}
Result<ApRep> decode_ap_rep(Bytes bytes) {
  return decode_der<ApRep>(bytes, "AP-REP");
}
Result<EncApRepPart> decode_enc_ap_rep_part(Bytes bytes) {
  return decode_der<EncApRepPart>(bytes, "EncAPRepPart");
}

}  // namespace kerb
