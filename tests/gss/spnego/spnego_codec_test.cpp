// SPNEGO token codec (RFC 4178 §4.2): MIT's tokens decoded, round trips, and strict rejection
// of malformed input (truncation at every length, bit flips, wrong tags, bad OIDs, trailing
// bytes, unknown fields), each fault naming its byte offset.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/der/oid.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/spnego.hpp>
#include <kerb/gss/token.hpp>

#include "spnego_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace spnego_test;

namespace {

const ByteView kKrb5(kKrb5MechOid);
const ByteView kLegacy(kKrb5LegacyMechOid);
const test::Bytes kNtlm = hex("2b06010401823702020a");  // 1.3.6.1.4.1.311.2.2.10

bool same(ByteView a, ByteView b) {
  return test::Bytes(a.begin(), a.end()) == test::Bytes(b.begin(), b.end());
}

// A decode error: kDer, GSS_S_DEFECTIVE_TOKEN, and the detail names `fragment`.
template <class T>
void check_fault(const Result<T>& r, const std::string& fragment) {
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().category() == ErrorCategory::kDer);
  CHECK(r.error().code() == major_status::kDefectiveToken);
  CHECK_THAT(std::string(r.error().detail()), Catch::Contains(fragment));
}

test::Bytes reencode(const NegotiationToken& t) {
  return t.init ? must(encode_neg_token_init(*t.init)) : must(encode_neg_token_resp(*t.resp));
}

}  // namespace

TEST_CASE("SPNEGO §4.2.1: MIT's NegTokenInit decodes and re-encodes byte for byte") {
  const test::Bytes& token = mit_neg_token_init();
  const NegTokenInit init = must(decode_neg_token_init(token));
  REQUIRE(init.mech_types.size() == 1);
  CHECK(same(init.mech_types[0], kKrb5));
  CHECK(same(init.mech_types_der, hex("300b06092a864886f712010202")));
  CHECK_FALSE(init.req_flags);
  CHECK_FALSE(init.mech_list_mic);
  REQUIRE(init.mech_token);
  // The optimistic token is the krb5 AP-REQ, framed with the krb5 OID.
  const MechToken krb5 = must(parse_framed_token(*init.mech_token));
  CHECK(same(krb5.mech_oid, kKrb5));
  CHECK(krb5.tok_id == TokenId::kApReq);

  CHECK(must(encode_neg_token_init(init)) == token);
  CHECK(must(encode_mech_type_list(init.mech_types)) == bytes_of(init.mech_types_der));
  const NegotiationToken any = must(decode_negotiation_token(token));
  REQUIRE(any.init);
  CHECK_FALSE(any.resp);
}

TEST_CASE("SPNEGO §4.2.2: MIT's NegTokenResps decode and re-encode byte for byte") {
  const NegTokenResp with_rep = must(decode_neg_token_resp(mit_neg_token_resp_ap_rep()));
  CHECK(with_rep.neg_state == NegState::kAcceptCompleted);
  REQUIRE(with_rep.supported_mech);
  CHECK(same(*with_rep.supported_mech, kKrb5));
  REQUIRE(with_rep.response_token);
  CHECK(must(parse_framed_token(*with_rep.response_token)).tok_id == TokenId::kApRep);
  CHECK_FALSE(with_rep.mech_list_mic);
  CHECK(must(encode_neg_token_resp(with_rep)) == mit_neg_token_resp_ap_rep());

  const NegTokenResp done = must(decode_neg_token_resp(mit_neg_token_resp_completed()));
  CHECK(done.neg_state == NegState::kAcceptCompleted);
  CHECK_FALSE(done.response_token);
  CHECK(must(encode_neg_token_resp(done)) == mit_neg_token_resp_completed());

  const NegotiationToken any = must(decode_negotiation_token(mit_neg_token_resp_ap_rep()));
  REQUIRE(any.resp);
  CHECK_FALSE(any.init);
}

