// The banking sample end to end: a real bankd (started here, on its own ledger) and the bank
// client's session logic against the MIT KDC fixture. Round trips are counted by this program
// (kerb::CountingTransport for the KDC, a counting wrapper for the bank), never read from the
// app's output; balances are read from the ledger file itself.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/constants.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/padata.hpp>

#include "bank_client.hpp"
#include "client_state.hpp"
#include "itest_util.hpp"
#include "ledger.hpp"
#include "protocol.hpp"

namespace {

using namespace kerb::itest;
namespace fs = std::filesystem;

// bankd as a child process (the binary from $BANKD), on a port it picks or one given.
class Bankd {
 public:
  Bankd(const std::string& db, std::uint16_t port = 0) { start(db, port); }
  ~Bankd() { kill(); }

  void start(const std::string& db, std::uint16_t port) {
    const std::string bankd = env("BANKD");
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      const std::string p = std::to_string(port);
      ::execl(bankd.c_str(), "bankd", "-p", p.c_str(), "--db", db.c_str(), "--accounts",
              "--max-connections", "256", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c = 0;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
      line.push_back(c);
    ::close(out[0]);
    const auto colon = line.rfind(':');
    REQUIRE(line.rfind("bankd: listening on 127.0.0.1:", 0) == 0);
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
  }

  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::uint16_t port() const { return port_; }
  bank::net::Endpoint endpoint() const { return {"127.0.0.1", port_}; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// Counts the frames sent to bankd and keeps the last one, for replays.
class CountingBank final : public bank::BankTransport {
 public:
  explicit CountingBank(bank::TcpBankTransport& inner) : inner_(inner) {}
  kerb::Result<bank::Bytes> exchange(std::span<const std::uint8_t> frame) override {
    ++round_trips;
    last_frame.assign(frame.begin(), frame.end());
    auto reply = inner_.exchange(frame);
    if (reply && drop_next_reply) {
      // bankd did the work; its answer is lost on the way back.
      drop_next_reply = false;
      inner_.disconnect();
      return kerb::Error(kerb::ErrorCategory::kIo, bank::kBankNoReply, "reply lost (test)");
    }
    return reply;
  }
  std::size_t round_trips = 0;
  bool drop_next_reply = false;
  bank::Bytes last_frame;

 private:
  bank::TcpBankTransport& inner_;
};

kerb::ClientOptions client_options() {
  return must(kerb::ClientOptions::from_config(load_config()), "ClientOptions::from_config");
}

// One device: its state directory, its transports (counted) and its session.
struct Device {
  kerb::PosixKdcTransport posix;
  kerb::CountingTransport kdc;
  bank::TcpBankTransport tcp;
  CountingBank bank;
  std::unique_ptr<bank::BankSession> session;
  std::string state_path;
  std::atomic<int> password_prompts{0};

  Device(const Bankd& bankd, const std::string& state, std::uint32_t flags)
      : posix(make_transport(load_config())),
        kdc(posix),
        tcp(bankd.endpoint()),
        bank(tcp),
        state_path(state) {
    bank::SessionOptions o;
    o.service = principal("bank/bank.test");
    // Also runs on the concurrent test's client threads, where no Catch2 assertion may run
    // (itest::password() REQUIREs): a missing password is the session's error instead.
    o.password = [this](const kerb::Principal& user) -> kerb::Result<std::string> {
      ++password_prompts;
      const std::string name = "KERB_TEST_PASSWORD_" + upper(std::string(user.components()[0]));
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, name);
      return std::string(value);
    };
    o.context_flags = flags;
    session = std::make_unique<bank::BankSession>(
        must(bank::StateDir::open(state), "StateDir::open"), client_options(), kdc, bank, o);
  }
  std::size_t round_trips() const { return kdc.round_trips() + bank.round_trips; }
  void reset_counts() {
    kdc.reset();
    bank.round_trips = 0;
  }
};

std::unique_ptr<Device> device(const Bankd& bankd, const std::string& state,
                               std::uint32_t flags = kerb::gss::InitiatorOptions{}.flags) {
  return std::make_unique<Device>(bankd, state, flags);
}

template <class T>
T expect(const kerb::Result<bank::Reply>& reply) {
  if (!reply) FAIL("bank call failed: " << describe(reply.error()));
  const T* body = std::get_if<T>(&reply->body);
  if (body == nullptr) {
    if (const auto* e = std::get_if<bank::BankError>(&reply->body))
      FAIL("bank error " << static_cast<int>(e->code) << ": " << e->text);
    FAIL("unexpected reply");
  }
  return *body;
}

bank::Payment payment(const std::string& to, std::int64_t amount, std::uint8_t key_byte = 0) {
  bank::Payment p{bank::AccountPayee{to}, amount, "EUR", {}};
  if (key_byte != 0) {
    p.idempotency_key.fill(key_byte);
  } else {
    std::random_device rd;
    for (auto& b : p.idempotency_key)
      b = static_cast<std::uint8_t>(rd());
  }
  return p;
}

std::int64_t balance_of(const std::string& db, const std::string& user) {
  auto ledger = must(bank::Ledger::open(db), "Ledger::open");
  return must(ledger.balance(user + "@" + env("KERB_TEST_REALM")), "Ledger::balance").amount;
}

std::size_t history_size(const std::string& db, const std::string& user) {
  auto ledger = must(bank::Ledger::open(db), "Ledger::open");
  return must(ledger.history(user + "@" + env("KERB_TEST_REALM"), bank::kMaxHistory),
              "Ledger::history")
      .size();
}

// Sends one raw frame on a transport and decodes bankd's answer.
bank::ServerFrame raw(bank::BankTransport& t, std::span<const std::uint8_t> frame) {
  auto in = must(t.exchange(frame), "raw exchange");
  return must(bank::decode_server_frame(in), "decode_server_frame");
}

void require_refused(const bank::ServerFrame& f, bank::FrameRefusal code) {
  const auto* r = std::get_if<bank::Refused>(&f.body);
  REQUIRE(r != nullptr);
  INFO("refusal text: " << r->text);
  REQUIRE(r->code == code);
}

}  // namespace

TEST_CASE("round trips: 3 for a cold login, 2 for a returning user, 1 with a live context",
          "[rtt]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  {
    auto d = device(bankd, tmp / "alice");
    expect<bank::Balance>(d->session->login(principal("alice"), bank::BalanceQuery{}));
    // Two to the KDC (PREAUTH_REQUIRED brings the salt), one to the bank.
    CHECK(d->kdc.round_trips() == 2);
    CHECK(d->bank.round_trips == 1);
    CHECK(d->round_trips() == 3);
  }
  {
    // A later command, in a new process (a new session object, a new TCP connection).
    auto d = device(bankd, tmp / "alice");
    expect<bank::Balance>(d->session->call(bank::BalanceQuery{}));
    CHECK(d->kdc.round_trips() == 0);
    CHECK(d->round_trips() == 1);
    REQUIRE(d->session->logout());
  }
  {
    // Logged out, then back: the hints kept in the ccache make the AS exchange one round trip.
    auto d = device(bankd, tmp / "alice");
    expect<bank::Balance>(d->session->login(principal("alice"), bank::BalanceQuery{}));
    CHECK(d->kdc.round_trips() == 1);
    CHECK(d->round_trips() == 2);
  }
}

TEST_CASE("logins the KDC refuses carry its error code", "[auth]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  struct Case {
    const char* user;
    bool wrong_password;
    std::int32_t code;
  };
  using namespace kerb::error_code;
  for (const Case& c :
       {Case{"alice", true, kKdcErrPreauthFailed}, Case{"disabled", false, kKdcErrClientRevoked},
        Case{"expired", false, kKdcErrKeyExpired}}) {
    INFO(c.user);
    bank::SessionOptions o;
    o.service = principal("bank/bank.test");
    o.password = [&](const kerb::Principal&) -> kerb::Result<std::string> {
      return c.wrong_password ? std::string("not-the-password") : password(c.user);
    };
    auto posix = make_transport(load_config());
    bank::TcpBankTransport tcp(bankd.endpoint());
    bank::BankSession s(must(bank::StateDir::open(tmp / c.user), "StateDir"), client_options(),
                        posix, tcp, o);
    auto r = s.login(principal(c.user), bank::BalanceQuery{});
    REQUIRE_FALSE(r);
    CHECK(r.error().category() == kerb::ErrorCategory::kKdc);
    CHECK(r.error().code() == c.code);
    CHECK(s.failed_at() == bank::FailedAt::kKdc);
  }
}

