// bank: the handheld client of bankd.
//
//   bank login alice               password from the terminal (or one line of stdin)
//   bank balance
//   bank pay DE0002 25.00          to an account, or to a phone number: bank pay +4915100000002 5
//   bank history
//   bank receipts --verify
//   bank logout
//
// Options: --server HOST:PORT (or $BANK_SERVER), --state DIR (default ~/.bank), --verbose
// (each round trip with its time, and the Kerberos detail of errors); FAST armor for the KDC
// requests with --armor-ccache CCACHE (or $BANK_ARMOR_CCACHE), or --device-keytab KEYTAB and
// --device PRINCIPAL (or $BANK_DEVICE_KEYTAB, $BANK_DEVICE). krb5.conf comes from $KRB5_CONFIG as
// usual: its https:// kdc entries send the logins through a KDC proxy (MS-KKDCP).
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/constants.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/transport.hpp>
#ifdef BANK_HTTPS
#include <kerb/https/kdc_proxy_transport.hpp>
#endif

#include "bank_client.hpp"
#include "client_state.hpp"
#include "protocol.hpp"
#include "receipt.hpp"

namespace {

struct Args {
  std::string command;
  std::vector<std::string> operands;
  std::string server;
  std::string state;
  std::string armor_ccache;
  std::string device_keytab;
  std::string device;
  bool verbose = false;
  bool verify = false;
};

int usage() {
  std::fputs(
      "usage: bank [--server HOST:PORT] [--state DIR] [--verbose] [ARMOR] COMMAND\n"
      "  login USER            log in (asks for the password)\n"
      "  balance               your account's balance\n"
      "  pay PAYEE AMOUNT      pay an account (DE0002) or a phone number (+49...), e.g. 25.00\n"
      "  history               your latest transactions\n"
      "  receipts [--verify]   the receipts of your payments, checked with --verify\n"
      "  logout                end the session and forget tickets and keys\n"
      "  --server   bankd's address (default $BANK_SERVER)\n"
      "  --state    where the session is kept (default ~/.bank)\n"
      "  --verbose  show each round trip and the technical detail of errors\n"
      "  --armor-ccache CCACHE   armor the KDC requests (FAST) with the TGT in CCACHE\n"
      "  --device-keytab KEYTAB  armor the KDC requests with this device's keytab\n"
      "  --device PRINCIPAL      the device's principal (default: the keytab's first)\n",
      stderr);
  return 2;
}

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--server" && i + 1 < argc) {
      a.server = argv[++i];
    } else if (arg == "--state" && i + 1 < argc) {
      a.state = argv[++i];
    } else if (arg == "--armor-ccache" && i + 1 < argc) {
      a.armor_ccache = argv[++i];
    } else if (arg == "--device-keytab" && i + 1 < argc) {
      a.device_keytab = argv[++i];
    } else if (arg == "--device" && i + 1 < argc) {
      a.device = argv[++i];
    } else if (arg == "--verbose" || arg == "-v") {
      a.verbose = true;
    } else if (arg == "--verify") {
      a.verify = true;
    } else if (!arg.empty() && arg[0] == '-' && arg.size() > 1 && !std::isdigit(arg[1]) &&
               arg[1] != '+') {
      return false;
    } else if (a.command.empty()) {
      a.command = arg;
    } else {
      a.operands.push_back(arg);
    }
  }
  return !a.command.empty();
}

// A secret from the terminal without echo, or the next line of a non-terminal stdin.
kerb::Result<std::string> read_secret(const std::string& prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fputs(prompt.c_str(), stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  int c = 0;
  while ((c = std::getchar()) != EOF && c != '\n')
    password.push_back(static_cast<char>(c));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stderr);
  }
  if (password.empty() && c == EOF)
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "no password given");
  return password;
}

kerb::Result<std::string> read_password(const kerb::Principal& user) {
  return read_secret("Password for " + user.to_string() + ": ");
}

// The new password for an expired one, typed twice (the next two lines of stdin when it is not
// a terminal); three tries to type the same twice.
kerb::Result<std::string> read_new_password(const kerb::Principal& user, std::string_view why) {
  std::fprintf(stderr, "bank: %.*s\n", static_cast<int>(why.size()), why.data());
  for (int tries = 3; tries > 0; --tries) {
    auto first = read_secret("New password for " + user.to_string() + ": ");
    if (!first) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "no new password given");
    auto again = read_secret("The new password again: ");
    if (!again) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "no new password given");
    const bool same = *first == *again;
    kerb::crypto::secure_wipe(again->data(), again->size());
    if (same && !first->empty()) return first;
    kerb::crypto::secure_wipe(first->data(), first->size());
    std::fputs(same ? "bank: The new password cannot be empty.\n"
                    : "bank: The two passwords differ. Please try again.\n",
               stderr);
  }
  return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "no new password given");
}

