// FUZZ_CHECK(cond) for the fuzz targets: a property that does not hold names itself and the
// line, prefixed by the target (its source file's name), and traps so that libFuzzer keeps the
// input -- in sanitized, release and replay builds alike, unlike assert().
#pragma once

#include <cstdio>
#include <string_view>

namespace kerb::fuzz {

[[noreturn]] inline void property_failed(std::string_view file, const char* what, int line) {
  // "dir/der_fuzz.cpp" -> "der_fuzz"
  if (const std::size_t slash = file.find_last_of("/\\"); slash != std::string_view::npos)
    file.remove_prefix(slash + 1);
  if (const std::size_t dot = file.rfind('.'); dot != std::string_view::npos)
    file.remove_suffix(file.size() - dot);
  std::fprintf(stderr, "%.*s: property failed at line %d: %s\n", static_cast<int>(file.size()),
               file.data(), line, what);
  __builtin_trap();
}

}  // namespace kerb::fuzz

#define FUZZ_CHECK(cond)                                                   \
  do {                                                                     \
    if (!(cond)) ::kerb::fuzz::property_failed(__FILE__, #cond, __LINE__); \
  } while (0)
