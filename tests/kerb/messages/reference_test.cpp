// MIT krb5's reference encodings (src/tests/asn.1/reference_encode.out, kept as test data):
// every line decodes and re-encodes to the identical bytes (DER is canonical, DESIGN.md
// convention 7), and a few are checked field by field against the values MIT encoded
// (realm ATHENA.MIT.EDU, principal hftsai/extra, time 1994-06-10T06:03:17Z, usec 123456).
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include <kerb/constants.hpp>

#include "message_test_util.hpp"

using namespace kerb;
using kerb::test::ByteView;
using kerb::test::kHexSpaced;
using kerb::test::reference;
using kerb::test::text;
using kerb::test::to_hex;

namespace {

constexpr std::int64_t kTime = 771228197;  // 1994-06-10T06:03:17Z
constexpr std::int32_t kUsec = 123456;

void check_hftsai(const PrincipalName& name) {
  CHECK(name.raw_name_type() == 1);
  REQUIRE(name.size() == 2);
  CHECK(name[0] == "hftsai");
  CHECK(name[1] == "extra");
}

void check_sample_ticket(const Ticket& t) {
  CHECK(t.realm == "ATHENA.MIT.EDU");
  check_hftsai(t.sname);
  CHECK(t.enc_part.etype == crypto::EncType{0});
  CHECK(t.enc_part.kvno == std::optional<std::uint32_t>(5));
  CHECK(text(t.enc_part.cipher) == "krbASN.1 test message");
  CHECK(t.raw.size() == 94);
}

void check_sample_enc_data(const EncryptedData& d) {
  CHECK(d.etype == crypto::EncType{0});
  CHECK(d.kvno == std::optional<std::uint32_t>(5));
  CHECK(text(d.cipher) == "krbASN.1 test message");
}

void check_sample_addresses(const HostAddresses& addresses) {
  REQUIRE(addresses.size() == 2);
  for (const HostAddress& a : addresses) {
    CHECK(a.addr_type == address_type::kIpv4);
    CHECK(test::to_hex(a.address, kHexSpaced) == "12 D0 00 23");
  }
}

void check_sample_padata(const MethodData& padata) {
  REQUIRE(padata.size() == 2);
  for (const PaData& pa : padata) {
    CHECK(pa.padata_type == 13);
    CHECK(text(pa.padata_value) == "pa-data");
  }
}

}  // namespace

TEST_CASE("every MIT reference encoding decodes and re-encodes to the same bytes") {
  const std::vector<test::Reference> refs = test::load_references();
  REQUIRE(refs.size() == 41);
  std::set<std::string> covered;
  for (const test::Reference& ref : refs) {
    INFO(ref.name);
    const auto found = test::codecs_by_reference().find(ref.base);
    REQUIRE(found != test::codecs_by_reference().end());  // no line is skipped
    const Result<test::Bytes> again = found->second.roundtrip(ref.bytes);
    if (!again) FAIL(std::string(again.error().detail()));
    CHECK(to_hex(*again, kHexSpaced) == to_hex(ref.bytes, kHexSpaced));
    covered.insert(ref.base);
  }
  CHECK(covered.size() == test::codecs_by_reference().size());
}

TEST_CASE("Authenticator fields (MIT reference)") {
  const test::Bytes bytes = reference("encode_krb5_authenticator");
  const Result<Authenticator> a = decode_authenticator(bytes);
  REQUIRE(a.ok());
  CHECK(a->crealm == "ATHENA.MIT.EDU");
  check_hftsai(a->cname);
  REQUIRE(a->cksum);
  CHECK(a->cksum->cksumtype == 1);
  CHECK(text(a->cksum->checksum) == "1234");
  CHECK(a->cusec.value == kUsec);
  CHECK(a->ctime.seconds == kTime);
  REQUIRE(a->subkey);
  CHECK(a->subkey->keytype == crypto::EncType{1});
  CHECK(text(a->subkey->keyvalue) == "12345678");
  CHECK(a->seq_number == std::optional<std::uint32_t>(17));
  REQUIRE(a->authorization_data);
  REQUIRE(a->authorization_data->size() == 2);
  for (const AuthorizationDataEntry& ad : *a->authorization_data) {
    CHECK(ad.ad_type == 1);
    CHECK(text(ad.ad_data) == "foobar");
  }
  // Views point into the input (zero-copy).
  CHECK(a->crealm.data() == reinterpret_cast<const char*>(bytes.data()) + 15);

  const Result<Authenticator> empty =
      decode_authenticator(reference("encode_krb5_authenticator(optionals empty)"));
  REQUIRE(empty.ok());
  CHECK(!empty->cksum);
  CHECK(!empty->subkey);
  CHECK(!empty->seq_number);
  CHECK(!empty->authorization_data);
  CHECK(empty->ctime.seconds == kTime);
}