TEST_CASE("SPNEGO §4.2: the encoder writes the RFC's DER, field by field") {
  // [APPLICATION 0] { 1.3.6.1.5.5.2, [0] SEQUENCE { [0] SEQUENCE OF { krb5, legacy },
  //   [1] BIT STRING (mutual|integ), [2] OCTET STRING 01 02, [3] OCTET STRING 03 } }
  NegTokenInit init;
  init.mech_types = {kKrb5, kLegacy};
  const std::uint8_t flags[] = {0x42};
  init.req_flags = der::BitString{flags, 1};
  const std::uint8_t token[] = {1, 2};
  const std::uint8_t mic[] = {3};
  init.mech_token = ByteView(token);
  init.mech_list_mic = ByteView(mic);
  const test::Bytes expected =
      hex("6037 0606 2b0601050502 a02d 302b"
          "  a018 3016 0609 2a864886f712010202 0609 2a864882f712010202"
          "  a104 0302 0142"
          "  a204 0402 0102"
          "  a303 0401 03");
  CHECK(must(encode_neg_token_init(init)) == expected);
  const NegTokenInit back = must(decode_neg_token_init(expected));
  REQUIRE(back.req_flags);
  CHECK(back.req_flags->unused_bits == 1);
  CHECK(same(back.req_flags->bytes, flags));
  CHECK(same(*back.mech_token, token));
  CHECK(same(*back.mech_list_mic, mic));
  CHECK(same(back.mech_types_der, hex("30160609 2a864886f712010202 0609 2a864882f712010202")));

  NegTokenResp resp;
  resp.neg_state = NegState::kRequestMic;
  resp.supported_mech = kLegacy;
  resp.response_token = ByteView(token);
  resp.mech_list_mic = ByteView(mic);
  const test::Bytes resp_expected =
      hex("a11f 301d a003 0a0103 a10b 0609 2a864882f712010202 a204 0402 0102 a303 0401 03");
  CHECK(must(encode_neg_token_resp(resp)) == resp_expected);

  // Every field is optional in a NegTokenResp, syntactically.
  CHECK(must(encode_neg_token_resp(NegTokenResp{})) == hex("a1023000"));
  const NegTokenResp empty = must(decode_neg_token_resp(hex("a1023000")));
  CHECK_FALSE(empty.neg_state);
  CHECK_FALSE(empty.supported_mech);
  CHECK_FALSE(empty.response_token);
  CHECK_FALSE(empty.mech_list_mic);
}

TEST_CASE("SPNEGO §4.2: round trips over the combinations of optional fields") {
  const std::uint8_t token[] = {0x60, 0x00};
  const std::uint8_t mic[] = {0x04, 0x04, 0xff, 0xff};
  const std::uint8_t flags[] = {0x80, 0x00, 0x00, 0x00};
  const test::Bytes big(300, 0xAB);  // long-form lengths
  for (int bits = 0; bits < 16; ++bits) {
    NegTokenInit init;
    init.mech_types = {kNtlm, kKrb5, kLegacy};
    if (bits & 1) init.req_flags = der::BitString{flags, 0};
    if (bits & 2) init.mech_token = ByteView(token);
    if (bits & 4) init.mech_list_mic = ByteView(mic);
    if (bits & 8) init.mech_token = ByteView(big);
    const test::Bytes encoded = must(encode_neg_token_init(init));
    const NegTokenInit back = must(decode_neg_token_init(encoded));
    CHECK(back.mech_types.size() == 3);
    CHECK(back.req_flags.has_value() == init.req_flags.has_value());
    CHECK(back.mech_token.has_value() == init.mech_token.has_value());
    CHECK(back.mech_list_mic.has_value() == init.mech_list_mic.has_value());
    CHECK(must(encode_neg_token_init(back)) == encoded);

    NegTokenResp resp;
    if (bits & 1) resp.neg_state = static_cast<NegState>(bits % 4);
    if (bits & 2) resp.supported_mech = kKrb5;
    if (bits & 4) resp.response_token = (bits & 8) ? ByteView(big) : ByteView(token);
    if (bits & 8) resp.mech_list_mic = ByteView(mic);
    const test::Bytes r = must(encode_neg_token_resp(resp));
    const NegTokenResp rb = must(decode_neg_token_resp(r));
    CHECK(rb.neg_state == resp.neg_state);
    CHECK(must(encode_neg_token_resp(rb)) == r);
  }
}

