// bankd: the bank's payment service. Clients authenticate with Kerberos through the GSS-API
// (one AP exchange per context), then every request and reply is an RFC 4121 wrap token with
// confidentiality, replay and sequence detection. Established contexts stay in memory under a
// random context-id, so a client resumes one from a new TCP connection without a handshake.
//
//   bankd [-p PORT] [--keytab KEYTAB] [--db LEDGER] [--accounts]   serve (PORT 0: pick, print)
//         [--rcache FILE] [--max-connections N] [--timeout SECONDS] [--verbose]
//   bankd init [--db LEDGER]                                       create the demo accounts
//
// krb5.conf (KRB5_CONFIG) gives the permitted enctypes and the clock skew.
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/keytab.hpp>
#include <kerb/replay_cache.hpp>

#include "ledger.hpp"
#include "net.hpp"
#include "protocol.hpp"
#include "receipt.hpp"

namespace {

using namespace std::chrono_literals;
namespace gss = kerb::gss;
namespace net = bank::net;

constexpr const char* kProgram = "bankd";

// --- policy ---------------------------------------------------------------------------------

// Everything bankd demands of a client's context, checked in one place. The enctypes and skew
// are enforced by accept() itself (acceptor_options()); check() decides on what accept() let
// through.
struct BankPolicy {
  // Mutual authentication (the client knows it talks to the bank), sealed and integrity-
  // protected messages, and refusal of replayed and reordered tokens.
  std::uint32_t required_flags = gss::context_flags::kMutual | gss::context_flags::kConf |
                                 gss::context_flags::kInteg | gss::context_flags::kReplay |
                                 gss::context_flags::kSequence;
  // A bank has no use for the customer's TGT: holding one would only be a liability.
  bool allow_delegation = false;
  kerb::crypto::Policy enctypes = kerb::crypto::Policy::defaults();  // krb5.conf permitted
  std::int64_t max_clock_skew = 300;                                 // krb5.conf clockskew

  gss::AcceptorOptions acceptor_options() const {
    gss::AcceptorOptions o;
    o.policy = enctypes;
    o.clockskew = max_clock_skew;
    // Mutual authentication is refused here with a policy frame rather than inside accept(),
    // so the client hears the same clear reason for every missing service.
    o.require_mutual = false;
    return o;
  }

  kerb::Result<void> check(const gss::Accepted& accepted) const {
    using namespace gss::context_flags;
    // What the client asked for: the krb5 mechanism always offers confidentiality and
    // integrity, but a client that did not ask for them may not seal its requests. Mutual
    // authentication may also be asked for in the AP options alone.
    const std::uint32_t flags = accepted.flags | (accepted.context.flags() & kMutual);
    if (!allow_delegation && (accepted.delegated || (accepted.flags & kDeleg) != 0))
      return kerb::Error(kerb::ErrorCategory::kPolicy,
                         "the bank does not accept delegated credentials");
    static constexpr struct {
      std::uint32_t flag;
      const char* name;
    } kNames[] = {{kMutual, "mutual authentication"},
                  {kConf, "confidentiality"},
                  {kInteg, "integrity"},
                  {kReplay, "replay detection"},
                  {kSequence, "sequence detection"}};
    std::string missing;
    for (const auto& n : kNames) {
      if ((required_flags & n.flag) != 0 && (flags & n.flag) == 0)
        missing += (missing.empty() ? "" : ", ") + std::string(n.name);
    }
    if (!missing.empty())
      return kerb::Error::format(kerb::ErrorCategory::kPolicy, 0,
                                 "the bank requires a context with %s", missing.c_str());
    return kerb::ok();
  }
};

// --- contexts -------------------------------------------------------------------------------

struct ContextEntry {
  std::mutex mutex;  // one request at a time per context: sequence numbers are a line
  gss::SecurityContext context;
  std::string principal;  // the authenticated client, the only source of authorization
  std::int64_t endtime = 0;
  std::optional<kerb::crypto::Key> receipt_key;
};

// Established contexts by context-id. Bounded; an expired context is forgotten when met.
class ContextStore {
 public:
  static constexpr std::size_t kMaxContexts = 10000;

