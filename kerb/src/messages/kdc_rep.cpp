#include <kerb/messages/kdc_rep.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

namespace {

constexpr std::uint8_t kAsRep = static_cast<std::uint8_t>(MessageType::kAsRep);
constexpr std::uint8_t kTgsRep = static_cast<std::uint8_t>(MessageType::kTgsRep);

bool decode_kdc_rep(der::Reader& in, KdcRep& out, std::uint8_t tag) {
  out = KdcRep();
  der::Reader seq;
  if (!fields::application_sequence(in, tag, seq)) return false;
  out.msg_type = static_cast<MessageType>(tag);
  return fields::expect_int(seq, 0, kPvno, "pvno must be 5") &&
         fields::expect_int(seq, 1, tag, "msg-type does not match the application tag") &&
         field(seq, 2, out.padata) && field(seq, 3, out.crealm) && field(seq, 4, out.cname) &&
         field(seq, 5, out.ticket) && fields::field_raw(seq, 6, out.enc_part, out.enc_part_raw) &&
         seq.finish();
}

}  // namespace

bool decode(der::Reader& in, KdcRep& out) {
  return decode_kdc_rep(in, out, fields::pick_application(in, {kAsRep, kTgsRep}));
}

void encode(der::Writer& out, const KdcRep& value) {
  const auto tag = static_cast<std::int32_t>(value.msg_type);
  out.application(static_cast<std::uint8_t>(tag), [&] {
    out.sequence([&] {
      put(out, 0, kPvno);
      put(out, 1, tag);
      put(out, 2, value.padata);
      put(out, 3, value.crealm);
      put(out, 4, value.cname);
      put(out, 5, value.ticket);
      fields::put_raw(out, 6, value.enc_part, value.enc_part_raw);
    });
  });
}

bool decode(der::Reader& in, EncKdcRepPart& out) {
  out = EncKdcRepPart();
  const std::uint8_t tag = fields::pick_application(
      in, {application_tag::kEncAsRepPart, application_tag::kEncTgsRepPart});
  der::Reader seq;
  if (!fields::application_sequence(in, tag, seq)) return false;
  out.tag = static_cast<EncKdcRepPartTag>(tag);
  return field(seq, 0, out.key) && field(seq, 1, out.last_req) && field(seq, 2, out.nonce) &&
         field(seq, 3, out.key_expiration) && field(seq, 4, out.flags) &&
         field(seq, 5, out.authtime) && field(seq, 6, out.starttime) &&
         field(seq, 7, out.endtime) && field(seq, 8, out.renew_till) && field(seq, 9, out.srealm) &&
         field(seq, 10, out.sname) && field(seq, 11, out.caddr) &&
         field(seq, 12, out.encrypted_pa_data) && seq.finish();
}

void encode(der::Writer& out, const EncKdcRepPart& value) {
  out.application(static_cast<std::uint8_t>(value.tag), [&] {
    out.sequence([&] {
      put(out, 0, value.key);
      put(out, 1, value.last_req);
      put(out, 2, value.nonce);
      put(out, 3, value.key_expiration);
      put(out, 4, value.flags);
      put(out, 5, value.authtime);
      put(out, 6, value.starttime);
      put(out, 7, value.endtime);
      put(out, 8, value.renew_till);
      put(out, 9, value.srealm);
      put(out, 10, value.sname);
      put(out, 11, value.caddr);
      put(out, 12, value.encrypted_pa_data);
    });
  });
}

Result<KdcRep> decode_as_rep(Bytes bytes) {
  return fields::decode_whole<KdcRep>(bytes, "AS-REP", [](der::Reader& in, KdcRep& out) {
    return decode_kdc_rep(in, out, kAsRep);
  });
}

Result<KdcRep> decode_tgs_rep(Bytes bytes) {
  return fields::decode_whole<KdcRep>(bytes, "TGS-REP", [](der::Reader& in, KdcRep& out) {
    return decode_kdc_rep(in, out, kTgsRep);
  });
}

Result<EncKdcRepPart> decode_enc_kdc_rep_part(Bytes bytes) {
  return decode_der<EncKdcRepPart>(bytes, "EncKDCRepPart");
}

std::optional<std::int32_t> peek_message_type(Bytes bytes) noexcept {
  if (bytes.empty()) return std::nullopt;
  const der::Tag tag = der::Tag::from_octet(bytes[0]);
  if (tag.tag_class() != der::TagClass::kApplication || !tag.constructed()) return std::nullopt;
  switch (static_cast<MessageType>(tag.number())) {
    case MessageType::kAsReq:
    case MessageType::kAsRep:
    case MessageType::kTgsReq:
    case MessageType::kTgsRep:
    case MessageType::kApReq:
    case MessageType::kApRep:
    case MessageType::kReserved16:
    case MessageType::kReserved17:
    case MessageType::kSafe:
    case MessageType::kPriv:
    case MessageType::kCred:
    case MessageType::kError:
      return tag.number();
  }
  return std::nullopt;
}

}  // namespace kerb
