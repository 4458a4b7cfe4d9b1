// kerb-gss-server: MIT's gss-server, on kerb. The smallest complete GSS acceptor: keys from a
// keytab, the krb5 mechanism or SPNEGO (whichever the client's first token names), a replay
// cache, then the "sign" service: unwrap each message and answer with a MIC over it. Options
// and wire protocol are gss-server's, so MIT's gss-client talks to it. Clients of other realms
// pass as krb5.conf [capaths] allow them for the service's realm, as with MIT's gss-server.
//
//   kerb-gss-server -port 4444 -keytab bank.keytab host@bank.test
//   kerb-gss-server -port 4444 -keytab bank.keytab bank      (bank/<any host> in the keytab)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/spnego.hpp>
#include <kerb/keytab.hpp>
#include <kerb/replay_cache.hpp>
#include <kerb/transited.hpp>

#include "gss_sample.hpp"

namespace {

using namespace kerb;
using namespace kerb::sample;
constexpr const char* kProgram = "kerb-gss-server";

struct Args {
  int port = 4444;
  bool verbose = false, once = false, inetd = false, export_context = false;
  std::string logfile, keytab, rcache, service;
};

int usage() {
  std::fputs(
      "usage: kerb-gss-server [-port port] [-verbose] [-once] [-inetd] [-export]\n"
      "                       [-logfile file] [-keytab keytab] [-rcache file] service_name\n"
      "  -rcache  keep the replay cache in a file that survives a restart (default: memory)\n"
      "Clients of other realms are accepted as krb5.conf [capaths] allow them for the\n"
      "service's realm (RFC 4120 section 2.7).\n",
      stderr);
  return 1;
}

bool parse_args(int argc, char** argv, Args& a) {
  int i = 1;
  auto value = [&](std::string& out) {
    if (i + 1 >= argc) return false;
    out = argv[++i];
    return true;
  };
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string port;
    if (arg == "-port") {
      if (!value(port)) return false;
      char* end = nullptr;
      const long v = std::strtol(port.c_str(), &end, 10);
      if (*end != '\0' || v <= 0 || v > 65535) return false;
      a.port = static_cast<int>(v);
    } else if (arg == "-verbose") {
      a.verbose = true;
    } else if (arg == "-once") {
      a.once = true;
    } else if (arg == "-inetd") {
      a.inetd = true;
    } else if (arg == "-export") {
      a.export_context = true;
    } else if (arg == "-logfile") {
      if (!value(a.logfile)) return false;
    } else if (arg == "-keytab") {
      if (!value(a.keytab)) return false;
    } else if (arg == "-rcache") {
      if (!value(a.rcache)) return false;
    } else {
      break;
    }
  }
  if (argc - i != 1) return false;
  a.service = argv[i];
  return true;
}

struct Server {
  const Args& args;
  Principal service{};  // names the service in KRB-ERROR tokens
  Keytab keytab{};      // only the service's keys: tickets for anyone else are refused
  gss::AcceptorOptions options{};
  MemoryReplayCache memory_replay_cache{};
  std::optional<FileReplayCache> file_replay_cache{};
  std::FILE* log = stdout;

  void print_token(std::span<const std::uint8_t> token) const {
    if (log == nullptr) return;
    for (std::size_t i = 0; i < token.size(); ++i)
      std::fprintf(log, "%02x%s", token[i], i % 16 == 15 ? "\n" : " ");
    std::fputc('\n', log);
  }

  void report(const char* what, const Error& e) const {
    if (log != nullptr)
      std::fprintf(log, "%s: %s: %.*s\n", kProgram, what, static_cast<int>(e.detail().size()),
                   e.detail().data());
  }
  void report(const char* what) const {
    if (log != nullptr) std::fprintf(log, "%s: %s\n", kProgram, what);
  }

  std::optional<Token> receive(int fd) const {
    std::string why;
    auto t = recv_token(fd, why);
    if (!t) report(why.c_str());
    if (t && args.verbose && log != nullptr) {
      std::fprintf(log, "Received token (size=%zu): \n", t->data.size());
      print_token(t->data);
    }
    return t;
  }

  bool send_context(int fd, std::span<const std::uint8_t> token) const {
    if (token.empty()) return true;
    if (args.verbose && log != nullptr) {
      std::fprintf(log, "Sending accept_sec_context token (size=%zu):\n", token.size());
      print_token(token);
    }
    return send_token(fd, token_flags::kContext, token);
  }

  // The krb5 mechanism in one round. A refused AP-REQ is answered with a KRB-ERROR token, as
  // MIT's acceptor does, so the client learns why.
  std::optional<gss::Accepted> accept_krb5(int fd, std::span<const std::uint8_t> token) {
    auto accepted = gss::accept(token, keytab, options);
    if (!accepted) {
      report("accepting context", accepted.error());
      if (auto err = gss::error_token(accepted.error(), service)) send_context(fd, *err);
      return std::nullopt;
    }
    if (!send_context(fd, accepted->output_token)) return std::nullopt;
    return std::move(accepted).value();
  }

