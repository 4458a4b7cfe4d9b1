// kerb-kinit: log in like MIT's kinit, optionally fetch service tickets like kvno, and write
// the credentials cache -- the smallest complete use of kerb's client API.
//
//   kerb-kinit alice                         password from the terminal (or one line of stdin)
//   kerb-kinit -k -t bank.keytab bank/bank.test
//   kerb-kinit -S bank/bank.test alice       as MIT's: the AS issues the bank's ticket, no TGT
//   kerb-kinit --fetch bank/bank.test -c FILE:/tmp/cc alice    the TGT, then the bank's ticket
//   kerb-kinit -T FILE:/tmp/armor alice      FAST (RFC 6113), armored with that cache's TGT
//
// An expired password is changed on the spot, as MIT's kinit does (RFC 3244 kpasswd).
//
// What the KDC taught us (its ETYPE-INFO2 and clock offset) is saved in the cache, so the next
// login of the same principal takes one round trip instead of two.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/constants.hpp>
#include <kerb/error_codes.hpp>
#include <kerb/keytab.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/transport.hpp>
#ifdef KERB_KINIT_HTTPS
#include <kerb/https/kdc_proxy_transport.hpp>
#endif

namespace {

struct Args {
  std::string principal;
  std::string ccache;
  std::string keytab;
  bool use_keytab = false;
  bool forwardable = false;
  bool allow_weak = false;
  std::string lifetime;
  std::string renew;
  std::string service;               // -S, as MIT's kinit: the AS-REQ's server instead of krbtgt
  std::vector<std::string> fetches;  // --fetch: TGS requests with the new TGT
  std::string armor_ccache;          // -T, as MIT's kinit
};

int usage() {
  std::fputs(
      "usage: kerb-kinit [-c CCACHE] [-k [-t KEYTAB]] [-l LIFETIME] [-r RENEW] [-f] [-w]\n"
      "                  [-S SERVICE | --fetch SERVICE...] [-T ARMOR_CCACHE] PRINCIPAL\n"
      "  -c  credentials cache (default: $KRB5CCNAME or FILE:/tmp/krb5cc_<uid>)\n"
      "  -k  use a keytab (-t KEYTAB, default $KRB5_KTNAME) instead of a password\n"
      "  -l  ticket lifetime, -r renewable lifetime (\"10h\", \"7d\", seconds)\n"
      "  -f  forwardable   -w  allow weak crypto (rc4-hmac)\n"
      "  -S  ask the AS for SERVICE's ticket instead of a TGT (as MIT's kinit)\n"
      "  --fetch  with the TGT, also fetch a ticket for SERVICE (repeatable)\n"
      "  -T  armor the requests (FAST) with the TGT in the credentials cache ARMOR_CCACHE\n",
      stderr);
  return 2;
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "-c") {
      if (!value(a.ccache)) return false;
    } else if (arg == "-t") {
      if (!value(a.keytab)) return false;
    } else if (arg == "-l") {
      if (!value(a.lifetime)) return false;
    } else if (arg == "-r") {
      if (!value(a.renew)) return false;
    } else if (arg == "-S") {
      if (!value(a.service)) return false;
    } else if (arg == "--fetch") {
      a.fetches.emplace_back();
      if (!value(a.fetches.back())) return false;
    } else if (arg == "-T") {
      if (!value(a.armor_ccache)) return false;
    } else if (arg == "-k") {
      a.use_keytab = true;
    } else if (arg == "-f") {
      a.forwardable = true;
    } else if (arg == "-w") {
      a.allow_weak = true;
    } else if (!arg.empty() && arg[0] != '-' && a.principal.empty()) {
      a.principal = arg;
    } else {
      return false;
    }
  }
  // Without a TGT (-S) there is nothing to fetch other tickets with.
  return !a.principal.empty() && (a.service.empty() || a.fetches.empty());
}

// The password from the terminal without echo, or the first line of a non-terminal stdin.
std::string read_password(const std::string& prompt_for) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "Password for %s: ", prompt_for.c_str());
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  for (int c; (c = std::getchar()) != EOF && c != '\n';)
    password.push_back(static_cast<char>(c));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
  }
  return password;
}

// --- an expired password (MIT kinit's dialogue, its words) ---