TEST_CASE("a customer reaches only their own account", "[authz]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto alice = device(bankd, tmp / "alice");
  auto bob = device(bankd, tmp / "bob");
  const auto a = expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  CHECK(a.account == "DE0001");
  const auto b = expect<bank::Balance>(bob->session->login(principal("bob"), {}));
  CHECK(b.account == "DE0002");
  // Alice's payment debits alice, whoever she names; bob's history shows it as incoming only.
  expect<bank::Receipt>(alice->session->call(payment("DE0002", 1000)));
  CHECK(balance_of(db, "alice") == 100000 - 1000);
  CHECK(balance_of(db, "bob") == 50000 + 1000);
  const auto h = expect<bank::History>(bob->session->call(bank::HistoryQuery{}));
  REQUIRE(h.transactions.size() == 1);
  CHECK(h.transactions[0].from_account == "DE0001");
  CHECK(h.transactions[0].to_account == "DE0002");
  // A principal the bank holds no account for is authenticated, and refused.
  auto nobody = device(bankd, tmp / "nopreauth");
  auto r = nobody->session->login(principal("nopreauth"), bank::BalanceQuery{});
  const auto e = expect<bank::BankError>(r);
  CHECK(e.code == bank::BankErrorCode::kNotAuthorized);
}

TEST_CASE("a payment larger than the balance is refused and changes nothing", "[funds]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto bob = device(bankd, tmp / "bob");
  expect<bank::Balance>(bob->session->login(principal("bob"), {}));
  const auto e = expect<bank::BankError>(bob->session->call(payment("DE0001", 50001)));
  CHECK(e.code == bank::BankErrorCode::kInsufficientFunds);
  CHECK(balance_of(db, "bob") == 50000);
  CHECK(balance_of(db, "alice") == 100000);
  CHECK(history_size(db, "bob") == 0);
  // The whole balance is fine.
  expect<bank::Receipt>(bob->session->call(payment("DE0001", 50000)));
  CHECK(balance_of(db, "bob") == 0);
}

