// kerb-gss-client: MIT's gss-client, on kerb. The smallest complete GSS initiator: get a
// service ticket (from the credentials cache, or a TGS exchange, or a password login), set up
// a context with the krb5 mechanism or SPNEGO, send a wrapped message, verify the MIC that
// comes back. Options and wire protocol are gss-client's, so it talks to MIT's gss-server.
//
//   kerb-kinit alice && kerb-gss-client -port 4444 127.0.0.1 host@bank.test "pay 10 EUR"
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/config.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/spnego.hpp>
#include <kerb/transport.hpp>

#include "gss_sample.hpp"

namespace {

using namespace kerb;
using namespace kerb::sample;
constexpr const char* kProgram = "kerb-gss-client";

struct Args {
  std::string port = "4444";
  bool spnego = false;
  std::uint32_t flags = gss::context_flags::kMutual | gss::context_flags::kReplay;
  std::string user, password;
  bool use_file = false, verbose = true;
  int ccount = 1, mcount = 1;
  bool auth = true, wrap = true, encrypt = true, mic = true;
  std::string host, service, msg;
};

int usage() {
  std::fputs(
      "usage: kerb-gss-client [-port port] [-mech krb5|1.2.840.113554.1.2.2] [-krb5] [-spnego]\n"
      "                       [-d] [-seq] [-noreplay] [-nomutual] [-user user] [-pass pw]\n"
      "                       [-f] [-q] [-ccount count] [-mcount count] [-na] [-nw] [-nx]\n"
      "                       [-nm] host service@host msg\n",
      stderr);
  return 1;
}

bool parse_args(int argc, char** argv, Args& a) {
  using namespace gss::context_flags;
  int i = 1;
  auto value = [&](std::string& out) {
    if (i + 1 >= argc) return false;
    out = argv[++i];
    return true;
  };
  auto count = [&](int& out, int min) {
    std::string s;
    if (!value(s)) return false;
    char* end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0' || v < min || v > 1000000) return false;
    out = static_cast<int>(v);
    return true;
  };
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string mech;
    if (arg == "-port") {
      if (!value(a.port)) return false;
    } else if (arg == "-mech") {
      // kerb speaks one mechanism; naming it is allowed, naming another is an error.
      if (!value(mech) || (mech != "krb5" && mech != "1.2.840.113554.1.2.2")) return false;
    } else if (arg == "-krb5") {
    } else if (arg == "-spnego") {
      a.spnego = true;
    } else if (arg == "-user") {
      if (!value(a.user)) return false;
    } else if (arg == "-pass") {
      if (!value(a.password)) return false;
    } else if (arg == "-d") {
      a.flags |= kDeleg;
    } else if (arg == "-seq") {
      a.flags |= kSequence;
    } else if (arg == "-noreplay") {
      a.flags &= ~kReplay;
    } else if (arg == "-nomutual") {
      a.flags &= ~kMutual;
    } else if (arg == "-f") {
      a.use_file = true;
    } else if (arg == "-q") {
      a.verbose = false;
    } else if (arg == "-ccount") {
      if (!count(a.ccount, 1)) return false;
    } else if (arg == "-mcount") {
      if (!count(a.mcount, 0)) return false;
    } else if (arg == "-na") {
      a.auth = a.wrap = a.encrypt = a.mic = false;
    } else if (arg == "-nw") {
      a.wrap = false;
    } else if (arg == "-nx") {
      a.encrypt = false;
    } else if (arg == "-nm") {
      a.mic = false;
    } else {
      break;
    }
  }
  if (argc - i != 3) return false;
  a.host = argv[i];
  a.service = argv[i + 1];
  a.msg = argv[i + 2];
  return true;
}

int fail(const char* what, const Error& e) {
  print_error(kProgram, what, e);
  return 1;
}

int fail(const char* what) {
  std::fprintf(stderr, "%s: %s\n", kProgram, what);
  return 1;
}

// What the initiator needs: the service ticket, the TGT when it delegates, and the AP
// context: krb5.conf's enctype policy and skew, and the KDC's clock offset (kinit saves it in
// the cache) so that the authenticator carries the KDC's time.
struct Tickets {
  Credentials service;
  std::optional<Credentials> tgt;
  ApContext ap;
};

ApContext ap_context(const ClientOptions& options, std::int64_t clock_offset) {
  ApContext ap;
  ap.policy = options.policy;
  ap.clockskew = options.clockskew;
  ap.clock_offset = clock_offset;
  return ap;
}

