// The ledger on SQLite. Each Ledger owns one connection; the database file is shared by all of
// them. Money moves only inside pay()'s BEGIN IMMEDIATE transaction, which takes the file's
// write lock before it reads a balance, so two payments never act on the same stale balance.
#include "ledger.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include <sqlite3.h>

namespace bank {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS accounts (
  principal TEXT NOT NULL UNIQUE,
  account   TEXT NOT NULL UNIQUE,
  phone     TEXT NOT NULL UNIQUE,
  balance   INTEGER NOT NULL CHECK (balance >= 0),
  currency  TEXT NOT NULL CHECK (length(currency) = 3)
);
CREATE TABLE IF NOT EXISTS transactions (
  txid            INTEGER PRIMARY KEY,
  time            INTEGER NOT NULL,
  from_account    TEXT NOT NULL REFERENCES accounts (account),
  to_account      TEXT NOT NULL REFERENCES accounts (account),
  amount          INTEGER NOT NULL CHECK (amount > 0),
  currency        TEXT NOT NULL,
  payer           TEXT NOT NULL,
  idempotency_key BLOB NOT NULL CHECK (length(idempotency_key) = 16),
  UNIQUE (payer, idempotency_key)
);
CREATE INDEX IF NOT EXISTS transactions_from ON transactions (from_account, txid);
CREATE INDEX IF NOT EXISTS transactions_to ON transactions (to_account, txid);
)sql";

kerb::Error db_error(sqlite3* db, const char* what) {
  return kerb::Error::format(kerb::ErrorCategory::kIo, 0, "ledger: %s: %s", what,
                             db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

kerb::Error not_authorized() {
  return kerb::Error(kerb::ErrorCategory::kPolicy,
                     static_cast<std::int32_t>(BankErrorCode::kNotAuthorized),
                     "ledger: the principal has no account");
}

BankError refusal(BankErrorCode code, const char* text) {
  return BankError{code, text};
}

// One prepared statement; finalized on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  bool prepared() const { return stmt_ != nullptr; }

  Statement& bind(int index, std::string_view text) {
    bound_ &= sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                                SQLITE_TRANSIENT) == SQLITE_OK;
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    bound_ &= sqlite3_bind_int64(stmt_, index, value) == SQLITE_OK;
    return *this;
  }
  Statement& bind(int index, const IdempotencyKey& key) {
    bound_ &= sqlite3_bind_blob(stmt_, index, key.data(), static_cast<int>(key.size()),
                                SQLITE_TRANSIENT) == SQLITE_OK;
    return *this;
  }

  // SQLITE_ROW, SQLITE_DONE, or an error code (a failed bind counts as SQLITE_MISUSE).
  int step() {
    if (stmt_ == nullptr || !bound_) return SQLITE_MISUSE;
    return sqlite3_step(stmt_);
  }

  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
                        : std::string();
  }
  bool key(int column, IdempotencyKey& out) const {
    const void* p = sqlite3_column_blob(stmt_, column);
    if (p == nullptr || sqlite3_column_bytes(stmt_, column) != static_cast<int>(out.size())) {
      return false;
    }
    std::memcpy(out.data(), p, out.size());
    return true;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool bound_ = true;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(sqlite3* db) : db_(db) {
    begun_ = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction() {
    if (begun_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool begun() const { return begun_; }
  bool commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    begun_ = false;
    return true;
  }

 private:
  sqlite3* db_;
  bool begun_ = false;
};

constexpr const char* kTransactionColumns =
    "txid, time, from_account, to_account, amount, currency, idempotency_key";

bool read_transaction(const Statement& row, Transaction& t) {
  t.txid = row.integer(0);
  t.time = row.integer(1);
  t.from_account = row.text(2);
  t.to_account = row.text(3);
  t.amount = row.integer(4);
  t.currency = row.text(5);
  return row.key(6, t.idempotency_key);
}

struct Account {
  std::string account;
  std::int64_t balance = 0;
  std::string currency;
};

// The account a query (one bound parameter ?1) selects: a row, none (SQLITE_DONE), or an error.
int find_account(sqlite3* db, const char* sql, std::string_view key, Account& out) {
  Statement q(db, sql);
  if (!q.prepared()) return SQLITE_ERROR;
  const int rc = q.bind(1, key).step();
  if (rc == SQLITE_ROW) out = Account{q.text(0), q.integer(1), q.text(2)};
  return rc;
}

int find_account_of(sqlite3* db, std::string_view principal, Account& out) {
  return find_account(db, "SELECT account, balance, currency FROM accounts WHERE principal = ?1",
                      principal, out);
}

int find_payee(sqlite3* db, const Payee& payee, Account& out) {
  if (const auto* by_account = std::get_if<AccountPayee>(&payee)) {
    return find_account(db, "SELECT account, balance, currency FROM accounts WHERE account = ?1",
                        by_account->account, out);
  }
  return find_account(db, "SELECT account, balance, currency FROM accounts WHERE phone = ?1",
                      std::get<PhonePayee>(payee).phone, out);
}

}  // namespace

kerb::Result<Ledger> Ledger::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    kerb::Error e = db_error(db, "cannot open the database");
    sqlite3_close(db);
    return e;
  }
  Ledger ledger(db);
  sqlite3_extended_result_codes(db, 1);
  // Other connections may hold the write lock for a moment: wait rather than fail. Set before
  // anything else touches the file, since schema creation may race with another opener.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL: readers never block the writer and vice versa. synchronous=FULL: a payment reported
  // as done survives a power loss, not only a crash of bankd.
  if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    return db_error(db, "cannot switch to WAL");
  }
  WriteTransaction tx(db);
  if (!tx.begun()) return db_error(db, "cannot begin");
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK || !tx.commit()) {
    return db_error(db, "cannot create the schema");
  }
  return ledger;
}