TEST_CASE("a captured wrap token replayed is refused, the payment is applied once", "[replay]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto alice = device(bankd, tmp / "alice");
  expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  const bank::Bytes establish = alice->bank.last_frame;
  expect<bank::Receipt>(alice->session->call(payment("DE0002", 2500)));
  const bank::Bytes captured = alice->bank.last_frame;
  REQUIRE(std::holds_alternative<bank::Resume>(
      must(bank::decode_client_frame(captured), "decode").body));

  // The same connection (the device's transport kept it open), then a new one.
  require_refused(raw(alice->tcp, captured), bank::FrameRefusal::kBadToken);
  bank::TcpBankTransport fresh(bankd.endpoint());
  require_refused(raw(fresh, captured), bank::FrameRefusal::kBadToken);
  // The login's establish frame (AP-REQ and its request) opens nothing a second time.
  bank::TcpBankTransport again(bankd.endpoint());
  require_refused(raw(again, establish), bank::FrameRefusal::kAuthenticationFailed);
  CHECK(balance_of(db, "alice") == 100000 - 2500);
  CHECK(history_size(db, "alice") == 1);

  // The legitimate client goes on undisturbed.
  expect<bank::Balance>(alice->session->call(bank::BalanceQuery{}));

  // Nor after a restart: the replay cache outlives bankd, and the old context is gone.
  bankd.kill();
  bankd.start(db, 0);
  bank::TcpBankTransport after(bankd.endpoint());
  require_refused(raw(after, establish), bank::FrameRefusal::kAuthenticationFailed);
  bank::TcpBankTransport after2(bankd.endpoint());
  require_refused(raw(after2, captured), bank::FrameRefusal::kUnknownContext);
  CHECK(balance_of(db, "alice") == 100000 - 2500);
  CHECK(history_size(db, "alice") == 1);
}

