// The banking sample's SQLite ledger (samples/banking/ledger.hpp): money moves only as a whole
// payment, idempotency keys hold across reopening the file, authorization comes from the
// principal alone, and concurrent connections neither lose nor create money.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "ledger.hpp"

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1714564800;  // 2024-05-01 12:00:00Z

// A fresh database path, removed (with its WAL files) afterwards.
class TempDb {
 public:
  TempDb() {
    static std::atomic<int> counter{0};
    path_ = (fs::temp_directory_path() / ("bank_ledger_test_" + std::to_string(::getpid()) + "_" +
                                          std::to_string(counter++) + ".db"))
                .string();
    remove();
  }
  ~TempDb() { remove(); }
  const std::string& path() const { return path_; }

 private:
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::error_code ignored;
      fs::remove(path_ + suffix, ignored);
    }
  }
  std::string path_;
};

bank::Ledger open_ledger(const std::string& path) {
  auto ledger = bank::Ledger::open(path);
  INFO((ledger.ok() ? "" : std::string(ledger.error().detail())));
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

void add_demo_accounts(bank::Ledger& ledger) {
  REQUIRE(ledger.add_account("alice@KERB.TEST", "DE0001", "+4915100000001", 100000).ok());
  REQUIRE(ledger.add_account("bob@KERB.TEST", "DE0002", "+4915100000002", 50000).ok());
  REQUIRE(ledger.add_account("carol@KERB.TEST", "DE0003", "+4915100000003", 20000).ok());
}

bank::IdempotencyKey key(std::uint8_t n) {
  bank::IdempotencyKey k{};
  k.fill(n);
  return k;
}

bank::Payment to_account(std::string account, std::int64_t amount, std::uint8_t key_byte) {
  return bank::Payment{bank::AccountPayee{std::move(account)}, amount, "EUR", key(key_byte)};
}

std::int64_t balance_of(bank::Ledger& ledger, std::string_view principal) {
  auto b = ledger.balance(principal);
  REQUIRE(b.ok());
  return b->amount;
}

bank::Transaction paid(const kerb::Result<bank::PayOutcome>& outcome) {
  INFO((outcome.ok() ? "" : std::string(outcome.error().detail())));
  REQUIRE(outcome.ok());
  const auto* error = std::get_if<bank::BankError>(&*outcome);
  INFO((error != nullptr ? error->text : std::string()));
  REQUIRE(error == nullptr);
  return std::get<bank::Transaction>(*outcome);
}

bank::BankErrorCode refused(const kerb::Result<bank::PayOutcome>& outcome) {
  REQUIRE(outcome.ok());
  const auto* error = std::get_if<bank::BankError>(&*outcome);
  REQUIRE(error != nullptr);
  return error->code;
}

std::size_t history_size(bank::Ledger& ledger, std::string_view principal) {
  auto h = ledger.history(principal, bank::kMaxHistory);
  REQUIRE(h.ok());
  return h->size();
}

}  // namespace

TEST_CASE("bank ledger: a payment moves the money and is recorded", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);

  auto balance = ledger.balance("alice@KERB.TEST");
  REQUIRE(balance.ok());
  CHECK(*balance == bank::Balance{"DE0001", 100000, "EUR"});

  const bank::Transaction t =
      paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 1), kNow));
  CHECK(t.from_account == "DE0001");
  CHECK(t.to_account == "DE0002");
  CHECK(t.amount == 1250);
  CHECK(t.currency == "EUR");
  CHECK(t.time == kNow);
  CHECK(t.idempotency_key == key(1));
  CHECK(balance_of(ledger, "alice@KERB.TEST") == 100000 - 1250);
  CHECK(balance_of(ledger, "bob@KERB.TEST") == 50000 + 1250);

  for (const char* who : {"alice@KERB.TEST", "bob@KERB.TEST"}) {
    auto h = ledger.history(who, 10);
    REQUIRE(h.ok());
    REQUIRE(h->size() == 1);
    CHECK(h->front() == t);
  }
  CHECK(history_size(ledger, "carol@KERB.TEST") == 0);

  // The whole balance may go; the account then holds zero.
  paid(ledger.pay("alice@KERB.TEST", to_account("DE0003", 100000 - 1250, 2), kNow + 1));
  CHECK(balance_of(ledger, "alice@KERB.TEST") == 0);
  auto total = ledger.total_balance();
  REQUIRE(total.ok());
  CHECK(*total == 170000);
}

