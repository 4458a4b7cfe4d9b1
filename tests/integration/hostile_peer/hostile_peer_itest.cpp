// kerb's GSS acceptor and the banking sample's bankd against a hostile initiator, on real
// sockets, with the MIT KDC fixture issuing the genuine tickets the attacks start from.
// After every attack on bankd a well-behaved customer (the bank client's session logic) logs
// in with its password and reads its balance: the server keeps serving everyone else.
// Scenarios:
//   - garbage instead of an InitialContextToken, every prefix of a real one, a 4 GiB length
//     prefix and a frame one byte over bankd's 1 MiB limit (refused before any allocation)
//   - a captured AP-REQ sent again (KRB_AP_ERR_REPEAT), a wrap token replayed in its session
//   - one flipped byte in the ticket or the authenticator (KRB_AP_ERR_BAD_INTEGRITY)
//   - silent and trickling connections up to --max-connections: the next one hears "busy",
//     bankd drops them after --timeout, then serves the customer
//   - connection churn, connections closed mid-frame
//   - the acceptor API itself: the same tokens give typed errors, a ticket for another
//     service (KRB_AP_ERR_NOT_US) or of a key version the keytab lacks is refused
// Error codes are RFC 4120 §7.5.9's numbers, typed in; the balances are the fixture's demo
// accounts (bankd --accounts).
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/replay_cache.hpp>

#include "../../largest_block.hpp"
#include "bank_client.hpp"
#include "client_state.hpp"
#include "itest_util.hpp"
#include "net.hpp"
#include "protocol.hpp"

using namespace kerb::itest;
namespace fs = std::filesystem;
namespace gss = kerb::gss;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::int32_t kBadIntegrity = 31;  // KRB_AP_ERR_BAD_INTEGRITY
constexpr std::int32_t kRepeat = 34;        // KRB_AP_ERR_REPEAT
constexpr std::int32_t kNotUs = 35;         // KRB_AP_ERR_NOT_US
constexpr std::int32_t kBadKeyVer = 44;     // KRB_AP_ERR_BADKEYVER
constexpr std::int32_t kNoKey = 45;         // KRB_AP_ERR_NOKEY

// bankd's documented frame limit (README: "at most 1 MiB").
constexpr std::size_t kFrameLimit = 1024 * 1024;
// How long the test waits for bankd to act before failing: far above any --timeout used here.
constexpr auto kPatience = std::chrono::seconds(30);

