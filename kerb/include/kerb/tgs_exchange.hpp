// The TGS exchange (RFC 4120 §3.3) as a sans-I/O state machine: a service ticket (or a
// renewed or validated ticket) for the holder of a TGT.
//
//   auto tgs = TgsExchange::for_service(tgt, bank, options, context);
//   while (true) {
//     reply = transport.exchange(tgs->kdc_realm(), tgs->request());
//     auto step = tgs->on_reply(reply);           // kSendAgain: follow a referral
//     if (!step) fail(step.error());
//     if (*step == TgsExchange::Step::kDone) break;
//   }
//
// With canonicalize (the default, as MIT does) a KDC may answer with a referral TGT for
// another realm; the exchange follows at most TgsOptions::max_referrals of them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/credentials.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

struct TgsOptions {
  std::uint32_t kdc_options = 0;  // kdc_options::k... (forwardable, ...)
  std::int64_t lifetime = 0;      // seconds; 0: as long as the TGT allows
  bool canonicalize = true;       // RFC 6806 referrals
  bool subkey = true;             // authenticator subkey; the reply comes under it (usage 9)
  int max_referrals = 5;
};

class TgsExchange {
 public:
  enum class Step { kDone, kSendAgain };

  // A ticket for `service`, with the TGT of the client's realm.
  static Result<TgsExchange> for_service(const Credentials& tgt, Principal service,
                                         TgsOptions options, ApContext context);
  // The same ticket renewed (kdc_options RENEW) or validated (VALIDATE): sent to its realm's
  // TGS with the ticket itself as the one proved.
  static Result<TgsExchange> renew(const Credentials& ticket, ApContext context);
  static Result<TgsExchange> validate(const Credentials& ticket, ApContext context);

  // The realm whose KDC gets request(): changes when a referral is followed.
  std::string_view kdc_realm() const noexcept { return kdc_realm_; }
  std::span<const std::uint8_t> request() const noexcept { return request_; }
  Result<Step> on_reply(std::span<const std::uint8_t> reply);

  const Credentials& credentials() const noexcept { return credentials_; }
  Credentials take_credentials() noexcept { return std::move(credentials_); }
  int referrals_followed() const noexcept { return referrals_; }

 private:
  TgsExchange() = default;
  static Result<TgsExchange> make(const Credentials& ticket, Principal service, TgsOptions options,
                                  std::uint32_t extra_kdc_options, ApContext context);
  Result<void> build_request();

  Credentials tgt_;  // the ticket proved in PA-TGS-REQ (a referral TGT after a hop)
  Principal service_;
  TgsOptions options_;
  ApContext context_;
  std::uint32_t extra_kdc_options_ = 0;  // RENEW or VALIDATE
  std::string kdc_realm_;
  std::vector<std::uint8_t> request_;
  std::optional<crypto::Key> subkey_;
  std::uint32_t nonce_ = 0;
  std::int64_t till_ = 0;
  int referrals_ = 0;
  std::vector<std::string> visited_;  // realms already asked, to stop referral loops
  Credentials credentials_;
};

}  // namespace kerb
