// Heap budget of a cold password login (DESIGN.md: under 16 KiB peak, under 100 allocations):
// AS with pre-authentication, TGS for the bank, then the AP-REQ for it, against the KDC that
// KRB5_CONFIG names (run it with the fixture's env sourced; bench/README.md). Counts every
// C++ heap allocation the library makes on that path via a replaced operator new; krb5.conf
// parsing, address resolution and the ccache are set up before counting starts.
//
// A second login drives the same exchanges with a caller work buffer (AsContext/ApContext::
// work_buffer) and counts only the library: the transport's allocations are left out, and
// what the caller keeps (credentials, the AP-REQ) is reported apart from the rest.
//
// A third login goes through Client with ClientOptions::work_buffer, transport included
// (PosixKdcTransport::exchange_into receives each reply into that buffer; its resolver storage
// is already made by the logins above).
#include <cstdio>
#include <cstdlib>
#include <new>

#include <kerb/ap_exchange.hpp>
#include <kerb/as_exchange.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/tgs_exchange.hpp>

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

  // The same login with a work buffer; the transport's allocations are not counted.
  static std::uint8_t work[4096];
  std::size_t kept = 0, kept_bytes = 0, other = 0;
  auto counted_call = [&](bool keeps, auto&& call) {
    const std::size_t count = g_count, total = g_total;
    g_on = true;
    auto result = call();
    g_on = false;
    if (keeps) {
      kept += g_count - count;
      kept_bytes += g_total - total;
    } else {
      other += g_count - count;
    }
    return result;
  };
  g_count = g_total = g_peak = g_live = 0;
  kerb::AsContext as_context;
  as_context.work_buffer = work;
  kerb::Principal alice_arg = *alice;  // the by-value argument is the caller's copy
  auto as = counted_call(false, [&] {
    return kerb::AsExchange::with_password(std::move(alice_arg), password, kerb::AsOptions{},
                                           as_context);
  });
  if (!as) return 1;
  while (true) {
    auto reply = transport->exchange(alice->realm(), as->request());
    if (!reply) return 1;
    // Only the reply that completes the exchange yields credentials.
    auto step = counted_call(true, [&] { return as->on_reply(*reply); });
    if (!step) return 1;
    if (*step == kerb::AsExchange::Step::kDone) break;
  }
  kerb::ApContext ap_context;
  ap_context.work_buffer = work;
  ap_context.clock_offset = as->hints().clock_offset;
  const kerb::Credentials fixed_tgt = as->take_credentials();
  auto tgs = counted_call(true, [&] {
    return kerb::TgsExchange::for_service(fixed_tgt, *bank, kerb::TgsOptions{}, ap_context);
  });
  if (!tgs) return 1;
  while (true) {
    auto reply = transport->exchange(tgs->kdc_realm(), tgs->request());
    if (!reply) return 1;
    auto step = counted_call(true, [&] { return tgs->on_reply(*reply); });
    if (!step) return 1;
    if (*step == kerb::TgsExchange::Step::kDone) break;
  }
  const kerb::Credentials fixed_ticket = tgs->take_credentials();
  auto fixed_ap_req =
      counted_call(true, [&] { return kerb::build_ap_req(fixed_ticket, ap, ap_context); });
  if (!fixed_ap_req) return 1;
  const std::size_t needed =
      as->work_needed() > tgs->work_needed() ? as->work_needed() : tgs->work_needed();
  std::printf(
      "fixed buffer (%zu bytes, %zu needed): %zu allocations in no-heap calls; %zu allocations "
      "(%zu bytes) for what the caller keeps (credentials, TGT and name copies, AP-REQ); peak "
      "%zu bytes live\n",
      sizeof work, needed, other, kept, kept_bytes, g_peak);

  // The blocking API with a work buffer: everything counted, transport included.
  static std::uint8_t client_work[4096];
  kerb::ClientOptions options;
  options.work_buffer = client_work;
  kerb::Client fixed_client(*transport, options);
  g_count = g_total = g_peak = g_live = 0;
  g_on = true;
  auto client_tgt = fixed_client.login_password(*alice, password);
  if (!client_tgt) return 1;
  auto client_ticket = fixed_client.service_ticket(*client_tgt, *bank);
  if (!client_ticket) return 1;
  kerb::ApContext client_ap;
  client_ap.work_buffer = client_work;
  client_ap.clock_offset = fixed_client.hints(*alice)->clock_offset;
  auto client_ap_req = kerb::build_ap_req(*client_ticket, ap, client_ap);
  if (!client_ap_req) return 1;
  g_on = false;
  std::printf(
      "Client with a work buffer (%zu bytes, %zu needed), transport included: %zu allocations, "
      "%zu bytes allocated, peak %zu bytes live\n",
      sizeof client_work, fixed_client.work_needed(), g_count, g_total, g_peak);
  return 0;
}
