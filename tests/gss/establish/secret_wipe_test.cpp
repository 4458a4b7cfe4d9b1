// Delegation hands the TGT's session key through the 0x8003 checksum (RFC 4121 §4.1.1): no
// heap block the initiator or the acceptor lets go of while doing so may still hold that key
// (DESIGN.md convention 10). This binary's operator delete looks into every block freed while
// a FreedBlockScan is alive (the tests run on one thread).
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#include <catch2/catch.hpp>

#include "../../heap_hooks.hpp"
#include "establish_world.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

std::atomic<bool> g_scanning{false};
const std::uint8_t* g_secret = nullptr;
std::size_t g_secret_size = 0;
std::atomic<std::size_t> g_blocks_holding_secret{0};

class FreedBlockScan {
 public:
  explicit FreedBlockScan(ByteView secret) {
    g_secret = secret.data();
    g_secret_size = secret.size();
    g_blocks_holding_secret = 0;
    g_scanning = true;
  }
  ~FreedBlockScan() { g_scanning = false; }
  std::size_t blocks_holding_secret() const { return g_blocks_holding_secret; }
};

void scan(void* p) noexcept {
  if (p == nullptr || !g_scanning || g_secret_size == 0) return;
  const auto* block = static_cast<const std::uint8_t*>(p);
  const std::size_t size = malloc_usable_size(p);
  if (std::search(block, block + size, g_secret, g_secret + g_secret_size) != block + size)
    ++g_blocks_holding_secret;
}

}  // namespace

void heap_hook_allocated(std::size_t) noexcept {}
void heap_hook_freeing(void* block) noexcept {
  scan(block);
}

TEST_CASE("delegation leaves no freed heap block holding the TGT's session key",
          "[gss][establish][deleg][wipe]") {
  World w;
  Credentials tgt = w.tgt();
  // Addresses make the EncKrbCredPart longer than a first heap block would hold.
  for (std::uint8_t i = 0; i < 16; ++i)
    tgt.addresses.push_back(Credentials::Address{2, {10, 0, 0, i}});
  const Credentials ticket = w.ticket();
  const kerb::test::Bytes key(tgt.session_key.contents.view().begin(),
                              tgt.session_key.contents.view().end());
  REQUIRE(key == key_bytes(EncType::kAes128CtsHmacSha1_96, 0x33));
  InitiatorOptions o;
  o.flags |= context_flags::kDeleg;
  o.delegated_tgt = &tgt;

  std::optional<Initiator> init;
  {
    FreedBlockScan scan(key);
    init.emplace(w.start(ticket, o));
    CHECK(scan.blocks_holding_secret() == 0);
  }
  std::optional<Accepted> accepted;
  {
    FreedBlockScan scan(key);
    auto r = w.accept(init->token());
    INFO((r ? "" : describe(r.error())));
    REQUIRE(r.ok());
    accepted.emplace(std::move(r).value());
    CHECK(scan.blocks_holding_secret() == 0);
  }
  REQUIRE(accepted->delegated.has_value());
  CHECK(accepted->delegated->session_key == tgt.session_key);
  CHECK(accepted->delegated->addresses == tgt.addresses);
}