TEST_CASE("SPNEGO: the encoder refuses what DER or RFC 4178 cannot carry") {
  NegTokenInit init;
  auto empty = encode_neg_token_init(init);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().category() == ErrorCategory::kInvalidArgument);

  const std::uint8_t bad_oid[] = {0x2a, 0x86};  // ends inside an arc
  init.mech_types = {ByteView(bad_oid)};
  CHECK_FALSE(encode_neg_token_init(init).ok());
  CHECK_FALSE(encode_mech_type_list(init.mech_types).ok());

  init.mech_types = std::vector<ByteView>(NegTokenInit::kMaxMechTypes + 1, kKrb5);
  CHECK_FALSE(encode_neg_token_init(init).ok());
  init.mech_types.resize(NegTokenInit::kMaxMechTypes);
  CHECK(encode_neg_token_init(init).ok());

  init.mech_types = {kKrb5};
  const std::uint8_t flags[] = {0x01};
  init.req_flags = der::BitString{flags, 1};  // a padding bit set
  CHECK_FALSE(encode_neg_token_init(init).ok());
  init.req_flags = der::BitString{flags, 8};
  CHECK_FALSE(encode_neg_token_init(init).ok());

  NegTokenResp resp;
  resp.supported_mech = ByteView(bad_oid);
  CHECK_FALSE(encode_neg_token_resp(resp).ok());
  resp.supported_mech.reset();
  resp.neg_state = static_cast<NegState>(4);
  CHECK_FALSE(encode_neg_token_resp(resp).ok());
}

