// HTTP Negotiate (RFC 4559) header values and strict base64 (RFC 4648).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/gss/negotiate.hpp>

#include "spnego_test_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace spnego_test;

namespace {

test::Bytes text_bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

template <class T>
void check_fault(const Result<T>& r, const std::string& fragment) {
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().category() == ErrorCategory::kProtocol);
  CHECK_THAT(std::string(r.error().detail()), Catch::Contains(fragment));
}

}  // namespace

TEST_CASE("base64: RFC 4648 §10 test vectors both ways") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(base64_encode(text_bytes(plain)) == encoded);
    CHECK(must(base64_decode(encoded)) == text_bytes(plain));
  }
  // Every octet value, and the two characters beyond the alphanumerics.
  test::Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i] = static_cast<std::uint8_t>(i);
  const std::string encoded = base64_encode(all);
  CHECK(encoded.find('+') != std::string::npos);
  CHECK(encoded.find('/') != std::string::npos);
  CHECK(must(base64_decode(encoded)) == all);
  CHECK(base64_encode(hex("fbff")) == "+/8=");
}

TEST_CASE("base64: strict decoding refuses everything but canonical padded base64") {
  struct Case {
    const char* text;
    const char* fault;
  };
  const Case cases[] = {
      {"Zg", "not a multiple of 4 at offset 2"},
      {"Zg=", "not a multiple of 4"},
      {"Zm9vY", "not a multiple of 4"},
      {"Zg==Zg==", "misplaced base64 padding at offset 2"},
      {"====", "misplaced base64 padding at offset 0"},
      {"Z===", "misplaced base64 padding at offset 1"},
      {"Zm=v", "misplaced base64 padding at offset 2"},
      {"Zh==", "non-canonical base64 (pad bits set) at offset 1"},
      {"Zm9=", "non-canonical base64 (pad bits set) at offset 2"},
      {"Zm9 v", "not a multiple of 4"},
      {"Zm 9v", "not a multiple of 4"},
      {"Zm9v Zg==", "not a multiple of 4"},
      {"Zm9\tYg==", "invalid base64 character at offset 3"},
      {"Zm9v\r\nYg==", "not a multiple of 4"},
      {"Zm9vYg==\n\n", "not a multiple of 4"},
      {"Zm9-", "invalid base64 character at offset 3"},  // base64url
      {"Zm9_", "invalid base64 character at offset 3"},
      {"Zm9.", "invalid base64 character at offset 3"},
      {"Zm9\x80", "invalid base64 character at offset 3"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    check_fault(base64_decode(c.text), c.fault);
  }
  auto nul = base64_decode(std::string_view("Zm9\0", 4));
  check_fault(nul, "invalid base64 character at offset 3");
}

TEST_CASE("base64: the decoded size is bounded before anything is allocated") {
  const test::Bytes limit(kMaxNegotiateToken, 0x5A);
  const std::string at_limit = base64_encode(limit);
  CHECK(must(base64_decode(at_limit)).size() == kMaxNegotiateToken);
  const std::string over = base64_encode(test::Bytes(kMaxNegotiateToken + 1, 0x5A));
  check_fault(base64_decode(over), "too large");
  check_fault(base64_decode("Zm9vYmFy", 5), "too large");
  CHECK(must(base64_decode("Zm9vYmFy", 6)).size() == 6);
  CHECK(must(base64_decode("Zm9vYg==", 4)).size() == 4);
  check_fault(base64_decode("Zm9vYg==", 3), "too large");
  // A huge claim is refused from its length alone.
  check_fault(base64_decode(std::string(4 * 1024 * 1024, 'A')), "too large");
}

TEST_CASE("RFC 4559 §4.2: Authorization: Negotiate <token>") {
  const test::Bytes token = hex("6082 0102 0304 05");
  const std::string header = authorization_header(token);
  CHECK(header == "Negotiate YIIBAgMEBQ==");
  CHECK(must(parse_authorization(header)) == token);

  // The scheme is case-insensitive; whitespace around the value and between scheme and token
  // is allowed.
  for (const char* value :
       {"negotiate YIIBAgMEBQ==", "NEGOTIATE YIIBAgMEBQ==", "  Negotiate   YIIBAgMEBQ==  ",
        "Negotiate\tYIIBAgMEBQ==", "\tNegotiate YIIBAgMEBQ==\t"}) {
    INFO(value);
    CHECK(must(parse_authorization(value)) == token);
  }

  struct Case {
    const char* value;
    const char* fault;
  };
  const Case cases[] = {
      {"", "expected an auth-scheme at offset 0"},
      {"   ", "expected an auth-scheme at offset 3"},
      {"Negotiate", "without a token at offset 9"},
      {"Negotiate   ", "without a token at offset 12"},
      {"Basic YWxhZGRpbjpvcGVuc2VzYW1l", "not the Negotiate scheme at offset 0"},
      {"NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAAAw==", "not the Negotiate scheme"},
      {"Negotiat YIIBAgMEBQ==", "not the Negotiate scheme"},
      {"NegotiateX YIIBAgMEBQ==", "not the Negotiate scheme"},
      {"Negotiate=YIIBAgMEBQ==", "unexpected character after the scheme at offset 9"},
      {"Negotiate YIIBAgMEBQ", "not a multiple of 4 at offset 20"},
      {"Negotiate YIIB AgMEBQ==", "not a multiple of 4"},
      {"Negotiate YIIBAgME BQ=", "invalid base64 character at offset 18"},
      {"Negotiate YIIBAgMEBQ==, Negotiate YIIB", "misplaced base64 padding at offset 20"},
      {"Negotiate YIIBAgMEBQ==\r\nX-Injected: 1", "control character at offset 22"},
      {"Negotiate\r\n YIIBAgMEBQ==", "control character at offset 9"},
      {"Negotiate YIIBAg-EBQ==", "invalid base64 character at offset 16"},
      {"Negotiate ====", "misplaced base64 padding at offset 10"},
  };
  for (const Case& c : cases) {
    INFO(c.value);
    check_fault(parse_authorization(c.value), c.fault);
  }
  check_fault(parse_authorization(std::string_view("Negotiate YIIBAgMEBQ==\0", 23)),
              "control character at offset 22");
}

TEST_CASE("RFC 4559 §4.1: WWW-Authenticate: Negotiate [token]") {
  CHECK(www_authenticate() == "Negotiate");
  const test::Bytes token = hex("a1 07 3005 a003 0a0100");
  CHECK(www_authenticate(token) == "Negotiate oQcwBaADCgEA");

  CHECK_FALSE(must(parse_www_authenticate("Negotiate")).has_value());
  const auto parsed = must(parse_www_authenticate("Negotiate oQcwBaADCgEA"));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == token);
}

