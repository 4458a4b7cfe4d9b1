// Encoding values built field by field: each must produce exactly MIT's reference bytes for
// the same sample values; raw bytes kept by decode travel unchanged (DESIGN.md convention 8);
// peek_message_type and the constants tables.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include <kerb/constants.hpp>

#include "message_test_util.hpp"

using namespace kerb;
using kerb::test::bytes_of;
using kerb::test::ByteView;
using kerb::test::encode_to_vector;
using kerb::test::kHexSpaced;
using kerb::test::reference;
using kerb::test::to_hex;

namespace {

// MIT's sample values (src/tests/asn.1/ktest.c): these builders are the test's own.
constexpr KerberosTime kTime{771228197};  // 1994-06-10T06:03:17Z
constexpr Microseconds kUsec{123456};
constexpr std::string_view kRealm = "ATHENA.MIT.EDU";

PrincipalName sample_principal() {
  return PrincipalName(NameType::kPrincipal, {"hftsai", "extra"});
}

EncryptedData sample_enc_data() {
  return EncryptedData{crypto::EncType{0}, 5u, bytes_of("krbASN.1 test message")};
}

Ticket sample_ticket() {
  Ticket t;
  t.realm = kRealm;
  t.sname = sample_principal();
  t.enc_part = sample_enc_data();
  return t;
}

EncryptionKey sample_key() {
  return EncryptionKey{crypto::EncType{1}, bytes_of("12345678")};
}

const std::array<std::uint8_t, 4> kAddress = {0x12, 0xD0, 0x00, 0x23};
HostAddress sample_address() {
  return HostAddress{address_type::kIpv4, kAddress};
}
const std::array<HostAddress, 2> kAddresses = {sample_address(), sample_address()};

const std::array<PaData, 2> kPadata = {PaData{13, bytes_of("pa-data")},
                                       PaData{13, bytes_of("pa-data")}};

void check_encodes_to(const test::Bytes& encoded, const char* reference_name) {
  INFO(reference_name);
  CHECK(to_hex(encoded, kHexSpaced) == to_hex(reference(reference_name), kHexSpaced));
}

}  // namespace

TEST_CASE("Authenticator built from fields encodes as MIT's reference") {
  const std::array<AuthorizationDataEntry, 2> ad = {AuthorizationDataEntry{1, bytes_of("foobar")},
                                                    AuthorizationDataEntry{1, bytes_of("foobar")}};
  Authenticator a;
  a.crealm = kRealm;
  a.cname = sample_principal();
  a.cksum = Checksum{1, bytes_of("1234")};
  a.cusec = kUsec;
  a.ctime = kTime;
  a.subkey = sample_key();
  a.seq_number = 17;
  a.authorization_data = AuthorizationData(ad);
  check_encodes_to(encode_to_vector(a), "encode_krb5_authenticator");

  a.cksum.reset();
  a.subkey.reset();
  a.seq_number.reset();
  a.authorization_data.reset();
  check_encodes_to(encode_to_vector(a), "encode_krb5_authenticator(optionals empty)");
}

TEST_CASE("AS-REQ and TGS-REQ built from fields encode as MIT's reference") {
  const std::array<crypto::EncType, 2> etypes = {crypto::EncType{0}, crypto::EncType{1}};
  const std::array<Ticket, 2> tickets = {sample_ticket(), sample_ticket()};
  KdcReq req;
  req.msg_type = MessageType::kAsReq;
  req.padata = MethodData(kPadata);
  KdcReqBody& body = req.req_body;
  body.kdc_options = KerberosFlags{0xFEDCBA90u};
  body.cname = sample_principal();
  body.realm = kRealm;
  body.sname = sample_principal();
  body.from = kTime;
  body.till = kTime;
  body.rtime = kTime;
  body.nonce = 42;
  body.etype = EtypeList(etypes);
  body.addresses = HostAddresses(kAddresses);
  body.enc_authorization_data = sample_enc_data();
  body.additional_tickets = SequenceOf<Ticket>(tickets);
  check_encodes_to(encode_to_vector(req), "encode_krb5_as_req");

  // Optionals NULL except server: no padata, cname, from, rtime, addresses, ad, tickets.
  KdcReq bare;
  bare.msg_type = MessageType::kTgsReq;
  bare.req_body.kdc_options = KerberosFlags{0xFEDCBA90u};
  bare.req_body.realm = kRealm;
  bare.req_body.sname = sample_principal();
  bare.req_body.till = kTime;
  bare.req_body.nonce = 42;
  bare.req_body.etype = EtypeList(etypes);
  check_encodes_to(encode_to_vector(bare), "encode_krb5_tgs_req(optionals NULL except server)");
  check_encodes_to(encode_to_vector(bare.req_body),
                   "encode_krb5_kdc_req_body(optionals NULL except server)");
  bare.msg_type = MessageType::kAsReq;
  check_encodes_to(encode_to_vector(bare), "encode_krb5_as_req(optionals NULL except server)");
}

