// krbdump_fuzz: krbdump's whole detect-decode-decrypt-render path (krbdump::dump, then both
// renderers) on arbitrary bytes, with a key ring holding the recorded test realm's keys
// (tests/data/krbdump/keys), so mutations of real messages reach the decrypted parts, the
// keys learnt from them and the PAC. Nothing may crash, read out of bounds or leak; the
// status is 0, 1 or 2; the JSON is one document of schema 1.
//
// Input layout:
//   byte 0   options: low nibble < 9 forces a Format (kAuto = 0; 9-15 mean kAuto too), bit 4
//            --der, bit 5 --full; the seeds in corpus/krbdump start with 0x00
//   rest     the input, as a file's bytes
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dump.hpp"
#include "keys.hpp"
#include "tree.hpp"

#include "fuzz_check.hpp"

#ifndef KRBDUMP_FUZZ_KEYS_DIR
#error "KRBDUMP_FUZZ_KEYS_DIR names tests/data/krbdump/keys"
#endif

namespace {

std::vector<std::uint8_t> read_file(const char* name) {
  const std::string path = std::string(KRBDUMP_FUZZ_KEYS_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "krbdump_fuzz: cannot read %s\n", path.c_str());
    __builtin_trap();
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct TestKeys {
  std::vector<std::uint8_t> bank = read_file("bank.keytab");
  std::vector<std::uint8_t> krbtgt = read_file("krbtgt.keytab");
  std::vector<std::uint8_t> alice = read_file("alice.keytab");
  std::vector<std::uint8_t> wrong_kvno = read_file("wrong-kvno.keytab");
};

const TestKeys& test_keys() {
  static const TestKeys keys;
  return keys;
}

// A fresh ring per input: keys learnt from one input must not change how the next decodes.
// The password is alice's, whose keys alice.keytab also holds: parts for her are opened by the
// keytab, while the password path (salts, ETYPE-INFO2) still runs for what the keytab misses.
void fill(krbdump::KeyRing& ring) {
  const TestKeys& keys = test_keys();
  FUZZ_CHECK(ring.add_keytab_bytes(keys.bank, "bank.keytab").ok());
  FUZZ_CHECK(ring.add_keytab_bytes(keys.krbtgt, "krbtgt.keytab").ok());
  FUZZ_CHECK(ring.add_keytab_bytes(keys.alice, "alice.keytab").ok());
  FUZZ_CHECK(ring.add_keytab_bytes(keys.wrong_kvno, "wrong-kvno.keytab").ok());
  ring.add_password("alice@KERB.TEST", "Kerb-alice-pw1", std::nullopt);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)test_keys();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::span<const std::uint8_t> input(data + 1, size - 1);

  krbdump::DumpOptions options;
  if ((control & 0x0f) < 9) options.format = static_cast<krbdump::Format>(control & 0x0f);
  options.der = (control & 0x10) != 0;
  options.render.full = (control & 0x20) != 0;
  options.ports = {4444};

  krbdump::KeyRing ring;
  fill(ring);
  const krbdump::DumpResult result = krbdump::dump(input, "fuzz", ring, options);
  FUZZ_CHECK(result.status >= 0 && result.status <= 2);

  const std::string text = krbdump::render_text(result.tree, options.render);
  FUZZ_CHECK(!text.empty());
  const std::string json = krbdump::render_json({result.tree}, options.render);
  FUZZ_CHECK(json.starts_with("{\"krbdump\":1,\"inputs\":[{"));
  FUZZ_CHECK(json.ends_with("]}\n"));
  return 0;
}