TEST_CASE("AS-REQ fields (MIT reference), raw req-body kept") {
  const test::Bytes bytes = reference("encode_krb5_as_req");
  const Result<KdcReq> req = decode_as_req(bytes);
  REQUIRE(req.ok());
  CHECK(req->msg_type == MessageType::kAsReq);
  REQUIRE(req->padata);
  check_sample_padata(*req->padata);
  const KdcReqBody& body = req->req_body;
  CHECK(body.kdc_options.bits == 0xFEDCBA90u);
  REQUIRE(body.cname);
  check_hftsai(*body.cname);
  CHECK(body.realm == "ATHENA.MIT.EDU");
  REQUIRE(body.sname);
  check_hftsai(*body.sname);
  CHECK(body.from == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(body.till.seconds == kTime);
  CHECK(body.rtime == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(body.nonce == 42);
  std::vector<crypto::EncType> etypes(body.etype.begin(), body.etype.end());
  CHECK(etypes == std::vector<crypto::EncType>{crypto::EncType{0}, crypto::EncType{1}});
  REQUIRE(body.addresses);
  check_sample_addresses(*body.addresses);
  REQUIRE(body.enc_authorization_data);
  check_sample_enc_data(*body.enc_authorization_data);
  REQUIRE(body.additional_tickets);
  REQUIRE(body.additional_tickets->size() == 2);
  for (const Ticket& t : *body.additional_tickets)
    check_sample_ticket(t);
  // req-body is the last element: its SEQUENCE starts at 62 and runs to the end.
  CHECK(body.raw.data() == bytes.data() + 62);
  CHECK(body.raw.size() == bytes.size() - 62);

  // The same body decoded alone.
  const Result<KdcReqBody> alone =
      decode_kdc_req_body(reference("encode_krb5_kdc_req_body(optionals NULL except server)"));
  REQUIRE(alone.ok());
  CHECK(!alone->cname);
  CHECK(!alone->from);
  CHECK(!alone->addresses);
  CHECK(!alone->additional_tickets);
  CHECK(alone->kdc_options.has(kdc_options::kForwardable | kdc_options::kRenewableOk));
}

TEST_CASE("TGS-REQ and KDC-REQ decode by application tag") {
  const test::Bytes tgs = reference("encode_krb5_tgs_req(optionals NULL except server)");
  const Result<KdcReq> req = decode_tgs_req(tgs);
  REQUIRE(req.ok());
  CHECK(req->msg_type == MessageType::kTgsReq);
  CHECK(!req->padata);
  // decode(KdcReq) accepts either tag.
  der::Error fault;
  der::Reader in(tgs, fault);
  KdcReq any;
  REQUIRE(decode(in, any));
  CHECK(any.msg_type == MessageType::kTgsReq);
}

TEST_CASE("AS-REP and TGS-REP fields (MIT reference), raw ticket and enc-part kept") {
  for (const char* name : {"encode_krb5_as_rep", "encode_krb5_tgs_rep"}) {
    INFO(name);
    const test::Bytes bytes = reference(name);
    const bool as = std::string(name) == "encode_krb5_as_rep";
    const Result<KdcRep> rep = as ? decode_as_rep(bytes) : decode_tgs_rep(bytes);
    REQUIRE(rep.ok());
    CHECK(rep->msg_type == (as ? MessageType::kAsRep : MessageType::kTgsRep));
    REQUIRE(rep->padata);
    check_sample_padata(*rep->padata);
    CHECK(rep->crealm == "ATHENA.MIT.EDU");
    check_hftsai(rep->cname);
    check_sample_ticket(rep->ticket);
    CHECK(rep->ticket.raw.data() == bytes.data() + 104);
    check_sample_enc_data(rep->enc_part);
    CHECK(rep->enc_part_raw.data() == bytes.data() + 200);
    CHECK(rep->enc_part_raw.size() == 37);
    CHECK(rep->enc_part.cipher.data() == bytes.data() + 216);
  }
  const Result<KdcRep> bare = decode_as_rep(reference("encode_krb5_as_rep(optionals NULL)"));
  REQUIRE(bare.ok());
  CHECK(!bare->padata);
}

TEST_CASE("EncKDCRepPart fields (MIT reference), either application tag") {
  const test::Bytes bytes = reference("encode_krb5_enc_kdc_rep_part");
  const Result<EncKdcRepPart> part = decode_enc_kdc_rep_part(bytes);
  REQUIRE(part.ok());
  CHECK(part->tag == EncKdcRepPartTag::kEncTgsRepPart);  // MIT sends 26
  CHECK(part->key.keytype == crypto::EncType{1});
  CHECK(text(part->key.keyvalue) == "12345678");
  REQUIRE(part->last_req.size() == 2);
  for (const LastReqEntry& lr : part->last_req) {
    CHECK(lr.lr_type == -5);
    CHECK(lr.lr_value.seconds == kTime);
  }
  CHECK(part->nonce == 42);
  CHECK(part->key_expiration == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(part->flags.bits == 0xFEDCBA98u);
  CHECK(part->flags.has(ticket_flags::kForwardable));
  CHECK(!part->flags.has(ticket_flags::kInvalid));  // bit 7 of 0xFEDCBA98 is clear
  CHECK(part->authtime.seconds == kTime);
  CHECK(part->endtime.seconds == kTime);
  CHECK(part->srealm == "ATHENA.MIT.EDU");
  check_hftsai(part->sname);
  REQUIRE(part->caddr);
  check_sample_addresses(*part->caddr);
  CHECK(!part->encrypted_pa_data);

  // The same part as [APPLICATION 25] decodes too, records the tag, and re-encodes with it.
  test::Bytes as_part = bytes;
  as_part[0] = 0x79;
  const Result<EncKdcRepPart> as = decode_enc_kdc_rep_part(as_part);
  REQUIRE(as.ok());
  CHECK(as->tag == EncKdcRepPartTag::kEncAsRepPart);
  CHECK(test::encode_to_vector(*as) == as_part);
}

TEST_CASE("AP-REQ, AP-REP and EncAPRepPart fields (MIT reference)") {
  const test::Bytes bytes = reference("encode_krb5_ap_req");
  const Result<ApReq> req = decode_ap_req(bytes);
  REQUIRE(req.ok());
  CHECK(req->ap_options.bits == 0xFEDCBA98u);
  CHECK(req->ap_options.has(ap_options::kUseSessionKey | ap_options::kMutualRequired));
  check_sample_ticket(req->ticket);
  CHECK(req->ticket.raw.data() == bytes.data() + 27);
  check_sample_enc_data(req->authenticator);
  CHECK(req->authenticator_raw.data() == bytes.data() + 123);
  CHECK(req->authenticator_raw.size() == 37);

  const Result<ApRep> rep = decode_ap_rep(reference("encode_krb5_ap_rep"));
  REQUIRE(rep.ok());
  check_sample_enc_data(rep->enc_part);

  const Result<EncApRepPart> part =
      decode_enc_ap_rep_part(reference("encode_krb5_ap_rep_enc_part"));
  REQUIRE(part.ok());
  CHECK(part->ctime.seconds == kTime);
  CHECK(part->cusec.value == kUsec);
  REQUIRE(part->subkey);
  CHECK(text(part->subkey->keyvalue) == "12345678");
  CHECK(part->seq_number == std::optional<std::uint32_t>(17));
  const Result<EncApRepPart> bare =
      decode_enc_ap_rep_part(reference("encode_krb5_ap_rep_enc_part(optionals NULL)"));
  REQUIRE(bare.ok());
  CHECK(!bare->subkey);
  CHECK(!bare->seq_number);
}

TEST_CASE("KRB-ERROR fields (MIT reference)") {
  const Result<KrbError> e = decode_krb_error(reference("encode_krb5_error"));
  REQUIRE(e.ok());
  CHECK(e->ctime == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(e->cusec == std::optional<Microseconds>(Microseconds{kUsec}));
  CHECK(e->stime.seconds == kTime);
  CHECK(e->susec.value == kUsec);
  CHECK(e->error_code == error_code::kKrbErrGeneric);
  CHECK(e->crealm == std::optional<std::string_view>("ATHENA.MIT.EDU"));
  REQUIRE(e->cname);
  check_hftsai(*e->cname);
  CHECK(e->realm == "ATHENA.MIT.EDU");
  check_hftsai(e->sname);
  CHECK(e->e_text == std::optional<std::string_view>("krb5data"));
  REQUIRE(e->e_data);
  CHECK(text(*e->e_data) == "krb5data");

  const Error err = to_error(*e);
  CHECK(err.category() == ErrorCategory::kKdc);
  CHECK(err.code() == 60);
  CHECK(err.detail() == "KRB_ERR_GENERIC: Generic error (description in e-text) (krb5data)");

  const Result<KrbError> bare = decode_krb_error(reference("encode_krb5_error(optionals NULL)"));
  REQUIRE(bare.ok());
  CHECK(!bare->ctime);
  CHECK(bare->cusec);  // MIT's sample keeps cusec while dropping ctime
  CHECK(!bare->crealm);
  CHECK(!bare->cname);
  CHECK(!bare->e_text);
  CHECK(!bare->e_data);
}

TEST_CASE("KRB-SAFE, KRB-PRIV, EncKrbPrivPart fields (MIT reference)") {
  const test::Bytes safe_bytes = reference("encode_krb5_safe");
  const Result<KrbSafe> safe = decode_krb_safe(safe_bytes);
  REQUIRE(safe.ok());
  const KrbSafeBody& body = safe->safe_body;
  CHECK(text(body.user_data) == "krb5data");
  CHECK(body.timestamp == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(body.usec == std::optional<Microseconds>(Microseconds{kUsec}));
  CHECK(body.seq_number == std::optional<std::uint32_t>(17));
  CHECK(body.s_address.addr_type == address_type::kIpv4);
  REQUIRE(body.r_address);
  CHECK(test::to_hex(body.r_address->address, kHexSpaced) == "12 D0 00 23");
  CHECK(safe->cksum.cksumtype == 1);
  CHECK(text(safe->cksum.checksum) == "1234");
  // The checksummed safe-body bytes: the SEQUENCE inside [2], at offset 16.
  CHECK(body.raw.data() == safe_bytes.data() + 16);
  CHECK(body.raw.size() == 79);

  const Result<KrbPriv> priv = decode_krb_priv(reference("encode_krb5_priv"));
  REQUIRE(priv.ok());
  check_sample_enc_data(priv->enc_part);

  const Result<EncKrbPrivPart> part =
      decode_enc_krb_priv_part(reference("encode_krb5_enc_priv_part"));
  REQUIRE(part.ok());
  CHECK(text(part->user_data) == "krb5data");
  CHECK(part->usec == std::optional<Microseconds>(Microseconds{kUsec}));
  CHECK(part->seq_number == std::optional<std::uint32_t>(17));
  CHECK(part->r_address);
  const Result<EncKrbPrivPart> bare =
      decode_enc_krb_priv_part(reference("encode_krb5_enc_priv_part(optionals NULL)"));
  REQUIRE(bare.ok());
  CHECK(!bare->timestamp);
  CHECK(!bare->usec);
  CHECK(!bare->seq_number);
  CHECK(!bare->r_address);
}

TEST_CASE("KRB-CRED and EncKrbCredPart fields (MIT reference)") {
  const Result<KrbCred> cred = decode_krb_cred(reference("encode_krb5_cred"));
  REQUIRE(cred.ok());
  REQUIRE(cred->tickets.size() == 2);
  for (const Ticket& t : cred->tickets)
    check_sample_ticket(t);
  check_sample_enc_data(cred->enc_part);

  const Result<EncKrbCredPart> part =
      decode_enc_krb_cred_part(reference("encode_krb5_enc_cred_part(optionals NULL)"));
  REQUIRE(part.ok());
  CHECK(!part->nonce);
  CHECK(!part->timestamp);
  CHECK(!part->s_address);
  REQUIRE(part->ticket_info.size() == 2);
  auto it = part->ticket_info.begin();
  CHECK(it->key.keytype == crypto::EncType{1});
  CHECK(!it->prealm);
  CHECK(!it->caddr);
  ++it;
  CHECK(it->prealm == std::optional<std::string_view>("ATHENA.MIT.EDU"));
  REQUIRE(it->pname);
  check_hftsai(*it->pname);
  CHECK(it->flags == std::optional<KerberosFlags>(KerberosFlags{0xFEDCBA98u}));
  CHECK(it->authtime == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(it->renew_till == std::optional<KerberosTime>(KerberosTime{kTime}));
  CHECK(it->srealm == std::optional<std::string_view>("ATHENA.MIT.EDU"));
  REQUIRE(it->caddr);
  check_sample_addresses(*it->caddr);
}

TEST_CASE("PA-DATA values (MIT reference)") {
  const Result<PaEncTsEnc> ts = decode_pa_enc_ts_enc(reference("encode_krb5_pa_enc_ts"));
  REQUIRE(ts.ok());
  CHECK(ts->patimestamp.seconds == kTime);
  CHECK(ts->pausec == std::optional<Microseconds>(Microseconds{kUsec}));
  const Result<PaEncTsEnc> no_usec =
      decode_pa_enc_ts_enc(reference("encode_krb5_pa_enc_ts (no usec)"));
  REQUIRE(no_usec.ok());
  CHECK(!no_usec->pausec);

  const Result<EtypeInfo> info = decode_etype_info(reference("encode_krb5_etype_info"));
  REQUIRE(info.ok());
  REQUIRE(info->size() == 3);
  std::vector<EtypeInfoEntry> entries(info->begin(), info->end());
  CHECK(entries[0].etype == crypto::EncType{0});
  CHECK(text(*entries[0].salt) == "Morton's #0");
  CHECK(entries[1].etype == crypto::EncType{1});
  CHECK(!entries[1].salt);
  CHECK(text(*entries[2].salt) == "Morton's #2");
  const Result<EtypeInfo> none = decode_etype_info(reference("encode_krb5_etype_info (no info)"));
  REQUIRE(none.ok());
  CHECK(none->empty());

  const Result<EtypeInfo2> info2 = decode_etype_info2(reference("encode_krb5_etype_info2"));
  REQUIRE(info2.ok());
  REQUIRE(info2->size() == 3);
  std::vector<EtypeInfo2Entry> entries2(info2->begin(), info2->end());
  CHECK(entries2[0].salt == std::optional<std::string_view>("Morton's #0"));
  CHECK(text(*entries2[0].s2kparams) == "s2k: 0");
  CHECK(!entries2[1].salt);
  CHECK(text(*entries2[1].s2kparams) == "s2k: 1");
  CHECK(entries2[2].etype == crypto::EncType{2});

  const Result<MethodData> padata = decode_method_data(reference("encode_krb5_padata_sequence"));
  REQUIRE(padata.ok());
  check_sample_padata(*padata);
  CHECK(find_padata(*padata, 13));
  CHECK(!find_padata(*padata, padata_type::kPaEtypeInfo2));
  const Result<MethodData> empty =
      decode_method_data(reference("encode_krb5_padata_sequence(empty)"));
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}
