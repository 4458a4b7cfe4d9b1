// kerb_footprint_probe: what a handheld banking client links, end to end, so that the linker
// keeps exactly that and bench/footprint.sh can weigh it (DESIGN.md "Budgets": the whole
// client, static, -Os, gc-sections, at most 128 KiB of .text on x86-64).
//
//   footprint_probe USER PASSWORD SERVICE MESSAGE CCACHE-PATH [ACCEPTOR-TOKEN]
//
// The path: krb5.conf from the environment (in a build without krb5.conf reading,
// KERB_WITH_KRB5_CONF=OFF, the realm and its KDC come from KERB_REALM and KERB_KDC, as a
// device configures kerb in code), a password login (AS with pre-authentication) and a
// TGS exchange over the POSIX transport, the credentials saved in a FILE ccache with the hints
// that make the next login one round trip (and read back, as the next run would), then a krb5
// GSS context for the service (InitialContextToken, AP-REP, context), per-message protection
// both ways (wrap/unwrap with confidentiality, get_mic/verify_mic) and export/import of the
// context for secure storage. Every input comes from argv or the environment, so the compiler
// can fold nothing away. It need not succeed: without a KDC it stops at the first error, which
// is all the linker cares about.
//
// Compiled with -DKERB_FOOTPRINT_BASELINE it is the baseline: the same C runtime start-up and
// the same trivial use of libc (fputs) and libstdc++ (operator new/delete), and no kerb, so
// that footprint.sh can subtract what every C++ program carries.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifdef KERB_FOOTPRINT_BASELINE

int main(int argc, char** argv) {
  // A real operator new (the copy escapes to fputs, so the pair cannot be elided), as every
  // C++ program has one: with a static libstdc++ this is what pulls in its runtime.
  const std::size_t size = std::strlen(argv[0]) + 1;
  char* copy = new char[size];
  std::memcpy(copy, argv[0], size);
  const int rc = std::fputs(copy, stderr) < 0 ? 1 : argc == 7;
  delete[] copy;
  return rc;
}

#else

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/features.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/transport.hpp>

namespace {

int fail(const char* what, const kerb::Error& e) {
  const std::string_view category = kerb::to_string(e.category());
  std::fprintf(stderr, "footprint_probe: %s: %.*s: %.*s\n", what, static_cast<int>(category.size()),
               category.data(), static_cast<int>(e.detail().size()), e.detail().data());
  return 1;
}

std::span<const std::uint8_t> bytes(const char* text) {
  return {reinterpret_cast<const std::uint8_t*>(text), std::strlen(text)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fputs(
        "usage: footprint_probe USER PASSWORD SERVICE MESSAGE CCACHE-PATH "
        "[ACCEPTOR-TOKEN]\n",
        stderr);
    return 2;
  }
  const std::span<const std::uint8_t> message = bytes(argv[4]);

  // --- krb5.conf or settings made in code, transport, client --------------------------------
#if KERB_WITH_KRB5_CONF
  auto config = kerb::Config::load_from_env();
  if (!config) return fail("krb5.conf", config.error());
  auto options = kerb::ClientOptions::from_config(*config);
  if (!options) return fail("krb5.conf", options.error());
  auto transport = kerb::PosixKdcTransport::from_config(*config);
  if (!transport) return fail("krb5.conf", transport.error());
  const std::string realm(config->default_realm().value_or(""));
#else
  const char* realm_env = std::getenv("KERB_REALM");
  const char* kdc_env = std::getenv("KERB_KDC");
  const std::string realm(realm_env != nullptr ? realm_env : "");
  auto kdc = kerb::KdcAddress::parse(kdc_env != nullptr ? kdc_env : "");
  if (!kdc) return fail("KERB_KDC", kdc.error());
  const kerb::Result<kerb::ClientOptions> options = kerb::ClientOptions{};
  kerb::Result<kerb::PosixKdcTransport> transport = kerb::PosixKdcTransport{};
  transport->set_kdcs(realm, {*kdc});
#endif
  kerb::Client client(*transport, *options);
  auto user = kerb::Principal::parse(argv[1], realm);
  if (!user) return fail("user", user.error());
  auto service = kerb::Principal::parse(argv[3], realm);
  if (!service) return fail("service", service.error());

  // --- the FILE ccache: what the last run learnt, then a fresh login ------------------------
  kerb::FileCredentialCache cache(argv[5]);
  if (auto hints = kerb::load_hints(cache, *user); hints) client.set_hints(*user, *hints);
  auto tgt = client.login_password(*user, argv[2]);
  if (!tgt) return fail("login", tgt.error());
  auto ticket = client.service_ticket(*tgt, *service);
  if (!ticket) return fail("service ticket", ticket.error());
  if (auto r = cache.initialize(*user); !r) return fail("ccache", r.error());
  if (auto r = cache.store(*tgt); !r) return fail("ccache", r.error());
  if (auto r = cache.store(*ticket); !r) return fail("ccache", r.error());
  if (const kerb::ClientHints* hints = client.hints(*user)) {
    if (auto r = kerb::save_hints(cache, *user, *hints); !r) return fail("ccache", r.error());
  }
  auto cached = cache.retrieve(*service);
  if (!cached) return fail("ccache", cached.error());
  if (!*cached) return fail("ccache", kerb::Error(kerb::ErrorCategory::kIo, "ticket not cached"));

  // --- GSS: InitialContextToken, AP-REP, context --------------------------------------------
  kerb::ApContext ap;
  ap.policy = options->policy;
  ap.clockskew = options->clockskew;
  auto init = kerb::gss::Initiator::start(**cached, kerb::gss::InitiatorOptions{}, ap);
  if (!init) return fail("gss", init.error());
  const std::span<const std::uint8_t> token = init->token();
  if (std::fwrite(token.data(), 1, token.size(), stdout) != token.size()) return 1;
  if (!init->established()) {
    if (argc < 7) return 2;
    auto step = init->step(bytes(argv[6]));
    if (!step) return fail("gss", step.error());
  }
  auto context = init->take_context();
  if (!context) return fail("gss", context.error());

  // --- per-message tokens, both ways --------------------------------------------------------
  auto wrapped = context->wrap(message, true);
  if (!wrapped) return fail("wrap", wrapped.error());
  std::uint32_t supplementary = 0;
  auto unwrapped = context->unwrap(*wrapped, &supplementary);
  if (!unwrapped) return fail("unwrap", unwrapped.error());
  auto mic = context->get_mic(message);
  if (!mic) return fail("get_mic", mic.error());
  auto verified = context->verify_mic(message, *mic);
  if (!verified) return fail("verify_mic", verified.error());

  // --- export for secure storage, import in the next run ------------------------------------
  auto blob = context->export_context();
  if (!blob) return fail("export", blob.error());
  auto imported = kerb::gss::SecurityContext::import_context(*blob);
  if (!imported) return fail("import", imported.error());
  auto again = imported->wrap(message, true);
  if (!again) return fail("wrap", again.error());
  return static_cast<int>((unwrapped->size() + again->size() + supplementary + *verified) & 1);
}

#endif
