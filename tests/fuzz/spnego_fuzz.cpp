// spnego_fuzz: SPNEGO NegotiationTokens (RFC 4178 §4.2) and HTTP Negotiate header values
// (RFC 4559), from the same input.
//
// Properties: nothing crashes or reads out of bounds; a token that decodes re-encodes to the
// identical bytes (strict DER in, canonical DER out), and decodes the same way through each
// entry point; a header that parses is rebuilt into a value that parses to the same token;
// base64 that decodes re-encodes to the identical text (only canonical base64 is accepted).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/gss/negotiate.hpp>
#include <kerb/gss/spnego.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace gss = kerb::gss;

namespace {

using kerb::test::ByteView;

bool same(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

void check_token(ByteView input) {
  auto any = gss::decode_negotiation_token(input);
  auto init = gss::decode_neg_token_init(input);
  auto resp = gss::decode_neg_token_resp(input);
  FUZZ_CHECK(!(init.ok() && resp.ok()));
  FUZZ_CHECK(any.ok() == (init.ok() || resp.ok()));
  if (!any) return;
  if (any->init) {
    FUZZ_CHECK(init.ok() && !any->resp);
    const gss::NegTokenInit& t = *any->init;
    FUZZ_CHECK(!t.mech_types.empty() && t.mech_types.size() <= gss::NegTokenInit::kMaxMechTypes);
    auto again = gss::encode_neg_token_init(t);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(same(*again, input));
    // The kept MechTypeList is what a MIC covers: it is exactly the list re-encoded.
    auto list = gss::encode_mech_type_list(t.mech_types);
    FUZZ_CHECK(list.ok());
    FUZZ_CHECK(same(*list, t.mech_types_der));
    // Every view lies inside the input.
    const auto inside = [&](ByteView v) {
      return v.empty() ||
             (v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size());
    };
    for (ByteView oid : t.mech_types)
      FUZZ_CHECK(inside(oid));
    if (t.mech_token) FUZZ_CHECK(inside(*t.mech_token));
    if (t.mech_list_mic) FUZZ_CHECK(inside(*t.mech_list_mic));
  } else {
    FUZZ_CHECK(resp.ok() && any->resp);
    auto again = gss::encode_neg_token_resp(*any->resp);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(same(*again, input));
  }
}

void check_headers(std::string_view text) {
  if (auto b = gss::base64_decode(text)) {
    FUZZ_CHECK(b->size() <= gss::kMaxNegotiateToken);
    FUZZ_CHECK(gss::base64_encode(*b) == text);
    check_token(*b);
  }
  if (auto token = gss::parse_authorization(text)) {
    FUZZ_CHECK(!token->empty());
    auto back = gss::parse_authorization(gss::authorization_header(*token));
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(*back == *token);
    check_token(*token);
  }
  if (auto challenge = gss::parse_www_authenticate(text)) {
    const std::vector<std::uint8_t> token = challenge->value_or(std::vector<std::uint8_t>{});
    auto back = gss::parse_www_authenticate(gss::www_authenticate(token));
    FUZZ_CHECK(back.ok());
    FUZZ_CHECK(back->has_value() == challenge->has_value());
    if (*challenge) {
      FUZZ_CHECK(**back == token);
      check_token(token);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  check_token(input);
  check_headers(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
