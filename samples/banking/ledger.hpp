// The bank's ledger: accounts and payments in one SQLite database file.
//
// Threads: a Ledger is one SQLite connection and is used by one thread at a time. A server opens
// one Ledger per thread (or per connection); any number of them may work on the same file at
// once: the database runs in WAL mode, every payment is a single BEGIN IMMEDIATE transaction,
// and a connection that finds the file locked waits (busy timeout) instead of failing.
//
// Authorization comes only from the `principal` argument, the name the GSS context
// authenticated: a principal pays from, and sees the history of, its own account only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <kerb/result.hpp>

#include "protocol.hpp"

struct sqlite3;

namespace bank {

// The outcome of a payment that reached the ledger: the transaction (new, or the one recorded
// earlier under the same idempotency key), or why the bank refused it.
using PayOutcome = std::variant<Transaction, BankError>;

class Ledger {
 public:
  // How long a connection waits for another one's write lock before a call fails.
  static constexpr int kBusyTimeoutMs = 10'000;

  // Opens (creating it and its schema if new) the database file at `path`.
  static kerb::Result<Ledger> open(const std::string& path);

  Ledger(Ledger&& other) noexcept;
  Ledger& operator=(Ledger&& other) noexcept;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  ~Ledger();

  // Adds an account; does nothing if `principal` already has one (the demo's setup runs again
  // on every start). Fails if the account or phone number belongs to another principal.
  kerb::Result<void> add_account(std::string_view principal, std::string_view account,
                                 std::string_view phone, std::int64_t balance_minor,
                                 std::string_view currency = "EUR");

  // The principal's account. A principal without an account: kPolicy error, code
  // BankErrorCode::kNotAuthorized.
  kerb::Result<Balance> balance(std::string_view principal);

  // Pays from the principal's account, in one database transaction. A refusal (no account,
  // unknown payee, paying oneself, amount out of range, wrong currency, insufficient funds, a
  // used idempotency key with another payment) is a BankError outcome and changes nothing.
  // The same (principal, idempotency key) with the same payment returns the transaction
  // recorded the first time, also after a restart; the money moves once. `now` is the time
  // recorded in a new transaction (seconds since the epoch). An error Result means the
  // database failed.
  kerb::Result<PayOutcome> pay(std::string_view principal, const Payment& payment,
                               std::int64_t now);

  // The newest `limit` (1..kMaxHistory) transactions from or to the principal's account,
  // newest first. A principal without an account: as balance().
  kerb::Result<std::vector<Transaction>> history(std::string_view principal, std::size_t limit);

  // The sum of all balances (money is neither created nor lost by payments).
  kerb::Result<std::int64_t> total_balance();

 private:
  explicit Ledger(sqlite3* db) noexcept : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace bank
