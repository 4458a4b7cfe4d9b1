// GSS-API token framing: RFC 2743 §3.1, with RFC 1964 §1.1's DER length rules.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/gss/context.hpp>
#include <kerb/gss/token.hpp>

#include "hex_bytes.hpp"

using kerb::gss::kKrb5MechOid;
using kerb::gss::kSpnegoMechOid;
using kerb::gss::TokenId;
namespace major_status = kerb::gss::major_status;
using kerb::test::Bytes;
using kerb::test::ByteView;

namespace {

Bytes body_of(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(i * 13 + 5);
  return b;
}

bool same(ByteView a, ByteView b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

TEST_CASE("frame_token: known bytes of a krb5 AP-REQ token (RFC 1964 §1.1, RFC 4121 §4.1)") {
  const Bytes body = {0x6E, 0x00};
  auto framed = kerb::gss::frame_token(kKrb5MechOid, TokenId::kApReq, body);
  REQUIRE(framed);
  const Bytes expected = {0x60, 0x0F,  // [APPLICATION 0]
                          0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                          0xF7, 0x12, 0x01, 0x02, 0x02,  // krb5 OID
                          0x01, 0x00,                    // TOK_ID AP-REQ
                          0x6E, 0x00};
  CHECK(*framed == expected);

  auto parsed = kerb::gss::parse_framed_token(*framed);
  REQUIRE(parsed);
  CHECK(same(parsed->mech_oid, kKrb5MechOid));
  CHECK(parsed->tok_id == TokenId::kApReq);
  CHECK(same(parsed->body, body));
}

TEST_CASE("frame_token/parse_framed_token round trip across DER length forms") {
  // Content lengths 11..: short form, then 0x81, 0x82 and 0x83 long forms.
  for (std::size_t n : {0u, 1u, 100u, 114u, 115u, 116u, 200u, 243u, 244u, 255u, 256u, 1000u, 65535u,
                        65536u, 70000u}) {
    CAPTURE(n);
    const Bytes body = body_of(n);
    for (TokenId id : {TokenId::kApReq, TokenId::kApRep, TokenId::kKrbError}) {
      auto framed = kerb::gss::frame_token(kKrb5MechOid, id, body);
      REQUIRE(framed);
      const std::size_t content = 11 + 2 + n;
      const std::size_t len_octets = content < 0x80      ? 1
                                     : content < 0x100   ? 2
                                     : content < 0x10000 ? 3
                                                         : 4;
      CHECK(framed->size() == 1 + len_octets + content);
      if (len_octets > 1) CHECK((*framed)[1] == 0x80 + len_octets - 1);
      auto parsed = kerb::gss::parse_framed_token(*framed);
      REQUIRE(parsed);
      CHECK(parsed->tok_id == id);
      CHECK(same(parsed->mech_oid, kKrb5MechOid));
      CHECK(same(parsed->body, body));
    }
  }
}

TEST_CASE("generic framing carries an inner token without TOK_ID (SPNEGO, RFC 4178 §4.2)") {
  const Bytes inner = {0xA0, 0x03, 0x30, 0x01, 0x00};
  auto framed = kerb::gss::frame_generic_token(kSpnegoMechOid, inner);
  REQUIRE(framed);
  const Bytes expected = {0x60, 0x0D, 0x06, 0x06, 0x2B, 0x06, 0x01, 0x05,
                          0x05, 0x02, 0xA0, 0x03, 0x30, 0x01, 0x00};
  CHECK(*framed == expected);
  auto parsed = kerb::gss::parse_generic_token(*framed);
  REQUIRE(parsed);
  CHECK(same(parsed->mech_oid, kSpnegoMechOid));
  CHECK(same(parsed->inner, inner));

  auto empty = kerb::gss::frame_generic_token(kSpnegoMechOid, {});
  REQUIRE(empty);
  auto back = kerb::gss::parse_generic_token(*empty);
  REQUIRE(back);
  CHECK(back->inner.empty());
  // The krb5 form needs a TOK_ID.
  auto no_id = kerb::gss::parse_framed_token(*empty);
  REQUIRE_FALSE(no_id);
  CHECK(no_id.error().code() == major_status::kDefectiveToken);
}

TEST_CASE("frame_token refuses a malformed mech OID") {
  const Bytes bad_oids[] = {{}, {0x80}, {0x2A, 0x86}, {0x2A, 0x80, 0x01}};
  for (const Bytes& oid : bad_oids) {
    auto r = kerb::gss::frame_token(oid, TokenId::kApReq, {});
    REQUIRE_FALSE(r);
    CHECK(r.error().category() == kerb::ErrorCategory::kInvalidArgument);
  }
}

TEST_CASE("parse_framed_token rejects malformed framing with kDefectiveToken and an offset") {
  struct Case {
    const char* name;
    Bytes token;
  };
  // A valid token to start from: 60 0E 06 09 <krb5> 01 00 AA
  const Bytes good = {0x60, 0x0E, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                      0xF7, 0x12, 0x01, 0x02, 0x02, 0x01, 0x00, 0xAA};
  REQUIRE(kerb::gss::parse_framed_token(good));
  auto with = [&](std::size_t at, std::uint8_t v) {
    Bytes t = good;
    t[at] = v;
    return t;
  };
  const Case cases[] = {
      {"empty", {}},
      {"tag only", {0x60}},
      {"SEQUENCE instead of [APPLICATION 0]", with(0, 0x30)},
      {"primitive [APPLICATION 0]", with(0, 0x40)},
      {"[APPLICATION 1]", with(0, 0x61)},
      {"context tag", with(0, 0xA0)},
      {"high tag number form", with(0, 0x7F)},
      {"indefinite length", with(1, 0x80)},
      {"length beyond the input", with(1, 0x0F)},
      {"length short of the input (trailing bytes)", with(1, 0x0D)},
      {"trailing byte after the token",
       [&] {
         Bytes t = good;
         t.push_back(0x00);
         return t;
       }()},
      {"non-minimal long-form length",
       [&] {
         Bytes t = {0x60, 0x81, 0x0E};
         t.insert(t.end(), good.begin() + 2, good.end());
         return t;
       }()},
      {"length with a leading zero octet",
       [&] {
         Bytes t = {0x60, 0x82, 0x00, 0x0E};
         t.insert(t.end(), good.begin() + 2, good.end());
         return t;
       }()},
      {"five length octets", {0x60, 0x85, 0x00, 0x00, 0x00, 0x00, 0x0E}},
      {"length octets missing", {0x60, 0x82, 0x01}},
      {"OCTET STRING instead of the OID", with(2, 0x04)},
      {"constructed OID", with(2, 0x26)},
      {"OID length beyond the outer element", with(3, 0x0C)},
      {"OID with a non-minimal arc", with(4, 0x80)},
      {"OID ending inside an arc", with(12, 0x82)},
      {"empty OID", {0x60, 0x04, 0x06, 0x00, 0x01, 0x00}},
      {"no OID at all", {0x60, 0x02, 0x01, 0x00}},
      {"empty outer element", {0x60, 0x00}},
      {"no TOK_ID", {0x60, 0x0B, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02}},
      {"one octet of TOK_ID",
       {0x60, 0x0C, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02, 0x01}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto r = kerb::gss::parse_framed_token(c.token);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == major_status::kDefectiveToken);
    CHECK(r.error().category() == kerb::ErrorCategory::kProtocol);
    CHECK(std::string(r.error().detail()).find("offset") != std::string::npos);
  }
}

TEST_CASE("parse_framed_token: every truncation of a valid token is rejected") {
  auto framed = kerb::gss::frame_token(kKrb5MechOid, TokenId::kApRep, body_of(300));
  REQUIRE(framed);
  for (std::size_t len = 0; len < framed->size(); ++len) {
    CAPTURE(len);
    auto r = kerb::gss::parse_framed_token(ByteView(*framed).first(len));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == major_status::kDefectiveToken);
  }
}

TEST_CASE("parse_framed_token leaves TOK_ID and mech checks to the caller") {
  // Any TOK_ID and any valid mech OID parse; the krb5 code compares them.
  auto framed = kerb::gss::frame_token(kSpnegoMechOid, static_cast<TokenId>(0xBEEF), body_of(3));
  REQUIRE(framed);
  auto parsed = kerb::gss::parse_framed_token(*framed);
  REQUIRE(parsed);
  CHECK(static_cast<std::uint16_t>(parsed->tok_id) == 0xBEEF);
  CHECK(same(parsed->mech_oid, kSpnegoMechOid));
}