// One line after `prompt` on stdout, without echo on a terminal; nullopt at the end of input.
// Like MIT's prompter, the line break the user typed unseen is printed after it.
std::optional<std::string> prompt_line(const char* prompt) {
  std::fputs(prompt, stdout);
  std::fflush(stdout);
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  int c = 0;
  while ((c = std::getchar()) != EOF && c != '\n')
    line.push_back(static_cast<char>(c));
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::fputc('\n', stdout);
  if (c == EOF && line.empty()) return std::nullopt;
  return line;
}

void wipe(std::string& s) {
  std::fill(s.begin(), s.end(), '\0');
  s.clear();
}

// The password of `who` has expired: ask for a new one (twice), change it with a kadmin/changepw
// ticket got with the old one, and log in with the new one. Three tries, as MIT's kinit.
kerb::Result<kerb::Credentials> change_expired(kerb::Client& client, const kerb::Config& config,
                                               const kerb::Principal& who,
                                               std::string_view old_password,
                                               const kerb::AsOptions& as) {
#ifdef KERB_KINIT_HTTPS
  // As MIT's kinit: kpasswd_server = https://... changes the password through the KDC proxy.
  KERB_TRY(std::unique_ptr<kerb::KdcTransport> kpasswd,
           kerb::https::kpasswd_transport_from_config(config));
  client.set_kpasswd_transport(*kpasswd);
#else
  KERB_TRY(kerb::PosixKdcTransport kpasswd, kerb::kpasswd_transport_from_config(config));
  client.set_kpasswd_transport(kpasswd);
#endif
  KERB_TRY(kerb::Credentials changepw, client.changepw_ticket(who, old_password));
  std::string banner = "Password expired.  You must change it now.";
  kerb::Error last(kerb::ErrorCategory::kInvalidArgument, "Password change failed");
  for (int tries = 3; tries > 0; --tries) {
    std::puts(banner.c_str());
    std::optional<std::string> first = prompt_line("Enter new password: ");
    std::optional<std::string> again = first ? prompt_line("Enter it again: ") : std::nullopt;
    if (!first || !again) {
      if (first) wipe(*first);
      return kerb::Error(kerb::ErrorCategory::kIo, "Cannot read password");
    }
    const bool same = *first == *again;
    wipe(*again);
    if (!same) {
      banner = "Password mismatch.  Please try again.";
      last = kerb::Error(kerb::ErrorCategory::kInvalidArgument, "Password mismatch");
    } else if (first->empty()) {
      banner = "New password cannot be zero length.  Please try again.";
      last =
          kerb::Error(kerb::ErrorCategory::kInvalidArgument, "New password cannot be zero length");
    } else if (kerb::Result<void> changed = client.change_password(changepw, *first); changed) {
      kerb::Result<kerb::Credentials> ticket = client.login_password(who, *first, as);
      wipe(*first);
      return ticket;
    } else if (changed.error().category() == kerb::ErrorCategory::kPolicy ||
               changed.error().category() == kerb::ErrorCategory::kKdc) {
      // The server's answer: MIT's words, then the server's message, then "try again".
      banner = std::string(changed.error().detail()) + ".  Please try again.\n";
      last = kerb::Error(changed.error().category(), "Password change failed");
    } else {
      wipe(*first);
      return changed.error();
    }
    wipe(*first);
  }
  return last;
}

std::string when(std::int64_t t) {
  char buf[32];
  const std::time_t tt = static_cast<std::time_t>(t);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&tt));
  return buf;
}

// --- failures, in MIT kinit's words: "kinit: <message> while getting initial credentials" ---

const char* program = "kerb-kinit";  // argv[0]'s basename, as MIT's com_err names the program

