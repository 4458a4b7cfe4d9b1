// ccache_name_fuzz: CcacheName::parse on any cache name ("FILE:/path", "/path", "MEMORY:name",
// other types refused). Nothing may crash or read out of bounds; a refusal is kConfig; a parsed
// name has a residual, and its text form parses back to the same type and residual.
//
// Input layout: the whole input is the name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <kerb/ccache.hpp>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  auto parsed = kerb::CcacheName::parse(name);
  if (!parsed) {
    FUZZ_CHECK(parsed.error().category() == kerb::ErrorCategory::kConfig);
    return 0;
  }
  FUZZ_CHECK(parsed->type == kerb::CcacheName::Type::kFile ||
             parsed->type == kerb::CcacheName::Type::kMemory);
  FUZZ_CHECK(!parsed->residual.empty());
  // The residual is the input's tail: nothing is unescaped or trimmed.
  FUZZ_CHECK(name.size() >= parsed->residual.size());
  FUZZ_CHECK(name.substr(name.size() - parsed->residual.size()) == parsed->residual);

  const std::string shown = parsed->to_string();
  auto again = kerb::CcacheName::parse(shown);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->type == parsed->type);
  FUZZ_CHECK(again->residual == parsed->residual);
  FUZZ_CHECK(again->to_string() == shown);
  return 0;
}
