// The krb5 GSS acceptor (RFC 4121 §4.1): the bank's side. Verifies the initiator's
// InitialContextToken with a key from the keytab, checks the 0x8003 checksum and channel
// bindings, rejects replays, and answers with an AP-REP token carrying an acceptor subkey.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/keytab.hpp>
#include <kerb/replay_cache.hpp>
#include <kerb/result.hpp>
#include <kerb/transited.hpp>

namespace kerb::gss {

enum class ReplayDetection : std::uint8_t {
  kOn,   // refuse a replayed AP-REQ (RFC 4120 §3.2.3)
  kOff,  // remember nothing: only for a service that detects replays by other means
};

// Which of the keytab's principals the acceptor answers as: the desired name of
// gss_acquire_cred (RFC 2743 §2.1.1). The ticket's server name picks the key either way; a
// ticket for a principal the name does not match is refused (KRB_AP_ERR_NOT_US) before any
// key is used.
class AcceptorName {
 public:
  // Every principal in the keytab (GSS_C_NO_NAME).
  AcceptorName() = default;
  // Exactly this principal, realm included.
  static AcceptorName principal(Principal principal);
  // A host-based service "service@host" (GSS_C_NT_HOSTBASED_SERVICE): service/host in any
  // realm of the keytab. Without a host, the service on any host, as MIT's acceptor matches
  // it: `bank` takes tickets for bank/bank.test and bank/www.bank.test alike.
  static AcceptorName host_based(std::string service, std::string host = {});

  bool matches(const Principal& server) const;
  std::string to_string() const;  // "bank/<any host>@<any realm>", for messages

 private:
  enum class Kind : std::uint8_t { kAny, kPrincipal, kHostBased };
  Kind kind_ = Kind::kAny;
  Principal principal_;
  std::string service_, host_;  // kHostBased; an empty host matches any
};

struct AcceptorOptions {
  crypto::Policy policy = crypto::Policy::defaults();
  // The clock and randomness go on into the accepted context (expiry, confounders): they must
  // outlive it.
  Clock* clock = &system_clock();
  crypto::Random* random = &crypto::os_random();
  std::int64_t clockskew = 300;
  bool require_mutual = false;                      // refuse initiators that did not ask
  std::optional<ChannelBindings> channel_bindings;  // when set, the initiator's must match
  AcceptorName acceptor_name;                       // default: any principal in the keytab
  // Which realms may have authenticated a client of another realm (RFC 4120 §2.7). The default
  // refuses them all (KRB_AP_PATH_NOT_ACCEPTED); TransitPolicy::from_config reads [capaths].
  TransitPolicy transit;
  // Replays are refused by default (verify_ap_req's check, RFC 4120 §3.2.3). With replay_cache
  // left null the authenticators go into kerb::default_replay_cache(), so options built afresh
  // for every connection still catch a replay across connections; set replay_cache for a cache
  // of your own (a kerb::FileReplayCache survives a restart; it must outlive the accepts).
  // Turning detection off takes kOff, by name.
  ReplayDetection replay_detection = ReplayDetection::kOn;
  ReplayCache* replay_cache = nullptr;  // ignored under kOff
  bool acceptor_subkey = true;          // assert a fresh subkey in the AP-REP
};

struct Accepted {
  SecurityContext context;
  std::vector<std::uint8_t> output_token;  // the AP-REP token (02 00); empty without kMutual
  Principal initiator;
  std::uint32_t flags = 0;               // context_flags:: the initiator asked for
  std::optional<Credentials> delegated;  // the initiator's TGT when it delegated
};

// Accepts one InitialContextToken with the service keys of `keytab` (those options.acceptor_name
// matches).
Result<Accepted> accept(Bytes initial_token, const Keytab& keytab, const AcceptorOptions& options);

// The KRB-ERROR token (03 00) that tells the initiator why (RFC 4121 §4.1).
Result<std::vector<std::uint8_t>> error_token(const Error& error, const Principal& service,
                                              const Clock& clock = system_clock());

}  // namespace kerb::gss
