#include "bank_client.hpp"

#include <cinttypes>
#include <cstdio>
#include <thread>

#include <kerb/ccache.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/fast.hpp>
#include <kerb/keytab.hpp>
#include <kerb/kpasswd.hpp>

#include "receipt.hpp"

namespace bank {

namespace gss = kerb::gss;
using Steady = std::chrono::steady_clock;

namespace {

double ms_since(Steady::time_point start) {
  return std::chrono::duration<double, std::milli>(Steady::now() - start).count();
}

// KDC-REQ/REP application tags (RFC 4120 §5.4.1, §5.4.2, §5.9.1), for --verbose lines.
const char* kdc_message_name(std::span<const std::uint8_t> message) {
  if (message.empty()) return "nothing";
  switch (message[0]) {
    case 0x6a:
      return "AS-REQ";
    case 0x6b:
      return "AS-REP";
    case 0x6c:
      return "TGS-REQ";
    case 0x6d:
      return "TGS-REP";
    case 0x7e:
      return "KRB-ERROR";
    default:
      return "?";
  }
}

kerb::Error refusal_error(const Refused& r) {
  return kerb::Error::format(kerb::ErrorCategory::kProtocol,
                             kRefusalErrorBase + static_cast<std::int32_t>(r.code), "bank: %s",
                             r.text.c_str());
}

bool is_refusal(const kerb::Error& e, FrameRefusal code) {
  return e.category() == kerb::ErrorCategory::kProtocol &&
         e.code() == kRefusalErrorBase + static_cast<std::int32_t>(code);
}

// A resumed context that failed in a way a new context mends: bankd forgot it (restart,
// expiry, logout elsewhere), the two sides' sequence state parted (a reply lost on the way),
// or it expired here.
bool worth_new_context(const kerb::Error& e) {
  if (is_refusal(e, FrameRefusal::kUnknownContext) || is_refusal(e, FrameRefusal::kBadToken))
    return true;
  if (e.category() == kerb::ErrorCategory::kIo) return e.code() == kBankNoReply;
  // Our own unwrap or import refused the reply or the saved context (GSS major status).
  const std::int32_t major = e.code() & ~0xffff;
  return e.category() == kerb::ErrorCategory::kCrypto ||
         major == gss::major_status::kContextExpired || major == gss::major_status::kNoContext ||
         major == gss::major_status::kBadMic || major == gss::major_status::kFailure ||
         major == gss::major_status::kDefectiveToken;
}

// AP-REQ refusals that a fresh service ticket may cure (RFC 4120 §7.5.9).
bool worth_new_ticket(const kerb::Error& e) {
  using namespace kerb::error_code;
  const std::int32_t c = e.code();
  return c == kKrbApErrTktExpired || c == kKrbApErrBadIntegrity || c == kKrbApErrModified ||
         c == kKrbApErrBadkeyver || c == kKrbApErrNokey;
}

kerb::Principal krbtgt(std::string_view realm) {
  auto p = kerb::Principal::parse("krbtgt/" + std::string(realm), realm);
  return p ? *p : kerb::Principal{};
}

std::int64_t now_seconds() {
  return kerb::system_clock().now().seconds;
}

}  // namespace

std::optional<FrameRefusal> refusal_of(const kerb::Error& error) {
  const std::int32_t code = error.code() - kRefusalErrorBase;
  if (error.category() != kerb::ErrorCategory::kProtocol || code < 1 || code > 6)
    return std::nullopt;
  return static_cast<FrameRefusal>(code);
}

// --- transports -----------------------------------------------------------------------------

kerb::Result<Bytes> TcpBankTransport::exchange(std::span<const std::uint8_t> frame) {
  if (!socket_.valid()) {
    // bankd may be restarting: a refused connect is tried again for about two seconds.
    kerb::Result<net::Socket> s = kerb::Error(kerb::ErrorCategory::kIo, "");
    for (int attempt = 0; attempt < 8; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
      s = net::connect_tcp(endpoint_, timeout_);
      if (s) break;
    }
    if (!s) return kerb::Error(kerb::ErrorCategory::kIo, kBankNotSent, s.error().detail());
    socket_ = std::move(*s);
  }
  if (auto w = net::write_frame(socket_.fd(), frame); !w) {
    socket_.close();
    return kerb::Error(kerb::ErrorCategory::kIo, kBankNoReply, w.error().detail());
  }
  auto in = net::read_frame(socket_.fd(), timeout_);
  if (in.status != net::ReadStatus::kFrame) {
    socket_.close();
    return kerb::Error(kerb::ErrorCategory::kIo, kBankNoReply,
                       in.status == net::ReadStatus::kTimedOut ? "the bank did not answer in time"
                                                               : "the bank closed the connection");
  }
  return std::move(in.frame);
}

kerb::Result<std::vector<std::uint8_t>> TimedKdcTransport::exchange(
    std::string_view realm, std::span<const std::uint8_t> request) {
  ++round_trips_;
  const auto start = Steady::now();
  auto reply = inner_.exchange(realm, request);
  if (report_) {
    char line[320];
    std::snprintf(line, sizeof line, "round trip %zu: KDC %.*s%s%s: %s -> %s, %.1f ms",
                  round_trips_, static_cast<int>(realm.size()), realm.data(),
                  route_.empty() ? "" : " via ", route_.c_str(), kdc_message_name(request),
                  reply ? kdc_message_name(*reply) : "no answer", ms_since(start));
    report_(line);
  }
  return reply;
}

// --- session --------------------------------------------------------------------------------

BankSession::BankSession(StateDir state, kerb::ClientOptions client_options,
                         kerb::KdcTransport& kdc, BankTransport& bank, SessionOptions options)
    : state_(std::move(state)),
      client_options_(std::move(client_options)),
      kdc_(kdc),
      bank_(bank),
      options_(std::move(options)) {}

kerb::Result<kerb::Principal> BankSession::user() const {
  failed_at_ = FailedAt::kState;
  KERB_TRY(auto saved, state_.load_session());
  if (saved) return kerb::Principal::parse(saved->principal);
  kerb::FileCredentialCache cache(state_.ccache_path());
  auto p = cache.default_principal();
  if (!p) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "not logged in");
  return p;
}

