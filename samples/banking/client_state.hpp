// What the bank command keeps between runs, in its state directory (default ~/.bank, 0700):
//
//   ccache           kerb::CcacheContents: the bank's service ticket (and a TGT when the app holds
//                    one), plus the non-secret hints (ETYPE-INFO2, KDC clock offset) that
//                    make the next login one KDC round trip
//   session          0600: the established GSS context (SecurityContext::export_context), its
//                    bankd context-id and the next request id -- secret
//   receipts         0600: each payment's Receipt with the receipt key that checks its MIC
//   pending-payment  0600: a payment sent but not yet confirmed, so a retry reuses its
//                    idempotency key
//
// Every file is written whole to a temporary file and renamed; secret files are overwritten
// with zeros before they are unlinked.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/crypto/secret.hpp>
#include <kerb/result.hpp>

#include "protocol.hpp"

namespace bank {

struct SavedSession {
  std::string principal;  // the authenticated client, "alice@KERB.TEST"
  ContextId context_id{};
  std::uint32_t next_request_id = 1;
  kerb::crypto::SecretBuffer context;  // the exported SecurityContext
};

struct StoredReceipt {
  std::int32_t key_enctype = 0;
  kerb::crypto::SecretBuffer key;     // the receipt key of the context the receipt came under
  std::vector<std::uint8_t> receipt;  // the Receipt's DER as bankd sent it
};

struct PendingPayment {
  IdempotencyKey idempotency_key{};
  std::string payee;  // as typed: an account or a phone number
  std::int64_t amount = 0;
  std::string currency;
};

class StateDir {
 public:
  // $HOME/.bank
  static std::string default_path();
  // Creates the directory (0700) if needed and refuses one that others can read or write.
  static kerb::Result<StateDir> open(std::string path);

  const std::string& path() const noexcept { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }
  std::string ccache_path() const { return file("ccache"); }

  kerb::Result<std::optional<SavedSession>> load_session() const;
  kerb::Result<void> save_session(const SavedSession& session) const;
  kerb::Result<void> remove_session() const;

  kerb::Result<void> append_receipt(const StoredReceipt& receipt) const;
  kerb::Result<std::vector<StoredReceipt>> receipts() const;

  kerb::Result<std::optional<PendingPayment>> load_pending() const;
  kerb::Result<void> save_pending(const PendingPayment& pending) const;
  kerb::Result<void> remove_pending() const;

 private:
  explicit StateDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// File helpers the state uses (exposed for the ccache's secure removal too).
kerb::Result<std::optional<kerb::crypto::SecretBuffer>> read_file(const std::string& path);
// Atomic replace: a 0600 temporary file in the same directory, fsync, rename.
kerb::Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes);
// Overwrites the file with zeros, then unlinks it; a missing file is fine.
kerb::Result<void> wipe_file(const std::string& path);

}  // namespace bank
