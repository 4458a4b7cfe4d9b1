// The banking sample's wire messages (bank_protocol.asn1) as plain structs, with a strict DER
// codec on kerb::der.
//
// Every encode() returns the DER of one value, or an empty vector when the value breaks a
// constraint of the module (a string outside its SIZE or alphabet, an amount out of range, more
// than kMaxHistory transactions), so nothing leaves that the peer's decoder would refuse.
// Every decode_*() takes exactly one encoded value: anything but canonical DER of the module's
// type, a constraint violation, or bytes after the value is an ErrorCategory::kDer error whose
// detail names the fault and its byte offset. Decoders copy only what the input holds, so no
// length field makes them allocate more than the input's size.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <kerb/result.hpp>

namespace bank {

using Bytes = std::vector<std::uint8_t>;

// Limits of the wire (bank_protocol.asn1 and the TCP framing).
inline constexpr std::size_t kMaxFrame = 1024 * 1024;          // DER bytes after the 4-byte length
inline constexpr std::size_t kMaxHistory = 1000;               // transactions in one history reply
inline constexpr std::int64_t kMaxAmount = 1'000'000'000'000;  // minor units in one payment
inline constexpr std::size_t kMaxAccountLength = 34;           // an IBAN's length
inline constexpr std::size_t kMaxPhoneLength = 20;
inline constexpr std::size_t kCurrencyLength = 3;  // ISO 4217 alphabetic code, "EUR"

using ContextId = std::array<std::uint8_t, 16>;       // chosen by bankd, names a GSS context
using IdempotencyKey = std::array<std::uint8_t, 16>;  // random per payment; a retry reuses it

// Why bankd refuses a frame outside any context (ServerFrame.refused.code).
enum class FrameRefusal : std::int32_t {
  kUnknownContext = 1,        // resume of a context bankd does not hold
  kAuthenticationFailed = 2,  // the AP-REQ was refused; error_token carries the KRB-ERROR
  kPolicy = 3,                // context lacks a required service, or delegation was offered
  kBadToken = 4,              // unwrap failed, replayed, out of sequence
  kMalformed = 5,
  kBusy = 6,  // busy or internal failure
};

// Why a request failed (Reply.body.error.code).
enum class BankErrorCode : std::int32_t {
  kInsufficientFunds = 1,
  kUnknownPayee = 2,
  kInvalidAmount = 3,
  kNotAuthorized = 4,
  kDuplicateKeyMismatch = 5,  // the idempotency key was used for another payment
  kInternal = 6,
  kSameAccount = 7,  // paying oneself
};

// --- client -> bankd ----------------------------------------------------------------------

struct Establish {
  Bytes context_token;           // GSS InitialContextToken (AP-REQ)
  std::optional<Bytes> request;  // wrap token of the first Request (prot_ready)

  friend bool operator==(const Establish&, const Establish&) = default;
};
struct Resume {
  ContextId context_id{};
  Bytes request;  // wrap token of a Request

  friend bool operator==(const Resume&, const Resume&) = default;
};
struct ClientFrame {
  std::variant<Establish, Resume> body;

  friend bool operator==(const ClientFrame&, const ClientFrame&) = default;
};

// --- bankd -> client ----------------------------------------------------------------------

struct Established {
  ContextId context_id{};
  Bytes reply_token;              // AP-REP token (mutual authentication)
  std::optional<Bytes> response;  // wrap token of the Reply to the first request

  friend bool operator==(const Established&, const Established&) = default;
};
struct Response {
  Bytes token;  // wrap token of a Reply

  friend bool operator==(const Response&, const Response&) = default;
};
struct Refused {
  FrameRefusal code = FrameRefusal::kMalformed;
  std::string text;                  // UTF-8
  std::optional<Bytes> error_token;  // GSS KRB-ERROR token when the AP-REQ failed

  friend bool operator==(const Refused&, const Refused&) = default;
};
struct ServerFrame {
  std::variant<Established, Response, Refused> body;