kerb::Result<ServerFrame> BankSession::round_trip(const ClientFrame& frame, std::string_view what) {
  failed_at_ = FailedAt::kBank;
  const Bytes out = encode(frame);
  if (out.empty()) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "request too large");
  ++bank_round_trips_;
  const auto start = Steady::now();
  auto in = bank_.exchange(out);
  if (options_.trace) {
    char line[160];
    std::snprintf(line, sizeof line, "round trip: bank: %.*s, %.1f ms%s",
                  static_cast<int>(what.size()), what.data(), ms_since(start),
                  in ? "" : " (no answer)");
    options_.trace(line);
  }
  if (!in) return in.error();
  return decode_server_frame(*in);
}

kerb::ApContext BankSession::ap_context(const kerb::Principal& user) const {
  kerb::ApContext ap;
  ap.policy = client_options_.policy;
  ap.clock = client_options_.clock;
  ap.random = client_options_.random;
  ap.clockskew = client_options_.clockskew;
  kerb::FileCredentialCache cache(state_.ccache_path());
  if (auto hints = kerb::load_hints(cache, user)) ap.clock_offset = hints->clock_offset;
  return ap;
}

// The device's TGT for armor: from the armor ccache, or the one kept in the state directory
// while it lasts, else a new one from the device keytab (an AS exchange of its own).
kerb::Result<kerb::Credentials> BankSession::armor_tgt(const kerb::Principal& user) {
  const ArmorOptions& a = options_.armor;
  const kerb::Principal tgs = krbtgt(user.realm());
  failed_at_ = FailedAt::kState;
  if (!a.ccache.empty()) {
    return kerb::armor_from_ccache(a.ccache, user.realm());
  }
  KERB_TRY(const kerb::Keytab keytab, kerb::Keytab::open(a.device_keytab));
  if (!a.device && keytab.entries.empty())
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "the device keytab is empty");
  const kerb::Principal device = a.device ? *a.device : keytab.entries.front().principal;
  kerb::FileCredentialCache cache(state_.file("armor"));
  if (auto owner = cache.default_principal(); owner && *owner == device) {
    if (auto t = cache.retrieve(tgs); t && *t && (*t)->endtime > now_seconds() + 60)
      return std::move(**t);
  }
  if (options_.trace) options_.trace("armor: a new TGT for the device " + device.to_string());
  failed_at_ = FailedAt::kKdc;
  kerb::Client client(kdc_, client_options_);
  KERB_TRY(kerb::Credentials tgt, client.login_keytab(device, keytab));
  failed_at_ = FailedAt::kState;
  KERB_TRY_VOID(cache.initialize(device));
  KERB_TRY_VOID(cache.store(tgt));
  return tgt;
}

