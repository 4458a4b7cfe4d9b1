// Password change framing (RFC 3244 §2): request and reply layouts written out by hand from the
// RFC's diagrams, around MIT's reference encodings of an AP-REP, a KRB-PRIV and a KRB-ERROR
// (MIT krb5 src/tests/asn.1/reference_encode.out, also in tests/data/mit_reference_encode.txt);
// ChangePasswdData and the AD policy blob by hand with a comment per field; and malformed
// replies: every truncation, lengths that disagree, wrong versions, trailing bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include <kerb/kpasswd.hpp>

#include "hex_bytes.hpp"

using kerb::ErrorCategory;
using kerb::KpasswdResultCode;
using kerb::KpasswdVersion;
using kerb::test::hex;
using TestBytes = kerb::test::Bytes;

namespace {

// MIT's encode_krb5_ap_rep: [APPLICATION 15], enc-part etype 0, kvno 5, cipher
// "krbASN.1 test message". 53 octets.
const TestBytes kApRep =
    hex("6F 33 30 31 A0 03 02 01 05 A1 03 02 01 0F A2 25 30 23 A0 03 02 01 00 A1 03 02 01 05"
        "A2 17 04 15 6B 72 62 41 53 4E 2E 31 20 74 65 73 74 20 6D 65 73 73 61 67 65");
// MIT's encode_krb5_priv: [APPLICATION 21], the same enc-part. 53 octets.
const TestBytes kKrbPriv =
    hex("75 33 30 31 A0 03 02 01 05 A1 03 02 01 15 A3 25 30 23 A0 03 02 01 00 A1 03 02 01 05"
        "A2 17 04 15 6B 72 62 41 53 4E 2E 31 20 74 65 73 74 20 6D 65 73 73 61 67 65");
// MIT's encode_krb5_error: error-code 60 (KRB_ERR_GENERIC), e-text "krb5data",
// e-data "krb5data". 189 octets.
const TestBytes kKrbError =
    hex("7E 81 BA 30 81 B7 A0 03 02 01 05 A1 03 02 01 1E A2 11 18 0F 31 39 39 34 30 36 31 30 30 36"
        "30 33 31 37 5A A3 05 02 03 01 E2 40 A4 11 18 0F 31 39 39 34 30 36 31 30 30 36 30 33 31 37"
        "5A A5 05 02 03 01 E2 40 A6 03 02 01 3C A7 10 1B 0E 41 54 48 45 4E 41 2E 4D 49 54 2E 45 44"
        "55 A8 1A 30 18 A0 03 02 01 01 A1 11 30 0F 1B 06 68 66 74 73 61 69 1B 05 65 78 74 72 61 A9"
        "10 1B 0E 41 54 48 45 4E 41 2E 4D 49 54 2E 45 44 55 AA 1A 30 18 A0 03 02 01 01 A1 11 30 0F"
        "1B 06 68 66 74 73 61 69 1B 05 65 78 74 72 61 AB 0A 1B 08 6B 72 62 35 64 61 74 61 AC 0A 04"
        "08 6B 72 62 35 64 61 74 61");

TestBytes cat(std::initializer_list<const TestBytes*> parts) {
  TestBytes out;
  for (const TestBytes* p : parts)
    out.insert(out.end(), p->begin(), p->end());
  return out;
}

// The reply of RFC 3244 §2: message length 112 = 6 + 53 + 53, version 0x0001, AP-REP length 53.
TestBytes framed_reply() {
  const TestBytes header = hex("0070 0001 0035");
  return cat({&header, &kApRep, &kKrbPriv});
}

// A framed KRB-ERROR: length 6 + 189 = 195, version 0x0001, AP-REP length 0 (RFC 3244 §2).
TestBytes framed_error() {
  const TestBytes header = hex("00C3 0001 0000");
  return cat({&header, &kKrbError});
}

bool same(kerb::Bytes a, const TestBytes& b) {
  return TestBytes(a.begin(), a.end()) == b;
}

std::string detail(const kerb::Error& e) {
  return std::string(e.detail());
}

void set_be16(TestBytes& b, std::size_t at, std::size_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

}  // namespace

TEST_CASE("kpasswd request: RFC 3244 layout around the AP-REQ and KRB-PRIV", "[kpasswd]") {
  // The AP-REQ's bytes only travel; an AP-REP encoding serves as well as any.
  const TestBytes header =
      hex("0070"    // message length 112 = 6 + 53 + 53
          "FF80"    // protocol version: set password (RFC 3244)
          "0035");  // AP-REQ length 53
  const TestBytes expected_setpw = cat({&header, &kApRep, &kKrbPriv});
  auto setpw = kerb::frame_kpasswd_request(KpasswdVersion::kSetPassword, kApRep, kKrbPriv);
  REQUIRE(setpw);
  CHECK(*setpw == expected_setpw);

  auto chpw = kerb::frame_kpasswd_request(KpasswdVersion::kChangePassword, kApRep, kKrbPriv);
  REQUIRE(chpw);
  TestBytes expected_chpw = expected_setpw;
  expected_chpw[2] = 0x00;  // version 0x0001: the original change-password protocol
  expected_chpw[3] = 0x01;
  CHECK(*chpw == expected_chpw);
}

TEST_CASE("kpasswd request: sizes the 16-bit fields cannot carry are refused", "[kpasswd]") {
  const TestBytes empty;
  CHECK(kerb::frame_kpasswd_request(KpasswdVersion::kSetPassword, empty, kKrbPriv)
            .error()
            .category() == ErrorCategory::kInvalidArgument);
  CHECK(
      kerb::frame_kpasswd_request(KpasswdVersion::kSetPassword, kApRep, empty).error().category() ==
      ErrorCategory::kInvalidArgument);
  // 6 + 65000 + 529 = 65535 fits exactly; one octet more does not.
  const TestBytes ap_req(65000, 0xAA);
  const TestBytes priv_fits(529, 0xBB);
  const TestBytes priv_over(530, 0xBB);
  auto fits = kerb::frame_kpasswd_request(KpasswdVersion::kSetPassword, ap_req, priv_fits);
  REQUIRE(fits);
  CHECK(fits->size() == 65535);
  CHECK((*fits)[0] == 0xFF);
  CHECK((*fits)[1] == 0xFF);
  CHECK((*fits)[4] == 0xFD);  // 65000 = 0xFDE8
  CHECK((*fits)[5] == 0xE8);
  CHECK(kerb::frame_kpasswd_request(KpasswdVersion::kSetPassword, ap_req, priv_over)
            .error()
            .category() == ErrorCategory::kInvalidArgument);
}

TEST_CASE("ChangePasswdData: DER by hand, with and without a target", "[kpasswd]") {
  const std::string_view pw = "new-pw";
  kerb::ChangePasswdData data;
  data.newpasswd = kerb::Bytes(reinterpret_cast<const std::uint8_t*>(pw.data()), pw.size());

  SECTION("own password: newpasswd only") {
    const TestBytes expected =
        hex("30 0A"                       // SEQUENCE, 10 octets
            "A0 08 04 06 6E65772D7077");  // [0] OCTET STRING "new-pw"
    auto user_data = kerb::kpasswd_user_data(KpasswdVersion::kSetPassword, data);
    REQUIRE(user_data);
    CHECK(same(user_data->view(), expected));
  }

  SECTION("another principal's password: targname and targrealm") {
    data.targname = kerb::PrincipalName(kerb::NameType::kPrincipal, {"alice"});
    data.targrealm = "KERB.TEST";
    const TestBytes expected =
        hex("30 2B"                           // SEQUENCE, 43 octets
            "A0 08 04 06 6E65772D7077"        // [0] newpasswd OCTET STRING "new-pw"
            "A1 12 30 10"                     // [1] targname PrincipalName
            "  A0 03 02 01 01"                //   name-type [0] INTEGER 1 (NT-PRINCIPAL)
            "  A1 09 30 07 1B 05 616C696365"  //   name-string [1] SEQUENCE OF GeneralString "alice"
            "A2 0B 1B 09 4B4552422E54455354");  // [2] targrealm GeneralString "KERB.TEST"
    auto user_data = kerb::kpasswd_user_data(KpasswdVersion::kSetPassword, data);
    REQUIRE(user_data);
    CHECK(same(user_data->view(), expected));

    auto back = kerb::decode_change_passwd_data(expected);
    REQUIRE(back);
    CHECK(same(back->newpasswd, hex("6E65772D7077")));
    REQUIRE(back->targname);
    CHECK(*back->targname == *data.targname);
    CHECK(back->targrealm == std::optional<std::string_view>("KERB.TEST"));

    // Version 1 carries only the raw password: no room for a target.
    CHECK(kerb::kpasswd_user_data(KpasswdVersion::kChangePassword, data).error().category() ==
          ErrorCategory::kInvalidArgument);
  }

  SECTION("version 1: the user-data is the password itself") {
    auto user_data = kerb::kpasswd_user_data(KpasswdVersion::kChangePassword, data);
    REQUIRE(user_data);
    CHECK(same(user_data->view(), hex("6E65772D7077")));
  }
}

TEST_CASE("ChangePasswdData: malformed encodings are refused", "[kpasswd]") {
  const TestBytes good = hex("30 0A A0 08 04 06 6E65772D7077");
  REQUIRE(kerb::decode_change_passwd_data(good));
  for (std::size_t n = 0; n < good.size(); ++n) {
    INFO("truncated to " << n);
    CHECK_FALSE(kerb::decode_change_passwd_data(TestBytes(good.begin(), good.begin() + n)));
  }
  TestBytes trailing = good;
  trailing.push_back(0x00);
  CHECK_FALSE(kerb::decode_change_passwd_data(trailing));
  // newpasswd missing; fields out of order.
  CHECK_FALSE(kerb::decode_change_passwd_data(hex("30 0D A2 0B 1B 09 4B4552422E54455354")));
  CHECK_FALSE(kerb::decode_change_passwd_data(
      hex("30 17 A2 0B 1B 09 4B4552422E54455354 A0 08 04 06 6E65772D7077")));
}

TEST_CASE("kpasswd reply: AP-REP and KRB-PRIV", "[kpasswd]") {
  const TestBytes reply = framed_reply();
  auto parsed = kerb::parse_kpasswd_reply(reply);
  REQUIRE(parsed);
  CHECK(parsed->version == 0x0001);
  CHECK(same(parsed->ap_rep, kApRep));
  CHECK(same(parsed->krb_priv_raw, kKrbPriv));
  REQUIRE(parsed->krb_priv);
  CHECK(parsed->krb_priv->enc_part.kvno == std::optional<std::uint32_t>(5));
  CHECK_FALSE(parsed->krb_error);

  // Servers that echo the request's version answer 0xff80 (MIT's client accepts both).
  TestBytes echoed = reply;
  set_be16(echoed, 2, 0xff80);
  auto parsed_echoed = kerb::parse_kpasswd_reply(echoed);
  REQUIRE(parsed_echoed);
  CHECK(parsed_echoed->version == 0xff80);
}

TEST_CASE("kpasswd reply: KRB-ERROR framed and unframed", "[kpasswd]") {
  auto framed = kerb::parse_kpasswd_reply(framed_error());
  REQUIRE(framed);
  CHECK(framed->ap_rep.empty());
  CHECK_FALSE(framed->krb_priv);
  REQUIRE(framed->krb_error);
  CHECK(framed->krb_error->error_code == 60);

  // RFC 3244 §2: "the KRB-ERROR message will be sent back without any encapsulation".
  auto bare = kerb::parse_kpasswd_reply(kKrbError);
  REQUIRE(bare);
  CHECK(bare->version == 0);
  REQUIRE(bare->krb_error);
  CHECK(bare->krb_error->error_code == 60);
  // Its e-data "krb5data": result code 0x6B72, an unknown one, and the string "b5data".
  auto result = kerb::kpasswd_error_result(*bare->krb_error);
  REQUIRE(result);
  CHECK(result->code == 0x6B72);
  CHECK(same(result->result_string, hex("623564617461")));
  CHECK(kerb::describe_kpasswd_result(result->code) == "Password change failed");
}

TEST_CASE("kpasswd reply: every truncation is refused", "[kpasswd]") {
  for (const TestBytes& whole : {framed_reply(), framed_error()}) {
    for (std::size_t n = 0; n < whole.size(); ++n) {
      TestBytes cut(whole.begin(), whole.begin() + n);
      INFO("truncated to " << n << " octets");
      CHECK_FALSE(kerb::parse_kpasswd_reply(cut));
      // Also with a message length that agrees with the cut.
      if (n >= 2) {
        set_be16(cut, 0, n);
        CHECK_FALSE(kerb::parse_kpasswd_reply(cut));
      }
    }
  }
  for (std::size_t n = 0; n < kKrbError.size(); ++n) {
    INFO("bare KRB-ERROR truncated to " << n << " octets");
    CHECK_FALSE(kerb::parse_kpasswd_reply(TestBytes(kKrbError.begin(), kKrbError.begin() + n)));
  }
}

TEST_CASE("kpasswd reply: lengths that disagree name their offset", "[kpasswd]") {
  const TestBytes good = framed_reply();

  SECTION("message length") {
    for (std::size_t length : {0u, 6u, 111u, 113u, 0xffffu}) {
      TestBytes bad = good;
      set_be16(bad, 0, length);
      auto parsed = kerb::parse_kpasswd_reply(bad);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().category() == ErrorCategory::kProtocol);
      CHECK_THAT(detail(parsed.error()), Catch::Contains("at offset 0"));
    }
  }
  SECTION("AP-REP length past the end") {
    for (std::size_t length : {107u, 108u, 0xffffu}) {
      TestBytes bad = good;
      set_be16(bad, 4, length);
      auto parsed = kerb::parse_kpasswd_reply(bad);
      REQUIRE_FALSE(parsed);
      CHECK_THAT(detail(parsed.error()), Catch::Contains("at offset 4"));
    }
  }
  SECTION("AP-REP length inside the buffer but wrong") {
    for (std::size_t length : {1u, 52u, 54u, 106u}) {
      TestBytes bad = good;
      set_be16(bad, 4, length);
      INFO("AP-REP length " << length);
      CHECK_FALSE(kerb::parse_kpasswd_reply(bad));
    }
  }
  SECTION("the AP-REP takes everything: no KRB-PRIV") {
    TestBytes bad = hex("003B 0001 0035");  // 6 + 53
    bad.insert(bad.end(), kApRep.begin(), kApRep.end());
    auto parsed = kerb::parse_kpasswd_reply(bad);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(detail(parsed.error()), Catch::Contains("offset 59"));
  }
  SECTION("a DER fault in the KRB-PRIV is placed in the whole reply") {
    TestBytes bad = good;
    bad[6 + 53 + 6] = 0x04;  // the KRB-PRIV pvno's INTEGER tag -> OCTET STRING, at 6 + 53 + 6
    auto parsed = kerb::parse_kpasswd_reply(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().category() == ErrorCategory::kDer);
    CHECK_THAT(detail(parsed.error()), Catch::Contains("KRB-PRIV"));
    CHECK_THAT(detail(parsed.error()), Catch::EndsWith("at offset 65"));
  }
  SECTION("a DER fault in the AP-REP is placed in the whole reply") {
    TestBytes bad = good;
    bad[6] = 0x70;  // [APPLICATION 16], not 15: the tag at reply offset 6
    auto parsed = kerb::parse_kpasswd_reply(bad);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(detail(parsed.error()), Catch::Contains("AP-REP"));
    CHECK_THAT(detail(parsed.error()), Catch::EndsWith("at offset 6"));
  }
}