  kerb::Result<bank::ContextId> add(std::shared_ptr<ContextEntry> entry, std::int64_t now) {
    bank::ContextId id{};
    KERB_TRY_VOID(kerb::crypto::os_random().fill(id));
    std::lock_guard lock(mutex_);
    if (contexts_.size() >= kMaxContexts) {
      std::erase_if(contexts_, [&](const auto& kv) { return kv.second->endtime <= now; });
      if (contexts_.size() >= kMaxContexts)
        return kerb::Error(kerb::ErrorCategory::kIo, "too many sessions");
    }
    contexts_[id] = std::move(entry);
    return id;
  }

  std::shared_ptr<ContextEntry> find(const bank::ContextId& id, std::int64_t now) {
    std::lock_guard lock(mutex_);
    const auto it = contexts_.find(id);
    if (it == contexts_.end()) return nullptr;
    if (it->second->endtime <= now) {
      contexts_.erase(it);
      return nullptr;
    }
    return it->second;
  }

  void erase(const bank::ContextId& id) {
    std::lock_guard lock(mutex_);
    contexts_.erase(id);
  }

 private:
  std::mutex mutex_;
  std::map<bank::ContextId, std::shared_ptr<ContextEntry>> contexts_;
};

// --- the server -----------------------------------------------------------------------------

struct Args {
  bool init = false;
  std::uint16_t port = 0;
  std::string keytab;
  std::string db = "bank.db";
  std::string rcache;  // default: the ledger's path + ".rcache"
  std::string service = "bank/bank.test";
  bool accounts = false;
  int max_connections = 128;
  int timeout_seconds = 10;
  bool verbose = false;
};

struct Server {
  Args args;
  BankPolicy policy;
  gss::AcceptorOptions accept_options;
  // Authenticators seen, kept across restarts: an establish frame captured before a restart
  // must not open a context (and carry its request) after it.
  std::optional<kerb::FileReplayCache> replay_cache;
  kerb::Keytab keytab;
  kerb::Principal service;
  ContextStore contexts;
  std::atomic<int> connections{0};
  std::mutex log_mutex;

  void log(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
    std::lock_guard lock(log_mutex);
    va_list ap;
    va_start(ap, fmt);
    std::fputs("bankd: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
  }

  std::int64_t now() const { return kerb::system_clock().now().seconds; }

  static bank::Bytes refused(bank::FrameRefusal code, std::string text,
                             std::optional<bank::Bytes> error_token = std::nullopt) {
    return bank::encode(
        bank::ServerFrame{bank::Refused{code, std::move(text), std::move(error_token)}});
  }

  // The Reply to one decoded request of `entry`'s client.
  bank::Reply serve(ContextEntry& entry, bank::Ledger& ledger, const bank::Request& request,
                    bool& logout) {
    bank::Reply reply;
    reply.request_id = request.request_id;
    const auto internal = [&](const kerb::Error& e) {
      log("%s: ledger: %.*s", entry.principal.c_str(), static_cast<int>(e.detail().size()),
          e.detail().data());
      // A principal without an account reads as not-authorized, anything else as internal.
      if (e.category() == kerb::ErrorCategory::kPolicy &&
          e.code() == static_cast<std::int32_t>(bank::BankErrorCode::kNotAuthorized))
        return bank::BankError{bank::BankErrorCode::kNotAuthorized,
                               "there is no account for " + entry.principal};
      return bank::BankError{bank::BankErrorCode::kInternal, "the bank could not do that now"};
    };
    if (std::holds_alternative<bank::BalanceQuery>(request.body)) {
      auto b = ledger.balance(entry.principal);
      if (b)
        reply.body = *b;
      else
        reply.body = internal(b.error());
    } else if (const auto* pay = std::get_if<bank::Payment>(&request.body)) {
      auto outcome = ledger.pay(entry.principal, *pay, now());
      if (!outcome) {
        reply.body = internal(outcome.error());
      } else if (const auto* error = std::get_if<bank::BankError>(&*outcome)) {
        reply.body = *error;
      } else {
        const auto& tx = std::get<bank::Transaction>(*outcome);
        auto mic = entry.receipt_key ? bank::receipt_mic(*entry.receipt_key, tx)
                                     : kerb::Result<bank::Bytes>(kerb::Error(
                                           kerb::ErrorCategory::kCrypto, "no receipt key"));
        if (mic) {
          reply.body = bank::Receipt{tx, std::move(*mic)};
        } else {
          // The money has moved; the client asks again with the same key for its receipt.
          reply.body = internal(mic.error());
        }
      }
    } else if (const auto* history = std::get_if<bank::HistoryQuery>(&request.body)) {
      auto h = ledger.history(entry.principal, history->limit.value_or(50));
      if (h)
        reply.body = bank::History{std::move(*h)};
      else
        reply.body = internal(h.error());
    } else {
      logout = true;
      reply.body = bank::Bye{};
    }
    return reply;
  }

  // Unwraps one request token of the context, serves it and wraps the reply; or the refusal
  // frame (as an error) when the token may not be served.
  kerb::Result<bank::Bytes> handle(ContextEntry& entry, bank::Ledger& ledger,
                                   std::span<const std::uint8_t> token, bool& logout) {
    std::uint32_t supplementary = 0;
    std::vector<std::uint8_t> plain(token.size());
    auto unwrapped = entry.context.unwrap(token, plain);
    if (!unwrapped) return unwrapped.error();
    // An authentic token that is not the next one (duplicate, old, gap, out of order) is
    // refused: a replayed payment must never reach the ledger (RFC 2743 §1.2.3).
    supplementary = unwrapped->supplementary;
    if (supplementary != 0)
      return kerb::Error::format(
          kerb::ErrorCategory::kProtocol, gss::major_status::kFailure, "token refused: %s",
          (supplementary & gss::supplementary::kDuplicateToken) ? "replayed"
          : (supplementary & gss::supplementary::kOldToken)     ? "too old"
          : (supplementary & gss::supplementary::kGapToken)     ? "earlier tokens are missing"
                                                                : "out of sequence");
    if (!unwrapped->conf)
      return kerb::Error(kerb::ErrorCategory::kPolicy, "request was not sealed");
    plain.resize(unwrapped->length);
    auto request = bank::decode_request(plain);
    kerb::crypto::secure_wipe(plain);
    if (!request) return request.error();
    const bank::Reply reply = serve(entry, ledger, *request, logout);
    const bank::Bytes der = bank::encode(reply);
    if (der.empty()) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "reply too large");
    return entry.context.wrap(der, true);
  }