bool fresh(const Credentials& c, std::int64_t clock_offset) {
  return c.endtime > system_clock().now().seconds + clock_offset;
}

// As gss_init_sec_context does with default credentials: a cached service ticket if there is
// one, else the TGT from the cache and a TGS exchange (the new ticket is cached for next
// time). With -pass, a password login first, kept in memory only.
Result<Tickets> acquire(const Args& args, const Config& config, const Principal& service) {
  KERB_TRY(ClientOptions options, ClientOptions::from_config(config));
  KERB_TRY(PosixKdcTransport transport, PosixKdcTransport::from_config(config));
  Client client(transport, options);
  const bool want_tgt = (args.flags & gss::context_flags::kDeleg) != 0;
  const std::string realm(config.default_realm().value_or(""));

  if (!args.password.empty()) {
    if (args.user.empty()) return Error(ErrorCategory::kInvalidArgument, "-pass needs -user");
    KERB_TRY(Principal user, Principal::parse(args.user, realm));
    KERB_TRY(Credentials tgt, client.login_password(user, args.password));
    KERB_TRY(Credentials ticket, client.service_ticket(tgt, service));
    const ClientHints* hints = client.hints(user);
    return Tickets{std::move(ticket), std::move(tgt),
                   ap_context(options, hints ? hints->clock_offset : 0)};
  }

  KERB_TRY(std::shared_ptr<CredentialCache> cache, default_ccache());
  KERB_TRY(Principal me, cache->default_principal());
  if (!args.user.empty()) {
    KERB_TRY(Principal user, Principal::parse(args.user, realm));
    if (!(user == me))
      return Error::format(ErrorCategory::kInvalidArgument, 0,
                           "the credentials cache holds %s, not %s", me.to_string().c_str(),
                           user.to_string().c_str());
  }
  KERB_TRY(ClientHints hints, load_hints(*cache, me));
  const std::int64_t offset = hints.clock_offset;
  client.set_hints(me, std::move(hints));
  KERB_TRY(Principal tgs,
           Principal::parse(std::string(kTgsName) + "/" + std::string(me.realm()), me.realm()));
  KERB_TRY(std::optional<Credentials> tgt, cache->retrieve(tgs));
  if (tgt && !fresh(*tgt, offset)) tgt.reset();
  KERB_TRY(std::optional<Credentials> ticket, cache->retrieve(service));
  if (ticket && fresh(*ticket, offset) && (!want_tgt || tgt))
    return Tickets{std::move(*ticket), tgt, ap_context(options, offset)};

  if (!tgt)
    return Error::format(ErrorCategory::kIo, 0, "no valid ticket-granting ticket for %s in %s",
                         me.to_string().c_str(), cache->name().c_str());
  KERB_TRY(Credentials fetched, client.service_ticket(*tgt, service));
  KERB_TRY_VOID(cache->store(fetched));
  return Tickets{std::move(fetched), std::move(tgt), ap_context(options, offset)};
}

