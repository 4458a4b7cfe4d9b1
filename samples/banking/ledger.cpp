// Placeholder bodies so kerb_bank_core links while the ledger is written.
#include "ledger.hpp"

#include <utility>

namespace bank {
namespace {
kerb::Error unfinished() {
  return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "bank ledger unfinished");
}
}  // namespace

kerb::Result<Ledger> Ledger::open(const std::string&) {
  return unfinished();
}
Ledger::Ledger(Ledger&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
Ledger& Ledger::operator=(Ledger&& other) noexcept {
  std::swap(db_, other.db_);
  return *this;
}
Ledger::~Ledger() = default;
kerb::Result<void> Ledger::add_account(std::string_view, std::string_view, std::string_view,
                                       std::int64_t, std::string_view) {
  return unfinished();
}
kerb::Result<Balance> Ledger::balance(std::string_view) {
  return unfinished();
}
kerb::Result<PayOutcome> Ledger::pay(std::string_view, const Payment&, std::int64_t) {
  return unfinished();
}
kerb::Result<std::vector<Transaction>> Ledger::history(std::string_view, std::size_t) {
  return unfinished();
}
kerb::Result<std::int64_t> Ledger::total_balance() {
  return unfinished();
}
}  // namespace bank