// RFC 3244, as MIT's kinit does it: a kadmin/changepw ticket with the old password, up to three
// new passwords until the server takes one, then the login with it.
kerb::Result<kerb::Credentials> BankSession::change_expired(kerb::Client& client,
                                                            const kerb::Principal& user,
                                                            std::string_view old_password,
                                                            const kerb::AsOptions& as) {
  client.set_kpasswd_transport(*options_.kpasswd);
  // Armored like the login when armor is configured (the client options carry it).
  KERB_TRY(const kerb::Credentials changepw, client.changepw_ticket(user, old_password));
  std::string why = "Your password has expired. Please choose a new one.";
  kerb::Error last(kerb::ErrorCategory::kInvalidArgument, "no new password");
  for (int tries = 3; tries > 0; --tries) {
    failed_at_ = FailedAt::kState;
    KERB_TRY(std::string fresh, options_.new_password(user, why));
    failed_at_ = FailedAt::kKdc;
    auto changed = client.change_password(changepw, fresh);
    if (changed) {
      if (options_.trace) options_.trace("password changed (kpasswd)");
      auto ticket = client.login_password(user, fresh, as);
      kerb::crypto::secure_wipe(fresh.data(), fresh.size());
      return ticket;
    }
    kerb::crypto::secure_wipe(fresh.data(), fresh.size());
    if (!kerb::password_rejected(changed.error())) return changed.error();
    // The server's own words (its policy), then another try.
    last = changed.error();
    why = "The new password was not accepted: " + std::string(last.detail());
  }
  return last;
}

kerb::Result<kerb::Credentials> BankSession::password_login(const kerb::Principal& user) {
  failed_at_ = FailedAt::kState;
  if (!options_.password)
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "a password is needed");
  kerb::ClientOptions client_options = client_options_;
  if (options_.armor.enabled()) {
    // The password goes only into an armored request: no silent fallback to an unarmored one.
    KERB_TRY(kerb::Credentials armor, armor_tgt(user));
    client_options.fast_armor = std::move(armor);
    client_options.require_fast = true;
  }
  failed_at_ = FailedAt::kState;
  KERB_TRY(std::string password, options_.password(user));
  failed_at_ = FailedAt::kKdc;
  kerb::Client client(kdc_, std::move(client_options));
  kerb::FileCredentialCache cache(state_.ccache_path());
  // A returning user: the salt and clock offset learnt last time save a round trip.
  if (auto previous = cache.default_principal(); previous && *previous == user) {
    if (auto hints = kerb::load_hints(cache, user)) client.set_hints(user, *hints);
  }
  kerb::AsOptions as;
  as.lifetime = client_options_.ticket_lifetime;
  // The bank is the only service this app talks to: the AS issues its ticket directly, saving
  // the TGS round trip. When it expires the password is asked again (a TGT would expire with
  // it, unless renewable).
  as.service = options_.service;
  auto ticket = client.login_password(user, password, as);
  if (!ticket && kerb::password_expired(ticket.error()) && options_.kpasswd != nullptr &&
      options_.new_password)
    ticket = change_expired(client, user, password, as);
  kerb::crypto::secure_wipe(password.data(), password.size());
  if (!ticket) return ticket.error();
  failed_at_ = FailedAt::kState;
  KERB_TRY_VOID(cache.initialize(user));
  KERB_TRY_VOID(cache.store(*ticket));
  if (const kerb::ClientHints* hints = client.hints(user))
    KERB_TRY_VOID(kerb::save_hints(cache, user, *hints));
  return ticket;
}