// bankd ($BANKD) as a child process on a port it picks, with the demo accounts.
class Bankd {
 public:
  Bankd(const std::string& db, int max_connections, int timeout_seconds) {
    const std::string bankd = env("BANKD");
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Gone with the test, however the test ends.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      const std::string m = std::to_string(max_connections), t = std::to_string(timeout_seconds);
      ::execl(bankd.c_str(), "bankd", "-p", "0", "--db", db.c_str(), "--accounts",
              "--max-connections", m.c_str(), "--timeout", t.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line.push_back(c);
    ::close(out[0]);
    REQUIRE(line.rfind("bankd: listening on 127.0.0.1:", 0) == 0);
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }
  ~Bankd() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bank::net::Endpoint endpoint() const { return {"127.0.0.1", port_}; }
  // Still running (not crashed, not exited).
  bool alive() const { return ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  // Resident set size in KiB (/proc/PID/status VmRSS).
  std::size_t rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string key;
    while (in >> key) {
      if (key == "VmRSS:") {
        std::size_t kib = 0;
        in >> kib;
        return kib;
      }
      std::getline(in, key);
    }
    FAIL("no VmRSS for bankd");
    return 0;
  }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

kerb::ClientOptions client_options() {
  return must(kerb::ClientOptions::from_config(load_config()), "ClientOptions::from_config");
}

// A well-behaved customer on a device of its own: a password login (AS exchange, then the
// AP exchange carrying the balance query), retried while bankd says busy. Bob's demo account
// holds 500.00.
void good_client_served(const Bankd& bankd, const TempDir& tmp) {
  static int device = 0;
  const std::string dir = tmp / ("good" + std::to_string(++device));
  auto posix = make_transport(load_config());
  bank::SessionOptions o;
  o.service = principal("bank/bank.test");
  o.password = [](const kerb::Principal&) -> kerb::Result<std::string> { return password("bob"); };
  kerb::Result<bank::Reply> reply = kerb::Error(kerb::ErrorCategory::kIo, "not tried");
  for (int attempt = 0; attempt < 50; ++attempt) {
    bank::TcpBankTransport tcp(bankd.endpoint());
    bank::BankSession session(must(bank::StateDir::open(dir), "StateDir::open"), client_options(),
                              posix, tcp, o);
    reply = session.login(principal("bob"), bank::BalanceQuery{});
    if (reply || bank::refusal_of(reply.error()) != bank::FrameRefusal::kBusy) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!reply) FAIL("the good client was not served: " << describe(reply.error()));
  const auto* balance = std::get_if<bank::Balance>(&reply->body);
  REQUIRE(balance != nullptr);
  CHECK(balance->account == "DE0002");
  CHECK(balance->amount == 50000);
  REQUIRE(bankd.alive());
}

// A fresh, never sent InitialContextToken of alice for `service`, and its first request.
struct Login {
  Bytes token;
  Bytes request;  // a wrapped BalanceQuery, prot_ready (RFC 2743 §1.2.7)
};

Login fresh_login(const kerb::Credentials& ticket) {
  auto init = must(gss::Initiator::start(ticket, gss::InitiatorOptions{}, kerb::ApContext{}),
                   "Initiator::start");
  Login l;
  l.request = must(init.wrap(bank::encode(bank::Request{1, bank::BalanceQuery{}}), true), "wrap");
  const auto t = init.token();
  l.token.assign(t.begin(), t.end());
  return l;
}

// Alice's ticket for `service`, through the fixture's KDC.
kerb::Credentials service_ticket(const std::string& service) {
  auto posix = make_transport(load_config());
  kerb::Client client(posix, client_options());
  const auto tgt = must(client.login_password(principal("alice"), password("alice")), "login");
  return must(client.service_ticket(tgt, principal(service)), "TGS");
}

Bytes establish_frame(const Bytes& token, const std::optional<Bytes>& request = std::nullopt) {
  return bank::encode(bank::ClientFrame{bank::Establish{token, request}});
}

// Where the ticket's and the authenticator's ciphertexts sit in an InitialContextToken.
struct Offsets {
  std::size_t ticket_cipher = 0, ticket_len = 0;
  std::size_t authenticator_cipher = 0, authenticator_len = 0;
};

Offsets offsets_in(const Bytes& token) {
  const auto framed = must(gss::parse_framed_token(token), "parse_framed_token");
  const auto req = must(kerb::decode_ap_req(framed.body), "decode_ap_req");
  Offsets o;
  o.ticket_cipher = static_cast<std::size_t>(req.ticket.enc_part.cipher.data() - token.data());
  o.ticket_len = req.ticket.enc_part.cipher.size();
  o.authenticator_cipher = static_cast<std::size_t>(req.authenticator.cipher.data() - token.data());
  o.authenticator_len = req.authenticator.cipher.size();
  REQUIRE(o.ticket_len > 16);
  REQUIRE(o.authenticator_len > 16);
  return o;
}

Bytes flipped(Bytes token, std::size_t at) {
  token[at] ^= 0x01;
  return token;
}

// A raw TCP connection to bankd.
bank::net::Socket connect_to(const Bankd& bankd) {
  return must(bank::net::connect_tcp(bankd.endpoint(), std::chrono::seconds(5)), "connect");
}

void send_all(int fd, const std::uint8_t* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, data, n, MSG_NOSIGNAL);
    REQUIRE(w > 0);
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

void send_header(int fd, std::uint32_t length) {
  const std::uint8_t head[4] = {
      static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
      static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  send_all(fd, head, sizeof head);
}

// One frame to bankd on `fd` and its decoded answer.
bank::ServerFrame exchange(int fd, const Bytes& frame) {
  REQUIRE(bank::net::write_frame(fd, frame));
  auto in = bank::net::read_frame(fd, kPatience);
  REQUIRE(in.status == bank::net::ReadStatus::kFrame);
  return must(bank::decode_server_frame(in.frame), "decode_server_frame");
}

const bank::Refused& refused(const bank::ServerFrame& f, bank::FrameRefusal code) {
  const auto* r = std::get_if<bank::Refused>(&f.body);
  REQUIRE(r != nullptr);
  INFO("refusal: " << r->text);
  REQUIRE(r->code == code);
  return *r;
}

// The Kerberos error code in a refusal's KRB-ERROR token (RFC 4121 §4.1, TOK_ID 03 00).
std::int32_t krb_error_code(const bank::Refused& r) {
  REQUIRE(r.error_token);
  const auto framed = must(gss::parse_framed_token(*r.error_token), "parse_framed_token");
  REQUIRE(framed.tok_id == gss::TokenId::kKrbError);
  return must(kerb::decode_krb_error(framed.body), "decode_krb_error").error_code;
}

// True when bankd closed the connection (EOF or reset) without sending anything first.
bool closed_by_server(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kPatience).count())) <= 0)
    return false;
  std::uint8_t b = 0;
  const ssize_t n = ::recv(fd, &b, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

}  // namespace

