// principal_fuzz: Principal::parse, MIT's "comp/comp@REALM" text form with its escapes, on any
// text and default realm. Nothing may crash or read out of bounds; a refusal is
// kInvalidArgument; a parsed principal has a realm and at most PrincipalName::kMaxComponents
// components, its name type follows the krbtgt rule, and its text form parses back to the same
// principal (to_string escapes whatever parse would read as syntax).
//
// Input layout:
//   byte 0   n: the default realm is the next n % 32 bytes (none when 0)
//   rest     the text to parse
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <kerb/principal.hpp>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string_view default_realm = rest.substr(0, data[0] % 32);
  rest.remove_prefix(default_realm.size());
  const std::string_view text = rest;

  auto parsed = kerb::Principal::parse(text, default_realm);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().category() == kerb::ErrorCategory::kInvalidArgument);
    return 0;
  }
  const kerb::Principal& p = *parsed;
  FUZZ_CHECK(!p.realm().empty());
  FUZZ_CHECK(!p.components().empty());
  FUZZ_CHECK(p.components().size() <= kerb::PrincipalName::kMaxComponents);
  const bool tgs = p.components().size() == 2 && p.components()[0] == kerb::kTgsName;
  FUZZ_CHECK(p.raw_name_type() == static_cast<std::int32_t>(tgs ? kerb::NameType::kSrvInst
                                                                : kerb::NameType::kPrincipal));

  // The wire view names the same components.
  const kerb::PrincipalName name = p.name();
  FUZZ_CHECK(name.size() == p.components().size());
  for (std::size_t i = 0; i < name.size(); ++i)
    FUZZ_CHECK(name[i] == p.components()[i]);

  // The text form round-trips, with or without a default realm to fall back on.
  const std::string shown = p.to_string();
  auto again = kerb::Principal::parse(shown);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == p);
  FUZZ_CHECK(again->raw_name_type() == p.raw_name_type());
  FUZZ_CHECK(again->to_string() == shown);
  return 0;
}
