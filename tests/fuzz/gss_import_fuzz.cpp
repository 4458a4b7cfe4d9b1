// gss_import_fuzz: SecurityContext::import_context on arbitrary bytes (an app reads the blob back
// from storage, where it may have been damaged or altered). Nothing may crash or read out of
// bounds; a refusal is an error, never a half-made context; and a blob that imports exports
// again, and that export imports and re-exports to the same bytes.
//
// Seeds (corpus/gss_import) are exports of contexts made with fixed keys; run this binary
// with KERB_GSS_IMPORT_FUZZ_WRITE_SEEDS=DIR to write them again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/gss/context.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace crypto = kerb::crypto;
namespace gss = kerb::gss;

namespace {

using kerb::test::ByteView;

void write_seeds(const char* dir) {
  static constexpr std::uint8_t kKey[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                            12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                            23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  int n = 0;
  for (crypto::EncType e : crypto::kImplementedEnctypes) {
    const crypto::EncTypeInfo* info = crypto::find_enctype(e);
    if (info == nullptr || info->weak) continue;
    for (const bool subkeys : {false, true}) {
      gss::SecurityContext::Params p;
      p.role =
          subkeys ? gss::SecurityContext::Role::kAcceptor : gss::SecurityContext::Role::kInitiator;
      p.key = *crypto::Key::from_bytes(e, ByteView(kKey).first(info->key_size));
      p.acceptor_subkey = subkeys;
      if (subkeys)
        p.initiator_subkey = *crypto::Key::from_bytes(e, ByteView(kKey).last(info->key_size));
      p.send_seq = 7;
      p.recv_seq = 1000;
      p.flags = gss::context_flags::kReplay | gss::context_flags::kSequence;
      p.endtime = 2'000'000'000;
      auto ctx = gss::SecurityContext::make(std::move(p));
      FUZZ_CHECK(ctx);
      auto blob = ctx->export_context();
      FUZZ_CHECK(blob);
      const std::string path = std::string(dir) + "/ctx-" + std::to_string(n++);
      if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(blob->data(), 1, blob->size(), f);
        std::fclose(f);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("KERB_GSS_IMPORT_FUZZ_WRITE_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto ctx = gss::SecurityContext::import_context(ByteView(data, size));
  if (!ctx) return 0;
  FUZZ_CHECK(ctx->established());
  auto blob = ctx->export_context();
  FUZZ_CHECK(blob);
  auto again = gss::SecurityContext::import_context(*blob);
  FUZZ_CHECK(again);
  auto blob2 = again->export_context();
  FUZZ_CHECK(blob2);
  FUZZ_CHECK(*blob2 == *blob);
  return 0;
}