TEST_CASE("a payment retried with the same idempotency key is applied once", "[idempotency]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto alice = device(bankd, tmp / "alice");
  expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  const auto first = expect<bank::Receipt>(alice->session->call(payment("DE0002", 700, 0x42)));
  const auto again = expect<bank::Receipt>(alice->session->call(payment("DE0002", 700, 0x42)));
  CHECK(first.transaction == again.transaction);
  CHECK(balance_of(db, "alice") == 100000 - 700);
  CHECK(history_size(db, "alice") == 1);
  // The same key for another payment is an error, not a second payment.
  const auto e = expect<bank::BankError>(alice->session->call(payment("DE0002", 701, 0x42)));
  CHECK(e.code == bank::BankErrorCode::kDuplicateKeyMismatch);
  CHECK(balance_of(db, "alice") == 100000 - 700);

  // A reply lost after bankd paid: the client tries again by itself, with the same key.
  alice->bank.drop_next_reply = true;
  const auto retried =
      expect<bank::Receipt>(alice->session->pay(bank::AccountPayee{"DE0002"}, "DE0002", 300));
  CHECK(balance_of(db, "alice") == 100000 - 700 - 300);
  CHECK(history_size(db, "alice") == 2);
  // And a customer repeating an unconfirmed payment in a new run reuses its key too: here
  // every reply of one run is lost, so it ends with the payment sent twice and unconfirmed.
  {
    struct AlwaysLost final : bank::BankTransport {
      CountingBank& inner;
      explicit AlwaysLost(CountingBank& i) : inner(i) {}
      kerb::Result<bank::Bytes> exchange(std::span<const std::uint8_t> frame) override {
        inner.drop_next_reply = true;
        return inner.exchange(frame);
      }
    } lost_replies(alice->bank);
    bank::SessionOptions o;
    o.service = principal("bank/bank.test");
    auto posix = make_transport(load_config());
    bank::BankSession lost(must(bank::StateDir::open(tmp / "alice"), "StateDir"), client_options(),
                           posix, lost_replies, o);
    REQUIRE_FALSE(lost.pay(bank::AccountPayee{"DE0002"}, "DE0002", 400));
  }
  CHECK(balance_of(db, "alice") == 100000 - 700 - 300 - 400);
  alice->bank.drop_next_reply = false;
  const auto repeated =
      expect<bank::Receipt>(alice->session->pay(bank::AccountPayee{"DE0002"}, "DE0002", 400));
  CHECK(balance_of(db, "alice") == 100000 - 700 - 300 - 400);
  CHECK(history_size(db, "alice") == 3);
  CHECK(repeated.transaction.amount == 400);
  CHECK(retried.transaction.txid != repeated.transaction.txid);
}

TEST_CASE("a tampered wrap token is refused", "[tamper]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto alice = device(bankd, tmp / "alice");
  expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  auto saved = must(must(bank::StateDir::open(tmp / "alice"), "StateDir").load_session(), "load");
  REQUIRE(saved);
  auto context = must(kerb::gss::SecurityContext::import_context(saved->context.view()), "import");
  const bank::Bytes request =
      bank::encode(bank::Request{saved->next_request_id, payment("DE0002", 100)});
  bank::Bytes token = must(context.wrap(request, true), "wrap");
  // One bit of the sealed payment (past the 16-octet token header), then one of the header.
  for (std::size_t at : {token.size() / 2, std::size_t{5}}) {
    bank::Bytes bad = token;
    bad[at] ^= 0x01;
    bank::TcpBankTransport t(bankd.endpoint());
    require_refused(raw(t, bank::encode(bank::ClientFrame{bank::Resume{saved->context_id, bad}})),
                    bank::FrameRefusal::kBadToken);
  }
  CHECK(balance_of(db, "alice") == 100000);
  // The untampered token is still good: tampering consumed nothing.
  bank::TcpBankTransport t(bankd.endpoint());
  const auto f = raw(t, bank::encode(bank::ClientFrame{bank::Resume{saved->context_id, token}}));
  REQUIRE(std::holds_alternative<bank::Response>(f.body));
  CHECK(balance_of(db, "alice") == 100000 - 100);
}

TEST_CASE("contexts without the services bankd requires are refused with a reason", "[policy]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  using namespace kerb::gss::context_flags;
  const std::uint32_t all = kerb::gss::InitiatorOptions{}.flags;
  struct Case {
    std::uint32_t without;
    const char* named;
  };
  for (const Case& c : {Case{kMutual, "mutual authentication"}, Case{kConf, "confidentiality"},
                        Case{kReplay, "replay detection"}, Case{kSequence, "sequence detection"}}) {
    INFO(c.named);
    auto d = device(bankd, tmp / ("alice-" + std::to_string(c.without)), all & ~c.without);
    auto r = d->session->login(principal("alice"), bank::BalanceQuery{});
    REQUIRE_FALSE(r);
    CHECK(bank::refusal_of(r.error()) == bank::FrameRefusal::kPolicy);
    CHECK(std::string(r.error().detail()).find(c.named) != std::string::npos);
  }
}

