#include <kerb/messages/padata.hpp>

#include "fields.hpp"

namespace kerb {

using fields::field;
using fields::put;

bool decode(der::Reader& in, PaEncTsEnc& out) {
  der::Reader seq;
  out = PaEncTsEnc();
  return in.read_sequence(seq) && field(seq, 0, out.patimestamp) && field(seq, 1, out.pausec) &&
         seq.finish();
}

void encode(der::Writer& out, const PaEncTsEnc& value) {
  out.sequence([&] {
    put(out, 0, value.patimestamp);
    put(out, 1, value.pausec);
  });
}

bool decode(der::Reader& in, EtypeInfoEntry& out) {
  der::Reader seq;
  out = EtypeInfoEntry();
  return in.read_sequence(seq) && field(seq, 0, out.etype) && field(seq, 1, out.salt) &&
         seq.finish();
}

void encode(der::Writer& out, const EtypeInfoEntry& value) {
  out.sequence([&] {
    put(out, 0, value.etype);
    put(out, 1, value.salt);
  });
}

bool decode(der::Reader& in, EtypeInfo2Entry& out) {
  der::Reader seq;
  out = EtypeInfo2Entry();
  return in.read_sequence(seq) && field(seq, 0, out.etype) && field(seq, 1, out.salt) &&
         field(seq, 2, out.s2kparams) && seq.finish();
}

void encode(der::Writer& out, const EtypeInfo2Entry& value) {
  out.sequence([&] {
    put(out, 0, value.etype);
    put(out, 1, value.salt);
    put(out, 2, value.s2kparams);
  });
}

bool decode(der::Reader& in, PaPacRequest& out) {
  der::Reader seq;
  return in.read_sequence(seq) && field(seq, 0, out.include_pac) && seq.finish();
}

void encode(der::Writer& out, const PaPacRequest& value) {
  out.sequence([&] { put(out, 0, value.include_pac); });
}

Result<PaEncTsEnc> decode_pa_enc_ts_enc(Bytes bytes) {
  return decode_der<PaEncTsEnc>(bytes, "PA-ENC-TS-ENC");
}

Result<EtypeInfo> decode_etype_info(Bytes bytes) {
  return decode_der<EtypeInfo>(bytes, "ETYPE-INFO");
}

Result<EtypeInfo2> decode_etype_info2(Bytes bytes) {
  return fields::decode_whole<EtypeInfo2>(
      bytes, "ETYPE-INFO2", [](der::Reader& in, EtypeInfo2& out) {
        const std::size_t at = in.offset();
        return decode(in, out) && (!out.empty() || in.fault(at, "ETYPE-INFO2 must not be empty"));
      });
}

Result<PaPacRequest> decode_pa_pac_request(Bytes bytes) {
  return decode_der<PaPacRequest>(bytes, "KERB-PA-PAC-REQUEST");
}

std::optional<PaData> find_padata(const MethodData& method_data, std::int32_t type) noexcept {
  for (const PaData& pa : method_data) {
    if (pa.padata_type == type) return pa;
  }
  return std::nullopt;
}

}  // namespace kerb