kerb::Result<kerb::Credentials> BankSession::service_ticket(const kerb::Principal& user,
                                                            bool fresh) {
  failed_at_ = FailedAt::kState;
  kerb::FileCredentialCache cache(state_.ccache_path());
  const std::int64_t soon = now_seconds() + 60;  // a ticket about to end is not worth an AP-REQ
  if (auto owner = cache.default_principal(); owner && *owner == user) {
    if (!fresh) {
      if (auto t = cache.retrieve(options_.service); t && *t && (*t)->endtime > soon)
        return std::move(**t);
    }
    // A TGT, when this cache holds one (e.g. after a kinit into it), spares the password.
    if (auto tgt = cache.retrieve(krbtgt(user.realm())); tgt && *tgt && (*tgt)->endtime > soon) {
      failed_at_ = FailedAt::kKdc;
      kerb::Client client(kdc_, client_options_);
      kerb::TgsOptions tgs;
      // With armor configured this request is armored too, with the TGT itself (RFC 6113
      // §5.4.1.1), and an unarmored reply is refused as a downgrade (§5.4.3).
      if (options_.armor.enabled()) tgs.fast = &kerb::fast::operations();
      auto ticket = client.service_ticket(**tgt, options_.service, tgs);
      if (ticket) {
        failed_at_ = FailedAt::kState;
        KERB_TRY_VOID(cache.store(*ticket));
        return ticket;
      }
    }
  }
  return password_login(user);
}

kerb::Result<Reply> BankSession::login(const kerb::Principal& user, RequestBody first) {
  KERB_TRY_VOID(state_.remove_session());
  KERB_TRY(const kerb::Credentials ticket, password_login(user));
  (void)ticket;
  return establish(user, first);
}

kerb::Result<Reply> BankSession::call(RequestBody body) {
  KERB_TRY(const kerb::Principal who, user());
  failed_at_ = FailedAt::kState;
  KERB_TRY(auto saved, state_.load_session());
  if (saved) {
    auto reply = resume(*saved, body);
    if (reply || !worth_new_context(reply.error())) return reply;
    if (options_.trace) {
      const auto d = reply.error().detail();
      options_.trace("session not resumable (" + std::string(d) + "): authenticating again");
    }
    failed_at_ = FailedAt::kState;
    KERB_TRY_VOID(state_.remove_session());
  }
  return establish(who, body);
}

kerb::Result<Reply> BankSession::pay(Payee payee, std::string_view payee_text, std::int64_t amount,
                                     std::string currency) {
  failed_at_ = FailedAt::kState;
  KERB_TRY(auto pending, state_.load_pending());
  PendingPayment p;
  if (pending && pending->payee == payee_text && pending->amount == amount &&
      pending->currency == currency) {
    p = *pending;  // the same payment, unconfirmed last time: same key, applied at most once
    if (options_.trace) options_.trace("repeating the unconfirmed payment with its key");
  } else {
    p.payee = std::string(payee_text);
    p.amount = amount;
    p.currency = currency;
    KERB_TRY_VOID(kerb::crypto::os_random().fill(p.idempotency_key));
  }
  KERB_TRY_VOID(state_.save_pending(p));
  Payment payment{std::move(payee), amount, std::move(currency), p.idempotency_key};
  auto reply = call(payment);
  if (reply) {
    // Paid or refused, bankd has decided: a new payment gets a new key.
    failed_at_ = FailedAt::kState;
    KERB_TRY_VOID(state_.remove_pending());
  }
  return reply;
}