TEST_CASE("req-body raw bytes: encode once, checksum, reuse") {
  // The TGS flow: encode the body alone (to checksum it), keep those bytes as raw, then encode
  // the request, which must carry exactly the checksummed bytes.
  const std::array<crypto::EncType, 3> etypes = {crypto::EncType{18}, crypto::EncType{17},
                                                 crypto::EncType{20}};
  KdcReq req;
  req.msg_type = MessageType::kTgsReq;
  req.req_body.realm = "KERB.TEST";
  req.req_body.sname = PrincipalName(NameType::kSrvHst, {"host", "server.kerb.test"});
  req.req_body.till = KerberosTime{1700000000};
  req.req_body.nonce = 0x7FFFFFFF;
  req.req_body.etype = EtypeList(etypes);
  const test::Bytes without_raw = encode_to_vector(req);
  const test::Bytes body = encode_to_vector(req.req_body);
  req.req_body.raw = body;
  CHECK(encode_to_vector(req) == without_raw);

  // A decoded request keeps the body as received, even if a field is changed afterwards;
  // clearing raw re-encodes the fields.
  Result<KdcReq> decoded = decode_tgs_req(without_raw);
  REQUIRE(decoded.ok());
  CHECK(to_hex(decoded->req_body.raw, kHexSpaced) == to_hex(body, kHexSpaced));
  decoded->req_body.nonce = 1;
  CHECK(encode_to_vector(*decoded) == without_raw);
  decoded->req_body.raw = {};
  CHECK(encode_to_vector(*decoded) != without_raw);
  std::vector<crypto::EncType> round(decoded->req_body.etype.begin(),
                                     decoded->req_body.etype.end());
  CHECK(round == std::vector<crypto::EncType>{crypto::EncType{18}, crypto::EncType{17},
                                              crypto::EncType{20}});
}

TEST_CASE("AS-REP, TGS-REP and EncKDCRepPart built from fields encode as MIT's reference") {
  KdcRep rep;
  rep.msg_type = MessageType::kAsRep;
  rep.padata = MethodData(kPadata);
  rep.crealm = kRealm;
  rep.cname = sample_principal();
  rep.ticket = sample_ticket();
  rep.enc_part = sample_enc_data();
  check_encodes_to(encode_to_vector(rep), "encode_krb5_as_rep");
  rep.msg_type = MessageType::kTgsRep;
  check_encodes_to(encode_to_vector(rep), "encode_krb5_tgs_rep");
  rep.padata.reset();
  check_encodes_to(encode_to_vector(rep), "encode_krb5_tgs_rep(optionals NULL)");

  const std::array<LastReqEntry, 2> last_req = {LastReqEntry{-5, kTime}, LastReqEntry{-5, kTime}};
  EncKdcRepPart part;
  part.tag = EncKdcRepPartTag::kEncTgsRepPart;
  part.key = sample_key();
  part.last_req = LastReq(last_req);
  part.nonce = 42;
  part.key_expiration = kTime;
  part.flags = KerberosFlags{0xFEDCBA98u};
  part.authtime = kTime;
  part.starttime = kTime;
  part.endtime = kTime;
  part.renew_till = kTime;
  part.srealm = kRealm;
  part.sname = sample_principal();
  part.caddr = HostAddresses(kAddresses);
  check_encodes_to(encode_to_vector(part), "encode_krb5_enc_kdc_rep_part");
}