int connect_to(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    std::fprintf(stderr, "%s: unknown host %s: %s\n", kProgram, host.c_str(), gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && ::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    std::fprintf(stderr, "%s: cannot connect to %s port %s\n", kProgram, host.c_str(),
                 port.c_str());
  return fd;
}

// Context establishment (client_establish_context in MIT's sample). Returns the context, or
// nullopt after printing why.
std::optional<gss::SecurityContext> establish(int fd, const Args& args, const Tickets& tickets) {
  using namespace token_flags;
  if (!send_token(fd, kNoop | kContextNext, {})) return fail("send failed"), std::nullopt;
  auto send_context = [&](std::span<const std::uint8_t> token) {
    if (args.verbose) std::printf("Sending init_sec_context token (size=%zu)...", token.size());
    return send_token(fd, kContext, token);
  };
  auto receive = [&]() -> std::optional<Token> {
    if (args.verbose) std::printf("continue needed...");
    std::string why;
    auto t = recv_token(fd, why);
    if (!t) fail(why.c_str());
    return t;
  };

  // Confidentiality and integrity always come with krb5, as with MIT.
  gss::InitiatorOptions krb5;
  krb5.flags = args.flags | gss::context_flags::kConf | gss::context_flags::kInteg;
  krb5.delegated_tgt = tickets.tgt ? &*tickets.tgt : nullptr;

  if (args.spnego) {
    gss::SpnegoInitiatorOptions options;
    options.krb5 = krb5;
    auto init = gss::SpnegoInitiator::start(tickets.service, options, tickets.ap);
    if (!init) return fail("initializing context", init.error()), std::nullopt;
    // SPNEGO always hears back from the acceptor (its negState), mutual or not.
    while (true) {
      if (!init->token().empty() && !send_context(init->token()))
        return fail("send failed"), std::nullopt;
      if (init->established()) break;
      auto reply = receive();
      if (!reply) return std::nullopt;
      auto step = init->step(reply->data);
      if (!step) return fail("initializing context", step.error()), std::nullopt;
      if (*step == gss::SpnegoInitiator::Step::kDone && init->token().empty()) break;
      if (args.verbose) std::printf("\n");
    }
    if (args.verbose) std::printf("\n");
    auto context = init->take_context();
    if (!context) return fail("initializing context", context.error()), std::nullopt;
    return std::move(context).value();
  }

  auto init = gss::Initiator::start(tickets.service, krb5, tickets.ap);
  if (!init) return fail("initializing context", init.error()), std::nullopt;
  if (!send_context(init->token())) return fail("send failed"), std::nullopt;
  if (!init->established()) {
    auto reply = receive();
    if (!reply) return std::nullopt;
    if (auto step = init->step(reply->data); !step)
      return fail("initializing context", step.error()), std::nullopt;
  }
  if (args.verbose) std::printf("\n");
  auto context = init->take_context();
  if (!context) return fail("initializing context", context.error()), std::nullopt;
  return std::move(context).value();
}

// One connection: establish, then mcount messages, then the closing NOOP (call_server).
int call_server(const Args& args, const Tickets* tickets, std::span<const std::uint8_t> msg) {
  using namespace token_flags;
  const int fd = connect_to(args.host, args.port);
  if (fd < 0) return 1;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  gss::SecurityContext context;
  if (args.auth) {
    auto established = establish(fd, args, *tickets);
    if (!established) return 1;
    context = std::move(*established);
    if (args.verbose) {
      print_context_flags(stdout, context.flags());
      const std::int64_t left = context.endtime() - system_clock().now().seconds;
      std::printf("\"%s\" to \"%s\", lifetime %lld, flags %x, locally initiated, open\n",
                  context.initiator().to_string().c_str(), context.acceptor().to_string().c_str(),
                  static_cast<long long>(left), context.flags());
    }
  } else if (!send_token(fd, kNoop, {})) {
    return fail("send failed");
  }

  for (int i = 0; i < args.mcount; ++i) {
    std::vector<std::uint8_t> wrapped;
    if (args.wrap) {
      auto w = context.wrap(msg, args.encrypt);
      if (!w) return fail("wrapping message", w.error());
      wrapped = std::move(w).value();
    }
    const std::uint8_t flags = kData | (args.wrap ? kWrapped : 0) |
                               (args.encrypt ? kEncrypted : 0) | (args.mic ? kSendMic : 0);
    if (!send_token(fd, flags, args.wrap ? std::span<const std::uint8_t>(wrapped) : msg))
      return fail("send failed");
    std::string why;
    auto reply = recv_token(fd, why);
    if (!reply) return fail(why.c_str());
    if (args.mic) {
      auto v = context.verify_mic(msg, reply->data);
      if (!v) return fail("verifying signature", v.error());
      if (auto in_sequence = check_supplementary(context.flags(), *v); !in_sequence)
        return fail("verifying signature", in_sequence.error());
      if (args.verbose) std::printf("Signature verified.\n");
    } else if (args.verbose) {
      std::printf("Response received.\n");
    }
  }
  send_token(fd, kNoop, {});
  context.destroy();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse_args(argc, argv, args)) return usage();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  std::vector<std::uint8_t> msg;
  if (args.use_file) {
    std::ifstream in(args.msg, std::ios::binary);
    if (!in) return fail(("cannot open " + args.msg).c_str());
    msg.assign(std::istreambuf_iterator<char>(in), {});
  } else {
    msg.assign(args.msg.begin(), args.msg.end());
  }

  std::optional<Tickets> tickets;
  if (args.auth) {
    auto config = Config::load_from_env();
    if (!config) return fail("krb5.conf", config.error());
    auto service = service_principal(args.service, *config);
    if (!service) return fail("parsing name", service.error());
    auto got = acquire(args, *config, *service);
    if (!got) return fail("acquiring credentials", got.error());
    tickets = std::move(got).value();
  }
  for (int i = 0; i < args.ccount; ++i) {
    if (const int rc = call_server(args, tickets ? &*tickets : nullptr, msg); rc != 0) return rc;
  }
  return 0;
}
