// kerb_messages_fuzz: every RFC 4120 message decoder on arbitrary bytes. Nothing may crash or
// read out of bounds; a failure is a kDer error naming the type; and whatever decodes must
// re-encode to exactly the input (DER is canonical, DESIGN.md convention 7) -- with a growable,
// a fixed-size and a counting writer alike, and also after dropping the raw bytes a decode
// keeps (DESIGN.md convention 8), which proves the fields say what the raw bytes say.
//
// Input layout:
//   byte 0   decoder: kDecoders[b % kDecoderCount] (the table below; the seeds in
//            corpus/kerb_messages start with the index of their decoder)
//   rest     the encoding
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/krb_priv.hpp>
#include <kerb/messages/krb_safe.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace {

using kerb::test::ByteView;

bool same(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The value re-encodes to `expected` in every writer mode.
template <class T>
void check_encodes_to(const T& value, ByteView expected) {
  kerb::der::Writer growable;
  encode(growable, value);
  FUZZ_CHECK(growable.ok());
  FUZZ_CHECK(same(growable.bytes(), expected));

  kerb::der::Writer counting = kerb::der::Writer::counting();
  encode(counting, value);
  FUZZ_CHECK(counting.ok());
  FUZZ_CHECK(counting.size() == expected.size());

  std::vector<std::uint8_t> buffer(expected.size());
  kerb::der::Writer fixed{std::span<std::uint8_t>(buffer)};
  encode(fixed, value);
  FUZZ_CHECK(fixed.ok());
  FUZZ_CHECK(same(fixed.bytes(), expected));
  if (!buffer.empty()) {
    std::vector<std::uint8_t> small(expected.size() - 1);
    kerb::der::Writer too_small{std::span<std::uint8_t>(small)};
    encode(too_small, value);
    FUZZ_CHECK(too_small.error() == kerb::der::WriteError::kBufferTooSmall);
    FUZZ_CHECK(too_small.size() == expected.size());
  }
}

template <class T>
void check_failure(const kerb::Result<T>& r, std::string_view what) {
  FUZZ_CHECK(r.error().category() == kerb::ErrorCategory::kDer);
  const std::string_view detail = r.error().detail();
  FUZZ_CHECK(detail.substr(0, what.size()) == what);
}

// A PA-DATA value whose type has a decoder here is decoded too; if it decodes, it re-encodes.
void check_padata_value(const kerb::PaData& pa) {
  namespace pt = kerb::padata_type;
  const ByteView v = pa.padata_value;
  switch (pa.padata_type) {
    case pt::kPaEtypeInfo2:
      if (auto r = kerb::decode_etype_info2(v)) check_encodes_to(*r, v);
      break;
    case pt::kPaEtypeInfo:
      if (auto r = kerb::decode_etype_info(v)) check_encodes_to(*r, v);
      break;
    case pt::kPaEncTimestamp:
    case pt::kPaFxCookie:
      if (auto r = kerb::decode_der<kerb::EncryptedData>(v, "EncryptedData"))
        check_encodes_to(*r, v);
      break;
    case pt::kPaPacRequest:
      if (auto r = kerb::decode_pa_pac_request(v)) check_encodes_to(*r, v);
      break;
    case pt::kPaTgsReq:
      if (auto r = kerb::decode_ap_req(v)) check_encodes_to(*r, v);
      break;
    default:
      break;
  }
}

void check_padata(const std::optional<kerb::MethodData>& padata) {
  if (!padata) return;
  std::size_t n = 0;
  for (const kerb::PaData& pa : *padata) {
    check_padata_value(pa);
    ++n;
  }
  FUZZ_CHECK(n == padata->size());
}

void check_message_type(ByteView input, kerb::MessageType type) {
  FUZZ_CHECK(kerb::peek_message_type(input) == static_cast<std::int32_t>(type));
}

// --- one function per decoder ------------------------------------------------------------

void kdc_req(ByteView in, const kerb::Result<kerb::KdcReq>& r, std::string_view what) {
  if (!r) return check_failure(r, what);
  check_encodes_to(*r, in);
  check_message_type(in, r->msg_type);
  kerb::KdcReq fields = *r;
  fields.req_body.raw = {};
  check_encodes_to(fields, in);
  check_padata(r->padata);
}

void kdc_rep(ByteView in, const kerb::Result<kerb::KdcRep>& r, std::string_view what) {
  if (!r) return check_failure(r, what);
  check_encodes_to(*r, in);
  check_message_type(in, r->msg_type);
  kerb::KdcRep fields = *r;
  fields.ticket.raw = {};
  fields.enc_part_raw = {};
  check_encodes_to(fields, in);
  check_padata(r->padata);
}

void as_req(ByteView in) {
  kdc_req(in, kerb::decode_as_req(in), "AS-REQ");
}
void tgs_req(ByteView in) {
  kdc_req(in, kerb::decode_tgs_req(in), "TGS-REQ");
}
void any_kdc_req(ByteView in) {
  kdc_req(in, kerb::decode_der<kerb::KdcReq>(in, "KDC-REQ"), "KDC-REQ");
}
void as_rep(ByteView in) {
  kdc_rep(in, kerb::decode_as_rep(in), "AS-REP");
}
void tgs_rep(ByteView in) {
  kdc_rep(in, kerb::decode_tgs_rep(in), "TGS-REP");
}
void any_kdc_rep(ByteView in) {
  kdc_rep(in, kerb::decode_der<kerb::KdcRep>(in, "KDC-REP"), "KDC-REP");
}

void kdc_req_body(ByteView in) {
  const auto r = kerb::decode_kdc_req_body(in);
  if (!r) return check_failure(r, "KDC-REQ-BODY");
  FUZZ_CHECK(same(r->raw, in));
  kerb::KdcReqBody fields = *r;
  fields.raw = {};
  check_encodes_to(fields, in);
}

void ap_req(ByteView in) {
  const auto r = kerb::decode_ap_req(in);
  if (!r) return check_failure(r, "AP-REQ");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kApReq);
  kerb::ApReq fields = *r;
  fields.ticket.raw = {};
  fields.authenticator_raw = {};
  check_encodes_to(fields, in);
}