  bank::Bytes on_establish(const bank::Establish& e, bank::Ledger& ledger) {
    auto accepted = gss::accept(e.context_token, keytab, accept_options);
    if (!accepted) {
      const kerb::Error& err = accepted.error();
      log("refused an AP-REQ: %.*s", static_cast<int>(err.detail().size()), err.detail().data());
      auto token = gss::error_token(err, service);
      return refused(bank::FrameRefusal::kAuthenticationFailed,
                     "authentication failed: " + std::string(err.detail()),
                     token ? std::optional<bank::Bytes>(std::move(*token)) : std::nullopt);
    }
    const std::string principal = accepted->initiator.to_string();
    if (auto ok = policy.check(*accepted); !ok) {
      log("refused %s: %.*s", principal.c_str(), static_cast<int>(ok.error().detail().size()),
          ok.error().detail().data());
      return refused(bank::FrameRefusal::kPolicy, std::string(ok.error().detail()));
    }
    auto entry = std::make_shared<ContextEntry>();
    entry->principal = principal;
    entry->endtime = accepted->context.endtime();
    entry->context = std::move(accepted->context);
    if (auto key = bank::receipt_key(entry->context)) entry->receipt_key = std::move(*key);
    auto id = contexts.add(entry, now());
    if (!id) return refused(bank::FrameRefusal::kBusy, "the bank is busy; try again shortly");
    bank::Established out{*id, std::move(accepted->output_token), std::nullopt};
    if (e.request) {
      std::lock_guard lock(entry->mutex);
      bool logout = false;
      auto response = handle(*entry, ledger, *e.request, logout);
      if (!response) {
        contexts.erase(*id);
        return refused(bank::FrameRefusal::kBadToken,
                       "request refused: " + std::string(response.error().detail()));
      }
      if (logout) contexts.erase(*id);
      out.response = std::move(*response);
    }
    if (args.verbose) log("%s: new session", principal.c_str());
    return bank::encode(bank::ServerFrame{std::move(out)});
  }

