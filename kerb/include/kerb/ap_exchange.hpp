// The AP exchange (RFC 4120 §3.2): a client proves to a service that it holds a ticket's
// session key, and may get proof back. The TGS exchange uses the client side inside
// PA-TGS-REQ; the GSS mechanism uses both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/replay_cache.hpp>
#include <kerb/result.hpp>
#include <kerb/transited.hpp>

namespace kerb {

// --- client side ------------------------------------------------------------------------

struct ApReqOptions {
  std::uint32_t ap_options = 0;      // ap_options::k... (kMutualRequired asks for an AP-REP)
  std::optional<Checksum> checksum;  // the authenticator's cksum (a view; e.g. GSS's 0x8003)
  bool subkey = false;               // send a fresh subkey of the session key's enctype
  bool sequence_number = false;      // send a random initial sequence number
  std::uint32_t usage = 11;          // key usage of the authenticator (7 inside PA-TGS-REQ)
};

// An AP-REQ and what the client must remember to check the service's AP-REP.
struct ApReqBuilt {
  std::vector<std::uint8_t> bytes;  // the AP-REQ's DER encoding
  Timestamp ctime;                  // authenticator ctime/cusec, echoed by a genuine AP-REP
  std::optional<crypto::Key> subkey;
  std::optional<std::uint32_t> seq_number;
};

struct ApContext {
  crypto::Policy policy = crypto::Policy::defaults();
  Clock* clock = &system_clock();
  crypto::Random* random = &crypto::os_random();
  std::int64_t clock_offset = 0;  // KDC time minus local time (ClientHints::clock_offset)
  std::int64_t clockskew = 300;
  // Working memory, as AsContext::work_buffer: the TGS exchange and build_ap_req encode and
  // encrypt in it instead of the heap. Empty: the heap.
  std::span<std::uint8_t> work_buffer;
};

// Allocates one block, ApReqBuilt::bytes (exactly the AP-REQ's size); with
// context.work_buffer the authenticator is encoded and encrypted there (any bytes in it are
// overwritten), otherwise in two more heap blocks.
Result<ApReqBuilt> build_ap_req(const Credentials& credentials, const ApReqOptions& options,
                                const ApContext& context);

// What a verified AP-REP says (RFC 4120 §3.2.5).
struct ApRepVerified {
  std::optional<crypto::Key> subkey;  // the service's subkey, if it chose one
  std::optional<std::uint32_t> seq_number;
};

// Decrypts the AP-REP under the session key (usage 12) and checks that it echoes the
// authenticator's ctime and cusec.
Result<ApRepVerified> verify_ap_rep(std::span<const std::uint8_t> ap_rep,
                                    const crypto::Key& session_key, const ApReqBuilt& request,
                                    const crypto::Policy& policy = crypto::Policy::defaults());

// --- service side -----------------------------------------------------------------------

// What a service learns from a verified AP-REQ. Everything is owned.
struct ApReqVerified {
  Principal client;
  Principal server;
  KeyBlock session_key;            // the ticket's session key
  std::optional<KeyBlock> subkey;  // the authenticator's subkey
  std::optional<std::uint32_t> seq_number;
  Timestamp ctime;
  std::uint32_t ap_options = 0;
  std::uint32_t ticket_flags = 0;
  std::int64_t authtime = 0;
  std::int64_t endtime = 0;
  std::int32_t cksumtype = 0;  // 0 when the authenticator has no checksum
  // Wiping storage: GSS's 0x8003 checksum may carry a KRB-CRED whose part is unencrypted and
  // holds a delegated ticket's session key (RFC 4121 §4.1.1).
  crypto::SecretBuffer cksum;
};

struct ApVerifyContext {
  crypto::Policy policy = crypto::Policy::defaults();
  Clock* clock = &system_clock();
  std::int64_t clockskew = 300;
  std::uint32_t usage = 11;  // the authenticator's key usage
  // Which realms may have authenticated the client (RFC 4120 §2.7). The default trusts only
  // the service's own realm: clients of other realms are refused until trusted here or in
  // [capaths] (TransitPolicy::from_config).
  TransitPolicy transit;
  // With a cache, an authenticator already accepted within the skew is refused with
  // KRB_AP_ERR_REPEAT (RFC 4120 §3.2.3); it must outlive the calls. Null leaves replay
  // detection to the caller.
  ReplayCache* replay_cache = nullptr;
};

// Decrypts the ticket with the service's key from `keytab` (chosen by the ticket's server
// name, kvno and enctype), then the authenticator with the session key, and checks what
// RFC 4120 §3.2.3 asks: the authenticator's client is the ticket's, its time is within the
// skew, the ticket is current -- and that `context.transit` accepts the client's realm and
// the realms the ticket transited (RFC 4120 §2.7). Last, with `context.replay_cache`, that the
// authenticator is no replay: only an AP-REQ that passed every other check is remembered, so
// forged ones cannot fill the cache.
Result<ApReqVerified> verify_ap_req(std::span<const std::uint8_t> ap_req, const Keytab& keytab,
                                    const ApVerifyContext& context);

// The AP-REP for a verified request: ctime/cusec echoed, an optional service subkey and
// sequence number, under the session key (usage 12).
Result<std::vector<std::uint8_t>> build_ap_rep(
    const ApReqVerified& request, const std::optional<crypto::Key>& subkey,
    std::optional<std::uint32_t> seq_number, crypto::Random& random,
    const crypto::Policy& policy = crypto::Policy::defaults());

}  // namespace kerb
