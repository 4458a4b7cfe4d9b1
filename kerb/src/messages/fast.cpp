#include <kerb/messages/fast.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

bool decode(der::Reader& in, KrbFastArmor& out) {
  der::Reader seq;
  out = KrbFastArmor();
  return in.read_sequence(seq) && field(seq, 0, out.armor_type) && field(seq, 1, out.armor_value) &&
         seq.finish();
}

void encode(der::Writer& out, const KrbFastArmor& value) {
  out.sequence([&] {
    put(out, 0, value.armor_type);
    put(out, 1, value.armor_value);
  });
}

bool decode(der::Reader& in, KrbFastArmoredReq& out) {
  der::Reader seq;
  out = KrbFastArmoredReq();
  return in.read_sequence(seq) && field(seq, 0, out.armor) && field(seq, 1, out.req_checksum) &&
         field(seq, 2, out.enc_fast_req) && seq.finish();
}

void encode(der::Writer& out, const KrbFastArmoredReq& value) {
  out.sequence([&] {
    put(out, 0, value.armor);
    put(out, 1, value.req_checksum);
    put(out, 2, value.enc_fast_req);
  });
}

// The CHOICE's only alternative kerb knows: [0]. Another tag is a fault at its offset.
bool decode(der::Reader& in, PaFxFastRequest& out) {
  out = PaFxFastRequest();
  return field(in, 0, out.armored_data);
}

void encode(der::Writer& out, const PaFxFastRequest& value) {
  put(out, 0, value.armored_data);
}

bool decode(der::Reader& in, KrbFastReq& out) {
  der::Reader seq;
  out = KrbFastReq();
  return in.read_sequence(seq) && field(seq, 0, out.fast_options) && field(seq, 1, out.padata) &&
         field(seq, 2, out.req_body) && seq.finish();
}

void encode(der::Writer& out, const KrbFastReq& value) {
  out.sequence([&] {
    put(out, 0, value.fast_options);
    put(out, 1, value.padata);
    put(out, 2, value.req_body);
  });
}

bool decode(der::Reader& in, KrbFastFinished& out) {
  der::Reader seq;
  out = KrbFastFinished();
  return in.read_sequence(seq) && field(seq, 0, out.timestamp) && field(seq, 1, out.usec) &&
         field(seq, 2, out.crealm) && field(seq, 3, out.cname) &&
         field(seq, 4, out.ticket_checksum) && seq.finish();
}

void encode(der::Writer& out, const KrbFastFinished& value) {
  out.sequence([&] {
    put(out, 0, value.timestamp);
    put(out, 1, value.usec);
    put(out, 2, value.crealm);
    put(out, 3, value.cname);
    put(out, 4, value.ticket_checksum);
  });
}

bool decode(der::Reader& in, KrbFastResponse& out) {
  der::Reader seq;
  out = KrbFastResponse();
  return in.read_sequence(seq) && field(seq, 0, out.padata) && field(seq, 1, out.strengthen_key) &&
         field(seq, 2, out.finished) && field(seq, 3, out.nonce) && seq.finish();
}

void encode(der::Writer& out, const KrbFastResponse& value) {
  out.sequence([&] {
    put(out, 0, value.padata);
    put(out, 1, value.strengthen_key);
    put(out, 2, value.finished);
    put(out, 3, value.nonce);
  });
}

bool decode(der::Reader& in, KrbFastArmoredRep& out) {
  der::Reader seq;
  out = KrbFastArmoredRep();
  return in.read_sequence(seq) && field(seq, 0, out.enc_fast_rep) && seq.finish();
}

void encode(der::Writer& out, const KrbFastArmoredRep& value) {
  out.sequence([&] { put(out, 0, value.enc_fast_rep); });
}

bool decode(der::Reader& in, PaFxFastReply& out) {
  out = PaFxFastReply();
  return field(in, 0, out.armored_data);
}

void encode(der::Writer& out, const PaFxFastReply& value) {
  put(out, 0, value.armored_data);
}

Result<PaFxFastRequest> decode_pa_fx_fast_request(Bytes bytes) {
  return decode_der<PaFxFastRequest>(bytes, "PA-FX-FAST-REQUEST");
}

Result<KrbFastReq> decode_krb_fast_req(Bytes bytes) {
  return decode_der<KrbFastReq>(bytes, "KrbFastReq");
}

Result<PaFxFastReply> decode_pa_fx_fast_reply(Bytes bytes) {
  return decode_der<PaFxFastReply>(bytes, "PA-FX-FAST-REPLY");
}

Result<KrbFastResponse> decode_krb_fast_response(Bytes bytes) {
  return decode_der<KrbFastResponse>(bytes, "KrbFastResponse");
}

Result<KrbFastFinished> decode_krb_fast_finished(Bytes bytes) {
  return decode_der<KrbFastFinished>(bytes, "KrbFastFinished");
}

}  // namespace kerb