void ap_rep(ByteView in) {
  const auto r = kerb::decode_ap_rep(in);
  if (!r) return check_failure(r, "AP-REP");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kApRep);
  kerb::ApRep fields = *r;
  fields.enc_part_raw = {};
  check_encodes_to(fields, in);
}

void krb_safe(ByteView in) {
  const auto r = kerb::decode_krb_safe(in);
  if (!r) return check_failure(r, "KRB-SAFE");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kSafe);
  kerb::KrbSafe fields = *r;
  fields.safe_body.raw = {};
  check_encodes_to(fields, in);
}

void krb_priv(ByteView in) {
  const auto r = kerb::decode_krb_priv(in);
  if (!r) return check_failure(r, "KRB-PRIV");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kPriv);
  kerb::KrbPriv fields = *r;
  fields.enc_part_raw = {};
  check_encodes_to(fields, in);
}

void krb_cred(ByteView in) {
  const auto r = kerb::decode_krb_cred(in);
  if (!r) return check_failure(r, "KRB-CRED");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kCred);
  kerb::KrbCred fields = *r;
  fields.enc_part_raw = {};
  check_encodes_to(fields, in);
}

void krb_error(ByteView in) {
  const auto r = kerb::decode_krb_error(in);
  if (!r) return check_failure(r, "KRB-ERROR");
  check_encodes_to(*r, in);
  check_message_type(in, kerb::MessageType::kError);
  const kerb::Error e = kerb::to_error(*r);
  FUZZ_CHECK(e.category() == kerb::ErrorCategory::kKdc && e.code() == r->error_code);
  if (r->e_data) {
    if (auto md = kerb::decode_method_data(*r->e_data)) {
      check_encodes_to(*md, *r->e_data);
      check_padata(*md);
    }
    if (auto td = kerb::decode_typed_data(*r->e_data)) check_encodes_to(*td, *r->e_data);
  }
}

template <class T, kerb::Result<T> (*Decode)(ByteView)>
void simple(ByteView in, std::string_view what) {
  const kerb::Result<T> r = Decode(in);
  if (!r) return check_failure(r, what);
  check_encodes_to(*r, in);
}