kerb::Result<void> BankSession::logout() {
  failed_at_ = FailedAt::kState;
  KERB_TRY(auto saved, state_.load_session());
  if (saved) {
    // Best effort: a context bankd has forgotten needs no logout.
    auto bye = resume(*saved, Logout{});
    if (!bye && options_.trace)
      options_.trace("logout not confirmed by the bank (" + std::string(bye.error().detail()) +
                     ")");
  }
  failed_at_ = FailedAt::kState;
  KERB_TRY_VOID(state_.remove_session());
  KERB_TRY_VOID(state_.remove_pending());
  kerb::FileCredentialCache cache(state_.ccache_path());
  auto owner = cache.default_principal();
  if (!owner) return kerb::ok();
  auto hints = kerb::load_hints(cache, *owner);
  KERB_TRY_VOID(cache.destroy());  // zeros over the tickets, then unlink
  // Only what the KDC says to anyone who asks stays: salt, enctype, clock offset.
  KERB_TRY_VOID(cache.initialize(*owner));
  if (hints) KERB_TRY_VOID(kerb::save_hints(cache, *owner, *hints));
  return kerb::ok();
}

kerb::Result<Reply> BankSession::establish(const kerb::Principal& user, const RequestBody& body) {
  for (int attempt = 0;; ++attempt) {
    KERB_TRY(const kerb::Credentials ticket, service_ticket(user, attempt > 0));
    failed_at_ = FailedAt::kBank;
    gss::InitiatorOptions init_options;
    init_options.flags = options_.context_flags;
    KERB_TRY(gss::Initiator initiator,
             gss::Initiator::start(ticket, init_options, ap_context(user)));
    auto reply = first_exchange(initiator, user, body);
    if (reply || attempt > 0 || !worth_new_ticket(reply.error())) return reply;
    if (options_.trace)
      options_.trace("the bank refused the ticket (" + std::string(reply.error().detail()) +
                     "): getting a new one");
  }
}

// The first request of a new context travels with the AP-REQ: the initiator wraps it under
// its subkey before the AP-REP (RFC 2743 §1.2.7 prot_ready), and bankd answers with the AP-REP
// and the wrapped reply together. One round trip.
kerb::Result<Reply> BankSession::first_exchange(gss::Initiator& initiator,
                                                const kerb::Principal& user,
                                                const RequestBody& body) {
  SavedSession saved;
  saved.principal = user.to_string();
  const std::uint32_t request_id = saved.next_request_id++;
  const Bytes request = encode(Request{request_id, body});
  if (request.empty()) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "bad request");
  KERB_TRY(Bytes wrapped, initiator.wrap(request, true));
  const auto token = initiator.token();
  ClientFrame frame{Establish{Bytes(token.begin(), token.end()), std::move(wrapped)}};
  KERB_TRY(ServerFrame in, round_trip(frame, "establish (AP-REQ + request)"));
  if (auto* r = std::get_if<Refused>(&in.body)) {
    // The KRB-ERROR token says why, with its Kerberos error code (skew, expired ticket...).
    if (r->error_token) {
      auto step = initiator.step(*r->error_token);
      if (!step) return step.error();
    }
    return refusal_error(*r);
  }
  auto* established = std::get_if<Established>(&in.body);
  if (established == nullptr || !established->response)
    return kerb::Error(kerb::ErrorCategory::kProtocol, "bank: unexpected answer to establish");
  KERB_TRY(const auto step, initiator.step(established->reply_token));
  if (step != gss::Initiator::Step::kDone)
    return kerb::Error(kerb::ErrorCategory::kProtocol, "bank: context not established");
  KERB_TRY(gss::SecurityContext context, initiator.take_context());
  saved.context_id = established->context_id;
  return finish(context, saved, *established->response, request_id);
}