// An environment variable's value, or "" when unset.
std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string money(std::int64_t minor, const std::string& currency) {
  char buf[64];
  const char* sign = minor < 0 ? "-" : "";
  const std::uint64_t m =
      minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%02" PRIu64 " %s", sign, m / 100, m % 100,
                currency.c_str());
  return buf;
}

// "25", "25.5", "25.00" -> minor units; 0 when not an amount.
std::int64_t parse_amount(const std::string& text) {
  std::int64_t units = 0, cents = 0;
  std::size_t i = 0, digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    if (units > bank::kMaxAmount / 10) return 0;
    units = units * 10 + (text[i] - '0');
  }
  if (digits == 0) return 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int n = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n < 2; ++i, ++n)
      cents = cents * 10 + (text[i] - '0');
    if (n == 0) return 0;
    if (n == 1) cents *= 10;
  }
  if (i != text.size() || units > bank::kMaxAmount / 100) return 0;
  return units * 100 + cents;
}

std::string when(std::int64_t t) {
  char buf[32];
  const std::time_t tt = static_cast<std::time_t>(t);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&tt));
  return buf;
}

std::string hex(std::span<const std::uint8_t> bytes, std::size_t max) {
  std::string out;
  char b[3];
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    std::snprintf(b, sizeof b, "%02x", bytes[i]);
    out += b;
  }
  return out;
}

// A bank customer's sentence for a failure; the Kerberos detail follows under --verbose.
std::string sentence(const kerb::Error& e, bank::FailedAt at) {
  using namespace kerb::error_code;
  if (e.category() == kerb::ErrorCategory::kKdc || e.category() == kerb::ErrorCategory::kProtocol) {
    switch (e.code()) {
      case kKdcErrPreauthFailed:
      case kKrbApErrBadIntegrity:
        return "Wrong password. Please try again.";
      case kKdcErrClientRevoked:
        return "Your account is locked. Please contact the bank.";
      case kKdcErrKeyExpired:
        return "Your password has expired. Please set a new one with the bank first.";
      case kKdcErrCPrincipalUnknown:
        return "The bank does not know this user name.";
      case kKrbApErrSkew:
        return "Your device's clock is wrong. Set the correct date and time, then try again.";
      default:
        break;
    }
  }
  if (kerb::password_rejected(e))
    return "The new password was not accepted: " + std::string(e.detail());
  if (e.category() == kerb::ErrorCategory::kInvalidArgument &&
      e.detail() == "no new password given")
    return "Your password has expired and no new password was given. It is unchanged.";
  if (at == bank::FailedAt::kKdc && e.category() == kerb::ErrorCategory::kCrypto)
    return "Wrong password. Please try again.";
  if (e.category() == kerb::ErrorCategory::kIo && at == bank::FailedAt::kKdc)
    return "The bank's login service cannot be reached. Check your connection and try again.";
  if (e.category() == kerb::ErrorCategory::kIo && at == bank::FailedAt::kBank)
    return "The bank cannot be reached right now. Check your connection and try again.";
  if (at == bank::FailedAt::kBank)
    return "The bank refused the request: " + std::string(e.detail());
  if (e.category() == kerb::ErrorCategory::kInvalidArgument && e.detail() == "not logged in")
    return "You are not logged in. Use: bank login NAME";
  if (e.category() == kerb::ErrorCategory::kInvalidArgument && e.detail() == "no password given")
    return "Your session has ended and no password was given. Log in again: bank login NAME";
  return "Something went wrong: " + std::string(e.detail());
}

const char* bank_error_sentence(bank::BankErrorCode code) {
  switch (code) {
    case bank::BankErrorCode::kInsufficientFunds:
      return "Not enough money in your account for this payment.";
    case bank::BankErrorCode::kUnknownPayee:
      return "There is no account with that number or phone.";
    case bank::BankErrorCode::kInvalidAmount:
      return "That amount cannot be paid.";
    case bank::BankErrorCode::kNotAuthorized:
      return "You have no account at this bank.";
    case bank::BankErrorCode::kDuplicateKeyMismatch:
      return "This payment clashes with an earlier one; please start it again.";
    case bank::BankErrorCode::kSameAccount:
      return "You cannot pay your own account.";
    case bank::BankErrorCode::kInternal:
      break;
  }
  return "The bank could not do that right now. Please try again later.";
}

void print_transaction(const bank::Transaction& t) {
  std::printf("%s  #%" PRId64 "  %s -> %s  %s\n", when(t.time).c_str(), t.txid,
              t.from_account.c_str(), t.to_account.c_str(), money(t.amount, t.currency).c_str());
}