TEST_CASE("kpasswd reply: wrong versions and trailing bytes", "[kpasswd]") {
  for (std::size_t version : {0x0000u, 0x0002u, 0xff81u, 0x8000u}) {
    TestBytes bad = framed_reply();
    set_be16(bad, 2, version);
    auto parsed = kerb::parse_kpasswd_reply(bad);
    REQUIRE_FALSE(parsed);
    CHECK_THAT(detail(parsed.error()), Catch::Contains("at offset 2"));
  }
  for (const TestBytes& whole : {framed_reply(), framed_error()}) {
    TestBytes trailing = whole;
    trailing.push_back(0x00);
    set_be16(trailing, 0, trailing.size());
    CHECK_FALSE(kerb::parse_kpasswd_reply(trailing));
  }
  TestBytes bare_trailing = kKrbError;
  bare_trailing.push_back(0x00);
  CHECK_FALSE(kerb::parse_kpasswd_reply(bare_trailing));
  // A framed KRB-PRIV where the KRB-ERROR belongs, and the reverse.
  TestBytes priv_as_error = hex("003B 0001 0000");
  priv_as_error.insert(priv_as_error.end(), kKrbPriv.begin(), kKrbPriv.end());
  CHECK_FALSE(kerb::parse_kpasswd_reply(priv_as_error));
}

