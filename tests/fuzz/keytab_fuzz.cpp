// keytab_fuzz: the MIT keytab reader (kerb::Keytab::read, versions 1 and 2) never crashes,
// over-reads or trusts a length; a rejection always names a place; whatever it accepts writes
// back as version 2, re-reads to the same entries and re-writes to the same bytes; and key
// lookups over the entries agree with each other.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <kerb/keytab.hpp>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  kerb::Result<kerb::Keytab> kt = kerb::Keytab::read(input);
  if (!kt) {
    FUZZ_CHECK(kt.error().category() == kerb::ErrorCategory::kIo);
    FUZZ_CHECK(kt.error().detail().substr(0, 8) == "keytab: ");
    return 0;
  }
  FUZZ_CHECK(kt->entries.size() <= kerb::Keytab::kMaxEntries);

  // Lookups: an entry is always found by its own kvno, strictly and leniently, and the
  // kvno-less lookup returns a key version at least as high.
  const std::size_t checked = kt->entries.size() < 64 ? kt->entries.size() : 64;
  for (std::size_t i = 0; i < checked; ++i) {
    const kerb::KeytabEntry& e = kt->entries[i];
    FUZZ_CHECK(e.key.contents.size() <= kerb::KeyBlock::kMaxSize);
    auto exact = kt->find(e.principal, e.kvno, e.key.enctype);
    FUZZ_CHECK(exact.ok() && (*exact)->kvno == e.kvno);
    auto lenient = kt->find_client_key(e.principal, e.kvno + 1, e.key.enctype);
    auto highest = kt->find(e.principal, std::nullopt, e.key.enctype);
    FUZZ_CHECK(lenient.ok() && highest.ok() && (*highest)->kvno >= e.kvno);
  }

  kerb::Result<std::vector<std::uint8_t>> bytes = kt->serialize();
  FUZZ_CHECK(bytes.ok());
  FUZZ_CHECK(bytes->size() >= 2 && (*bytes)[0] == 5 && (*bytes)[1] == 2);
  kerb::Result<kerb::Keytab> back = kerb::Keytab::read(*bytes);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->entries == kt->entries);
  for (std::size_t i = 0; i < kt->entries.size(); ++i) {
    FUZZ_CHECK(back->entries[i].principal.raw_name_type() ==
               kt->entries[i].principal.raw_name_type());
  }
  kerb::Result<std::vector<std::uint8_t>> again = back->serialize();
  FUZZ_CHECK(again.ok() && *again == *bytes);
  return 0;
}
