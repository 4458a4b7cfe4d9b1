// The AS exchange (RFC 4120 §3.1) as a sans-I/O state machine (DESIGN.md convention 11):
//
//   auto as = AsExchange::with_password(alice, password, options, context);
//   while (true) {
//     reply = transport.exchange(realm, as->request());   // the caller moves the bytes
//     auto step = as->on_reply(reply);
//     if (!step) fail(step.error());
//     if (*step == AsExchange::Step::kDone) break;          // else kSendAgain: send request()
//   }
//   Credentials tgt = as->take_credentials();  save(as->hints());
//
// A first login costs two round trips (the KDC answers the bare request with
// PREAUTH_REQUIRED and its ETYPE-INFO2); a returning client passes the hints it saved and
// sends PA-ENC-TIMESTAMP in its first request, so one round trip suffices.
//
// FAST (RFC 6113): with AsContext::fast_armor (a TGT of the client's realm, e.g. a device's
// from its keytab) every request is armored: the pre-authentication travels inside PA-FX-FAST
// as PA-ENCRYPTED-CHALLENGE (never PA-ENC-TIMESTAMP), the KDC's errors are read from inside its
// FAST reply, and the reply key is the strengthened one. A reply without the FAST part, or an
// unarmored KRB-ERROR other than those §5.4.4 allows, is refused (kProtocol): no downgrade.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/fast.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

struct KrbError;

// What the client learnt from a KDC about one principal, worth keeping for the next login:
// the ETYPE-INFO2 entry it used (RFC 4120 §5.2.7.5) and the KDC's clock offset.
struct ClientHints {
  struct EtypeInfo {
    crypto::EncType etype = crypto::EncType::kNone;
    std::optional<std::string> salt;  // absent: the default salt (realm + name components)
    std::vector<std::uint8_t> s2kparams;
  };
  std::optional<EtypeInfo> etype_info;
  // KDC time minus local time, in seconds (MIT's ccache header tag 1 keeps it).
  std::int64_t clock_offset = 0;
};

struct AsOptions {
  std::uint32_t kdc_options = 0;    // kdc_options::k... (forwardable, proxiable, ...)
  std::int64_t lifetime = 86400;    // requested ticket lifetime in seconds ("till")
  std::int64_t renew_lifetime = 0;  // > 0: ask for a renewable ticket ("rtime")
  // Ask the AS directly for this service's ticket (a single-service app saves the TGS round
  // trip); empty: krbtgt/REALM@REALM.
  std::optional<Principal> service;
  // RFC 6806: sets CANONICALIZE and sends PA-REQ-ENC-PA-REP (§11), whose checksum in the
  // reply must then match the request. The KDC may name another server in the encrypted part
  // (the ticket must agree); a changed client name or realm is refused (kProtocol), since
  // nothing but FAST authenticates the reply's cname (§13).
  bool canonicalize = false;
};

// What the exchange is given rather than reaching for itself.
struct AsContext {
  crypto::Policy policy = crypto::Policy::defaults();
  Clock* clock = &system_clock();
  crypto::Random* random = &crypto::os_random();
  std::int64_t clockskew = 300;  // seconds (krb5.conf clockskew)
  // Adopt the KDC's clock offset (krb5.conf kdc_timesync): from the authtime of a verified
  // AS-REP, and from a KRB_AP_ERR_SKEW's stime for one retry. Off, KRB_AP_ERR_SKEW is final
  // (kKdc, code 37) and the offset stays as given.
  bool kdc_timesync = true;
  ClientHints hints;  // from an earlier login of this principal, if any
  // FAST armor (RFC 6113 §5.4.1.1): a TGT krbtgt/REALM@REALM of the client's realm
  // (`context.fast_armor = tgt;`). Given, every request is armored (an AP-REQ for it with a
  // fresh subkey). FAST's code is reached only through it: without, none is linked.
  std::optional<FastArmor> fast_armor;
  // Refuse to log in without armor (kPolicy at construction), so a password never travels
  // in an unarmored request.
  bool require_fast = false;
  // The exchange's working memory (DESIGN.md's fixed-buffer path). Empty: the heap. Given, the
  // request is encoded into it and the reply decrypted in it, and the calls marked "no heap"
  // below allocate nothing; it must outlive the exchange and request(). Too small is
  // kBufferTooSmall and the exchange is spent: work_needed() (or the error's detail) says how
  // much that step needs; start again with at least that. A login with MIT's KDC needs about
  // 1.8 KiB, most of it in the TGS step (bench/login_alloc.cpp prints it). With FAST the
  // request is still encoded here, but the armor and the FAST layers use the heap.
  std::span<std::uint8_t> work_buffer;
};