TEST_CASE("kpasswd result: code and string", "[kpasswd]") {
  // result code 4 (soft error), result string "Password too short" in UTF-8.
  const TestBytes user_data = hex("0004 50617373776F726420746F6F2073686F7274");
  auto result = kerb::parse_kpasswd_result(user_data);
  REQUIRE(result);
  CHECK(result->code == 4);
  CHECK_FALSE(result->success());
  CHECK(same(result->result_string, hex("50617373776F726420746F6F2073686F7274")));
  CHECK_FALSE(kerb::decode_ad_policy_info(result->result_string));

  auto success = kerb::parse_kpasswd_result(hex("0000"));
  REQUIRE(success);
  CHECK(success->success());
  CHECK(success->result_string.empty());

  CHECK_FALSE(kerb::parse_kpasswd_result(TestBytes{}));
  CHECK_FALSE(kerb::parse_kpasswd_result(hex("00")));

  CHECK(kerb::describe(KpasswdResultCode::kSoftError) !=
        kerb::describe(KpasswdResultCode::kMalformed));
  for (std::uint16_t code = 0; code <= 7; ++code)
    CHECK(kerb::describe_kpasswd_result(code) != kerb::describe_kpasswd_result(0xffff));
}

TEST_CASE("kpasswd result: a KRB-ERROR cannot report success, and without e-data it is a KDC error",
          "[kpasswd]") {
  const TestBytes success = hex("0000");
  kerb::KrbError error;
  error.error_code = 60;
  error.e_data = kerb::Bytes(success);
  CHECK(kerb::kpasswd_error_result(error).error().category() == ErrorCategory::kProtocol);

  const TestBytes denied = hex("0005");
  error.e_data = kerb::Bytes(denied);
  auto result = kerb::kpasswd_error_result(error);
  REQUIRE(result);
  CHECK(result->code == 5);

  error.e_data.reset();
  auto none = kerb::kpasswd_error_result(error);
  REQUIRE_FALSE(none);
  CHECK(none.error().category() == ErrorCategory::kKdc);
  CHECK(none.error().code() == 60);
}