// MIT's messages (krb5's error table) for the Kerberos error codes (RFC 4120 §7.5.9) a kinit
// can meet. Scripts match these words, so they are MIT's to the letter.
struct MitMessage {
  std::int32_t code;
  const char* words;
};
namespace ec = kerb::error_code;
constexpr MitMessage kMitMessages[] = {
    {ec::kKdcErrNameExp, "Client's entry in database has expired"},
    {ec::kKdcErrServiceExp, "Server's entry in database has expired"},
    {ec::kKdcErrBadPvno, "Requested protocol version not supported"},
    {ec::kKdcErrCPrincipalUnknown, "Client not found in Kerberos database"},
    {ec::kKdcErrSPrincipalUnknown, "Server not found in Kerberos database"},
    {ec::kKdcErrPrincipalNotUnique, "Principal has multiple entries in Kerberos database"},
    {ec::kKdcErrNullKey, "Client or server has a null key"},
    {ec::kKdcErrCannotPostdate, "Ticket is ineligible for postdating"},
    {ec::kKdcErrNeverValid, "Requested effective lifetime is negative or too short"},
    {ec::kKdcErrPolicy, "KDC policy rejects request"},
    {ec::kKdcErrBadoption, "KDC can't fulfill requested option"},
    {ec::kKdcErrEtypeNosupp, "KDC has no support for encryption type"},
    {ec::kKdcErrSumtypeNosupp, "KDC has no support for checksum type"},
    {ec::kKdcErrPadataTypeNosupp, "KDC has no support for padata type"},
    {ec::kKdcErrClientRevoked, "Client's credentials have been revoked"},
    {ec::kKdcErrServiceRevoked, "Credentials for server have been revoked"},
    {ec::kKdcErrTgtRevoked, "TGT has been revoked"},
    {ec::kKdcErrClientNotyet, "Client not yet valid - try again later"},
    {ec::kKdcErrServiceNotyet, "Server not yet valid - try again later"},
    {ec::kKdcErrKeyExpired, "Password has expired"},
    {ec::kKdcErrPreauthFailed, "Preauthentication failed"},
    {ec::kKdcErrPreauthRequired, "Additional pre-authentication required"},
    {ec::kKdcErrSvcUnavailable,
     "A service is not available that is required to process the request"},
    {ec::kKrbApErrBadIntegrity, "Decrypt integrity check failed"},
    {ec::kKrbApErrSkew, "Clock skew too great"},
    {ec::kKrbApErrModified, "Message stream modified"},
    {ec::kKdcErrWrongRealm, "Realm not local to KDC"},
    {ec::kKdcErrPreauthExpired, "Preauthentication expired"},
    {ec::kKdcErrMorePreauthDataRequired, "More preauthentication data is required"},
    {ec::kKdcErrUnknownCriticalFastOptions, "An unsupported critical FAST option was requested"},
};

// MIT's words for a KDC's error, kerb's own for the rest.
std::string kdc_message(const kerb::Error& e) {
  if (e.category() == kerb::ErrorCategory::kKdc) {
    for (const MitMessage& m : kMitMessages) {
      if (m.code == e.code()) return m.words;
    }
  }
  return std::string(e.detail());
}

// What MIT's kinit says of a failed AS exchange for `client`. A wrong key shows as a reply that
// does not decrypt (kCrypto); MIT's password prompter reports the KDC's PREAUTH_FAILED the
// same way, its keytab path does not.
std::string login_message(const kerb::Error& e, const kerb::Principal& client, bool password) {
  if (e.category() == kerb::ErrorCategory::kCrypto) return "Password incorrect";
  if (e.category() == kerb::ErrorCategory::kKdc) {
    if (e.code() == kerb::error_code::kKdcErrCPrincipalUnknown) {
      return "Client '" + client.to_string() + "' not found in Kerberos database";
    }
    if (e.code() == kerb::error_code::kKdcErrPreauthFailed && password) {
      return "Password incorrect";
    }
  }
  return kdc_message(e);
}

int fail_with(const std::string& message, const char* context) {
  std::fprintf(stderr, "%s: %s%s\n", program, message.c_str(), context);
  return 1;
}

constexpr const char* kGettingInitial = " while getting initial credentials";

int fail(const kerb::Error& e, const char* context = kGettingInitial) {
  return fail_with(std::string(e.detail()), context);
}

// MIT's words for a name Principal::parse refused, kerb's for anything else.
std::string principal_message(const kerb::Error& e) {
  if (e.category() == kerb::ErrorCategory::kInvalidArgument) {
    return "Malformed representation of principal";
  }
  return std::string(e.detail());
}

// A file kerb could not open because it is not there (kIo errors of files carry the errno).
bool not_found(const kerb::Error& e) {
  return e.category() == kerb::ErrorCategory::kIo && e.code() == ENOENT;
}

