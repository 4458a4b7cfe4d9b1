// ccache_fuzz: the MIT FILE ccache reader (kerb::CcacheContents::read, versions 1-4) never
// crashes, over-reads or trusts a length; a rejection always names a place; and whatever it
// accepts writes back as version 4, re-reads to the same contents and re-writes to the same
// bytes.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <kerb/ccache.hpp>

#include "fuzz_check.hpp"

namespace {

bool same_contents(const kerb::CcacheContents& a, const kerb::CcacheContents& b) {
  return a.default_principal == b.default_principal &&
         a.default_principal.raw_name_type() == b.default_principal.raw_name_type() &&
         a.kdc_offset == b.kdc_offset && a.credentials == b.credentials && a.config == b.config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  kerb::Result<kerb::CcacheContents> cc = kerb::CcacheContents::read(input);
  if (!cc) {
    FUZZ_CHECK(cc.error().category() == kerb::ErrorCategory::kIo);
    FUZZ_CHECK(cc.error().detail().substr(0, 8) == "ccache: ");
    return 0;
  }
  FUZZ_CHECK(cc->credentials.size() + cc->config.size() <= kerb::CcacheContents::kMaxEntries);
  for (const kerb::Credentials& c : cc->credentials) {
    FUZZ_CHECK(!kerb::CcacheContents::is_config_principal(c.server));
    FUZZ_CHECK(c.session_key.contents.size() <= kerb::KeyBlock::kMaxSize);
    FUZZ_CHECK(cc->find(c.server) != nullptr);
  }

  kerb::Result<std::vector<std::uint8_t>> bytes = cc->serialize();
  if (cc->default_principal.realm().empty()) {  // readable, but not a cache one may write
    FUZZ_CHECK(!bytes);
    return 0;
  }
  FUZZ_CHECK(bytes.ok());
  FUZZ_CHECK(bytes->size() >= 4 && (*bytes)[0] == 5 && (*bytes)[1] == 4);
  kerb::Result<kerb::CcacheContents> back = kerb::CcacheContents::read(*bytes);
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(same_contents(*cc, *back));
  kerb::Result<std::vector<std::uint8_t>> again = back->serialize();
  FUZZ_CHECK(again.ok() && *again == *bytes);
  return 0;
}