  std::optional<gss::Accepted> accept_spnego(int fd, std::span<const std::uint8_t> first) {
    gss::SpnegoAcceptor acceptor(keytab, options);
    std::vector<std::uint8_t> token(first.begin(), first.end());
    while (true) {
      auto step = acceptor.step(token);
      send_context(fd, acceptor.token());  // the reject, on failure
      if (!step) return report("accepting context", step.error()), std::nullopt;
      if (*step == gss::SpnegoAcceptor::Step::kDone) break;
      auto next = receive(fd);
      if (!next) return std::nullopt;
      token = std::move(next->data);
    }
    auto accepted = acceptor.take_accepted();
    if (!accepted) return report("accepting context", accepted.error()), std::nullopt;
    return std::move(accepted).value();
  }

  // server_establish_context: the client's opening NOOP says whether a context follows.
  std::optional<gss::SecurityContext> establish(int fd, bool& authenticated) {
    auto opening = receive(fd);
    if (!opening) return std::nullopt;
    if ((opening->flags & token_flags::kNoop) == 0) {
      if (log != nullptr)
        std::fprintf(log, "Expected NOOP token, got %d token instead\n", opening->flags);
      return std::nullopt;
    }
    authenticated = (opening->flags & token_flags::kContextNext) != 0;
    if (!authenticated) {
      if (log != nullptr) std::fputs("Accepted unauthenticated connection.\n", log);
      return gss::SecurityContext();
    }
    auto first = receive(fd);
    if (!first) return std::nullopt;
    // The first token names its mechanism: SPNEGO's negTokenInit or a krb5 AP-REQ.
    const auto framed = gss::parse_generic_token(first->data);
    const bool spnego = framed && std::ranges::equal(framed->mech_oid, gss::kSpnegoMechOid);
    auto accepted = spnego ? accept_spnego(fd, first->data) : accept_krb5(fd, first->data);
    if (!accepted) return std::nullopt;

    print_context_flags(stdout, accepted->flags);
    // Like MIT, the mechanism reported is the one negotiated, krb5 either way.
    if (args.verbose && log != nullptr) {
      std::fputs("Accepted connection using mechanism OID { 1 2 840 113554 1 2 2 }.\n", log);
      if (spnego) std::fputs("Negotiated through SPNEGO { 1 3 6 1 5 5 2 }.\n", log);
    }
    std::printf("Accepted connection: \"%s\"\n", accepted->initiator.to_string().c_str());
    if (accepted->delegated) {
      std::printf("Delegated credentials: %s for %s\n",
                  accepted->delegated->client.to_string().c_str(),
                  accepted->delegated->server.to_string().c_str());
    }
    return std::move(accepted->context);
  }

  // Context export and import, three times over: what an app does to keep a context across
  // connections (MIT's sample calls it test_import_export_context).
  bool round_trip_export(gss::SecurityContext& context) const {
    for (int i = 0; i < 3; ++i) {
      auto blob = context.export_context();
      if (!blob) return report("exporting context", blob.error()), false;
      auto imported = gss::SecurityContext::import_context(*blob);
      std::fill(blob->begin(), blob->end(), std::uint8_t{0});
      if (!imported) return report("importing context", imported.error()), false;
      if (args.verbose && log != nullptr)
        std::fprintf(log, "Exported context: %zu bytes\n", blob->size());
      context = std::move(imported).value();
    }
    return true;
  }

  // sign_server: each message is unwrapped and answered with a MIC over it (or a NOOP), until
  // the client's closing NOOP.
  bool sign(int fd) {
    using namespace token_flags;
    bool authenticated = false;
    auto context = establish(fd, authenticated);
    if (!context) return false;
    if (authenticated && args.export_context && !round_trip_export(*context)) return false;

    while (true) {
      auto t = receive(fd);
      if (!t) return false;
      if (t->flags & kNoop) {
        if (log != nullptr) std::fputs("NOOP token\n", log);
        break;
      }
      if (!authenticated && (t->flags & (kWrapped | kEncrypted | kSendMic))) {
        report("Unauthenticated client requested authenticated services!");
        return false;
      }
      std::vector<std::uint8_t> message;
      if (t->flags & kWrapped) {
        message.resize(t->data.size());
        auto plain = context->unwrap(t->data, message);
        if (!plain) return report("unsealing message", plain.error()), false;
        if (auto in_sequence = check_supplementary(context->flags(), plain->supplementary);
            !in_sequence)
          return report("unsealing message", in_sequence.error()), false;
        message.resize(plain->length);
        if (!plain->conf && (t->flags & kEncrypted))
          std::fputs("Warning!  Message not encrypted.\n", stderr);
      } else {
        message = std::move(t->data);
      }
      if (log != nullptr) {
        const bool text = message.size() >= 2 &&
                          (std::isprint(message[0]) || std::isspace(message[0])) &&
                          (std::isprint(message[1]) || std::isspace(message[1]));
        std::fputs("Received message: ", log);
        if (text) {
          std::fprintf(log, "\"%.*s\"\n", static_cast<int>(message.size()),
                       reinterpret_cast<const char*>(message.data()));
        } else {
          std::fputc('\n', log);
          print_token(message);
        }
      }
      if (t->flags & kSendMic) {
        auto mic = context->get_mic(message);
        if (!mic) return report("signing message", mic.error()), false;
        if (!send_token(fd, kMic, *mic)) return false;
      } else if (!send_token(fd, kNoop, {})) {
        return false;
      }
    }
    context->destroy();
    if (log != nullptr) std::fflush(log);
    return true;
  }
};