// --- bankd ----------------------------------------------------------------------------------

TEST_CASE("bankd: garbage and truncated context tokens are refused, bankd serves on",
          "[bankd][malformed]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 16, 5);
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  auto sock = connect_to(bankd);

  // Random bytes, all zeroes, an empty token: typed refusals with a KRB-ERROR token.
  std::mt19937 rng(7);
  for (std::size_t len : {0, 1, 2, 16, 300, 4000}) {
    INFO("garbage of " << len << " bytes");
    Bytes junk(len);
    for (auto& b : junk)
      b = static_cast<std::uint8_t>(rng());
    refused(exchange(sock.fd(), establish_frame(junk)), bank::FrameRefusal::kAuthenticationFailed);
    refused(exchange(sock.fd(), establish_frame(Bytes(len, 0))),
            bank::FrameRefusal::kAuthenticationFailed);
  }
  // Every proper prefix of a real token, on the same connection.
  for (std::size_t len = 0; len < login.token.size(); ++len) {
    INFO("prefix of " << len << " of " << login.token.size() << " bytes");
    const Bytes prefix(login.token.begin(), login.token.begin() + static_cast<long>(len));
    refused(exchange(sock.fd(), establish_frame(prefix, login.request)),
            bank::FrameRefusal::kAuthenticationFailed);
  }
  // A frame that is not a ClientFrame: refused as malformed, and the connection closed.
  const Bytes not_der = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x01};
  refused(exchange(sock.fd(), not_der), bank::FrameRefusal::kMalformed);
  CHECK(closed_by_server(sock.fd()));

  // None of it consumed the real token: it still opens a session.
  auto again = connect_to(bankd);
  const auto f = exchange(again.fd(), establish_frame(login.token, login.request));
  REQUIRE(std::holds_alternative<bank::Established>(f.body));
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: a 4 GiB length prefix and a frame over the limit are refused unread",
          "[bankd][oversized]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 16, 5);
  good_client_served(bankd, tmp);
  const std::size_t rss_before = bankd.rss_kib();

  for (std::uint32_t length :
       {std::uint32_t{0xffffffff}, std::uint32_t{0x80000000}, std::uint32_t{kFrameLimit + 1}}) {
    INFO("length prefix " << length);
    auto sock = connect_to(bankd);
    // The length alone: bankd answers at once, with the body never sent (a server that
    // waited for it would say nothing until its timeout).
    send_header(sock.fd(), length);
    auto in = bank::net::read_frame(sock.fd(), kPatience);
    REQUIRE(in.status == bank::net::ReadStatus::kFrame);
    refused(must(bank::decode_server_frame(in.frame), "decode"), bank::FrameRefusal::kMalformed);
    CHECK(closed_by_server(sock.fd()));
  }
  // A frame exactly at the limit is read (and refused for what it holds, not its size).
  {
    auto sock = connect_to(bankd);
    refused(exchange(sock.fd(), Bytes(kFrameLimit, 0x30)), bank::FrameRefusal::kMalformed);
  }
  // Nothing near 4 GiB was ever allocated: bankd grew by less than a few frames' worth.
  CHECK(bankd.rss_kib() < rss_before + 64 * 1024);
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: a captured AP-REQ sent again is refused as a replay", "[bankd][replay]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 16, 5);
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  {
    auto first = connect_to(bankd);
    REQUIRE(std::holds_alternative<bank::Established>(
        exchange(first.fd(), establish_frame(login.token, login.request)).body));
  }
  // The same bytes on a new connection, with and without the request riding along.
  for (const auto& request : {std::optional<Bytes>(login.request), std::optional<Bytes>()}) {
    auto sock = connect_to(bankd);
    const auto f = exchange(sock.fd(), establish_frame(login.token, request));
    CHECK(krb_error_code(refused(f, bank::FrameRefusal::kAuthenticationFailed)) == kRepeat);
  }
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: a wrap token replayed or out of order inside its session is refused",
          "[bankd][replay]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 16, 5);
  const std::string db = tmp / "bank.db";
  const auto ticket = service_ticket("bank/bank.test");
  auto init = must(gss::Initiator::start(ticket, gss::InitiatorOptions{}, kerb::ApContext{}),
                   "Initiator::start");
  const auto token = init.token();
  auto sock = connect_to(bankd);
  const auto f = exchange(sock.fd(), establish_frame(Bytes(token.begin(), token.end())));
  const auto* established = std::get_if<bank::Established>(&f.body);
  REQUIRE(established != nullptr);
  REQUIRE(must(init.step(established->reply_token), "step") == gss::Initiator::Step::kDone);
  auto context = must(init.take_context(), "take_context");

  const Bytes request =
      must(context.wrap(bank::encode(bank::Request{1, bank::BalanceQuery{}}), true), "wrap");
  const Bytes resume =
      bank::encode(bank::ClientFrame{bank::Resume{established->context_id, request}});
  REQUIRE(std::holds_alternative<bank::Response>(exchange(sock.fd(), resume).body));
  // Again on the same connection, then on another: the sequence number was used.
  refused(exchange(sock.fd(), resume), bank::FrameRefusal::kBadToken);
  auto other = connect_to(bankd);
  refused(exchange(other.fd(), resume), bank::FrameRefusal::kBadToken);
  // Captured tokens played out of order: authentic, but after a gap (RFC 4121 §4.2.6.2).
  const auto wrapped = [&](std::uint32_t id) {
    const Bytes t =
        must(context.wrap(bank::encode(bank::Request{id, bank::BalanceQuery{}}), true), "wrap");
    return bank::encode(bank::ClientFrame{bank::Resume{established->context_id, t}});
  };
  (void)wrapped(2);  // captured, held back
  const Bytes third = wrapped(3);
  refused(exchange(other.fd(), third), bank::FrameRefusal::kBadToken);
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: a flipped byte in the ticket or the authenticator fails integrity",
          "[bankd][tamper]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 16, 5);
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  const Offsets o = offsets_in(login.token);
  auto sock = connect_to(bankd);
  // The first, a middle and the last octet of each ciphertext (confounder, body, HMAC).
  for (const auto& [at, len] : {std::pair{o.ticket_cipher, o.ticket_len},
                                std::pair{o.authenticator_cipher, o.authenticator_len}}) {
    for (std::size_t i : {std::size_t{0}, len / 2, len - 1}) {
      INFO("flipped octet " << at + i << " of " << login.token.size());
      const auto f =
          exchange(sock.fd(), establish_frame(flipped(login.token, at + i), login.request));
      CHECK(krb_error_code(refused(f, bank::FrameRefusal::kAuthenticationFailed)) == kBadIntegrity);
    }
  }
  // The genuine token was not spent by its tampered copies.
  REQUIRE(std::holds_alternative<bank::Established>(
      exchange(sock.fd(), establish_frame(login.token, login.request)).body));
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: silent and trickling clients are dropped after --timeout", "[bankd][slow]") {
  TempDir tmp("bank-peer");
  constexpr int kMax = 4;
  Bankd bankd(tmp / "bank.db", kMax, 2);
  std::vector<bank::net::Socket> silent;
  for (int i = 0; i < kMax / 2; ++i)
    silent.push_back(connect_to(bankd));
  // The others send a frame's length, then its body one byte at a time, never finishing
  // within the deadline: bankd's whole-frame deadline ends them, not a per-byte one.
  std::vector<bank::net::Socket> trickling;
  for (int i = 0; i < kMax - kMax / 2; ++i)
    trickling.push_back(connect_to(bankd));
  std::atomic<bool> stop{false};
  std::atomic<int> dropped{0};
  std::vector<std::thread> tricklers;
  for (auto& s : trickling) {
    tricklers.emplace_back([&, fd = s.fd()] {
      const std::uint8_t head[4] = {0, 0, 0x10, 0};
      if (::send(fd, head, sizeof head, MSG_NOSIGNAL) != sizeof head) return;
      const auto give_up = std::chrono::steady_clock::now() + kPatience;
      while (!stop && std::chrono::steady_clock::now() < give_up) {
        const std::uint8_t b = 0x30;
        if (::send(fd, &b, 1, MSG_NOSIGNAL) != 1) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 300) > 0) {
          std::uint8_t x = 0;
          const ssize_t n = ::recv(fd, &x, 1, MSG_DONTWAIT);
          if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            ++dropped;
            return;
          }
        }
      }
    });
  }
  // While they hold every slot, a newcomer is told the bank is busy, not left hanging.
  {
    auto extra = connect_to(bankd);
    refused(exchange(extra.fd(), establish_frame(Bytes{0x60, 0x00})), bank::FrameRefusal::kBusy);
  }
  for (auto& s : silent)
    CHECK(closed_by_server(s.fd()));
  for (auto& t : tricklers)
    t.join();
  stop = true;
  CHECK(dropped == kMax - kMax / 2);
  good_client_served(bankd, tmp);
}

