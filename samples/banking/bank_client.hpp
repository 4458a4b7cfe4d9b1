// The bank client's session logic, shared by the `bank` command and the tests: log in with a
// password, establish a GSS context with bankd, keep it (exported) between runs, resume it
// on a fresh connection, and recover by itself when bankd no longer knows it.
//
//   StateDir state = *StateDir::open(StateDir::default_path());
//   TcpBankTransport bank(*net::Endpoint::parse("127.0.0.1:4242"));
//   BankSession session(state, client_options, kdc_transport, bank, options);
//   session.login(alice, BalanceQuery{});     // AS exchange, then one frame to bankd
//   session.call(BalanceQuery{});             // later runs: one frame, no KDC
//
// Round trips: a cold password login costs two to the KDC (the salt is unknown until its
// PREAUTH_REQUIRED) and one to the bank; a returning user's login one and one, thanks to the
// hints kept in the ccache; any command with a live context one to the bank.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/credentials.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>
#include <kerb/transport.hpp>

#include "client_state.hpp"
#include "net.hpp"
#include "protocol.hpp"

namespace bank {

// Error codes of kIo errors from a BankTransport: whether the frame may have reached bankd.
// Negative, so never taken for the errno a kIo error of a file carries.
inline constexpr std::int32_t kBankNotSent = -1;  // no connection: bankd saw nothing
inline constexpr std::int32_t kBankNoReply = -2;  // sent, but no reply came back

// bankd's Refused frames reach the caller as kProtocol errors with code kRefusalErrorBase +
// the FrameRefusal code; refusal_of() reads it back.
inline constexpr std::int32_t kRefusalErrorBase = 900;
std::optional<FrameRefusal> refusal_of(const kerb::Error& error);

// One ClientFrame out, one ServerFrame back.
class BankTransport {
 public:
  virtual ~BankTransport() = default;
  virtual kerb::Result<Bytes> exchange(std::span<const std::uint8_t> frame) = 0;
};

// TCP to bankd: connects on first use (retrying a refused connect a few times, as bankd may
// be restarting), keeps the connection for later frames, and drops it after any failure.
class TcpBankTransport final : public BankTransport {
 public:
  explicit TcpBankTransport(net::Endpoint endpoint,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : endpoint_(std::move(endpoint)), timeout_(timeout) {}
  kerb::Result<Bytes> exchange(std::span<const std::uint8_t> frame) override;
  void disconnect() noexcept { socket_.close(); }

 private:
  net::Endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  net::Socket socket_;
};

// Reports every KDC round trip with its time and route (the --verbose lines), and counts them.
class TimedKdcTransport final : public kerb::KdcTransport {
 public:
  using Report = std::function<void(std::string_view line)>;
  // `route` names the way to the KDC in the lines, e.g. "KDC proxy https://...".
  TimedKdcTransport(kerb::KdcTransport& inner, Report report, std::string route = {})
      : inner_(inner), report_(std::move(report)), route_(std::move(route)) {}
  kerb::Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                                   std::span<const std::uint8_t> request) override;
  std::size_t round_trips() const noexcept { return round_trips_; }