TEST_CASE("AP-REQ, AP-REP, EncAPRepPart built from fields encode as MIT's reference") {
  ApReq req;
  req.ap_options = KerberosFlags{0xFEDCBA98u};
  req.ticket = sample_ticket();
  req.authenticator = sample_enc_data();
  check_encodes_to(encode_to_vector(req), "encode_krb5_ap_req");

  // A ticket kept from a reply (Ticket::raw) is written as it came.
  const test::Bytes ticket_bytes = reference("encode_krb5_ticket");
  Ticket kept;
  kept.raw = ticket_bytes;
  req.ticket = kept;
  check_encodes_to(encode_to_vector(req), "encode_krb5_ap_req");

  ApRep rep;
  rep.enc_part = sample_enc_data();
  check_encodes_to(encode_to_vector(rep), "encode_krb5_ap_rep");

  EncApRepPart part;
  part.ctime = kTime;
  part.cusec = kUsec;
  part.subkey = sample_key();
  part.seq_number = 17;
  check_encodes_to(encode_to_vector(part), "encode_krb5_ap_rep_enc_part");
  part.subkey.reset();
  part.seq_number.reset();
  check_encodes_to(encode_to_vector(part), "encode_krb5_ap_rep_enc_part(optionals NULL)");
}

TEST_CASE("KRB-SAFE, KRB-PRIV, EncKrbPrivPart built from fields encode as MIT's reference") {
  KrbSafe safe;
  safe.safe_body.user_data = bytes_of("krb5data");
  safe.safe_body.timestamp = kTime;
  safe.safe_body.usec = kUsec;
  safe.safe_body.seq_number = 17;
  safe.safe_body.s_address = sample_address();
  safe.safe_body.r_address = sample_address();
  safe.cksum = Checksum{1, bytes_of("1234")};
  check_encodes_to(encode_to_vector(safe), "encode_krb5_safe");
  safe.safe_body.timestamp.reset();
  safe.safe_body.usec.reset();
  safe.safe_body.seq_number.reset();
  safe.safe_body.r_address.reset();
  check_encodes_to(encode_to_vector(safe), "encode_krb5_safe(optionals NULL)");

  KrbPriv priv;
  priv.enc_part = sample_enc_data();
  check_encodes_to(encode_to_vector(priv), "encode_krb5_priv");

  EncKrbPrivPart part;
  part.user_data = bytes_of("krb5data");
  part.timestamp = kTime;
  part.usec = kUsec;
  part.seq_number = 17;
  part.s_address = sample_address();
  part.r_address = sample_address();
  check_encodes_to(encode_to_vector(part), "encode_krb5_enc_priv_part");
}

TEST_CASE("KRB-CRED and EncKrbCredPart built from fields encode as MIT's reference") {
  const std::array<Ticket, 2> tickets = {sample_ticket(), sample_ticket()};
  KrbCred cred;
  cred.tickets = SequenceOf<Ticket>(tickets);
  cred.enc_part = sample_enc_data();
  check_encodes_to(encode_to_vector(cred), "encode_krb5_cred");

  KrbCredInfo full;
  full.key = sample_key();
  full.prealm = kRealm;
  full.pname = sample_principal();
  full.flags = KerberosFlags{0xFEDCBA98u};
  full.authtime = kTime;
  full.starttime = kTime;
  full.endtime = kTime;
  full.renew_till = kTime;
  full.srealm = kRealm;
  full.sname = sample_principal();
  full.caddr = HostAddresses(kAddresses);
  KrbCredInfo key_only;
  key_only.key = sample_key();
  const std::array<KrbCredInfo, 2> infos = {key_only, full};
  EncKrbCredPart part;
  part.ticket_info = SequenceOf<KrbCredInfo>(infos);
  check_encodes_to(encode_to_vector(part), "encode_krb5_enc_cred_part(optionals NULL)");
}

TEST_CASE("KRB-ERROR built from fields encodes as MIT's reference") {
  KrbError e;
  e.ctime = kTime;
  e.cusec = kUsec;
  e.stime = kTime;
  e.susec = kUsec;
  e.error_code = error_code::kKrbErrGeneric;
  e.crealm = kRealm;
  e.cname = sample_principal();
  e.realm = kRealm;
  e.sname = sample_principal();
  e.e_text = "krb5data";
  e.e_data = bytes_of("krb5data");
  check_encodes_to(encode_to_vector(e), "encode_krb5_error");
  e.ctime.reset();
  e.crealm.reset();
  e.cname.reset();
  e.e_text.reset();
  e.e_data.reset();
  check_encodes_to(encode_to_vector(e), "encode_krb5_error(optionals NULL)");
}