  bank::Bytes on_resume(const bank::Resume& r, bank::Ledger& ledger) {
    const auto entry = contexts.find(r.context_id, now());
    if (!entry)
      return refused(bank::FrameRefusal::kUnknownContext,
                     "unknown or expired session; authenticate again");
    std::lock_guard lock(entry->mutex);
    bool logout = false;
    auto response = handle(*entry, ledger, r.request, logout);
    if (!response) {
      log("%s: %.*s", entry->principal.c_str(), static_cast<int>(response.error().detail().size()),
          response.error().detail().data());
      return refused(bank::FrameRefusal::kBadToken,
                     "request refused: " + std::string(response.error().detail()));
    }
    // The Bye is wrapped first, so it is the context's last token; later ones meet
    // unknown-context.
    if (logout) contexts.erase(r.context_id);
    return bank::encode(bank::ServerFrame{bank::Response{std::move(*response)}});
  }

  void serve_connection(net::Socket socket) {
    auto ledger = bank::Ledger::open(args.db);
    if (!ledger) {
      log("ledger %s: %.*s", args.db.c_str(), static_cast<int>(ledger.error().detail().size()),
          ledger.error().detail().data());
      (void)net::write_frame(
          socket.fd(), refused(bank::FrameRefusal::kBusy, "the bank is not available right now"));
      return;
    }
    for (;;) {
      // A slow or silent client gets the timeout for each whole frame, then is let go.
      auto in = net::read_frame(socket.fd(), std::chrono::seconds(args.timeout_seconds));
      if (in.status != net::ReadStatus::kFrame) {
        if (in.status == net::ReadStatus::kTimedOut && args.verbose) log("client timed out");
        // Told why before the close, the body left unread: a client whose frame outgrew the
        // limit learns it at once instead of meeting a reset.
        if (in.status == net::ReadStatus::kTooLarge)
          (void)net::write_frame(socket.fd(), refused(bank::FrameRefusal::kMalformed,
                                                      "the frame is longer than 1 MiB"));
        return;
      }
      auto frame = bank::decode_client_frame(in.frame);
      bank::Bytes out;
      if (!frame) {
        out = refused(bank::FrameRefusal::kMalformed,
                      "malformed frame: " + std::string(frame.error().detail()));
      } else if (const auto* e = std::get_if<bank::Establish>(&frame->body)) {
        out = on_establish(*e, *ledger);
      } else {
        out = on_resume(std::get<bank::Resume>(frame->body), *ledger);
      }
      if (!net::write_frame(socket.fd(), out)) return;
      if (!frame) return;
    }
  }
};

int usage() {
  std::fputs(
      "usage: bankd [-p PORT] [--keytab KEYTAB] [--db LEDGER] [--rcache FILE] [--accounts]\n"
      "             [--service NAME] [--max-connections N] [--timeout SECONDS] [--verbose]\n"
      "       bankd init [--db LEDGER]\n"
      "  -p, --port        TCP port on 127.0.0.1 (0: pick one and print it)\n"
      "  --keytab          the service's keytab (default $KRB5_KTNAME)\n"
      "  --db              the SQLite ledger (default bank.db)\n"
      "  --rcache          the replay cache file (default LEDGER.rcache)\n"
      "  --accounts        create the demo accounts if missing (as `bankd init`)\n",
      stderr);
  return 2;
}

bool parse_int(const char* text, int low, int high, int& out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < low || v > high) return false;
  out = static_cast<int>(v);
  return true;
}

bool parse_args(int argc, char** argv, Args& a) {
  int i = 1;
  if (i < argc && std::strcmp(argv[i], "init") == 0) {
    a.init = true;
    ++i;
  }
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
    int n = 0;
    if ((arg == "-p" || arg == "--port") && next && parse_int(next, 0, 65535, n)) {
      a.port = static_cast<std::uint16_t>(n);
      ++i;
    } else if (arg == "--keytab" && next) {
      a.keytab = argv[++i];
    } else if (arg == "--db" && next) {
      a.db = argv[++i];
    } else if (arg == "--rcache" && next) {
      a.rcache = argv[++i];
    } else if (arg == "--service" && next) {
      a.service = argv[++i];
    } else if (arg == "--max-connections" && next && parse_int(next, 1, 100000, n)) {
      a.max_connections = n;
      ++i;
    } else if (arg == "--timeout" && next && parse_int(next, 1, 3600, n)) {
      a.timeout_seconds = n;
      ++i;
    } else if (arg == "--accounts") {
      a.accounts = true;
    } else if (arg == "--verbose" || arg == "-v") {
      a.verbose = true;
    } else {
      return false;
    }
  }
  return true;
}