TEST_CASE("kpasswd result: Active Directory policy blob", "[kpasswd]") {
  const TestBytes blob =
      hex("0000"                // two zero octets: reads as an empty UTF-8 string
          "00000008"            // minimum length 8
          "00000018"            // history 24
          "00000001"            // properties: complexity required
          "00002100F5598000"    // maximum age: 42 days in 100 ns units
          "000000C92A69C000");  // minimum age: 1 day in 100 ns units
  auto policy = kerb::decode_ad_policy_info(blob);
  REQUIRE(policy);
  CHECK(policy->min_length == 8);
  CHECK(policy->history == 24);
  CHECK(policy->properties == kerb::AdPolicyInfo::kComplex);
  CHECK(policy->max_age == 42ull * 86400 * 10000000);
  CHECK(policy->min_age == 86400ull * 10000000);

  TestBytes nonzero = blob;
  nonzero[1] = 0x01;
  CHECK_FALSE(kerb::decode_ad_policy_info(nonzero));
  CHECK_FALSE(kerb::decode_ad_policy_info(TestBytes(blob.begin(), blob.end() - 1)));
  TestBytes longer = blob;
  longer.push_back(0);
  CHECK_FALSE(kerb::decode_ad_policy_info(longer));
}

TEST_CASE("kpasswd outcome: result codes as errors, with the server's words", "[kpasswd]") {
  auto outcome = [](std::uint16_t code, const TestBytes& result_string) {
    kerb::KpasswdOutcome o;
    o.code = code;
    o.result_string = result_string;
    o.message = kerb::kpasswd_result_message(code, result_string);
    return o;
  };
  CHECK(kerb::kpasswd_outcome_error(outcome(0, {})).ok());

  // A soft error with a UTF-8 message (MIT kadmind's words for its minlength policy).
  const std::string text =
      "New password is too short.\nPlease choose a password which is at "
      "least 12 characters long.";
  auto soft = kerb::kpasswd_outcome_error(outcome(4, TestBytes(text.begin(), text.end())));
  REQUIRE_FALSE(soft);
  CHECK(soft.error().category() == ErrorCategory::kPolicy);
  CHECK(soft.error().code() == 4);
  CHECK(kerb::password_rejected(soft.error()));
  CHECK(std::string(soft.error().detail()) == "Password change rejected: " + text);

  // A soft error with Active Directory's policy blob (the layout of the test above): min length
  // 8, history 24, complexity, minimum age 1 day, all said in the detail.
  const TestBytes blob =
      hex("0000"
          "00000008"
          "00000018"
          "00000001"
          "00002100F5598000"
          "000000C92A69C000");
  auto policy = kerb::kpasswd_outcome_error(outcome(4, blob));
  REQUIRE_FALSE(policy);
  const std::string detail(policy.error().detail());
  INFO(detail);
  CHECK(kerb::password_rejected(policy.error()));
  CHECK(detail.find("at least 8 characters") != std::string::npos);
  CHECK(detail.find("last 24 passwords") != std::string::npos);
  CHECK(detail.find("one change every 1 days") != std::string::npos);
  CHECK(detail.find("mixed character classes") != std::string::npos);

  // Access denied, a hard error, and a code no RFC defines: kKdc, not a policy refusal, with
  // the code's sentence when the server said nothing and the code named in the detail.
  for (std::uint16_t code : {std::uint16_t{5}, std::uint16_t{2}, std::uint16_t{0xffff}}) {
    auto e = kerb::kpasswd_outcome_error(outcome(code, {}));
    REQUIRE_FALSE(e);
    CHECK(e.error().category() == ErrorCategory::kKdc);
    CHECK(e.error().code() == 0);
    CHECK_FALSE(kerb::password_rejected(e.error()));
    const std::string d(e.error().detail());
    CHECK(d.find(std::string(kerb::describe_kpasswd_result(code))) != std::string::npos);
    CHECK(d.find("kpasswd result " + std::to_string(code)) != std::string::npos);
  }
  // A binary result string that is not the policy blob is not shown as text.
  CHECK(kerb::kpasswd_result_message(4, hex("01FF00")) == kerb::describe_kpasswd_result(4));
}

TEST_CASE("password_expired: KDC_ERR_KEY_EXPIRED (RFC 4120 §7.5.9: 23) from the KDC", "[kpasswd]") {
  CHECK(kerb::password_expired(kerb::Error(ErrorCategory::kKdc, 23, "expired")));
  CHECK_FALSE(kerb::password_expired(kerb::Error(ErrorCategory::kKdc, 24, "preauth failed")));
  CHECK_FALSE(kerb::password_expired(kerb::Error(ErrorCategory::kProtocol, 23, "other layer")));
}