// MIT's usage error for -l/-r: the value, then the usage.
int bad_lifetime(const std::string& value) {
  std::fprintf(stderr, "Bad lifetime value %s\n", value.c_str());
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 0 && argv[0] != nullptr) {
    const char* slash = std::strrchr(argv[0], '/');
    program = slash != nullptr ? slash + 1 : argv[0];
  }
  Args args;
  if (!parse_args(argc, argv, args)) return usage();

  auto config = kerb::Config::load_from_env();
  if (!config) {
    constexpr const char* kInitializing = " while initializing Kerberos 5 library";
    if (config.error().category() == kerb::ErrorCategory::kConfig) {
      return fail_with("Improper format of Kerberos configuration file", kInitializing);
    }
    return fail(config.error(), kInitializing);
  }
  auto options = kerb::ClientOptions::from_config(*config);
  if (!options) return fail(options.error());
  if (args.allow_weak) options->policy.allow_rc4_hmac();
  if (args.forwardable) options->forwardable = true;
  kerb::AsOptions as;
  as.lifetime = options->ticket_lifetime;
  // As MIT's kinit, a lifetime of 0 is refused too.
  if (!args.lifetime.empty()) {
    auto d = kerb::parse_duration(args.lifetime);
    if (!d || *d == 0) return bad_lifetime(args.lifetime);
    as.lifetime = *d;
  }
  if (!args.renew.empty()) {
    auto d = kerb::parse_duration(args.renew);
    if (!d || *d == 0) return bad_lifetime(args.renew);
    as.renew_lifetime = *d;
  }

  const std::string realm(config->default_realm().value_or(""));
  auto client_name = kerb::Principal::parse(args.principal, realm);
  if (!client_name) {
    const std::string context = " when parsing name " + args.principal;
    return fail_with(principal_message(client_name.error()), context.c_str());
  }
  if (!args.armor_ccache.empty()) {
    // As MIT's kinit -T: the armor ccache's TGT of the client's realm, and no unarmored login.
    auto armor = kerb::armor_from_ccache(args.armor_ccache, client_name->realm());
    if (!armor) {
      auto name = kerb::CcacheName::parse(args.armor_ccache);
      const std::string file = name ? name->residual : args.armor_ccache;
      const char* why = nullptr;
      if (not_found(armor.error())) {
        why = "No credentials cache found";
      } else if (armor.error().category() == kerb::ErrorCategory::kInvalidArgument) {
        why = "Matching credential not found";  // no TGT of the realm in it
      }
      if (why == nullptr) return fail(armor.error());
      return fail_with(
          std::string("Error constructing AP-REQ armor: ") + why + " (filename: " + file + ")",
          kGettingInitial);
    }
    options->fast_armor = std::move(*armor);
    options->require_fast = true;
  }
  if (!args.service.empty()) {
    // As MIT's krb5_get_init_creds (in_tkt_service): a realm in the name is ignored, the
    // service is always in the client's realm.
    auto service = kerb::Principal::parse(args.service, client_name->realm());
    if (!service) return fail_with(principal_message(service.error()), kGettingInitial);
    as.service = kerb::Principal(client_name->realm(), service->name());
  }

#ifdef KERB_KINIT_HTTPS
  // As MIT's kinit: a realm whose kdc entries are https:// URLs goes through its KDC proxy.
  auto routed = kerb::https::transport_from_config(*config);
  if (!routed) return fail(routed.error());
  kerb::CountingTransport transport(**routed);
#else
  auto posix = kerb::PosixKdcTransport::from_config(*config);
  if (!posix) return fail(posix.error());
  kerb::CountingTransport transport(*posix);
