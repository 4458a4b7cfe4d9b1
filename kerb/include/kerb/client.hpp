// A small blocking API for simple apps: log in, get service tickets, renew -- each call
// drives a sans-I/O exchange over a KdcTransport until it is done.
//
//   auto config = kerb::Config::load_from_env();
//   auto transport = kerb::PosixKdcTransport::from_config(*config);
//   kerb::Client client(*transport, kerb::ClientOptions::from_config(*config));
//   auto tgt = client.login_password(alice, password);
//   auto bank = client.service_ticket(*tgt, bank_service);
//
// Memory: without a work buffer every call allocates (its exchange's requests and temporaries,
// the transport's reply, the credentials). With ClientOptions::work_buffer the requests, the
// replies (KdcTransport::exchange_into) and the exchanges' temporaries live in it, and what
// allocates is what the caller keeps: the credentials and the exchanges' copies of the
// principals and TGT (bench/login_alloc.cpp counts both ways).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/as_exchange.hpp>
#include <kerb/ccache.hpp>
#include <kerb/config.hpp>
#include <kerb/credentials.hpp>
#include <kerb/keytab.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>
#include <kerb/tgs_exchange.hpp>
#include <kerb/transport.hpp>

namespace kerb {

struct ClientOptions {
  crypto::Policy policy = crypto::Policy::defaults();
  Clock* clock = &system_clock();
  crypto::Random* random = &crypto::os_random();
  std::int64_t clockskew = 300;
  bool kdc_timesync = true;
  std::int64_t ticket_lifetime = 86400;
  std::int64_t renew_lifetime = 0;
  bool forwardable = false;
  // [capaths]: the realms between a TGT's realm and a service's, for services in another
  // realm (TgsOptions::capath). Without an entry the two realms are taken to share a key.
  struct Capath {
    std::string client_realm;
    std::string server_realm;
    std::vector<std::string> path;  // intermediate realms in order; empty: direct
  };
  std::vector<Capath> capaths;
  // The working memory of every call (AsContext/ApContext::work_buffer): the request at its
  // front, the KDC's reply received at its back, the exchange's temporaries between them.
  // Empty: the heap. It must outlive the calls, which use it one at a time. Too small is
  // kBufferTooSmall; Client::work_needed() says how much the calls so far needed (a login
  // with MIT's KDC: about 1.8 KiB, bench/login_alloc.cpp).
  std::span<std::uint8_t> work_buffer;

  // --- FAST (RFC 6113) ---
  // Armor for AS requests (AsContext::fast_armor): a TGT of the client's realm, e.g. the
  // device's from its keytab, or one in an armor ccache (armor_from_ccache, MIT's kinit -T):
  // `options.fast_armor = tgt;`. With armor, TGS requests are armored too (TgsOptions::fast,
  // with the armor's operations). Without, no FAST code is linked.
  std::optional<FastArmor> fast_armor;
  // Refuse a login, or a service ticket, without armor (kPolicy; AsContext::require_fast).
  bool require_fast = false;

  // [libdefaults] clockskew, kdc_timesync, ticket_lifetime, renew_lifetime, forwardable,
  // permitted_enctypes / default_tkt_enctypes and allow_weak_crypto; [capaths].
  static Result<ClientOptions> from_config(const Config& config);
};

class Client {
 public:
  Client(KdcTransport& transport, ClientOptions options = {}) noexcept
      : transport_(transport), options_(std::move(options)) {}

  // AS exchange with a password, or with the principal's keys from a keytab.
  Result<Credentials> login_password(const Principal& client, std::string_view password,
                                     AsOptions as = {});
  Result<Credentials> login_keytab(const Principal& client, const Keytab& keytab,
                                   AsOptions as = {});
  // TGS exchange for `service` with a TGT, following referrals.
  Result<Credentials> service_ticket(const Credentials& tgt, const Principal& service,
                                     TgsOptions tgs = {});
  Result<Credentials> renew(const Credentials& ticket);

  // What was learnt per principal (ETYPE-INFO2, clock offset): save it with the credentials
  // and hand it back with set_hints() so that the next login takes one round trip.
  const ClientHints* hints(const Principal& client) const noexcept;
  void set_hints(const Principal& client, ClientHints hints);

  // --- password change (RFC 3244) ---
  // The transport to the realms' kpasswd servers (kpasswd_transport_from_config: UDP and TCP,
  // port 464 by default), or any other, e.g. a KDC proxy's. It must outlive the calls.
  void set_kpasswd_transport(KdcTransport& transport) noexcept { kpasswd_transport_ = &transport; }
  // A short-lived ticket for kadmin/changepw@REALM from an AS exchange with the current
  // password (it works when that password has expired), armored as logins are: what
  // change_password needs.
  Result<Credentials> changepw_ticket(const Principal& client, std::string_view password);
  // One kpasswd exchange with that ticket. A refused new password is kpasswd_outcome_error's
  // error (password_rejected() for the policy's refusal, with the server's message); without
  // set_kpasswd_transport, kConfig. The same ticket may serve another attempt.
  Result<void> change_password(const Credentials& changepw, std::string_view new_password);
  // Both: changepw_ticket with `old_password`, then change_password.
  Result<void> change_password(const Principal& client, std::string_view old_password,
                               std::string_view new_password);

  const ClientOptions& options() const noexcept { return options_; }
  // The most of ClientOptions::work_buffer any call so far needed, reply included.
  std::size_t work_needed() const noexcept { return work_needed_; }

 private:
  AsContext as_context(const Principal& client) const;
  ApContext ap_context(const Principal& client) const;
  AsOptions with_defaults(AsOptions as) const;
  Result<Credentials> run_as(const Principal& client, Result<AsExchange> exchange);
  Result<std::span<const std::uint8_t>> round_trip(std::string_view realm,
                                                   std::span<const std::uint8_t> request,
                                                   std::vector<std::uint8_t>& heap_reply);
  // One round trip of an AS or TGS exchange, recording the work memory it needed.
  template <class Exchange>
  Result<typename Exchange::Step> step(Exchange& exchange, std::string_view realm,
                                       std::vector<std::uint8_t>& heap_reply);
  void note_needed(std::size_t n) noexcept {
    if (n > work_needed_) work_needed_ = n;
  }

  KdcTransport& transport_;
  ClientOptions options_;
  std::size_t work_needed_ = 0;
  // Keyed by principal text; the first principal's inline, as most apps have only one.
  std::optional<std::pair<std::string, ClientHints>> first_hints_;
  std::vector<std::pair<std::string, ClientHints>> hints_;
  KdcTransport* kpasswd_transport_ = nullptr;  // password change
};

// Hints travel with the credentials: the clock offset in
// the ccache header (MIT's header tag 1, which MIT's tools honour too) and the ETYPE-INFO2
// entry as an X-CACHECONF entry named kEtypeInfoConfigKey for the client principal.
inline constexpr std::string_view kEtypeInfoConfigKey = "kerb_etype_info2";
Result<void> save_hints(CredentialCache& cache, const Principal& client, const ClientHints& hints);
// Empty hints when the cache holds none; an unreadable entry is ignored, never fatal.
Result<ClientHints> load_hints(const CredentialCache& cache, const Principal& client);

// FAST armor as MIT's kinit -T takes it: the TGT of `realm` in the ccache named `ccache_name`
// (for ClientOptions::fast_armor). kInvalidArgument naming the ccache when it holds none.
Result<Credentials> armor_from_ccache(std::string_view ccache_name, std::string_view realm);

}  // namespace kerb