TEST_CASE("SPNEGO: malformed NegTokenResps are refused at the offending byte") {
  struct Case {
    const char* what;
    const char* hex;
    const char* fault;
  };
  const Case cases[] = {
      {"empty input", "", "unexpected end of input at offset 0"},
      {"[2] instead of [1]", "a2 07 3005 a003 0a0100", "unexpected tag at offset 0"},
      {"primitive [1]", "81 07 3005 a003 0a0100", "unexpected tag at offset 0"},
      {"[0] bare negTokenInit", "a0 07 3005 a003 0a0100", "unexpected tag at offset 0"},
      {"SET instead of SEQUENCE", "a1 07 3105 a003 0a0100", "unexpected tag at offset 2"},
      {"primitive SEQUENCE", "a1 07 1005 a003 0a0100", "primitive encoding of SEQUENCE"},
      {"non-minimal length", "a1 8107 3005 a003 0a0100", "non-minimal length at offset 1"},
      {"indefinite length", "a1 80 3005 a003 0a0100 0000", "indefinite length at offset 1"},
      {"length beyond input", "a1 08 3005 a003 0a0100", "length beyond the input at offset 1"},
      {"trailing bytes", "a1 07 3005 a003 0a0100 00", "trailing bytes at offset 9"},
      {"trailing inside the CHOICE", "a1 09 3005 a003 0a0100 0500", "trailing bytes at offset 9"},
      {"trailing inside negState", "a1 08 3006 a004 0a0100 00", "trailing bytes at offset 9"},
      {"negState 4", "a1 07 3005 a003 0a0104", "unknown negState at offset 6"},
      {"negState -1", "a1 07 3005 a003 0a01ff", "unknown negState at offset 6"},
      {"negState as INTEGER", "a1 07 3005 a003 020100", "unexpected tag at offset 6"},
      {"negState non-minimal", "a1 08 3006 a004 0a020000", "at offset 8"},
      {"negState IMPLICIT", "a1 05 3003 8001 00", "unknown or out-of-order field at offset 4"},
      {"unknown field [4]", "a1 07 3005 a403 040100", "unknown or out-of-order field at offset 4"},
      {"fields out of order", "a1 0c 300a a203 0401ff a003 0a0100",
       "unknown or out-of-order field at offset 9"},
      {"field twice", "a1 0c 300a a003 0a0100 a003 0a0100",
       "unknown or out-of-order field at offset 9"},
      {"supportedMech invalid OID", "a1 07 3005 a103 060180", "at offset 8"},
      {"supportedMech empty OID", "a1 06 3004 a102 0600", "at offset 8"},
      {"supportedMech non-minimal arc", "a1 08 3006 a104 06028001", "at offset 8"},
      {"supportedMech as OCTET STRING", "a1 07 3005 a103 04012a", "unexpected tag at offset 6"},
      {"responseToken constructed", "a1 09 3007 a205 2403 040100",
       "constructed encoding of a primitive type at offset 6"},
      {"responseToken as BIT STRING", "a1 07 3005 a203 030100", "unexpected tag at offset 6"},
      {"mechListMIC truncated", "a1 07 3005 a303 0402ff", "length beyond the input at offset 7"},
      {"high tag number", "a1 08 3006 bf1f 03 0a0100", "high-tag-number form"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    check_fault(decode_neg_token_resp(hex(c.hex)), c.fault);
  }
}

TEST_CASE("SPNEGO: malformed initial tokens are refused at the offending byte") {
  // The reference: 60 1b 06 06 <spnego> a0 11 30 0f a0 0d 30 0b 06 09 <krb5>
  const char* good = "601b 0606 2b0601050502 a011 300f a00d 300b 0609 2a864886f712010202";
  REQUIRE(must(decode_neg_token_init(hex(good))).mech_types.size() == 1);

  struct Case {
    const char* what;
    std::string hex;
    const char* fault;
  };
  std::string list33;
  for (int i = 0; i < 33; ++i)
    list33 += "0609 2a864886f712010202";
  const Case cases[] = {
      {"[APPLICATION 1] framing",
       "611b 0606 2b0601050502 a011 300f a00d 300b 0609 2a864886f712010202",
       "unexpected tag at offset 0"},
      {"framed with the krb5 OID",
       "601e 0609 2a864886f712010202 a011 300f a00d 300b 0609 2a864886f712010202",
       "not the SPNEGO mechanism OID at offset 2"},
      {"framing OID missing", "6013 a011 300f a00d 300b 0609 2a864886f712010202",
       "unexpected tag at offset 2"},
      {"framed negTokenResp", "6011 0606 2b0601050502 a107 3005 a003 0a0100",
       "unexpected tag at offset 10"},
      {"trailing after the frame", std::string(good) + "00", "trailing bytes at offset 29"},
      {"trailing inside the frame",
       "601d 0606 2b0601050502 a011 300f a00d 300b 0609 2a864886f712010202 0500",
       "trailing bytes at offset 29"},
      {"trailing inside mechTypes",
       "601d 0606 2b0601050502 a013 3011 a00f 300b 0609 2a864886f712010202 0500",
       "trailing bytes at offset 29"},
      {"mechTypes missing", "6012 0606 2b0601050502 a008 3006 a204 0402 0102",
       "unexpected tag at offset 14"},
      {"mechTypes empty", "6010 0606 2b0601050502 a006 3004 a002 3000",
       "mechTypes is empty at offset 16"},
      {"mechTypes not a SEQUENCE",
       "601b 0606 2b0601050502 a011 300f a00d 310b 0609 2a864886f712010202",
       "unexpected tag at offset 16"},
      {"mechType as OCTET STRING",
       "601b 0606 2b0601050502 a011 300f a00d 300b 0409 2a864886f712010202",
       "unexpected tag at offset 18"},
      {"mechType ends inside an arc", "6014 0606 2b0601050502 a00a 3008 a006 3004 0602 2a86",
       "at offset 20"},
      {"mechType non-minimal arc", "6015 0606 2b0601050502 a00b 3009 a007 3005 0603 2a8001",
       "at offset 20"},
      {"33 mechTypes", "60820183 0606 2b0601050502 a0820177 30820173 a082016f 3082016b" + list33,
       "more than 32 mechTypes at offset 380"},
      {"reqFlags padding bits set",
       "6021 0606 2b0601050502 a017 3015 a00d 300b 0609 2a864886f712010202 a104 0302 0701",
       "non-zero padding bits in BIT STRING at offset 34"},
      {"reqFlags as INTEGER",
       "6020 0606 2b0601050502 a016 3014 a00d 300b 0609 2a864886f712010202 a103 020101",
       "unexpected tag at offset 31"},
      {"mechToken before reqFlags",
       "6027 0606 2b0601050502 a01d 301b a00d 300b 0609 2a864886f712010202 a204 0402 0102 a104 "
       "0302 0000",
       "unknown or out-of-order field at offset 35"},
      {"unknown field [4]",
       "6021 0606 2b0601050502 a017 3015 a00d 300b 0609 2a864886f712010202 a404 0402 0102",
       "unknown or out-of-order field at offset 29"},
      {"negHints [3] SEQUENCE (NegTokenInit2) where mechListMIC belongs",
       "6021 0606 2b0601050502 a017 3015 a00d 300b 0609 2a864886f712010202 a304 3002 0500",
       "unexpected tag at offset 31"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    check_fault(decode_neg_token_init(hex(c.hex)), c.fault);
  }
}

TEST_CASE("SPNEGO §4.2: only the initial token is framed, a bare negTokenInit is refused") {
  const test::Bytes bare = hex("a011 300f a00d 300b 0609 2a864886f712010202");
  auto r = decode_negotiation_token(bare);
  check_fault(r, "must be framed");
  check_fault(decode_negotiation_token(hex("30 00")), "unexpected tag at offset 0");
  check_fault(decode_negotiation_token({}), "unexpected end of input at offset 0");
}

TEST_CASE("SPNEGO: every truncation of a valid token fails cleanly") {
  NegTokenInit init;
  init.mech_types = {kLegacy, kKrb5, kNtlm};
  const std::uint8_t mic[] = {9, 9, 9};
  init.mech_list_mic = ByteView(mic);
  const test::Bytes built = must(encode_neg_token_init(init));
  const test::Bytes* tokens[] = {&mit_neg_token_init(), &mit_neg_token_resp_ap_rep(),
                                 &mit_neg_token_resp_completed(), &built};
  for (const test::Bytes* token : tokens) {
    for (std::size_t n = 0; n < token->size(); ++n) {
      // A heap copy of exactly n bytes, so ASan sees any read past the end.
      const test::Bytes prefix(token->begin(), token->begin() + static_cast<std::ptrdiff_t>(n));
      auto r = decode_negotiation_token(prefix);
      INFO("length " << n);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().category() == ErrorCategory::kDer);
      CHECK_THAT(std::string(r.error().detail()), Catch::Contains("at offset"));
    }
    CHECK(decode_negotiation_token(*token).ok());
  }
}

TEST_CASE("SPNEGO: bit flips never crash, and whatever decodes re-encodes identically") {
  const test::Bytes* tokens[] = {&mit_neg_token_resp_ap_rep(), &mit_neg_token_resp_completed()};
  std::size_t decoded = 0;
  for (const test::Bytes* token : tokens) {
    for (std::size_t i = 0; i < token->size() * 8; ++i) {
      test::Bytes flipped = *token;
      flipped[i / 8] = static_cast<std::uint8_t>(flipped[i / 8] ^ (1u << (i % 8)));
      auto r = decode_negotiation_token(flipped);
      if (!r) continue;
      ++decoded;
      CHECK(reencode(*r) == flipped);
    }
  }
  // Flips inside OCTET STRING contents still decode (SPNEGO does not look inside them).
  CHECK(decoded > 0);
  // The long initial token: header region only (its body is ticket ciphertext).
  for (std::size_t i = 0; i < 64 * 8; ++i) {
    test::Bytes flipped = mit_neg_token_init();
    flipped[i / 8] = static_cast<std::uint8_t>(flipped[i / 8] ^ (1u << (i % 8)));
    auto r = decode_negotiation_token(flipped);
    if (r) CHECK(reencode(*r) == flipped);
  }
}

TEST_CASE("SPNEGO: the krb5 OIDs, standard and Microsoft's legacy one") {
  CHECK(is_krb5_mech(kKrb5));
  CHECK(is_krb5_mech(kLegacy));
  CHECK_FALSE(is_krb5_mech(kNtlm));
  CHECK_FALSE(is_krb5_mech(ByteView(kSpnegoMechOid)));
  CHECK_FALSE(is_krb5_mech({}));
  char text[32];
  std::size_t n = 0;
  REQUIRE(der::decode_oid(kLegacy, text, n));
  CHECK(std::string(text, n) == "1.2.840.48018.1.2.2");
  REQUIRE(der::decode_oid(kKrb5, text, n));
  CHECK(std::string(text, n) == "1.2.840.113554.1.2.2");
}