template <class T>
void plain(ByteView in, std::string_view what) {
  const kerb::Result<T> r = kerb::decode_der<T>(in, what);
  if (!r) return check_failure(r, what);
  check_encodes_to(*r, in);
}

void ticket(ByteView in) {
  const auto r = kerb::decode_der<kerb::Ticket>(in, "Ticket");
  if (!r) return check_failure(r, "Ticket");
  FUZZ_CHECK(same(r->raw, in));
  check_encodes_to(*r, in);
  kerb::Ticket fields = *r;
  fields.raw = {};
  check_encodes_to(fields, in);
}

struct Decoder {
  const char* name;
  void (*run)(ByteView);
};

// Index = the first byte of a seed. Append only: the seeds depend on the order.
constexpr Decoder kDecoders[] = {
    {"AS-REQ", as_req},
    {"TGS-REQ", tgs_req},
    {"KDC-REQ-BODY", kdc_req_body},
    {"AS-REP", as_rep},
    {"TGS-REP", tgs_rep},
    {"EncKDCRepPart",
     [](ByteView in) {
       simple<kerb::EncKdcRepPart, kerb::decode_enc_kdc_rep_part>(in, "EncKDCRepPart");
     }},
    {"AP-REQ", ap_req},
    {"Authenticator",
     [](ByteView in) {
       simple<kerb::Authenticator, kerb::decode_authenticator>(in, "Authenticator");
     }},
    {"AP-REP", ap_rep},
    {"EncAPRepPart",
     [](ByteView in) {
       simple<kerb::EncApRepPart, kerb::decode_enc_ap_rep_part>(in, "EncAPRepPart");
     }},
    {"KRB-SAFE", krb_safe},
    {"KRB-PRIV", krb_priv},
    {"EncKrbPrivPart",
     [](ByteView in) {
       simple<kerb::EncKrbPrivPart, kerb::decode_enc_krb_priv_part>(in, "EncKrbPrivPart");
     }},
    {"KRB-CRED", krb_cred},
    {"EncKrbCredPart",
     [](ByteView in) {
       simple<kerb::EncKrbCredPart, kerb::decode_enc_krb_cred_part>(in, "EncKrbCredPart");
     }},
    {"KRB-ERROR", krb_error},
    {"METHOD-DATA",
     [](ByteView in) { simple<kerb::MethodData, kerb::decode_method_data>(in, "METHOD-DATA"); }},
    {"TYPED-DATA",
     [](ByteView in) { simple<kerb::TypedData, kerb::decode_typed_data>(in, "TYPED-DATA"); }},
    {"PA-ENC-TS-ENC",
     [](ByteView in) {
       simple<kerb::PaEncTsEnc, kerb::decode_pa_enc_ts_enc>(in, "PA-ENC-TS-ENC");
     }},
    {"ETYPE-INFO",
     [](ByteView in) { simple<kerb::EtypeInfo, kerb::decode_etype_info>(in, "ETYPE-INFO"); }},
    {"ETYPE-INFO2",
     [](ByteView in) { simple<kerb::EtypeInfo2, kerb::decode_etype_info2>(in, "ETYPE-INFO2"); }},
    {"KERB-PA-PAC-REQUEST",
     [](ByteView in) {
       simple<kerb::PaPacRequest, kerb::decode_pa_pac_request>(in, "KERB-PA-PAC-REQUEST");
     }},
    {"Ticket", ticket},
    {"EncTicketPart", [](ByteView in) { plain<kerb::EncTicketPart>(in, "EncTicketPart"); }},
    {"AuthorizationData",
     [](ByteView in) { plain<kerb::AuthorizationData>(in, "AuthorizationData"); }},
    {"EncryptedData", [](ByteView in) { plain<kerb::EncryptedData>(in, "EncryptedData"); }},
    {"KDC-REQ (either)", any_kdc_req},
    {"KDC-REP (either)", any_kdc_rep},
    {"EncryptionKey", [](ByteView in) { plain<kerb::EncryptionKey>(in, "EncryptionKey"); }},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Decoder& decoder = kDecoders[data[0] % std::size(kDecoders)];
  decoder.run(ByteView(data + 1, size - 1));
  return 0;
}