TEST_CASE("PA-DATA values built from fields encode as MIT's reference") {
  PaEncTsEnc ts{kTime, kUsec};
  check_encodes_to(encode_to_vector(ts), "encode_krb5_pa_enc_ts");
  ts.pausec.reset();
  check_encodes_to(encode_to_vector(ts), "encode_krb5_pa_enc_ts (no usec)");

  const std::array<EtypeInfoEntry, 3> info = {
      EtypeInfoEntry{crypto::EncType{0}, bytes_of("Morton's #0")},
      EtypeInfoEntry{crypto::EncType{1}, std::nullopt},
      EtypeInfoEntry{crypto::EncType{2}, bytes_of("Morton's #2")}};
  check_encodes_to(encode_to_vector(EtypeInfo(info)), "encode_krb5_etype_info");
  check_encodes_to(encode_to_vector(EtypeInfo()), "encode_krb5_etype_info (no info)");

  const std::array<EtypeInfo2Entry, 3> info2 = {
      EtypeInfo2Entry{crypto::EncType{0}, "Morton's #0", bytes_of("s2k: 0")},
      EtypeInfo2Entry{crypto::EncType{1}, std::nullopt, bytes_of("s2k: 1")},
      EtypeInfo2Entry{crypto::EncType{2}, "Morton's #2", bytes_of("s2k: 2")}};
  check_encodes_to(encode_to_vector(EtypeInfo2(info2)), "encode_krb5_etype_info2");

  check_encodes_to(encode_to_vector(MethodData(kPadata)), "encode_krb5_padata_sequence");
  check_encodes_to(encode_to_vector(MethodData()), "encode_krb5_padata_sequence(empty)");
}

TEST_CASE("PA-PAC-REQUEST and TYPED-DATA: exact bytes both ways") {
  const test::Bytes pac_true = test::hex("30 05 A0 03 01 01 FF");
  CHECK(encode_to_vector(PaPacRequest{true}) == pac_true);
  CHECK(encode_to_vector(PaPacRequest{false}) == test::hex("30 05 A0 03 01 01 00"));
  const Result<PaPacRequest> pac = decode_pa_pac_request(test::hex("30 05 A0 03 01 01 00"));
  REQUIRE(pac.ok());
  CHECK(!pac->include_pac);

  // TD-REQ-NONCE with a value, then an entry without data-value.
  const std::array<std::uint8_t, 1> value = {0x01};
  const std::array<TypedDataEntry, 2> entries = {TypedDataEntry{107, ByteView(value)},
                                                 TypedDataEntry{108, std::nullopt}};
  const test::Bytes typed = encode_to_vector(TypedData(entries));
  CHECK(to_hex(typed, kHexSpaced) ==
        "30 13 30 0A A0 03 02 01 6B A1 03 04 01 01 30 05 A0 03 02 01 6C");
  const Result<TypedData> decoded = decode_typed_data(typed);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 2);
  auto it = decoded->begin();
  CHECK(it->data_type == padata_type::kTdReqNonce);
  CHECK(it->data_value);
  ++it;
  CHECK(it->data_type == padata_type::kTdReqSeq);
  CHECK(!it->data_value);
}

TEST_CASE("EncKDCRepPart with encrypted-pa-data (RFC 6806 [12])") {
  const std::array<LastReqEntry, 1> last_req = {LastReqEntry{0, kTime}};
  const std::array<PaData, 1> pa = {PaData{padata_type::kPaReqEncPaRep, bytes_of("cksum")}};
  EncKdcRepPart part;
  part.key = sample_key();
  part.last_req = LastReq(last_req);
  part.nonce = 0xFFFFFFFFu;  // UInt32 up to 2^32 - 1
  part.flags = KerberosFlags{ticket_flags::kEncPaRep | ticket_flags::kInitial};
  part.authtime = kTime;
  part.endtime = KerberosTime{kTime.seconds + 36000};
  part.srealm = kRealm;
  part.sname = PrincipalName(NameType::kSrvInst, {"krbtgt", kRealm});
  part.encrypted_pa_data = MethodData(pa);
  const test::Bytes bytes = encode_to_vector(part);
  CHECK(bytes[0] == 0x79);  // [APPLICATION 25] by default
  const Result<EncKdcRepPart> back = decode_enc_kdc_rep_part(bytes);
  REQUIRE(back.ok());
  CHECK(back->nonce == 0xFFFFFFFFu);
  REQUIRE(back->encrypted_pa_data);
  CHECK(find_padata(*back->encrypted_pa_data, padata_type::kPaReqEncPaRep));
  CHECK(back->flags.has(ticket_flags::kEncPaRep));
  CHECK(encode_to_vector(*back) == bytes);
}