int fail(const char* what, const kerb::Error& e) {
  std::fprintf(stderr, "%s: %s: %.*s\n", kProgram, what, static_cast<int>(e.detail().size()),
               e.detail().data());
  return 1;
}

// The demo's customers: fixture users with accounts (nopreauth has none, to show refusal).
kerb::Result<void> seed_accounts(const std::string& db, std::string_view realm) {
  struct Seed {
    const char* user;
    const char* account;
    const char* phone;
    std::int64_t balance;
  };
  static constexpr Seed kSeeds[] = {
      {"alice", "DE0001", "+4915100000001", 100000},
      {"bob", "DE0002", "+4915100000002", 50000},
      {"sha2user", "DE0003", "+4915100000003", 50000},
      {"camuser", "DE0004", "+4915100000004", 50000},
      {"pwbank", "DE0005", "+4915100000005", 50000},  // its password expired: bank login changes it
  };
  KERB_TRY(bank::Ledger ledger, bank::Ledger::open(db));
  for (const Seed& s : kSeeds) {
    KERB_TRY_VOID(ledger.add_account(std::string(s.user) + "@" + std::string(realm), s.account,
                                     s.phone, s.balance));
  }
  return kerb::ok();
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) return usage();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  ::signal(SIGPIPE, SIG_IGN);

  auto config = kerb::Config::load_from_env();
  if (!config) return fail("krb5.conf", config.error());
  const std::string realm(config->default_realm().value_or(""));
  if (args.init || args.accounts) {
    if (auto r = seed_accounts(args.db, realm); !r) return fail("accounts", r.error());
    if (args.init) {
      std::printf("bankd: demo accounts ready in %s\n", args.db.c_str());
      return 0;
    }
  }
  // Opening the ledger once up front reports a bad path before any client comes.
  if (auto ledger = bank::Ledger::open(args.db); !ledger) return fail("ledger", ledger.error());

  auto client_options = kerb::ClientOptions::from_config(*config);
  if (!client_options) return fail("krb5.conf", client_options.error());
  auto service = kerb::Principal::parse(args.service, realm);
  if (!service) return fail("service name", service.error());
  auto all_keys =
      kerb::Keytab::open(args.keytab.empty() ? kerb::default_keytab_name() : args.keytab);
  if (!all_keys) return fail("keytab", all_keys.error());

  auto server = std::make_unique<Server>();
  server->args = args;
  server->service = *service;
  server->policy.enctypes = client_options->policy;
  server->policy.max_clock_skew = client_options->clockskew;
  server->accept_options = server->policy.acceptor_options();
  server->accept_options.acceptor_name = gss::AcceptorName::principal(*service);
  server->replay_cache.emplace(args.rcache.empty() ? args.db + ".rcache" : args.rcache);
  server->accept_options.replay_cache = &*server->replay_cache;
  for (kerb::KeytabEntry& e : all_keys->entries) {
    if (e.principal == *service) server->keytab.entries.push_back(std::move(e));
  }
  if (server->keytab.entries.empty())
    return fail("keytab",
                kerb::Error::format(kerb::ErrorCategory::kIo, 0, "no key for %s in the keytab",
                                    service->to_string().c_str()));

  auto listener = net::listen_loopback(args.port, 128);
  if (!listener) return fail("listen", listener.error());
  std::printf("bankd: listening on 127.0.0.1:%u\n", listener->port);

  for (;;) {
    const int fd = ::accept4(listener->socket.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE) {
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(50ms);
        continue;
      }
      return fail("accept", kerb::Error(kerb::ErrorCategory::kIo, std::strerror(errno)));
    }
    net::Socket socket(fd);
    if (server->connections.load() >= args.max_connections) {
      // Told, not left hanging; the client tries again later.
      timeval tv{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      (void)net::write_frame(
          fd, Server::refused(bank::FrameRefusal::kBusy, "the bank is busy; try again shortly"));
      continue;
    }
    timeval tv{args.timeout_seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ++server->connections;
    std::thread([s = server.get(), sock = std::move(socket)]() mutable {
      s->serve_connection(std::move(sock));
      --s->connections;
    }).detach();
  }
}