// Prints a reply; returns the exit status.
int show(const bank::Reply& reply) {
  if (const auto* b = std::get_if<bank::Balance>(&reply.body)) {
    std::printf("Balance of %s: %s\n", b->account.c_str(), money(b->amount, b->currency).c_str());
  } else if (const auto* r = std::get_if<bank::Receipt>(&reply.body)) {
    const bank::Transaction& t = r->transaction;
    std::printf("Paid %s from %s to %s (transaction %" PRId64 ", %s). Receipt verified.\n",
                money(t.amount, t.currency).c_str(), t.from_account.c_str(), t.to_account.c_str(),
                t.txid, when(t.time).c_str());
  } else if (const auto* h = std::get_if<bank::History>(&reply.body)) {
    if (h->transactions.empty()) std::puts("No transactions yet.");
    for (const auto& t : h->transactions)
      print_transaction(t);
  } else if (std::holds_alternative<bank::Bye>(reply.body)) {
    std::puts("Logged out.");
  } else {
    const auto& e = std::get<bank::BankError>(reply.body);
    std::fprintf(stderr, "bank: %s\n", bank_error_sentence(e.code));
    return 1;
  }
  return 0;
}

int verify_receipts(const bank::StateDir& state, bool verify) {
  auto stored = state.receipts();
  if (!stored) {
    std::fprintf(stderr, "bank: the receipts file cannot be read: %.*s\n",
                 static_cast<int>(stored.error().detail().size()), stored.error().detail().data());
    return 1;
  }
  if (stored->empty()) std::puts("No receipts yet.");
  int bad = 0;
  for (const bank::StoredReceipt& s : *stored) {
    auto receipt = bank::decode_receipt(s.receipt);
    if (!receipt) {
      std::printf("(damaged receipt)  NOT VALID\n");
      ++bad;
      continue;
    }
    const bank::Transaction& t = receipt->transaction;
    std::printf("%s  #%" PRId64 "  %s -> %s  %s  key %s", when(t.time).c_str(), t.txid,
                t.from_account.c_str(), t.to_account.c_str(), money(t.amount, t.currency).c_str(),
                hex(t.idempotency_key, 4).c_str());
    if (!verify) {
      std::puts("");
      continue;
    }
    auto key = kerb::crypto::Key::from_bytes(static_cast<kerb::crypto::EncType>(s.key_enctype),
                                             s.key.view());
    const bool ok = key && bank::verify_receipt(*key, *receipt);
    std::printf("  %s\n", ok ? "verified" : "NOT VALID");
    if (!ok) ++bad;
  }
  if (verify && bad > 0) {
    std::fprintf(stderr, "bank: %d receipt%s did not verify\n", bad, bad == 1 ? "" : "s");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) return usage();
  ::signal(SIGPIPE, SIG_IGN);
  const auto start = std::chrono::steady_clock::now();
  auto trace = [&](std::string_view line) {
    if (args.verbose) std::fprintf(stderr, "  %.*s\n", static_cast<int>(line.size()), line.data());
  };
  auto report = [&](const char* what, const kerb::Error& e, bank::FailedAt at) {
    std::fprintf(stderr, "bank: %s\n", sentence(e, at).c_str());
    if (args.verbose)
      std::fprintf(stderr, "  (%s: %s error, code %d: %.*s)\n", what,
                   std::string(kerb::to_string(e.category())).c_str(), e.code(),
                   static_cast<int>(e.detail().size()), e.detail().data());
    return 1;
  };
  const bank::FailedAt none = bank::FailedAt::kNowhere;

  auto state =
      bank::StateDir::open(args.state.empty() ? bank::StateDir::default_path() : args.state);
  if (!state) return report("state directory", state.error(), bank::FailedAt::kState);
  if (args.command == "receipts") return verify_receipts(*state, args.verify);

  auto config = kerb::Config::load_from_env();
  if (!config) return report("krb5.conf", config.error(), none);
  auto client_options = kerb::ClientOptions::from_config(*config);
  if (!client_options) return report("krb5.conf", client_options.error(), none);
  const std::string realm(config->default_realm().value_or(""));

  if (args.server.empty()) {
    const char* env = std::getenv("BANK_SERVER");
    if (env == nullptr || *env == '\0') {
      std::fputs("bank: no bank server given (--server HOST:PORT or BANK_SERVER)\n", stderr);
      return 2;
    }
    args.server = env;
  }
  auto endpoint = bank::net::Endpoint::parse(args.server);
  if (!endpoint) return report("--server", endpoint.error(), none);

  // The route to the realm's KDC, as krb5.conf gives it: its KDC proxies (https:// kdc entries)
  // when it names any, else its KDCs over UDP/TCP.
  std::string route;
  if (auto proxies = config->kdc_proxies(realm); proxies && !proxies->empty())
    route = "KDC proxy " + std::string(proxies->front());
#ifdef BANK_HTTPS
  auto routed = kerb::https::transport_from_config(*config);
  if (!routed) return report("krb5.conf", routed.error(), none);
  kerb::KdcTransport& kdc_transport = **routed;
#else
  if (!route.empty()) {
    std::fputs("bank: krb5.conf names a KDC proxy, and this bank was built without HTTPS\n",
               stderr);
    return 2;
  }
  auto posix = kerb::PosixKdcTransport::from_config(*config);
  if (!posix) return report("krb5.conf", posix.error(), none);
  kerb::KdcTransport& kdc_transport = *posix;
#endif
  if (route.empty()) route = "UDP/TCP";
  bank::TimedKdcTransport kdc(kdc_transport, trace, route);
  bank::TcpBankTransport bank_transport(*endpoint);

  // Password changes go to krb5.conf's kpasswd servers: its KDC proxies (https://
  // kpasswd_server entries) when it names any, else UDP/TCP. Without any, an expired password is
  // only reported.
#ifdef BANK_HTTPS
  auto kpasswd = kerb::https::kpasswd_transport_from_config(*config);
  kerb::KdcTransport* kpasswd_transport = kpasswd ? kpasswd->get() : nullptr;
#else
  auto kpasswd = kerb::kpasswd_transport_from_config(*config);
  kerb::KdcTransport* kpasswd_transport = kpasswd ? &*kpasswd : nullptr;
#endif

  bank::SessionOptions options;
  auto service = kerb::Principal::parse("bank/bank.test", realm);
  if (!service) return report("service", service.error(), none);
  options.service = *service;
  options.password = read_password;
  options.new_password = read_new_password;
  options.kpasswd = kpasswd_transport;
  options.trace = trace;
  // FAST armor: the options, else $BANK_ARMOR_CCACHE, else $BANK_DEVICE_KEYTAB (and $BANK_DEVICE).
  if (args.armor_ccache.empty() && args.device_keytab.empty()) {
    args.armor_ccache = env_or_empty("BANK_ARMOR_CCACHE");
    if (args.armor_ccache.empty()) args.device_keytab = env_or_empty("BANK_DEVICE_KEYTAB");
  }
  if (args.device.empty()) args.device = env_or_empty("BANK_DEVICE");
  options.armor.ccache = args.armor_ccache;
  options.armor.device_keytab = args.device_keytab;
  if (!args.device.empty()) {
    auto device = kerb::Principal::parse(args.device, realm);
    if (!device) return report("--device", device.error(), none);
    options.armor.device = *device;
  }
  if (options.armor.enabled()) trace("login armored (FAST), required");
  bank::BankSession session(*state, *client_options, kdc, bank_transport, options);

  kerb::Result<bank::Reply> reply = kerb::Error(kerb::ErrorCategory::kNone, "");
  if (args.command == "login" && args.operands.size() == 1) {
    auto user = kerb::Principal::parse(args.operands[0], realm);
    if (!user) return report("user name", user.error(), none);
    reply = session.login(*user, bank::BalanceQuery{});
    if (reply) std::printf("Logged in as %s.\n", user->to_string().c_str());
  } else if (args.command == "balance" && args.operands.empty()) {
    reply = session.call(bank::BalanceQuery{});
  } else if (args.command == "pay" && args.operands.size() == 2) {
    const std::string& to = args.operands[0];
    const std::int64_t amount = parse_amount(args.operands[1]);
    if (amount <= 0) {
      std::fprintf(stderr, "bank: \"%s\" is not an amount (e.g. 25.00)\n",
                   args.operands[1].c_str());
      return 2;
    }
    bank::Payee payee = bank::AccountPayee{to};
    if (!to.empty() && to[0] == '+') payee = bank::PhonePayee{to};
    reply = session.pay(payee, to, amount);
  } else if (args.command == "history" && args.operands.empty()) {
    reply = session.call(bank::HistoryQuery{20});
  } else if (args.command == "logout" && args.operands.empty()) {
    if (auto r = session.logout(); !r) return report("logout", r.error(), session.failed_at());
    std::puts("Logged out. Tickets and keys are gone from this device.");
    reply = bank::Reply{0, bank::Bye{}};
  } else {
    return usage();
  }
  if (!reply) return report(args.command.c_str(), reply.error(), session.failed_at());
  const int status = args.command == "logout" ? 0 : show(*reply);
  if (args.verbose) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "  %zu round trip%s (KDC %zu, bank %zu), %.0f ms\n",
                 kdc.round_trips() + session.bank_round_trips(),
                 kdc.round_trips() + session.bank_round_trips() == 1 ? "" : "s", kdc.round_trips(),
                 session.bank_round_trips(), ms);
  }
  return status;
}