TEST_CASE("bank ledger: refused payments change nothing", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);

  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0002", 100001, 1), kNow)) ==
        bank::BankErrorCode::kInsufficientFunds);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE9999", 1, 2), kNow)) ==
        bank::BankErrorCode::kUnknownPayee);
  CHECK(refused(ledger.pay("alice@KERB.TEST",
                           bank::Payment{bank::PhonePayee{"+4915199999999"}, 1, "EUR", key(3)},
                           kNow)) == bank::BankErrorCode::kUnknownPayee);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0001", 1, 4), kNow)) ==
        bank::BankErrorCode::kSameAccount);
  CHECK(refused(ledger.pay("alice@KERB.TEST",
                           bank::Payment{bank::PhonePayee{"+4915100000001"}, 1, "EUR", key(5)},
                           kNow)) == bank::BankErrorCode::kSameAccount);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0002", 0, 6), kNow)) ==
        bank::BankErrorCode::kInvalidAmount);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0002", -5, 7), kNow)) ==
        bank::BankErrorCode::kInvalidAmount);
  CHECK(refused(ledger.pay("alice@KERB.TEST",
                           bank::Payment{bank::AccountPayee{"DE0002"}, 1, "USD", key(8)}, kNow)) ==
        bank::BankErrorCode::kInvalidAmount);
  // Only the authenticated principal's own account pays: a principal without one cannot.
  CHECK(refused(ledger.pay("mallory@KERB.TEST", to_account("DE0002", 1, 9), kNow)) ==
        bank::BankErrorCode::kNotAuthorized);

  CHECK(balance_of(ledger, "alice@KERB.TEST") == 100000);
  CHECK(balance_of(ledger, "bob@KERB.TEST") == 50000);
  CHECK(history_size(ledger, "alice@KERB.TEST") == 0);
  CHECK(history_size(ledger, "bob@KERB.TEST") == 0);

  // A refused key is not used up: the same key pays once there is a valid payment.
  paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 100000, 1), kNow));
  CHECK(balance_of(ledger, "alice@KERB.TEST") == 0);
}

TEST_CASE("bank ledger: balance and history need an account", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);
  auto balance = ledger.balance("mallory@KERB.TEST");
  REQUIRE_FALSE(balance.ok());
  CHECK(balance.error().category() == kerb::ErrorCategory::kPolicy);
  CHECK(balance.error().code() == static_cast<std::int32_t>(bank::BankErrorCode::kNotAuthorized));
  auto history = ledger.history("mallory@KERB.TEST", 10);
  REQUIRE_FALSE(history.ok());
  CHECK(history.error().code() == static_cast<std::int32_t>(bank::BankErrorCode::kNotAuthorized));
  CHECK_FALSE(ledger.history("alice@KERB.TEST", 0).ok());
  CHECK_FALSE(ledger.history("alice@KERB.TEST", 1001).ok());
}

TEST_CASE("bank ledger: add_account is idempotent by principal", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);
  paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 100, 1), kNow));
  // Setting up again leaves the accounts as they are.
  add_demo_accounts(ledger);
  CHECK(balance_of(ledger, "alice@KERB.TEST") == 99900);
  // Another principal cannot take an existing account number or phone.
  CHECK_FALSE(ledger.add_account("eve@KERB.TEST", "DE0001", "+4915100000099", 0).ok());
  CHECK_FALSE(ledger.add_account("eve@KERB.TEST", "DE0099", "+4915100000001", 0).ok());
  CHECK_FALSE(ledger.add_account("eve@KERB.TEST", "DE0099", "+4915100000099", -1).ok());
  CHECK_FALSE(ledger.balance("eve@KERB.TEST").ok());
}