int fail(const char* what, const Error& e) {
  print_error(kProgram, what, e);
  return 1;
}

// The service name as gss-server takes it (GSS_C_NT_HOSTBASED_SERVICE): "service@host" answers
// as service/host in any realm of the keytab; the service alone, on any host, as MIT's
// acceptor does. The ticket's server name then picks the key.
Result<gss::AcceptorName> acceptor_name(std::string_view name) {
  const auto at = name.find('@');
  std::string service(name.substr(0, at));
  std::string host(at == std::string_view::npos ? std::string_view{} : name.substr(at + 1));
  if (service.empty() || (at != std::string_view::npos && host.empty()))
    return Error(ErrorCategory::kInvalidArgument, "a service name has the form service[@host]");
  for (char& c : host)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return gss::AcceptorName::host_based(std::move(service), std::move(host));
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) return usage();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  auto config = Config::load_from_env();
  if (!config) return fail("krb5.conf", config.error());
  auto client_options = ClientOptions::from_config(*config);
  if (!client_options) return fail("krb5.conf", client_options.error());
  auto name = acceptor_name(args.service);
  if (!name) return fail("importing name", name.error());
  auto all_keys = Keytab::open(args.keytab.empty() ? default_keytab_name() : args.keytab);
  if (!all_keys) return fail("acquiring credentials", all_keys.error());

  Server server{.args = args};
  for (KeytabEntry& e : all_keys->entries) {
    if (name->matches(e.principal)) server.keytab.entries.push_back(std::move(e));
  }
  if (server.keytab.entries.empty())
    return fail("acquiring credentials",
                Error::format(ErrorCategory::kIo, 0, "no key for %s in the keytab",
                              name->to_string().c_str()));
  // KRB-ERROR tokens name the first of them.
  server.service = server.keytab.entries.front().principal;
  server.options.acceptor_name = *name;
  server.options.policy = client_options->policy;
  server.options.clockskew = client_options->clockskew;
  // Clients of other realms as krb5.conf [capaths] allow them for each realm served, as MIT's
  // acceptor reads them (RFC 4120 §2.7); none without an entry.
  std::vector<std::string_view> realms;
  for (const KeytabEntry& e : server.keytab.entries) {
    if (std::ranges::find(realms, e.principal.realm()) != realms.end()) continue;
    realms.push_back(e.principal.realm());
    auto transit = TransitPolicy::from_config(*config, realms.back());
    if (!transit) return fail("krb5.conf [capaths]", transit.error());
    server.options.transit.merge(*transit);
  }
  // Every authenticator is remembered for the skew window, across connections; with -rcache
  // also across restarts of the server.
  if (!args.rcache.empty()) {
    server.options.replay_cache = &server.file_replay_cache.emplace(args.rcache);
  } else {
    server.options.replay_cache = &server.memory_replay_cache;
  }

  if (!args.logfile.empty()) {
    server.log = std::fopen(args.logfile.c_str(), "a");
    if (server.log == nullptr) {
      std::perror(args.logfile.c_str());
      return 1;
    }
  }
  if (args.inetd) {
    // stdin is the connection; what would go to stdout and stderr must not write into it.
    if (args.logfile.empty()) server.log = nullptr;
    if (std::freopen("/dev/null", "w", stdout) == nullptr ||
        std::freopen("/dev/null", "w", stderr) == nullptr)
      return 1;
    return server.sign(STDIN_FILENO) ? 0 : 1;
  }

  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(args.port));
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 5) != 0) {
    std::perror("kerb-gss-server: listening");
    return 1;
  }
  while (true) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      std::perror("kerb-gss-server: accepting connection");
      return 1;
    }
    const bool ok = server.sign(fd);
    ::close(fd);
    // MIT's server keeps serving after a failed client; with -once its status tells.
    if (args.once) return ok ? 0 : 1;
  }
}