class AsExchange {
 public:
  enum class Step { kDone, kSendAgain };

  // The longest password accepted (it is kept in zeroizing storage until the salt is known).
  static constexpr std::size_t kMaxPasswordSize = 512;

  // With a work buffer: no heap (the arguments are moved in). Without: one block, the request.
  static Result<AsExchange> with_password(Principal client, std::string_view password,
                                          AsOptions options, AsContext context);
  // With long-term keys, e.g. from a keytab: the KDC is offered their enctypes. Allocates its
  // copy of `keys` (one block); otherwise as with_password.
  static Result<AsExchange> with_keys(Principal client, std::span<const KeyBlock> keys,
                                      AsOptions options, AsContext context);

  AsExchange(AsExchange&&) noexcept = default;
  AsExchange& operator=(AsExchange&&) noexcept = default;

  // The AS-REQ to send now (in the work buffer when there is one). No heap.
  std::span<const std::uint8_t> request() const noexcept {
    return context_.work_buffer.empty() ? std::span<const std::uint8_t>(request_)
                                        : context_.work_buffer.first(request_size_);
  }
  // Consumes the KDC's reply: kDone with credentials, kSendAgain with a new request(), or an
  // error -- KRB-ERRORs are kKdc errors carrying the RFC 4120 error code. The reply is decoded
  // in place and decrypted into the work buffer. With one, no heap except: kDone fills
  // credentials() (its principals, ticket and addresses: what copying a Credentials allocates),
  // and the ETYPE-INFO2 kept in hints() allocates only for a salt longer than std::string's
  // inline capacity (15 bytes in libstdc++) or for s2kparams. Without, also one block for the
  // decrypted part and one per new request.
  Result<Step> on_reply(std::span<const std::uint8_t> reply);
  // The most work buffer any call so far needed (also after kBufferTooSmall: at least what the
  // failed step needs). No heap.
  std::size_t work_needed() const noexcept { return work_needed_; }

  const Credentials& credentials() const noexcept { return credentials_; }
  Credentials take_credentials() noexcept { return std::move(credentials_); }
  // The hints to save for this principal's next login.
  const ClientHints& hints() const noexcept { return context_.hints; }
  int requests_sent() const noexcept { return requests_; }

 private:
  AsExchange() = default;
  Result<void> build_request();
  Result<void> start();
  Result<Step> on_error_data(const KrbError& error, const std::optional<MethodData>& method_data);
  Result<Step> on_error(std::span<const std::uint8_t> reply);
  Result<Step> on_as_rep(std::span<const std::uint8_t> reply);
  Result<crypto::Key> reply_key(crypto::EncType etype, const ClientHints::EtypeInfo* info);
  Result<ClientHints::EtypeInfo> choose_etype_info(const MethodData& method_data) const;
  Result<void> adopt_etype_info(const ClientHints::EtypeInfo& info);
  Timestamp kdc_now() const noexcept;
  // Only with armor: FAST is called through the armor's table, never by name.
  const fast::Operations& fast_ops() const noexcept { return context_.fast_armor->operations(); }

  Principal client_;
  AsOptions options_;
  AsContext context_;
  crypto::SecretBytes<kMaxPasswordSize> password_;
  bool have_password_ = false;
  std::vector<KeyBlock> keys_;
  std::optional<crypto::Key> preauth_key_;  // the key PA-ENC-TIMESTAMP was made with
  std::vector<std::uint8_t> request_;       // without a work buffer
  std::size_t request_size_ = 0;            // with one: request() is its first bytes
  std::size_t work_needed_ = 0;
  std::span<const std::uint8_t> reply_;  // during on_reply: kept if it is in the work buffer
  std::uint32_t nonce_ = 0;
  std::int64_t till_ = 0;  // what the request asked for, to check the reply against
  std::int64_t rtime_ = 0;
  int requests_ = 0;
  bool preauth_sent_ = false;
  bool enc_pa_rep_sent_ = false;  // the request carried PA-REQ-ENC-PA-REP (RFC 6806 §11)
  bool optimistic_preauth_ =
      false;                   // PA-ENC-TIMESTAMP made from saved hints, not this KDC's answer
  bool rederived_ = false;     // PREAUTH_FAILED with new ETYPE-INFO2 is retried once
  bool skew_retried_ = false;  // KRB_AP_ERR_SKEW is retried once
  // FAST: this login's armor, the KDC's cookie and its last FAST reply (only with armor).
  fast::AsStatePtr fast_;
  Credentials credentials_;
};

}  // namespace kerb
