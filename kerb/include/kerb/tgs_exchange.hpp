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
// A service in another realm than the TGT's is reached as MIT does: krbtgt/NEXT@CUR from each
// realm of TgsOptions::capath in turn, then the service from its own realm's KDC. With
// canonicalize (the default, as MIT does) a KDC asked for the service may answer with a
// referral TGT for another realm; the exchange follows at most TgsOptions::max_referrals of
// them. Every ticket must come from the realm asked and name what was asked (RFC 6806 allows
// the realm to move with a referral); the credentials carry the name asked for, as MIT
// stores them, and the ticket bytes the KDC sent.
#pragma once

#include <cstddef>
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

struct KdcRep;
namespace fast {
struct Operations;
}

struct TgsOptions {
  std::uint32_t kdc_options = 0;  // kdc_options::k... (forwardable, ...)
  std::int64_t lifetime = 0;      // seconds; 0: as long as the TGT allows
  bool canonicalize = true;       // RFC 6806 referrals
  // With canonicalize, accept a ticket whose name the KDC changed, still in the realm asked
  // (RFC 6806 §6 forbids the change; some KDCs make it anyway). Off by default: the name asked
  // is the name whose key the peer must prove.
  bool allow_name_change = false;
  bool subkey = true;  // authenticator subkey; the reply comes under it (usage 9)
  // FAST (RFC 6113 §5.4.1.1): armor the request with the TGT itself -- armor key
  // KRB-FX-CF2(authenticator subkey, TGT session key, "subkeyarmor", "ticketarmor") -- and
  // accept only an armored reply (kProtocol otherwise). Implies subkey. The FAST operations
  // to armor with: a FastArmor's operations() or fast::operations() (kerb/fast.hpp); null:
  // unarmored, and no FAST code linked.
  const fast::Operations* fast = nullptr;
  int max_referrals = 5;
  // For a service outside the TGT's realm: the realms between the two, in order, as krb5.conf
  // [capaths] lists them. Empty: the TGT's realm shares a cross-realm key with the service's.
  std::vector<std::string> capath;
};

class TgsExchange {
 public:
  enum class Step { kDone, kSendAgain };

  // Memory: the exchange works in ApContext::work_buffer when given one. The constructors
  // allocate their copies of the TGT and the names (what copying a Credentials and two
  // Principals allocates) and, without a work buffer, the request; their request encoding and
  // encryption are otherwise heap-free.
  //
  // A ticket for `service`, with the TGT of the client's realm. kInvalidArgument when the
  // capath repeats a realm or names the TGT's or the service's.
  static Result<TgsExchange> for_service(const Credentials& tgt, Principal service,
                                         TgsOptions options, ApContext context);
  // The same ticket renewed (kdc_options RENEW) or validated (VALIDATE): sent to the realm
  // that issued it, for the Ticket's own sname, with the ticket itself as the one proved.
  static Result<TgsExchange> renew(const Credentials& ticket, ApContext context);
  static Result<TgsExchange> validate(const Credentials& ticket, ApContext context);

  // The realm whose KDC gets request(): changes along the capath and with each referral.
  std::string_view kdc_realm() const noexcept { return kdc_realm_; }
  // In the work buffer when there is one. No heap.
  std::span<const std::uint8_t> request() const noexcept {
    return context_.work_buffer.empty() ? std::span<const std::uint8_t>(request_)
                                        : context_.work_buffer.first(request_size_);
  }
  // The reply is decoded in place and decrypted into the work buffer. With one, no heap except
  // the credentials it yields (kDone, or the TGT of a referral or capath hop: what copying a
  // Credentials allocates) and, after a hop, the realm names kept to stop loops. Without, also
  // one block for the decrypted part and the next request's blocks.
  Result<Step> on_reply(std::span<const std::uint8_t> reply);
  // The most work buffer any call so far needed (after kBufferTooSmall: at least what the
  // failed step needs). No heap.
  std::size_t work_needed() const noexcept { return work_needed_; }

  const Credentials& credentials() const noexcept { return credentials_; }
  Credentials take_credentials() noexcept { return std::move(credentials_); }
  int referrals_followed() const noexcept { return referrals_; }

 private:
  // The TGT copied in construction: a copy-assignment of Credentials is code of its own.
  explicit TgsExchange(const Credentials& tgt) : tgt_(tgt) {}
  static Result<TgsExchange> again(const Credentials& ticket, std::uint32_t extra_kdc_options,
                                   ApContext context);
  Result<void> build_request();
  Result<Step> on_tgs_rep(const KdcRep& rep, std::span<const std::uint8_t> plain);

  Credentials tgt_;    // the ticket proved in PA-TGS-REQ (a cross-realm TGT after a hop)
  Principal asked_;    // the name the credentials carry
  Principal service_;  // the service as its KDC names it: realm of its tickets, sname
  std::vector<std::string> path_;  // realms whose krbtgt/REALM@CUR is asked for in turn
  std::size_t hop_ = 0;            // path_[hop_] is asked for next; past the end: the service
  TgsOptions options_;
  ApContext context_;
  std::uint32_t extra_kdc_options_ = 0;  // RENEW or VALIDATE
  std::string kdc_realm_;
  std::vector<std::uint8_t> request_;  // without a work buffer
  std::size_t request_size_ = 0;       // with one: request() is its first bytes
  std::size_t work_needed_ = 0;
  std::span<const std::uint8_t> reply_;  // during on_reply: kept if it is in the work buffer
  std::optional<crypto::Key> subkey_;
  std::optional<crypto::Key> armor_key_;  // FAST: this request's armor key
  std::uint32_t nonce_ = 0;
  std::int64_t till_ = 0;
  int referrals_ = 0;
  std::vector<std::string> visited_;  // realms already asked, to stop referral loops
  Credentials credentials_;
};

}  // namespace kerb
