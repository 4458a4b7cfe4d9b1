#include <kerb/messages/kdc_req.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

bool decode(der::Reader& in, KdcReqBody& out) {
  out = KdcReqBody();
  der::Reader whole = in;
  der::Reader seq;
  if (!in.read_raw(der::tags::kSequence, out.raw) || !whole.read_sequence(seq)) return false;
  return field(seq, 0, out.kdc_options) && field(seq, 1, out.cname) && field(seq, 2, out.realm) &&
         field(seq, 3, out.sname) && field(seq, 4, out.from) && field(seq, 5, out.till) &&
         field(seq, 6, out.rtime) && field(seq, 7, out.nonce) && field(seq, 8, out.etype) &&
         field(seq, 9, out.addresses) && field(seq, 10, out.enc_authorization_data) &&
         field(seq, 11, out.additional_tickets) && seq.finish();
}

void encode(der::Writer& out, const KdcReqBody& value) {
  if (!value.raw.empty()) return out.write_raw(value.raw);
  out.sequence([&] {
    put(out, 0, value.kdc_options);
    put(out, 1, value.cname);
    put(out, 2, value.realm);
    put(out, 3, value.sname);
    put(out, 4, value.from);
    put(out, 5, value.till);
    put(out, 6, value.rtime);
    put(out, 7, value.nonce);
    put(out, 8, value.etype);
    put(out, 9, value.addresses);
    put(out, 10, value.enc_authorization_data);
    put(out, 11, value.additional_tickets);
  });
}

namespace {

constexpr std::uint8_t kAsReq = static_cast<std::uint8_t>(MessageType::kAsReq);
constexpr std::uint8_t kTgsReq = static_cast<std::uint8_t>(MessageType::kTgsReq);

// The application tag must be `tag`; msg-type must equal it.
bool decode_kdc_req(der::Reader& in, KdcReq& out, std::uint8_t tag) {
  out = KdcReq();
  der::Reader seq;
  if (!fields::application_sequence(in, tag, seq)) return false;
  out.msg_type = static_cast<MessageType>(tag);
  return fields::expect_int(seq, 1, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 2, tag, "msg-type does not match the application tag") &&
         field(seq, 3, out.padata) && field(seq, 4, out.req_body) && seq.finish();
}

}  // namespace

bool decode(der::Reader& in, KdcReq& out) {
  return decode_kdc_req(in, out, fields::pick_application(in, {kAsReq, kTgsReq}));
}

void encode(der::Writer& out, const KdcReq& value) {
  const auto tag = static_cast<std::int32_t>(value.msg_type);
  out.application(static_cast<std::uint8_t>(tag), [&] {
    out.sequence([&] {
      put(out, 1, kPvno);
      put(out, 2, tag);
      put(out, 3, value.padata);
      put(out, 4, value.req_body);
    });
  });
}

Result<KdcReq> decode_as_req(Bytes bytes) {
  return fields::decode_whole<KdcReq>(bytes, "AS-REQ", [](der::Reader& in, KdcReq& out) {
    return decode_kdc_req(in, out, kAsReq);
  });
}

Result<KdcReq> decode_tgs_req(Bytes bytes) {
  return fields::decode_whole<KdcReq>(bytes, "TGS-REQ", [](der::Reader& in, KdcReq& out) {
    return decode_kdc_req(in, out, kTgsReq);
  });
}

Result<KdcReqBody> decode_kdc_req_body(Bytes bytes) {
  return decode_der<KdcReqBody>(bytes, "KDC-REQ-BODY");
}

}  // namespace kerb