TEST_CASE("Microseconds bounds") {
  for (std::int32_t usec : {0, 1, 999999}) {
    const PaEncTsEnc ts{kTime, Microseconds{usec}};
    const Result<PaEncTsEnc> back = decode_pa_enc_ts_enc(encode_to_vector(ts));
    REQUIRE(back.ok());
    CHECK(back->pausec == std::optional<Microseconds>(Microseconds{usec}));
  }
}

TEST_CASE("fixed-buffer and counting writers give the same encoding") {
  const Result<KdcReq> req = decode_as_req(reference("encode_krb5_as_req"));
  REQUIRE(req.ok());
  KdcReq fresh = *req;
  fresh.req_body.raw = {};  // re-encode every field
  der::Writer counting = der::Writer::counting();
  encode(counting, fresh);
  REQUIRE(counting.ok());
  std::vector<std::uint8_t> buffer(counting.size());
  der::Writer fixed{std::span<std::uint8_t>(buffer)};
  encode(fixed, fresh);
  REQUIRE(fixed.ok());
  CHECK(to_hex(fixed.bytes(), kHexSpaced) == to_hex(reference("encode_krb5_as_req"), kHexSpaced));

  std::vector<std::uint8_t> small(counting.size() - 1);
  der::Writer too_small{std::span<std::uint8_t>(small)};
  encode(too_small, fresh);
  CHECK(too_small.error() == der::WriteError::kBufferTooSmall);
  CHECK(too_small.size() == counting.size());
}

TEST_CASE("peek_message_type tells replies apart by the application tag") {
  CHECK(peek_message_type(reference("encode_krb5_as_rep")) == std::optional<std::int32_t>(11));
  CHECK(peek_message_type(reference("encode_krb5_tgs_rep")) == std::optional<std::int32_t>(13));
  CHECK(peek_message_type(reference("encode_krb5_error")) == std::optional<std::int32_t>(30));
  CHECK(peek_message_type(reference("encode_krb5_as_req")) == std::optional<std::int32_t>(10));
  CHECK(peek_message_type(reference("encode_krb5_ap_req")) == std::optional<std::int32_t>(14));
  CHECK(peek_message_type(reference("encode_krb5_ap_rep")) == std::optional<std::int32_t>(15));
  CHECK(peek_message_type(reference("encode_krb5_safe")) == std::optional<std::int32_t>(20));
  CHECK(peek_message_type(reference("encode_krb5_priv")) == std::optional<std::int32_t>(21));
  CHECK(peek_message_type(reference("encode_krb5_cred")) == std::optional<std::int32_t>(22));
  CHECK(!peek_message_type(reference("encode_krb5_ticket")));            // [APPLICATION 1]
  CHECK(!peek_message_type(reference("encode_krb5_enc_kdc_rep_part")));  // [APPLICATION 26]
  CHECK(!peek_message_type(reference("encode_krb5_keyblock")));          // SEQUENCE
  CHECK(!peek_message_type(ByteView{}));
  const std::array<std::uint8_t, 1> primitive = {0x4B};  // [APPLICATION 11], primitive
  CHECK(!peek_message_type(primitive));
  const std::array<std::uint8_t, 1> only_tag = {0x7E};  // KRB-ERROR's identifier alone
  CHECK(peek_message_type(only_tag) == std::optional<std::int32_t>(30));
}