TEST_CASE("RFC 7235 §4.1: the Negotiate challenge is found among several") {
  const test::Bytes token = hex("a1 07 3005 a003 0a0100");
  struct Case {
    const char* value;
    bool has_token;
  };
  const Case cases[] = {
      {"Negotiate", false},
      {"negotiate", false},
      {"  NEGOTIATE  ", false},
      {"Negotiate oQcwBaADCgEA", true},
      {"nEgOtIaTe\toQcwBaADCgEA  ", true},
      {"Basic realm=\"bank\", Negotiate", false},
      {"Basic realm=\"bank\", Negotiate oQcwBaADCgEA", true},
      {"Negotiate oQcwBaADCgEA, Basic realm=\"bank\"", true},
      {"Negotiate, NTLM", false},
      {"NTLM, Negotiate oQcwBaADCgEA", true},
      {"Basic realm=\"a, Negotiate zzz\", charset=UTF-8, Negotiate", false},
      {"Basic realm=\"say \\\"hi\\\", Negotiate\"  , Negotiate oQcwBaADCgEA", true},
      {"Digest realm=\"x\", qop=\"auth,auth-int\", nonce=\"abc\", opaque=\"d=\", Negotiate", false},
      {"Bearer realm = \"x\" , error=invalid_token,Negotiate oQcwBaADCgEA", true},
      {", ,Negotiate,,", false},
      {"Foo abc==, Negotiate oQcwBaADCgEA", true},  // another scheme's token68
      {"Foo, Negotiate", false},
      {"Basic realm=, Negotiate", false},  // "realm=" is a token68
      {"Basic realm, Negotiate", false},
  };
  for (const Case& c : cases) {
    INFO(c.value);
    const auto parsed = must(parse_www_authenticate(c.value));
    CHECK(parsed.has_value() == c.has_token);
    if (parsed) CHECK(*parsed == token);
  }
}