 private:
  kerb::KdcTransport& inner_;
  Report report_;
  std::string route_;
  std::size_t round_trips_ = 0;
};

// FAST armor for password logins (RFC 6113): the TGT in an armor ccache (as kinit -T), or one
// the app gets itself with the device's keytab and keeps in the state directory ("armor"),
// getting a new one when it has expired. Either way the login then requires FAST. A TGS request
// with a TGT from the state ccache (e.g. after a kinit into it) is then armored with that TGT
// itself (RFC 6113 §5.4.1.1), and its reply must be armored too.
struct ArmorOptions {
  std::string ccache;                     // a ccache holding a TGT of the user's realm
  std::string device_keytab;              // or the device's keytab ...
  std::optional<kerb::Principal> device;  // ... and its principal (default: its first entry)
  bool enabled() const noexcept { return !ccache.empty() || !device_keytab.empty(); }
};

using RequestBody = decltype(Request::body);

struct SessionOptions {
  kerb::Principal service;  // bank/bank.test@REALM
  // Asked only when no usable ticket is left; must return the user's password.
  std::function<kerb::Result<std::string>(const kerb::Principal& user)> password;
  // --verbose lines (bank round trips with their time); may be empty.
  std::function<void(std::string_view line)> trace;
  // The GSS flags asked for; bankd refuses contexts without mutual, conf, integ, replay and
  // sequence (tests take some away to see that).
  std::uint32_t context_flags = kerb::gss::InitiatorOptions{}.flags;
  ArmorOptions armor;
  // An expired password (RFC 3244): with both set, the login asks for a new one, changes it
  // over `kpasswd` and logs in with it. `new_password` is told why it is asked (the expiry, or
  // the server's refusal of the last one) and returns the new password, confirmed; an error
  // stops the change.
  kerb::KdcTransport* kpasswd = nullptr;
  std::function<kerb::Result<std::string>(const kerb::Principal& user, std::string_view why)>
      new_password;
};

// Where a failed call failed, so the app can word it for its user.
enum class FailedAt : std::uint8_t { kNowhere, kState, kKdc, kBank };

class BankSession {
 public:
  BankSession(StateDir state, kerb::ClientOptions client_options, kerb::KdcTransport& kdc,
              BankTransport& bank, SessionOptions options);

  // Password login (AS exchange straight for the bank's ticket: the app needs no TGT), then a
  // new context with `first` as its first request. Replaces any earlier session.
  kerb::Result<Reply> login(const kerb::Principal& user, RequestBody first);
  // A request under the saved context; when bankd no longer knows it, or it expired, a new
  // one from the cached ticket, a TGT, or the password, in that order, and the request again.
  kerb::Result<Reply> call(RequestBody body);
  // A payment: its idempotency key is kept (pending-payment) until bankd confirms or refuses,
  // so repeating an unconfirmed payment -- in this run or the next -- reuses it.
  kerb::Result<Reply> pay(Payee payee, std::string_view payee_text, std::int64_t amount,
                          std::string currency = "EUR");
  // Tells bankd (if the context is still live), then wipes tickets, keys and the context,
  // keeping only the hints (ETYPE-INFO2, clock offset) for a quick next login.
  kerb::Result<void> logout();

  // The logged-in principal (from the saved session or the ccache).
  kerb::Result<kerb::Principal> user() const;

  FailedAt failed_at() const noexcept { return failed_at_; }
  std::size_t bank_round_trips() const noexcept { return bank_round_trips_; }

 private:
  struct Attempt;
  kerb::Result<Reply> resume(SavedSession& saved, const RequestBody& body);
  kerb::Result<Reply> establish(const kerb::Principal& user, const RequestBody& body);
  kerb::Result<Reply> first_exchange(kerb::gss::Initiator& initiator, const kerb::Principal& user,
                                     const RequestBody& body);
  kerb::Result<Reply> finish(kerb::gss::SecurityContext& context, SavedSession& saved,
                             std::span<const std::uint8_t> response, std::uint32_t request_id);
  kerb::Result<kerb::Credentials> service_ticket(const kerb::Principal& user, bool fresh);
  kerb::Result<kerb::Credentials> password_login(const kerb::Principal& user);
  kerb::Result<kerb::Credentials> change_expired(kerb::Client& client, const kerb::Principal& user,
                                                 std::string_view old_password,
                                                 const kerb::AsOptions& as);
  kerb::Result<kerb::Credentials> armor_tgt(const kerb::Principal& user);
  kerb::Result<ServerFrame> round_trip(const ClientFrame& frame, std::string_view what);
  kerb::ApContext ap_context(const kerb::Principal& user) const;

  StateDir state_;
  kerb::ClientOptions client_options_;
  kerb::KdcTransport& kdc_;
  BankTransport& bank_;
  SessionOptions options_;
  mutable FailedAt failed_at_ = FailedAt::kNowhere;
  std::size_t bank_round_trips_ = 0;
};

}  // namespace bank