TEST_CASE("bankd: connection churn and clients closing mid-frame", "[bankd][churn]") {
  TempDir tmp("bank-peer");
  Bankd bankd(tmp / "bank.db", 32, 2);
  good_client_served(bankd, tmp);
  const std::size_t rss_before = bankd.rss_kib();
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  const Bytes frame = establish_frame(login.token, login.request);

  constexpr int kThreads = 8, kPerThread = 40;
  std::atomic<int> connected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto s = bank::net::connect_tcp(bankd.endpoint(), std::chrono::seconds(5));
        if (!s) continue;  // the backlog was full: churn, not a failure of bankd
        ++connected;
        const int fd = s->fd();
        switch ((t + i) % 4) {
          case 0:  // opened and closed
            break;
          case 1: {  // half a length prefix
            const std::uint8_t two[2] = {0, 0};
            (void)::send(fd, two, 2, MSG_NOSIGNAL);
            break;
          }
          case 2: {  // the length and half the frame
            const auto n = static_cast<std::uint32_t>(frame.size());
            const std::uint8_t head[4] = {
                static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
            (void)::send(fd, head, 4, MSG_NOSIGNAL);
            (void)::send(fd, frame.data(), frame.size() / 2, MSG_NOSIGNAL);
            break;
          }
          default: {  // a whole frame, gone before the answer (reset: SO_LINGER 0)
            (void)bank::net::write_frame(fd, frame);
            const linger l{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(connected > kThreads * kPerThread / 2);
  REQUIRE(bankd.alive());
  CHECK(bankd.rss_kib() < rss_before + 64 * 1024);
  good_client_served(bankd, tmp);
}

// --- the acceptor API -----------------------------------------------------------------------

namespace {

gss::AcceptorOptions bank_options(kerb::ReplayCache& cache) {
  gss::AcceptorOptions o;
  o.acceptor_name = gss::AcceptorName::principal(principal("bank/bank.test"));
  o.replay_cache = &cache;
  return o;
}

// accept() of a token that must fail: the error, and the largest block allocated meanwhile.
kerb::Error refused_by_acceptor(const Bytes& token, const kerb::Keytab& keytab,
                                const gss::AcceptorOptions& options, std::size_t& largest) {
  largest_block::largest = 0;
  largest_block::watching = true;
  auto r = gss::accept(token, keytab, options);
  largest_block::watching = false;
  largest = largest_block::largest;
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("acceptor: malformed tokens give typed errors and allocate in proportion",
          "[acceptor][malformed]") {
  const kerb::Keytab keytab = bank_keytab();
  kerb::MemoryReplayCache cache;
  const auto options = bank_options(cache);
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  const auto bound = [&](std::size_t token_size) { return 64 * 1024 + 4 * token_size; };

  std::vector<Bytes> tokens;
  std::mt19937 rng(11);
  for (std::size_t len : {0, 1, 2, 3, 17, 512, 5000}) {
    Bytes junk(len);
    for (auto& b : junk)
      b = static_cast<std::uint8_t>(rng());
    tokens.push_back(junk);
    tokens.emplace_back(len, 0);
  }
  // DER lengths that claim 4 GiB: the outer [APPLICATION 0], then the AP-REQ inside.
  tokens.push_back({0x60, 0x84, 0xff, 0xff, 0xff, 0xff, 0x06, 0x09});
  {
    const auto framed = must(gss::parse_framed_token(login.token), "parse_framed_token");
    const auto body_at = static_cast<std::size_t>(framed.body.data() - login.token.data());
    Bytes huge(login.token.begin(), login.token.begin() + static_cast<long>(body_at));
    for (std::uint8_t b : {0x6e, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00})
      huge.push_back(b);
    tokens.push_back(huge);
  }
  for (std::size_t len = 0; len < login.token.size(); ++len)
    tokens.emplace_back(login.token.begin(), login.token.begin() + static_cast<long>(len));

  for (const Bytes& token : tokens) {
    INFO("token of " << token.size() << " bytes");
    std::size_t largest = 0;
    const kerb::Error e = refused_by_acceptor(token, keytab, options, largest);
    CHECK_FALSE(e.detail().empty());
    CHECK(e.category() != kerb::ErrorCategory::kInvalidArgument);
    CHECK(largest <= bound(token.size()));
    // Each error still makes a KRB-ERROR token for the initiator (RFC 4121 §4.1).
    CHECK(gss::error_token(e, principal("bank/bank.test")));
  }
  // The real token was never spent.
  CHECK(gss::accept(login.token, keytab, options));
}

TEST_CASE("acceptor: tampering, replay, another service, an unknown key version",
          "[acceptor][refused]") {
  const kerb::Keytab keytab = bank_keytab();
  kerb::MemoryReplayCache cache;
  const auto options = bank_options(cache);
  const Login login = fresh_login(service_ticket("bank/bank.test"));
  std::size_t largest = 0;

  const Offsets o = offsets_in(login.token);
  for (std::size_t at :
       {o.ticket_cipher, o.ticket_cipher + o.ticket_len - 1, o.authenticator_cipher,
        o.authenticator_cipher + o.authenticator_len / 2}) {
    INFO("flipped octet " << at);
    const kerb::Error e = refused_by_acceptor(flipped(login.token, at), keytab, options, largest);
    CHECK(e.category() == kerb::ErrorCategory::kCrypto);
    CHECK(e.code() == kBadIntegrity);
  }

  REQUIRE(gss::accept(login.token, keytab, options));
  {
    INFO("replayed");
    const kerb::Error e = refused_by_acceptor(login.token, keytab, options, largest);
    CHECK(e.category() == kerb::ErrorCategory::kProtocol);
    CHECK(e.code() == kRepeat);
  }

  {
    // A genuine ticket for host/bank.test, offered to the bank: not for us, though the
    // keytab holds host/bank.test's key too.
    const Login host = fresh_login(service_ticket("host/bank.test"));
    const kerb::Error e = refused_by_acceptor(host.token, keytab, options, largest);
    CHECK(e.category() == kerb::ErrorCategory::kProtocol);
    CHECK(e.code() == kNotUs);
    // Accepting as any principal of a keytab without host/bank.test's key: no key.
    kerb::Keytab bank_only;
    for (const auto& entry : keytab.entries)
      if (entry.principal == principal("bank/bank.test")) bank_only.entries.push_back(entry);
    REQUIRE_FALSE(bank_only.entries.empty());
    gss::AcceptorOptions any = options;
    any.acceptor_name = gss::AcceptorName();
    const kerb::Error e2 = refused_by_acceptor(host.token, bank_only, any, largest);
    CHECK(e2.category() == kerb::ErrorCategory::kProtocol);
    CHECK(e2.code() == kNoKey);
  }

  {
    // The same keys under another key version: the ticket's kvno is not in the keytab.
    // MIT's acceptor answers KRB_AP_ERR_BADKEYVER (rd_req_dec.c, keytab_fetch_error).
    const Login fresh = fresh_login(service_ticket("bank/bank.test"));
    kerb::Keytab rekeyed = keytab;
    for (auto& entry : rekeyed.entries)
      entry.kvno += 7;
    const kerb::Error e = refused_by_acceptor(fresh.token, rekeyed, options, largest);
    CHECK(e.category() == kerb::ErrorCategory::kProtocol);
    CHECK(e.code() == kBadKeyVer);
    // And it is still good for the keytab that has its key version.
    CHECK(gss::accept(fresh.token, keytab, options));
  }
}