Ledger::Ledger(Ledger&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Ledger& Ledger::operator=(Ledger&& other) noexcept {
  std::swap(db_, other.db_);
  return *this;
}

Ledger::~Ledger() {
  sqlite3_close(db_);
}

kerb::Result<void> Ledger::add_account(std::string_view principal, std::string_view account,
                                       std::string_view phone, std::int64_t balance_minor,
                                       std::string_view currency) {
  if (principal.empty() || account.empty() || account.size() > kMaxAccountLength || phone.empty() ||
      phone.size() > kMaxPhoneLength || balance_minor < 0 || currency.size() != kCurrencyLength) {
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                       "ledger: account needs a principal, an account of 1..34 and a phone of "
                       "1..20 characters, a balance >= 0 and a 3-letter currency");
  }
  Statement insert(db_,
                   "INSERT INTO accounts (principal, account, phone, balance, currency) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (principal) DO NOTHING");
  if (!insert.prepared()) return db_error(db_, "cannot prepare");
  if (insert.bind(1, principal)
          .bind(2, account)
          .bind(3, phone)
          .bind(4, balance_minor)
          .bind(5, currency)
          .step() != SQLITE_DONE) {
    return db_error(db_, "cannot add the account");
  }
  return kerb::ok();
}

kerb::Result<Balance> Ledger::balance(std::string_view principal) {
  Account a;
  const int rc = find_account_of(db_, principal, a);
  if (rc == SQLITE_DONE) return not_authorized();
  if (rc != SQLITE_ROW) return db_error(db_, "cannot read the balance");
  return Balance{std::move(a.account), a.balance, std::move(a.currency)};
}

