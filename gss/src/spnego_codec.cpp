// SPNEGO (RFC 4178 §4.2) token codec: NegotiationToken, NegTokenInit framed as an
// InitialContextToken, NegTokenResp, and the MechTypeList a mechListMIC covers. Strict DER in,
// canonical DER out.
#include <kerb/gss/spnego.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>

#include <kerb/der/oid.hpp>
#include <kerb/der/tag.hpp>
#include <kerb/der/writer.hpp>

#include "spnego_util.hpp"

namespace kerb::gss {

namespace {

using detail::spnego::invalid_argument;
using detail::spnego::same;

Error der_fault(const der::Error& err, const char* what) {
  char text[112];
  err.format(text, sizeof(text));
  return Error::format(ErrorCategory::kDer, major_status::kDefectiveToken, "SPNEGO %s: %s", what,
                       text);
}

// --- decoding --------------------------------------------------------------------------------

// [n] EXPLICIT OCTET STRING, when present.
bool read_optional_octets(der::Reader& seq, std::uint8_t number, std::optional<Bytes>& out) {
  if (auto field = seq.read_optional(der::ctx(number))) {
    Bytes value;
    if (!field->read_octet_string(value) || !field->finish()) return false;
    out = value;
  }
  return seq.ok();
}

// After the known fields: RFC 4178's "..." admits extensions, but kerb knows none, and a field
// out of order is not DER. Either way, name it.
bool finish_fields(der::Reader& seq) {
  if (!seq.ok()) return false;
  if (!seq.empty()) return seq.fault(seq.offset(), "unknown or out-of-order field");
  return true;
}

// NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1], mechToken [2], mechListMIC [3] }
bool read_neg_token_init(der::Reader& in, NegTokenInit& out) {
  der::Reader seq;
  if (!in.read_sequence(seq)) return false;

  der::Reader field;
  if (!seq.read_element(der::ctx(0), field)) return false;
  der::Reader raw = field;  // the same element again, to keep its bytes for the MIC
  if (!raw.read_raw(der::tags::kSequence, out.mech_types_der)) return false;
  const std::size_t list_at = field.offset();
  der::Reader list;
  if (!field.read_sequence(list) || !field.finish()) return false;
  if (list.empty()) return list.fault(list_at, "mechTypes is empty");
  while (!list.empty()) {
    const std::size_t at = list.offset();
    Bytes oid;
    if (!list.read_oid(oid)) return false;
    if (out.mech_types.size() == NegTokenInit::kMaxMechTypes) {
      return list.fault(at, "more than 32 mechTypes");
    }
    out.mech_types.push_back(oid);
  }

  if (auto flags = seq.read_optional(der::ctx(1))) {
    der::BitString bits;
    if (!flags->read_bit_string(bits) || !flags->finish()) return false;
    out.req_flags = bits;
  }
  if (!seq.ok()) return false;
  if (!read_optional_octets(seq, 2, out.mech_token)) return false;
  if (!read_optional_octets(seq, 3, out.mech_list_mic)) return false;
  return finish_fields(seq);
}

// NegTokenResp ::= SEQUENCE { negState [0], supportedMech [1], responseToken [2],
//                             mechListMIC [3] }
bool read_neg_token_resp(der::Reader& in, NegTokenResp& out) {
  der::Reader seq;
  if (!in.read_sequence(seq)) return false;

  if (auto field = seq.read_optional(der::ctx(0))) {
    const std::size_t at = field->offset();
    std::int32_t state = 0;
    if (!field->read_enumerated(state) || !field->finish()) return false;
    if (state < 0 || state > 3) return field->fault(at, "unknown negState");
    out.neg_state = static_cast<NegState>(state);
  }
  if (!seq.ok()) return false;
  if (auto field = seq.read_optional(der::ctx(1))) {
    Bytes oid;
    if (!field->read_oid(oid) || !field->finish()) return false;
    out.supported_mech = oid;
  }
  if (!seq.ok()) return false;
  if (!read_optional_octets(seq, 2, out.response_token)) return false;
  if (!read_optional_octets(seq, 3, out.mech_list_mic)) return false;
  return finish_fields(seq);
}

// --- encoding --------------------------------------------------------------------------------

void write_mech_type_list(der::Writer& w, std::span<const Bytes> mech_types) {
  w.sequence([&] {
    for (Bytes oid : mech_types)
      w.write_oid(oid);
  });
}

Result<void> check_mech_types(std::span<const Bytes> mech_types) {
  if (mech_types.empty()) return invalid_argument("mechTypes is empty");
  if (mech_types.size() > NegTokenInit::kMaxMechTypes) {
    return invalid_argument("more than 32 mechTypes");
  }
  for (Bytes oid : mech_types) {
    if (!der::valid_oid(oid)) return invalid_argument("a mechType is not a valid OID");
  }
  return ok();
}

Result<std::vector<std::uint8_t>> take(der::Writer& w, const char* what) {
  if (!w.ok()) return invalid_argument(what);
  return w.take();
}

}  // namespace

bool is_krb5_mech(Bytes oid) noexcept {
  return same(oid, kKrb5MechOid) || same(oid, kKrb5LegacyMechOid);
}

Result<std::vector<std::uint8_t>> encode_mech_type_list(std::span<const Bytes> mech_types) {
  KERB_TRY_VOID(check_mech_types(mech_types));
  der::Writer w;
  write_mech_type_list(w, mech_types);
  return take(w, "cannot encode MechTypeList");
}

Result<std::vector<std::uint8_t>> encode_neg_token_init(const NegTokenInit& init) {
  KERB_TRY_VOID(check_mech_types(init.mech_types));
  der::Writer w;
  w.application(0, [&] {
    w.write_oid(kSpnegoMechOid);
    w.context(0, [&] {
      w.sequence([&] {
        w.context(0, [&] { write_mech_type_list(w, init.mech_types); });
        if (init.req_flags) {
          w.context(
              1, [&] { w.write_bit_string(init.req_flags->bytes, init.req_flags->unused_bits); });
        }
        if (init.mech_token) w.context(2, [&] { w.write_octet_string(*init.mech_token); });
        if (init.mech_list_mic) w.context(3, [&] { w.write_octet_string(*init.mech_list_mic); });
      });
    });
  });
  return take(w, "cannot encode NegTokenInit (invalid reqFlags?)");
}

Result<std::vector<std::uint8_t>> encode_neg_token_resp(const NegTokenResp& resp) {
  if (resp.neg_state && static_cast<std::uint8_t>(*resp.neg_state) > 3) {
    return invalid_argument("unknown negState");
  }
  der::Writer w;
  w.context(1, [&] {
    w.sequence([&] {
      if (resp.neg_state) {
        w.context(0, [&] { w.write_enumerated(static_cast<std::int32_t>(*resp.neg_state)); });
      }
      if (resp.supported_mech) w.context(1, [&] { w.write_oid(*resp.supported_mech); });
      if (resp.response_token) w.context(2, [&] { w.write_octet_string(*resp.response_token); });
      if (resp.mech_list_mic) w.context(3, [&] { w.write_octet_string(*resp.mech_list_mic); });
    });
  });
  return take(w, "cannot encode NegTokenResp (invalid supportedMech?)");
}

Result<NegTokenInit> decode_neg_token_init(Bytes token) {
  der::Error err;
  der::Reader in(token, err);
  der::Reader framed;
  if (!in.read_element(der::app(0), framed) || !in.finish()) {
    return der_fault(err, "initial token");
  }
  const std::size_t oid_at = framed.offset();
  Bytes oid;
  if (!framed.read_oid(oid)) return der_fault(err, "initial token");
  if (!same(oid, kSpnegoMechOid)) {
    framed.fault(oid_at, "not the SPNEGO mechanism OID");
    return der_fault(err, "initial token");
  }
  der::Reader choice;
  if (!framed.read_element(der::ctx(0), choice) || !framed.finish()) {
    return der_fault(err, "initial token");
  }
  NegTokenInit out;
  if (!read_neg_token_init(choice, out) || !choice.finish()) return der_fault(err, "NegTokenInit");
  return out;
}

Result<NegTokenResp> decode_neg_token_resp(Bytes token) {
  der::Error err;
  der::Reader in(token, err);
  der::Reader choice;
  if (!in.read_element(der::ctx(1), choice) || !in.finish()) return der_fault(err, "NegTokenResp");
  NegTokenResp out;
  if (!read_neg_token_resp(choice, out) || !choice.finish()) return der_fault(err, "NegTokenResp");
  return out;
}

Result<NegotiationToken> decode_negotiation_token(Bytes token) {
  NegotiationToken out;
  if (!token.empty() && token[0] == der::app(0).octet()) {
    KERB_TRY(out.init, decode_neg_token_init(token));
    return out;
  }
  if (!token.empty() && token[0] == der::ctx(0).octet()) {
    return Error(ErrorCategory::kDer, major_status::kDefectiveToken,
                 "SPNEGO token: a negTokenInit must be framed as an InitialContextToken at "
                 "offset 0");
  }
  KERB_TRY(out.resp, decode_neg_token_resp(token));
  return out;
}

}  // namespace kerb::gss
