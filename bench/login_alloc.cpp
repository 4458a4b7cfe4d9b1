// Heap budget of a cold password login (DESIGN.md: under 16 KiB peak, under 100 allocations):
// AS with pre-authentication, TGS for the bank, then the AP-REQ for it, against the KDC that
// KRB5_CONFIG names (run it with the fixture's env sourced; bench/README.md). Counts every
// C++ heap allocation the library makes on that path via a replaced operator new; krb5.conf
// parsing, address resolution and the ccache are set up before counting starts.
#include <cstdio>
#include <cstdlib>
#include <new>

#include <kerb/ap_exchange.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>

namespace {

std::size_t g_count = 0, g_live = 0, g_peak = 0, g_total = 0;
bool g_on = false;

void* counted(std::size_t n) {
  // Keep the size in front of the block so that delete knows what it frees.
  auto* p = static_cast<std::size_t*>(std::malloc(n + sizeof(std::max_align_t)));
  if (p == nullptr) std::abort();
  *p = n;
  if (g_on) {
    ++g_count;
    g_total += n;
    g_live += n;
    if (g_live > g_peak) g_peak = g_live;
  }
  return reinterpret_cast<char*>(p) + sizeof(std::max_align_t);
}

void release(void* q) noexcept {
  if (q == nullptr) return;
  auto* p = reinterpret_cast<std::size_t*>(static_cast<char*>(q) - sizeof(std::max_align_t));
  if (g_on && g_live >= *p) g_live -= *p;
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  return counted(n);
}
void* operator new[](std::size_t n) {
  return counted(n);
}
void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}

int main() {
  const char* password = std::getenv("KERB_TEST_PASSWORD_ALICE");
  if (password == nullptr) {
    std::fputs("source the KDC fixture's env file first (bench/README.md)\n", stderr);
    return 2;
  }
  auto config = kerb::Config::load_from_env();
  auto transport = kerb::PosixKdcTransport::from_config(*config);
  auto alice = kerb::Principal::parse("alice", "KERB.TEST");
  auto bank = kerb::Principal::parse("bank/bank.test", "KERB.TEST");
  if (!config || !transport || !alice || !bank) return 1;
  kerb::Client client(*transport);

  g_on = true;
  auto tgt = client.login_password(*alice, password);
  if (!tgt) return 1;
  auto ticket = client.service_ticket(*tgt, *bank);
  if (!ticket) return 1;
  kerb::ApReqOptions ap;
  ap.ap_options = kerb::ap_options::kMutualRequired;
  ap.subkey = true;
  ap.sequence_number = true;
  auto ap_req = kerb::build_ap_req(*ticket, ap, kerb::ApContext{});
  if (!ap_req) return 1;
  g_on = false;

  std::printf(
      "cold login (AS + pre-auth, TGS, AP-REQ): %zu allocations, %zu bytes allocated, "
      "peak %zu bytes live\n",
      g_count, g_total, g_peak);
  return 0;
}