kerb::Result<PayOutcome> Ledger::pay(std::string_view principal, const Payment& payment,
                                     std::int64_t now) {
  WriteTransaction tx(db_);
  if (!tx.begun()) return db_error(db_, "cannot begin the payment");

  Account payer;
  int rc = find_account_of(db_, principal, payer);
  if (rc == SQLITE_DONE) {
    return PayOutcome{refusal(BankErrorCode::kNotAuthorized, "you have no account")};
  }
  if (rc != SQLITE_ROW) return db_error(db_, "cannot read the payer's account");

  Account payee;
  rc = find_payee(db_, payment.payee, payee);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_error(db_, "cannot read the payee");
  const bool payee_known = rc == SQLITE_ROW;

  // A key the principal used before: the same payment is a retry and gets the transaction
  // recorded then (even if it could not be made now); anything else under that key is refused.
  Statement earlier(db_, (std::string("SELECT ") + kTransactionColumns +
                          " FROM transactions WHERE payer = ?1 AND idempotency_key = ?2")
                             .c_str());
  if (!earlier.prepared()) return db_error(db_, "cannot prepare");
  rc = earlier.bind(1, principal).bind(2, payment.idempotency_key).step();
  if (rc == SQLITE_ROW) {
    Transaction original;
    if (!read_transaction(earlier, original)) return db_error(db_, "corrupt transaction");
    if (payee_known && original.from_account == payer.account &&
        original.to_account == payee.account && original.amount == payment.amount &&
        original.currency == payment.currency) {
      return PayOutcome{std::move(original)};
    }
    return PayOutcome{refusal(BankErrorCode::kDuplicateKeyMismatch,
                              "this idempotency key was used for another payment")};
  }
  if (rc != SQLITE_DONE) return db_error(db_, "cannot look up the idempotency key");

  if (payment.amount < 1 || payment.amount > kMaxAmount) {
    return PayOutcome{refusal(BankErrorCode::kInvalidAmount, "amount out of range")};
  }
  if (payment.currency != payer.currency) {
    return PayOutcome{refusal(BankErrorCode::kInvalidAmount, "not the account's currency")};
  }
  if (!payee_known) return PayOutcome{refusal(BankErrorCode::kUnknownPayee, "no such payee")};
  if (payee.account == payer.account) {
    return PayOutcome{refusal(BankErrorCode::kSameAccount, "cannot pay your own account")};
  }
  if (payee.currency != payer.currency) {
    return PayOutcome{
        refusal(BankErrorCode::kInvalidAmount, "the payee's account is in another currency")};
  }
  if (payer.balance < payment.amount) {
    return PayOutcome{refusal(BankErrorCode::kInsufficientFunds, "insufficient funds")};
  }
  if (payee.balance > std::numeric_limits<std::int64_t>::max() - payment.amount) {
    return PayOutcome{refusal(BankErrorCode::kInternal, "the payee's balance would overflow")};
  }

  Statement debit(db_, "UPDATE accounts SET balance = balance - ?2 WHERE account = ?1");
  Statement credit(db_, "UPDATE accounts SET balance = balance + ?2 WHERE account = ?1");
  Statement record(db_,
                   "INSERT INTO transactions (time, from_account, to_account, amount, currency, "
                   "payer, idempotency_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!debit.prepared() || !credit.prepared() || !record.prepared()) {
    return db_error(db_, "cannot prepare");
  }
  if (debit.bind(1, payer.account).bind(2, payment.amount).step() != SQLITE_DONE ||
      sqlite3_changes(db_) != 1 ||
      credit.bind(1, payee.account).bind(2, payment.amount).step() != SQLITE_DONE ||
      sqlite3_changes(db_) != 1 ||
      record.bind(1, now)
              .bind(2, payer.account)
              .bind(3, payee.account)
              .bind(4, payment.amount)
              .bind(5, payer.currency)
              .bind(6, principal)
              .bind(7, payment.idempotency_key)
              .step() != SQLITE_DONE) {
    return db_error(db_, "cannot record the payment");
  }
  Transaction done{sqlite3_last_insert_rowid(db_),
                   now,
                   payer.account,
                   payee.account,
                   payment.amount,
                   payer.currency,
                   payment.idempotency_key};
  if (!tx.commit()) return db_error(db_, "cannot commit the payment");
  return PayOutcome{std::move(done)};
}

kerb::Result<std::vector<Transaction>> Ledger::history(std::string_view principal,
                                                       std::size_t limit) {
  if (limit < 1 || limit > kMaxHistory) {
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument,
                       "ledger: history limit must be 1..1000");
  }
  Account own;
  const int rc = find_account_of(db_, principal, own);
  if (rc == SQLITE_DONE) return not_authorized();
  if (rc != SQLITE_ROW) return db_error(db_, "cannot read the account");

  Statement q(db_, (std::string("SELECT ") + kTransactionColumns +
                    " FROM transactions WHERE from_account = ?1 OR to_account = ?1"
                    " ORDER BY txid DESC LIMIT ?2")
                       .c_str());
  if (!q.prepared()) return db_error(db_, "cannot prepare");
  q.bind(1, own.account).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Transaction> out;
  int step;
  while ((step = q.step()) == SQLITE_ROW) {
    if (!read_transaction(q, out.emplace_back())) return db_error(db_, "corrupt transaction");
  }
  if (step != SQLITE_DONE) return db_error(db_, "cannot read the history");
  return out;
}

kerb::Result<std::int64_t> Ledger::total_balance() {
  Statement q(db_, "SELECT coalesce(sum(balance), 0) FROM accounts");
  if (!q.prepared() || q.step() != SQLITE_ROW) return db_error(db_, "cannot sum the balances");
  return q.integer(0);
}

}  // namespace bank