kerb::Result<Reply> BankSession::resume(SavedSession& saved, const RequestBody& body) {
  failed_at_ = FailedAt::kBank;
  KERB_TRY(gss::SecurityContext context,
           gss::SecurityContext::import_context(saved.context.view()));
  if (context.endtime() <= now_seconds())
    return kerb::Error(kerb::ErrorCategory::kCrypto, gss::major_status::kContextExpired,
                       "the session has expired");
  const std::uint32_t request_id = saved.next_request_id++;
  const Bytes request = encode(Request{request_id, body});
  if (request.empty()) return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "bad request");
  KERB_TRY(Bytes token, context.wrap(request, true));
  // The token's sequence number is spent whether or not it arrives: save before sending.
  {
    KERB_TRY(auto blob, context.export_context());
    saved.context.assign(blob);
    kerb::crypto::secure_wipe(blob);
    failed_at_ = FailedAt::kState;
    KERB_TRY_VOID(state_.save_session(saved));
  }
  const char* what = std::holds_alternative<Payment>(body)        ? "pay"
                     : std::holds_alternative<Logout>(body)       ? "logout"
                     : std::holds_alternative<HistoryQuery>(body) ? "history"
                                                                  : "balance";
  KERB_TRY(ServerFrame in,
           round_trip(ClientFrame{Resume{saved.context_id, std::move(token)}}, what));
  if (auto* r = std::get_if<Refused>(&in.body)) return refusal_error(*r);
  auto* response = std::get_if<Response>(&in.body);
  if (response == nullptr)
    return kerb::Error(kerb::ErrorCategory::kProtocol, "bank: unexpected answer");
  return finish(context, saved, response->token, request_id);
}

kerb::Result<Reply> BankSession::finish(gss::SecurityContext& context, SavedSession& saved,
                                        std::span<const std::uint8_t> response,
                                        std::uint32_t request_id) {
  failed_at_ = FailedAt::kBank;
  std::vector<std::uint8_t> plain(response.size());
  KERB_TRY(const gss::Unwrapped u, context.unwrap(response, plain));
  // The bank's replies are a sequence too: a replayed or reordered one is not believed.
  if (u.supplementary != 0)
    return kerb::Error(kerb::ErrorCategory::kProtocol, gss::major_status::kFailure,
                       "bank: a reply out of sequence (replayed?)");
  if (!u.conf) return kerb::Error(kerb::ErrorCategory::kPolicy, "bank: reply was not sealed");
  plain.resize(u.length);
  KERB_TRY(Reply reply, decode_reply(plain));
  if (reply.request_id != request_id)
    return kerb::Error(kerb::ErrorCategory::kProtocol, "bank: reply to another request");
  failed_at_ = FailedAt::kState;
  if (std::holds_alternative<Bye>(reply.body)) {
    KERB_TRY_VOID(state_.remove_session());
  } else {
    KERB_TRY(auto blob, context.export_context());
    saved.context.assign(blob);
    kerb::crypto::secure_wipe(blob);
    KERB_TRY_VOID(state_.save_session(saved));
  }
  if (const auto* receipt = std::get_if<Receipt>(&reply.body)) {
    // Checked now and kept with its key, so it can be shown to anyone later.
    failed_at_ = FailedAt::kBank;
    KERB_TRY(const kerb::crypto::Key key, receipt_key(context));
    KERB_TRY_VOID(verify_receipt(key, *receipt));
    failed_at_ = FailedAt::kState;
    StoredReceipt stored;
    stored.key_enctype = static_cast<std::int32_t>(key.enctype());
    stored.key.assign(key.expose_secret());
    stored.receipt = encode(*receipt);
    KERB_TRY_VOID(state_.append_receipt(stored));
  }
  failed_at_ = FailedAt::kNowhere;
  return reply;
}

}  // namespace bank