TEST_CASE("after logout the context is gone: its tokens meet unknown-context", "[logout]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  auto alice = device(bankd, tmp / "alice");
  expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  auto state = must(bank::StateDir::open(tmp / "alice"), "StateDir");
  auto saved = must(state.load_session(), "load");
  REQUIRE(saved);
  auto context = must(kerb::gss::SecurityContext::import_context(saved->context.view()), "import");
  REQUIRE(alice->session->logout());
  // Nothing secret is left on the device; the hints are.
  CHECK_FALSE(must(state.load_session(), "load"));
  auto cache = must(kerb::CcacheContents::open(state.ccache_path()), "ccache");
  CHECK(cache.credentials.empty());
  CHECK(cache.find_config(kerb::kEtypeInfoConfigKey, cache.default_principal.to_string()) !=
        nullptr);
  // A token under the old context (made from a copy kept before logout) is refused.
  bank::Bytes token =
      must(context.wrap(bank::encode(bank::Request{99, bank::BalanceQuery{}}), true), "wrap");
  bank::TcpBankTransport t(bankd.endpoint());
  require_refused(raw(t, bank::encode(bank::ClientFrame{bank::Resume{saved->context_id, token}})),
                  bank::FrameRefusal::kUnknownContext);
}

TEST_CASE("50 concurrent clients x 20 payments: money is conserved, each payment recorded once",
          "[concurrent]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  const std::vector<std::string> users = {"alice", "bob", "sha2user", "camuser"};
  const std::vector<std::string> accounts = {"DE0001", "DE0002", "DE0003", "DE0004"};
  // One password login per customer; every client then starts from a copy of that ccache, so
  // the 50 clients make 50 AP exchanges (and contexts) without 50 password logins.
  for (const std::string& u : users) {
    auto d = device(bankd, tmp / u);
    expect<bank::Balance>(d->session->login(principal(u), {}));
  }
  const std::int64_t total_before =
      must(must(bank::Ledger::open(db), "open").total_balance(), "total_balance");

  constexpr int kClients = 50, kPayments = 20;
  std::mutex mutex;
  std::set<std::int64_t> txids;
  std::vector<std::string> failures;
  int refused_for_funds = 0;
  const auto start = std::chrono::steady_clock::now();
  // The devices are made here: device() asserts (must, REQUIRE), and a Catch2 assertion may
  // run on the test's own thread only. The client threads record what went wrong in `failures`.
  std::vector<std::unique_ptr<Device>> devices;
  for (int i = 0; i < kClients; ++i) {
    const std::size_t who = static_cast<std::size_t>(i) % users.size();
    const std::string dir = tmp / ("client" + std::to_string(i));
    fs::create_directory(dir);
    fs::permissions(dir, fs::perms::owner_all);
    fs::copy_file(tmp / (users[who] + "/ccache"), dir + "/ccache");
    devices.push_back(device(bankd, dir));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    const std::size_t who = static_cast<std::size_t>(i) % users.size();
    threads.emplace_back([&, who, i] {
      Device* d = devices[static_cast<std::size_t>(i)].get();
      std::mt19937 rng(static_cast<unsigned>(i));
      for (int p = 0; p < kPayments; ++p) {
        std::size_t to = rng() % (accounts.size() - 1);
        if (to >= who) ++to;
        auto r =
            d->session->call(payment(accounts[to], 1 + static_cast<std::int64_t>(rng() % 5000)));
        std::lock_guard lock(mutex);
        if (!r) {
          failures.push_back(describe(r.error()));
        } else if (const auto* receipt = std::get_if<bank::Receipt>(&r->body)) {
          if (!txids.insert(receipt->transaction.txid).second)
            failures.push_back("txid seen twice");
        } else if (const auto* e = std::get_if<bank::BankError>(&r->body);
                   e && e->code == bank::BankErrorCode::kInsufficientFunds) {
          ++refused_for_funds;
        } else {
          failures.push_back("unexpected reply");
        }
      }
      if (d->password_prompts != 0) {
        std::lock_guard lock(mutex);
        failures.push_back("a client needed its password");
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("concurrent: %d clients x %d payments in %.2f s: %zu paid, %d insufficient funds\n",
              kClients, kPayments, seconds, txids.size(), refused_for_funds);
  for (const auto& f : failures)
    UNSCOPED_INFO(f);
  CHECK(failures.empty());
  CHECK(txids.size() + static_cast<std::size_t>(refused_for_funds) ==
        static_cast<std::size_t>(kClients * kPayments));

  auto ledger = must(bank::Ledger::open(db), "open");
  CHECK(must(ledger.total_balance(), "total_balance") == total_before);
  // Every receipt is in the ledger once, and the ledger holds nothing else.
  std::set<std::int64_t> recorded;
  for (const std::string& u : users) {
    for (const auto& t :
         must(ledger.history(u + "@" + env("KERB_TEST_REALM"), bank::kMaxHistory), "history"))
      recorded.insert(t.txid);
  }
  CHECK(recorded == txids);
}

TEST_CASE("tokens out of sequence are refused, not served", "[sequence]") {
  TempDir tmp("bank-itest");
  const std::string db = tmp / "bank.db";
  Bankd bankd(db);
  auto alice = device(bankd, tmp / "alice");
  expect<bank::Balance>(alice->session->login(principal("alice"), {}));
  auto saved = must(must(bank::StateDir::open(tmp / "alice"), "StateDir").load_session(), "load");
  REQUIRE(saved);
  auto context = must(kerb::gss::SecurityContext::import_context(saved->context.view()), "import");
  auto resume = [&](std::uint32_t id, bank::Payment p) {
    const bank::Bytes token = must(context.wrap(bank::encode(bank::Request{id, p}), true), "wrap");
    return bank::encode(bank::ClientFrame{bank::Resume{saved->context_id, token}});
  };
  const bank::Bytes first = resume(10, payment("DE0002", 100));
  const bank::Bytes second = resume(11, payment("DE0002", 200));
  // The second before the first: authentic, but after a gap.
  bank::TcpBankTransport t(bankd.endpoint());
  require_refused(raw(t, second), bank::FrameRefusal::kBadToken);
  CHECK(balance_of(db, "alice") == 100000);
}

TEST_CASE("a context that offers delegated credentials is refused", "[policy]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  auto options = client_options();
  options.forwardable = true;
  auto posix = make_transport(load_config());
  kerb::Client client(posix, options);
  const auto tgt = must(client.login_password(principal("alice"), password("alice")), "login");
  REQUIRE((tgt.ticket_flags & kerb::ticket_flags::kForwardable) != 0);
  const auto ticket = must(client.service_ticket(tgt, principal("bank/bank.test")), "TGS");
  kerb::gss::InitiatorOptions io;
  io.flags |= kerb::gss::context_flags::kDeleg;
  io.delegated_tgt = &tgt;
  auto init = must(kerb::gss::Initiator::start(ticket, io, kerb::ApContext{}), "start");
  const auto request =
      must(init.wrap(bank::encode(bank::Request{1, bank::BalanceQuery{}}), true), "wrap");
  const auto token = init.token();
  bank::TcpBankTransport t(bankd.endpoint());
  const auto f = raw(t, bank::encode(bank::ClientFrame{
                            bank::Establish{bank::Bytes(token.begin(), token.end()), request}}));
  require_refused(f, bank::FrameRefusal::kPolicy);
  CHECK(std::get<bank::Refused>(f.body).text.find("delegated") != std::string::npos);
}

// --- FAST armor (RFC 6113) ------------------------------------------------------------------

namespace {

// RFC 4120 §7.5.2 / RFC 6113 §7.2 padata types, typed in.
constexpr std::int32_t kPaTgsReq = 1;
constexpr std::int32_t kPaEncTimestamp = 2;
constexpr std::int32_t kPaFxFast = 136;

// Keeps every request sent to the KDC; `rewrite` may change a reply before the app sees it.
class RecordingKdc final : public kerb::KdcTransport {
 public:
  explicit RecordingKdc(kerb::KdcTransport& inner) : inner_(inner) {}
  kerb::Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                                   std::span<const std::uint8_t> request) override {
    requests.emplace_back(request.begin(), request.end());
    KERB_TRY(std::vector<std::uint8_t> reply, inner_.exchange(realm, request));
    if (rewrite) reply = rewrite(reply);
    return reply;
  }
  // The padata of each TGS-REQ sent.
  std::vector<kerb::MethodData> tgs_padata() const {
    std::vector<kerb::MethodData> out;
    for (const auto& bytes : requests) {
      auto req = kerb::decode_tgs_req(bytes);
      if (!req) continue;  // an AS-REQ
      REQUIRE(req->padata);
      out.push_back(*req->padata);
    }
    return out;
  }
  std::function<std::vector<std::uint8_t>(const std::vector<std::uint8_t>&)> rewrite;
  // The padata types of each AS-REQ whose client's name is `user` ("alice", "device/phone.test").
  std::vector<std::vector<std::int32_t>> as_padata_of(const std::string& user) const {
    std::vector<std::vector<std::int32_t>> out;
    for (const auto& bytes : requests) {
      const kerb::KdcReq req = must(kerb::decode_as_req(bytes), "decode_as_req");
      REQUIRE(req.req_body.cname);
      std::string name;
      for (std::string_view c : req.req_body.cname->components())
        name += (name.empty() ? "" : "/") + std::string(c);
      if (name != user) continue;
      std::vector<std::int32_t> types;
      if (req.padata)
        for (const kerb::PaData& pa : *req.padata)
          types.push_back(pa.padata_type);
      out.push_back(std::move(types));
    }
    return out;
  }
  std::vector<std::vector<std::uint8_t>> requests;

 private:
  kerb::KdcTransport& inner_;
};

bool contains(const std::vector<std::int32_t>& v, std::int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool has_padata(const kerb::MethodData& md, std::int32_t type) {
  return kerb::find_padata(md, type).has_value();
}

kerb::Result<bank::Reply> armored_login(const Bankd& bankd, kerb::KdcTransport& kdc,
                                        const std::string& state, const std::string& keytab) {
  bank::TcpBankTransport tcp(bankd.endpoint());
  bank::SessionOptions o;
  o.service = principal("bank/bank.test");
  o.password = [](const kerb::Principal&) -> kerb::Result<std::string> {
    return password("alice");
  };
  o.armor.device_keytab = keytab;
  bank::BankSession session(must(bank::StateDir::open(state), "StateDir::open"), client_options(),
                            kdc, tcp, o);
  return session.login(principal("alice"), bank::BalanceQuery{});
}

// A balance query by the owner of the TGT in the state ccache, armored with `keytab`'s device
// when given one. Every password prompt is counted, and fails: the TGT is to do without.
kerb::Result<bank::Reply> tgt_balance(const Bankd& bankd, kerb::KdcTransport& kdc,
                                      const std::string& state, const std::string& keytab,
                                      int& prompts) {
  bank::TcpBankTransport tcp(bankd.endpoint());
  bank::SessionOptions o;
  o.service = principal("bank/bank.test");
  o.password = [&prompts](const kerb::Principal&) -> kerb::Result<std::string> {
    ++prompts;
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "no password in this test");
  };
  o.armor.device_keytab = keytab;
  bank::BankSession session(must(bank::StateDir::open(state), "StateDir::open"), client_options(),
                            kdc, tcp, o);
  return session.call(bank::BalanceQuery{});
}

template <class T>
std::vector<std::uint8_t> to_der(const T& value) {
  kerb::der::Writer counter = kerb::der::Writer::counting();
  encode(counter, value);
  std::vector<std::uint8_t> out(counter.size());
  kerb::der::Writer w(out);
  encode(w, value);
  REQUIRE(w.ok());
  return out;
}

}  // namespace

TEST_CASE("armored login: the device keytab's TGT armors the password, never sent without it",
          "[fast]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  kerb::PosixKdcTransport posix = make_transport(load_config());
  RecordingKdc kdc(posix);
  const std::string device_keytab = env("KERB_TEST_DEVICE_KEYTAB");

  expect<bank::Balance>(armored_login(bankd, kdc, tmp / "alice", device_keytab));
  auto alice = kdc.as_padata_of("alice");
  REQUIRE(alice.size() == 2);  // PREAUTH_REQUIRED (inside FAST), then the encrypted challenge
  for (const auto& types : alice) {
    CHECK(contains(types, kPaFxFast));
    CHECK_FALSE(contains(types, kPaEncTimestamp));
  }
  // The device's own AS exchange got the armor TGT, kept in the state directory.
  const std::string device = env("KERB_TEST_DEVICE_PRINCIPAL");
  CHECK(kdc.as_padata_of(device.substr(0, device.find('@'))).size() == 1);
  CHECK(fs::exists(tmp.path / "alice" / "armor"));

  SECTION("a returning user: one armored round trip, the kept armor TGT reused") {
    kdc.requests.clear();
    expect<bank::Balance>(armored_login(bankd, kdc, tmp / "alice", device_keytab));
    REQUIRE(kdc.requests.size() == 1);
    alice = kdc.as_padata_of("alice");
    REQUIRE(alice.size() == 1);
    CHECK(contains(alice[0], kPaFxFast));
    CHECK_FALSE(contains(alice[0], kPaEncTimestamp));
  }
  SECTION("no device keytab: no login, and the password never leaves the device") {
    kdc.requests.clear();
    auto reply = armored_login(bankd, kdc, tmp / "fresh", tmp / "no-such.keytab");
    CHECK_FALSE(reply);
    CHECK(kdc.as_padata_of("alice").empty());
  }
  SECTION("a device keytab with a wrong key: the KDC gives no armor, so no login") {
    kerb::Keytab wrong = must(kerb::Keytab::open(device_keytab), "Keytab::open");
    for (kerb::KeytabEntry& e : wrong.entries) {
      std::vector<std::uint8_t> k(e.key.contents.view().begin(), e.key.contents.view().end());
      k[0] ^= 0x01;
      REQUIRE(e.key.contents.assign(k));
    }
    REQUIRE(wrong.write(tmp / "wrong.keytab"));
    kdc.requests.clear();
    auto reply = armored_login(bankd, kdc, tmp / "fresh", tmp / "wrong.keytab");
    CHECK_FALSE(reply);
    CHECK(kdc.as_padata_of("alice").empty());
  }
}

TEST_CASE("a TGT in the state ccache: with armor its TGS request is armored with the TGT itself",
          "[fast]") {
  TempDir tmp("bank-itest");
  Bankd bankd(tmp / "bank.db");
  kerb::PosixKdcTransport posix = make_transport(load_config());
  RecordingKdc kdc(posix);
  const std::string state = tmp / "alice";
  must(bank::StateDir::open(state), "StateDir::open");  // the directory, 0700
  // MIT's kinit puts alice's TGT where the app keeps its tickets.
  run("printf '%s\\n' \"$KERB_TEST_PASSWORD_ALICE\" | kinit -c FILE:" + state +
      "/ccache alice >/dev/null");
  const std::string device_keytab = env("KERB_TEST_DEVICE_KEYTAB");
  int prompts = 0;

  SECTION("armor configured: PA-FX-FAST beside the PA-TGS-REQ (RFC 6113 §5.4.1.1)") {
    expect<bank::Balance>(tgt_balance(bankd, kdc, state, device_keytab, prompts));
    CHECK(prompts == 0);
    // The TGT is the armor: no AS exchange for the device's, only the TGS request.
    REQUIRE(kdc.requests.size() == 1);
    const auto tgs = kdc.tgs_padata();
    REQUIRE(tgs.size() == 1);
    CHECK(has_padata(tgs[0], kPaTgsReq));
    REQUIRE(has_padata(tgs[0], kPaFxFast));
    const kerb::PaFxFastRequest fx =
        must(kerb::decode_pa_fx_fast_request(kerb::find_padata(tgs[0], kPaFxFast)->padata_value),
             "decode_pa_fx_fast_request");
    CHECK_FALSE(fx.armored_data.armor);  // implicit armor: the PA-TGS-REQ's
  }
  // A TGS-REP re-encoded without its padata, where PA-FX-FAST travels.
  int stripped = 0;
  const auto strip_padata = [&stripped](const std::vector<std::uint8_t>& reply) {
    auto rep = kerb::decode_tgs_rep(reply);
    if (!rep) return reply;
    kerb::KdcRep bare = *rep;
    bare.padata.reset();
    ++stripped;
    return to_der(bare);
  };

  SECTION("no armor configured: the TGS request unarmored, its reply taken as it comes") {
    kdc.rewrite = strip_padata;  // the same change, with no FAST part to lose
    expect<bank::Balance>(tgt_balance(bankd, kdc, state, "", prompts));
    CHECK(stripped == 1);
    CHECK(prompts == 0);
    REQUIRE(kdc.requests.size() == 1);
    const auto tgs = kdc.tgs_padata();
    REQUIRE(tgs.size() == 1);
    CHECK(has_padata(tgs[0], kPaTgsReq));
    CHECK_FALSE(has_padata(tgs[0], kPaFxFast));
  }
  SECTION("armor configured, the TGS-REP's FAST part stripped: refused, the password asked") {
    kdc.rewrite = strip_padata;
    auto reply = tgt_balance(bankd, kdc, state, device_keytab, prompts);
    CHECK(stripped == 1);
    CHECK_FALSE(reply);
    CHECK(prompts == 1);
    // No bank ticket was kept from the downgraded reply.
    kerb::FileCredentialCache cache(state + "/ccache");
    auto ticket = cache.retrieve(principal("bank/bank.test"));
    REQUIRE(ticket);
    CHECK_FALSE(*ticket);
  }
}