TEST_CASE("error codes: every RFC 4120 §7.5.9 code has its name and meaning") {
  static_assert(error_code_name(error_code::kKdcErrPreauthRequired) == "KDC_ERR_PREAUTH_REQUIRED");
  static_assert(error_code_message(25) == "Additional pre-authentication required");
  for (std::size_t i = 1; i < std::size(detail::kErrorCodes); ++i) {
    CHECK(detail::kErrorCodes[i - 1].code < detail::kErrorCodes[i].code);  // sorted, unique
  }
  std::vector<std::int32_t> rfc4120;
  for (std::int32_t c = 0; c <= 76; ++c) {
    if (c == 30 || c == 43 || (c > 52 && c < 60)) continue;
    rfc4120.push_back(c);
  }
  for (std::int32_t c : rfc4120) {
    INFO(c);
    CHECK(!error_code_name(c).empty());
    CHECK(error_code_message(c) != "Unknown error code");
  }
  CHECK(error_code_name(6) == "KDC_ERR_C_PRINCIPAL_UNKNOWN");
  CHECK(error_code_name(24) == "KDC_ERR_PREAUTH_FAILED");
  CHECK(error_code_name(37) == "KRB_AP_ERR_SKEW");
  CHECK(error_code_message(37) == "Clock skew too great");
  CHECK(error_code_name(52) == "KRB_ERR_RESPONSE_TOO_BIG");
  CHECK(error_code_name(68) == "KDC_ERR_WRONG_REALM");
  CHECK(error_code_name(85) == "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND");
  CHECK(error_code_name(90) == "KDC_ERR_PREAUTH_EXPIRED");
  CHECK(error_code_name(91) == "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED");
  CHECK(error_code_name(93) == "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS");
  CHECK(error_code_name(43).empty());
  CHECK(error_code_name(-1).empty());
  CHECK(error_code_message(43) == "Unknown error code");
}

TEST_CASE("to_error describes a KRB-ERROR") {
  KrbError e;
  e.error_code = error_code::kKdcErrPreauthRequired;
  Error err = to_error(e);
  CHECK(err.category() == ErrorCategory::kKdc);
  CHECK(err.code() == 25);
  CHECK(err.detail() == "KDC_ERR_PREAUTH_REQUIRED: Additional pre-authentication required");

  e.error_code = 43;
  e.e_text = std::string_view("bad\x1b[31m", 8);
  err = to_error(e);
  CHECK(err.detail() == "KRB-ERROR 43: Unknown error code (bad?[31m)");
}

TEST_CASE("flag, usage and type constants") {
  STATIC_REQUIRE(kerberos_flag(0) == 0x80000000u);
  STATIC_REQUIRE(ticket_flags::kForwardable == 0x40000000u);
  STATIC_REQUIRE(ticket_flags::kInitial == 0x00400000u);
  STATIC_REQUIRE(ticket_flags::kPreAuthent == 0x00200000u);
  STATIC_REQUIRE(ticket_flags::kOkAsDelegate == 0x00040000u);
  STATIC_REQUIRE(kdc_options::kCanonicalize == 0x00010000u);
  STATIC_REQUIRE(kdc_options::kRenewableOk == 0x00000010u);
  STATIC_REQUIRE(kdc_options::kValidate == 0x00000001u);
  STATIC_REQUIRE(ap_options::kMutualRequired == 0x20000000u);
  STATIC_REQUIRE(key_usage::kAsRepEncPart == 3);
  STATIC_REQUIRE(key_usage::kTgsRepEncPartSubkey == 9);
  STATIC_REQUIRE(key_usage::kApReqAuthenticator == 11);
  STATIC_REQUIRE(key_usage::kInitiatorSign == 25);
  STATIC_REQUIRE(padata_type::kPaFxFast == 136);
  STATIC_REQUIRE(padata_type::kPaReqEncPaRep == 149);
  STATIC_REQUIRE(static_cast<int>(MessageType::kError) == 30);

  // A decoded flag field reads with the named constants.
  const Result<KdcReqBody> body =
      decode_kdc_req_body(reference("encode_krb5_kdc_req_body(optionals NULL except server)"));
  REQUIRE(body.ok());
  CHECK(body->kdc_options.has(kdc_options::kForwardable));
  CHECK(!body->kdc_options.has(kdc_options::kValidate));  // 0xFEDCBA90: bit 31 clear
}