TEST_CASE("bank ledger: paying by phone reaches the phone's account", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);
  const bank::Payment by_phone{bank::PhonePayee{"+4915100000002"}, 700, "EUR", key(1)};
  const bank::Transaction t = paid(ledger.pay("alice@KERB.TEST", by_phone, kNow));
  CHECK(t.to_account == "DE0002");
  CHECK(balance_of(ledger, "bob@KERB.TEST") == 50700);
  // The retry may name the same payee by account: it is the same payment.
  CHECK(paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 700, 1), kNow + 5)) == t);
  CHECK(balance_of(ledger, "bob@KERB.TEST") == 50700);
}

TEST_CASE("bank ledger: an idempotency key applies a payment once, across reopening",
          "[bank][ledger]") {
  TempDb db;
  bank::Transaction first;
  {
    auto ledger = open_ledger(db.path());
    add_demo_accounts(ledger);
    first = paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 7), kNow));
    // A retry (later, e.g. after a lost reply) gets the original transaction.
    CHECK(paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 7), kNow + 60)) == first);
    CHECK(balance_of(ledger, "alice@KERB.TEST") == 100000 - 1250);
  }
  {
    auto ledger = open_ledger(db.path());  // bankd restarted
    CHECK(paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 7), kNow + 3600)) == first);
    CHECK(balance_of(ledger, "alice@KERB.TEST") == 100000 - 1250);
    CHECK(balance_of(ledger, "bob@KERB.TEST") == 50000 + 1250);
    CHECK(history_size(ledger, "alice@KERB.TEST") == 1);

    // Even when the payment could not be made any more, its retry reports the original.
    paid(ledger.pay("alice@KERB.TEST", to_account("DE0003", 100000 - 1250, 8), kNow));
    CHECK(paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 7), kNow)) == first);
  }
}

TEST_CASE("bank ledger: a used key with another payment is refused", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);
  paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1250, 7), kNow));
  const auto mismatch = bank::BankErrorCode::kDuplicateKeyMismatch;
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0002", 1251, 7), kNow)) == mismatch);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE0003", 1250, 7), kNow)) == mismatch);
  CHECK(refused(ledger.pay("alice@KERB.TEST",
                           bank::Payment{bank::PhonePayee{"+4915100000003"}, 1250, "EUR", key(7)},
                           kNow)) == mismatch);
  CHECK(refused(ledger.pay("alice@KERB.TEST", to_account("DE9999", 1250, 7), kNow)) == mismatch);
  CHECK(balance_of(ledger, "alice@KERB.TEST") == 100000 - 1250);
  CHECK(balance_of(ledger, "carol@KERB.TEST") == 20000);
  CHECK(history_size(ledger, "alice@KERB.TEST") == 1);

  // Keys belong to their payer: bob's payment under the same key is his own, new one.
  const bank::Transaction bobs =
      paid(ledger.pay("bob@KERB.TEST", to_account("DE0003", 1250, 7), kNow));
  CHECK(bobs.from_account == "DE0002");
  CHECK(balance_of(ledger, "carol@KERB.TEST") == 21250);
}

TEST_CASE("bank ledger: history shows only the principal's own account", "[bank][ledger]") {
  TempDb db;
  auto ledger = open_ledger(db.path());
  add_demo_accounts(ledger);
  const auto a = paid(ledger.pay("alice@KERB.TEST", to_account("DE0002", 10, 1), kNow));
  const auto c = paid(ledger.pay("carol@KERB.TEST", to_account("DE0002", 20, 1), kNow + 1));
  const auto b = paid(ledger.pay("bob@KERB.TEST", to_account("DE0001", 30, 1), kNow + 2));

  auto alice = ledger.history("alice@KERB.TEST", 1000);
  REQUIRE(alice.ok());
  CHECK(*alice == std::vector<bank::Transaction>{b, a});  // newest first, no carol -> bob
  auto bob = ledger.history("bob@KERB.TEST", 1000);
  REQUIRE(bob.ok());
  CHECK(*bob == std::vector<bank::Transaction>{b, c, a});
  auto carol = ledger.history("carol@KERB.TEST", 1000);
  REQUIRE(carol.ok());
  CHECK(*carol == std::vector<bank::Transaction>{c});
  auto newest = ledger.history("bob@KERB.TEST", 2);
  REQUIRE(newest.ok());
  CHECK(*newest == std::vector<bank::Transaction>{b, c});
}