#endif
  kerb::Client client(transport, *options);

  auto cache = args.ccache.empty() ? kerb::default_ccache() : kerb::resolve_ccache(args.ccache);
  if (!cache) {
    if (args.ccache.empty()) return fail(cache.error(), " while getting default ccache");
    const std::string context = " resolving ccache " + args.ccache;
    if (cache.error().category() == kerb::ErrorCategory::kConfig &&
        args.ccache.rfind("FILE:", 0) != 0) {
      return fail_with("Unknown credential cache type", context.c_str());
    }
    return fail(cache.error(), context.c_str());
  }
  // A returning user: what the KDC told us last time, if this cache was that user's.
  if (auto previous = (*cache)->default_principal(); previous && *previous == *client_name) {
    if (auto hints = kerb::load_hints(**cache, *client_name)) {
      client.set_hints(*client_name, *hints);
    }
  }

  // The TGT, or with -S the service's ticket.
  kerb::Result<kerb::Credentials> initial = kerb::Error(kerb::ErrorCategory::kNone, "");
  if (args.use_keytab) {
    const std::string path = !args.keytab.empty() ? args.keytab : kerb::default_keytab_name();
    auto keytab = kerb::Keytab::open(path);
    if (!keytab) {
      const kerb::Error& e = keytab.error();
      if (not_found(e)) {
        const std::string file(kerb::Keytab::file_path(path));
        return fail_with("Key table file '" + file + "' not found", kGettingInitial);
      }
      // As MIT's: the system's words for any other failure of the file (a directory, say).
      if (e.category() == kerb::ErrorCategory::kIo && e.code() > 0) {
        return fail_with(std::strerror(e.code()), kGettingInitial);
      }
      return fail(keytab.error());
    }
    initial = client.login_keytab(*client_name, *keytab, as);
    if (!initial && initial.error().category() == kerb::ErrorCategory::kPolicy &&
        std::none_of(keytab->entries.begin(), keytab->entries.end(),
                     [&](const kerb::KeytabEntry& e) { return e.principal == *client_name; })) {
      return fail_with("Keytab contains no suitable keys for " + client_name->to_string(),
                       kGettingInitial);
    }
  } else {
    std::string password = read_password(client_name->to_string());
    initial = client.login_password(*client_name, password, as);
    if (!initial && kerb::password_expired(initial.error())) {
      initial = change_expired(client, *config, *client_name, password, as);
      if (!initial) {
        wipe(password);
        return fail_with(login_message(initial.error(), *client_name, true), kGettingInitial);
      }
    }
    wipe(password);
  }
  if (!initial) {
    const kerb::Error& e = initial.error();
    const std::string_view realm_name = client_name->realm();
    auto kdcs = config->kdcs(realm_name);
    auto proxies = config->kdc_proxies(realm_name);
    const bool has_proxies = proxies && !proxies->empty();
    if (e.category() == kerb::ErrorCategory::kConfig && kdcs && kdcs->empty() && !has_proxies) {
      return fail_with("Cannot find KDC for realm \"" + std::string(realm_name) + "\"",
                       kGettingInitial);
    }
    // A proxy's failure (TLS, HTTP) keeps kerb's words: they name the URL and the reason.
    if (e.category() == kerb::ErrorCategory::kIo && !has_proxies) {
      return fail_with("Cannot contact any KDC for realm '" + std::string(realm_name) + "'",
                       kGettingInitial);
    }
    return fail_with(login_message(e, *client_name, !args.use_keytab), kGettingInitial);
  }

  std::vector<kerb::Credentials> tickets;
  for (const std::string& name : args.fetches) {
    // As MIT's kvno.
    auto service = kerb::Principal::parse(name, realm);
    if (!service) {
      const std::string context = " while parsing principal name " + name;
      return fail_with(principal_message(service.error()), context.c_str());
    }
    auto ticket = client.service_ticket(*initial, *service);
    if (!ticket) {
      const std::string context = " while getting credentials for " + service->to_string();
      const kerb::Error& e = ticket.error();
      if (e.category() == kerb::ErrorCategory::kKdc &&
          e.code() == kerb::error_code::kKdcErrSPrincipalUnknown) {
        return fail_with("Server " + service->to_string() + " not found in Kerberos database",
                         context.c_str());
      }
      return fail_with(kdc_message(e), context.c_str());
    }
    tickets.push_back(std::move(ticket).value());
  }

  kerb::CredentialCache& cc = **cache;
  // As MIT's kinit: a cache that cannot be written ("No credentials cache found" when its
  // directory is missing).
  auto store_failed = [&](const kerb::Error& e) {
    return fail_with(
        "Failed to store credentials: " +
            (not_found(e) ? std::string("No credentials cache found") : std::string(e.detail())),
        kGettingInitial);
  };
  if (auto r = cc.initialize(*client_name); !r) return store_failed(r.error());
  if (auto r = cc.store(*initial); !r) return store_failed(r.error());
  for (const kerb::Credentials& t : tickets) {
    if (auto r = cc.store(t); !r) return store_failed(r.error());
  }
  if (const kerb::ClientHints* hints = client.hints(*client_name)) {
    if (auto r = kerb::save_hints(cc, *client_name, *hints); !r) return store_failed(r.error());
  }

  tickets.insert(tickets.begin(), std::move(initial).value());
  for (const kerb::Credentials& t : tickets) {
    std::printf("%s: ticket for %s valid until %s\n", t.client.to_string().c_str(),
                t.server.to_string().c_str(), when(t.endtime).c_str());
  }
  std::printf("credentials cache %s; %zu KDC round trip%s\n", cc.name().c_str(),
              transport.round_trips(), transport.round_trips() == 1 ? "" : "s");
  return 0;
}