TEST_CASE("RFC 7235: malformed or ambiguous WWW-Authenticate values are refused") {
  struct Case {
    const char* value;
    const char* fault;
  };
  const Case cases[] = {
      {"", "no Negotiate challenge"},
      {"Basic realm=\"bank\"", "no Negotiate challenge"},
      {"NTLM", "no Negotiate challenge"},
      {"Negotiator", "no Negotiate challenge"},
      {"Negotiate, Negotiate oQcwBaADCgEA", "more than one Negotiate challenge at offset 11"},
      {"Negotiate realm=\"x\"",
       "Negotiate challenge with auth-params instead of a token at offset 10"},
      {"Negotiate oQcwBaADCgEA, realm=\"x\"", "auth-param outside a challenge at offset 24"},
      {"Negotiate, realm=x", "auth-param outside a challenge at offset 11"},
      {"realm=\"x\", Negotiate", "auth-param outside a challenge at offset 0"},
      {"Negotiate oQcwBaADCgEA oQcw", "unexpected character at offset 23"},
      {"Negotiate oQcw BaADCgEA", "unexpected character at offset 15"},
      {"Negotiate oQcwBaADCgE", "not a multiple of 4 at offset 21"},
      {"Negotiate oQcwBaADCgF=", "non-canonical base64 (pad bits set) at offset 20"},
      {"Negotiate \"oQcwBaADCgEA\"", "unexpected character at offset 10"},
      {"Basic realm=\"unterminated, Negotiate", "unterminated quoted-string at offset 12"},
      {"Basic realm=\"x\\", "unterminated quoted-string at offset 12"},
      {"Basic a=b, c=", "missing auth-param value at offset 13"},
      {"Basic a=b, c=, Negotiate", "invalid auth-param value at offset 13"},
      {"Basic realm x, Negotiate", "invalid challenge data at offset 6"},
      {"Basic realm=x y, Negotiate", "unexpected character at offset 14"},
      {"Basic @, Negotiate", "invalid challenge data at offset 6"},
      {"@Negotiate", "expected an auth-scheme at offset 0"},
      {"Negotiate\"x\"", "unexpected character after the scheme at offset 9"},
      {"Negotiate\r\n oQcwBaADCgEA", "control character at offset 9"},
      {"Negotiate oQcwBaADCgEA\n", "control character at offset 22"},
      {"Negotiate \x7f", "control character at offset 10"},
  };
  for (const Case& c : cases) {
    INFO(c.value);
    check_fault(parse_www_authenticate(c.value), c.fault);
  }
  // Length bound on the whole value, checked first.
  std::string huge = "Negotiate, Basic realm=\"" + std::string(kMaxNegotiateHeader, 'x') + "\"";
  check_fault(parse_www_authenticate(huge), "header value too long");
  check_fault(parse_authorization(huge), "header value too long");
}

TEST_CASE("RFC 4559: a large Kerberos token survives the header round trip") {
  test::Bytes token(48000);
  for (std::size_t i = 0; i < token.size(); ++i)
    token[i] = static_cast<std::uint8_t>(i * 7 + 3);
  CHECK(must(parse_authorization(authorization_header(token))) == token);
  const auto back = must(parse_www_authenticate(www_authenticate(token)));
  REQUIRE(back);
  CHECK(*back == token);
  for (std::size_t n = 1; n < 6; ++n) {
    const test::Bytes small(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(must(parse_authorization(authorization_header(small))) == small);
  }
}