TEST_CASE("bank ledger: concurrent payments keep the total and record each once",
          "[bank][ledger]") {
  TempDb db;
  constexpr int kAccounts = 10;
  constexpr int kThreads = 8;
  constexpr int kPayments = 200;
  constexpr std::int64_t kStart = 10000;
  {
    auto ledger = open_ledger(db.path());
    for (int i = 0; i < kAccounts; ++i) {
      REQUIRE(ledger
                  .add_account("user" + std::to_string(i) + "@KERB.TEST",
                               "DE10" + std::to_string(i), "+49151200000" + std::to_string(i),
                               kStart)
                  .ok());
    }
  }

  std::vector<std::vector<bank::Transaction>> done(kThreads);
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto opened = bank::Ledger::open(db.path());  // one connection per thread
      if (!opened.ok()) {
        failures[t] = std::string(opened.error().detail());
        return;
      }
      bank::Ledger ledger = std::move(opened).value();
      std::mt19937 rng(static_cast<std::uint32_t>(1000 + t));
      for (int i = 0; i < kPayments; ++i) {
        const int from = static_cast<int>(rng() % kAccounts);
        int to = static_cast<int>(rng() % (kAccounts - 1));
        if (to >= from) ++to;
        bank::Payment p{bank::AccountPayee{"DE10" + std::to_string(to)},
                        1 + static_cast<std::int64_t>(rng() % 3000),
                        "EUR",
                        {}};
        p.idempotency_key[0] = static_cast<std::uint8_t>(t);
        p.idempotency_key[1] = static_cast<std::uint8_t>(i >> 8);
        p.idempotency_key[2] = static_cast<std::uint8_t>(i);
        const std::string principal = "user" + std::to_string(from) + "@KERB.TEST";
        // Every third payment is sent twice, as a client that lost the reply would.
        const int sends = i % 3 == 0 ? 2 : 1;
        std::optional<bank::Transaction> first;
        for (int s = 0; s < sends; ++s) {
          auto outcome = ledger.pay(principal, p, kNow + i);
          if (!outcome.ok()) {
            failures[t] = std::string(outcome.error().detail());
            return;
          }
          if (const auto* tx = std::get_if<bank::Transaction>(&*outcome)) {
            if (first && !(*first == *tx)) {
              failures[t] = "a retry got another transaction";
              return;
            }
            if (!first) first = *tx;
          } else if (std::get<bank::BankError>(*outcome).code !=
                     bank::BankErrorCode::kInsufficientFunds) {
            failures[t] = std::get<bank::BankError>(*outcome).text;
            return;
          }
        }
        if (first) done[t].push_back(*first);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  for (const std::string& failure : failures)
    CHECK(failure == "");

  auto ledger = open_ledger(db.path());
  auto total = ledger.total_balance();
  REQUIRE(total.ok());
  CHECK(*total == kAccounts * kStart);

  // Every account's history, merged: each successful payment appears once, as it was reported.
  std::map<std::int64_t, bank::Transaction> recorded;
  std::map<std::string, std::int64_t> net;
  std::size_t entries = 0;
  for (int i = 0; i < kAccounts; ++i) {
    auto h = ledger.history("user" + std::to_string(i) + "@KERB.TEST", bank::kMaxHistory);
    REQUIRE(h.ok());
    REQUIRE(h->size() < bank::kMaxHistory);
    entries += h->size();
    for (const auto& tx : *h)
      recorded[tx.txid] = tx;
  }
  std::size_t successes = 0;
  for (const auto& list : done) {
    successes += list.size();
    for (const auto& tx : list) {
      auto it = recorded.find(tx.txid);
      REQUIRE(it != recorded.end());
      CHECK(it->second == tx);
      net[tx.from_account] -= tx.amount;
      net[tx.to_account] += tx.amount;
    }
  }
  CHECK(successes > kThreads * kPayments / 2);
  CHECK(recorded.size() == successes);
  CHECK(entries == 2 * successes);  // in the payer's and the payee's history
  for (int i = 0; i < kAccounts; ++i) {
    CHECK(balance_of(ledger, "user" + std::to_string(i) + "@KERB.TEST") ==
          kStart + net["DE10" + std::to_string(i)]);
  }
}