  friend bool operator==(const ServerFrame&, const ServerFrame&) = default;
};

// --- Request (inside a wrap token) ----------------------------------------------------------

struct AccountPayee {
  std::string account;  // IA5String (SIZE(1..34))

  friend bool operator==(const AccountPayee&, const AccountPayee&) = default;
};
struct PhonePayee {
  std::string phone;  // IA5String (SIZE(1..20))

  friend bool operator==(const PhonePayee&, const PhonePayee&) = default;
};
using Payee = std::variant<AccountPayee, PhonePayee>;

struct Payment {
  Payee payee;
  std::int64_t amount = 0;  // minor units (cents), 1..kMaxAmount
  std::string currency;     // exactly 3 characters
  IdempotencyKey idempotency_key{};

  friend bool operator==(const Payment&, const Payment&) = default;
};

struct BalanceQuery {
  friend bool operator==(const BalanceQuery&, const BalanceQuery&) = default;
};
struct HistoryQuery {
  std::optional<std::uint32_t> limit;  // 1..kMaxHistory; absent: the server's default

  friend bool operator==(const HistoryQuery&, const HistoryQuery&) = default;
};
struct Logout {
  friend bool operator==(const Logout&, const Logout&) = default;
};

struct Request {
  std::uint32_t request_id = 0;  // the client's counter, echoed in the Reply
  std::variant<BalanceQuery, Payment, HistoryQuery, Logout> body;

  friend bool operator==(const Request&, const Request&) = default;
};

// --- Reply (inside a wrap token) ------------------------------------------------------------

struct Transaction {
  std::int64_t txid = 0;
  std::int64_t time = 0;  // seconds since the epoch (KerberosTime on the wire)
  std::string from_account;
  std::string to_account;
  std::int64_t amount = 0;
  std::string currency;
  IdempotencyKey idempotency_key{};

  friend bool operator==(const Transaction&, const Transaction&) = default;
};

struct Receipt {
  Transaction transaction;
  Bytes mic;  // the bank's checksum over encode_transaction(transaction)

  friend bool operator==(const Receipt&, const Receipt&) = default;
};

struct Balance {
  std::string account;
  std::int64_t amount = 0;
  std::string currency;

  friend bool operator==(const Balance&, const Balance&) = default;
};
struct History {
  std::vector<Transaction> transactions;  // at most kMaxHistory

  friend bool operator==(const History&, const History&) = default;
};
struct Bye {
  friend bool operator==(const Bye&, const Bye&) = default;
};
struct BankError {
  BankErrorCode code = BankErrorCode::kInternal;
  std::string text;  // UTF-8

  friend bool operator==(const BankError&, const BankError&) = default;
};

struct Reply {
  std::uint32_t request_id = 0;
  std::variant<Balance, Receipt, History, Bye, BankError> body;

  friend bool operator==(const Reply&, const Reply&) = default;
};

// --- codec ----------------------------------------------------------------------------------

Bytes encode(const ClientFrame& frame);
Bytes encode(const ServerFrame& frame);
Bytes encode(const Request& request);
Bytes encode(const Reply& reply);
Bytes encode(const Transaction& transaction);
Bytes encode(const Receipt& receipt);
// The bytes a receipt's MIC covers: the DER of the Transaction (the same as encode()).
Bytes encode_transaction(const Transaction& transaction);

kerb::Result<ClientFrame> decode_client_frame(std::span<const std::uint8_t> der);
kerb::Result<ServerFrame> decode_server_frame(std::span<const std::uint8_t> der);
kerb::Result<Request> decode_request(std::span<const std::uint8_t> der);
kerb::Result<Reply> decode_reply(std::span<const std::uint8_t> der);
kerb::Result<Transaction> decode_transaction(std::span<const std::uint8_t> der);
kerb::Result<Receipt> decode_receipt(std::span<const std::uint8_t> der);

}  // namespace bank
