// FAST (RFC 6113 §5.4), the client's part: armor, the armored request's PA-FX-FAST, the
// armored reply and error, the reply key's strengthening and the encrypted challenge.
// AsExchange and TgsExchange reach them only through a FastArmor's Operations (below), so an
// app that never armors links none of them; they are public so a caller can check a KDC's bytes.
//
//   AS:  armor key = KRB-FX-CF2(armor AP-REQ subkey, armor TGT session key,
//                               "subkeyarmor", "ticketarmor")              (§5.4.1.1)
//   TGS: the same with the PA-TGS-REQ authenticator's subkey and the TGT's session key
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/result.hpp>

namespace kerb::fast {

// The armor of an AS request (FX_FAST_ARMOR_AP_REQUEST): an AP-REQ for the armor TGT with a
// fresh subkey, and the armor key made from it.
struct AsArmor {
  crypto::Key armor_key;
  std::vector<std::uint8_t> ap_req;  // KrbFastArmor's armor-value
};

// `armor_tgt` must be a TGT (krbtgt/REALM@REALM) of the realm asked. Allocates the AP-REQ.
Result<AsArmor> make_as_armor(const Credentials& armor_tgt, const ApContext& context);

// KRB-FX-CF2(subkey, session key, "subkeyarmor", "ticketarmor") (§5.4.1.1).
Result<crypto::Key> armor_key(const crypto::Key& subkey, const crypto::Key& ticket_session_key);

// The PA-FX-FAST padata-value of a request: `body` (the outer req-body; its raw bytes are sent
// inside too) and `inner_padata` sealed in KrbFastReq under the armor key (usage 51), with
// req-checksum over `checksummed` (AS: the outer KDC-REQ-BODY's bytes; TGS: the PA-TGS-REQ's
// AP-REQ; usage 50, the armor key's mandatory checksum type). `armor_ap_req` empty: no armor
// field (TGS). Allocates the result and its temporaries.
Result<std::vector<std::uint8_t>> make_fast_request(
    const crypto::Key& armor_key, std::span<const std::uint8_t> armor_ap_req,
    std::span<const std::uint8_t> checksummed, const MethodData& inner_padata,
    const KdcReqBody& body, std::uint32_t fast_options, crypto::Random& random);

// An opened PA-FX-FAST-REPLY: the decrypted KrbFastResponse (usage 52) and the plaintext its
// views point into (wiped when it goes). Move only: `response` points into `plain`.
struct FastReply {
  crypto::SecretBuffer plain;
  KrbFastResponse response;
  FastReply() = default;
  FastReply(FastReply&&) noexcept = default;
  FastReply& operator=(FastReply&&) noexcept = default;
  FastReply(const FastReply&) = delete;
  FastReply& operator=(const FastReply&) = delete;
};

// Decrypts and decodes the padata-value of a PA-FX-FAST in a reply or in an error's e-data,
// and checks that its nonce is the request's (§5.4.3). kProtocol on a mismatch, kCrypto when
// it does not open under the armor key.
Result<FastReply> open_fast_reply(const crypto::Key& armor_key,
                                  std::span<const std::uint8_t> pa_fx_fast, std::uint32_t nonce);

// The PA-FX-FAST of a reply's padata or an error's METHOD-DATA e-data, if there is one.
std::optional<PaData> find_fast_padata(std::optional<Bytes> method_data_bytes);

// §5.4.3: with a strengthen-key the reply key becomes KRB-FX-CF2(strengthen-key, reply key,
// "strengthenkey", "replykey"); without, it stays.
Result<crypto::Key> strengthen_reply_key(const KrbFastResponse& response,
                                         const crypto::Key& reply_key,
                                         const crypto::Policy& policy);

// §5.4.3: KrbFastFinished's ticket-checksum is a keyed checksum over the Ticket as sent, under
// the armor key with usage 53; and its client is the one asked for (kerb does not follow a
// client name change). kProtocol otherwise.
Result<void> verify_finished(const KrbFastFinished& finished, const crypto::Key& armor_key,
                             std::span<const std::uint8_t> ticket, const Principal& client);

// §5.4.6: the encrypted challenge keys.
Result<crypto::Key> client_challenge_key(const crypto::Key& armor_key,
                                         const crypto::Key& long_term_key);
Result<crypto::Key> kdc_challenge_key(const crypto::Key& armor_key,
                                      const crypto::Key& long_term_key);

// PA-ENCRYPTED-CHALLENGE's padata-value from the client: PA-ENC-TS-ENC {now} under the client
// challenge key, usage 54.
Result<std::vector<std::uint8_t>> make_encrypted_challenge(const crypto::Key& armor_key,
                                                           const crypto::Key& long_term_key,
                                                           Timestamp now, crypto::Random& random);
// The KDC's PA-ENCRYPTED-CHALLENGE (usage 55): it must open under the KDC challenge key and
// hold a PA-ENC-TS-ENC; returns its time. kProtocol otherwise.
Result<KerberosTime> open_kdc_challenge(const crypto::Key& armor_key,
                                        const crypto::Key& long_term_key,
                                        std::span<const std::uint8_t> padata_value);

// An armored KRB-ERROR (§5.4.4): the PA-FX-ERROR's KRB-ERROR inside the opened reply, which
// replaces the outer one; what would be its e-data is reply.response.padata (ETYPE-INFO2,
// PA-FX-COOKIE, ...).
// kProtocol when there is no PA-FX-ERROR. Views point into `reply.plain`.
Result<KrbError> inner_error(const FastReply& reply);

// Errors a KDC may send without FAST after an armored request: those from checking the armor
// itself (the KDC has no armor key then) and the transport's (§5.4.4). Any other unarmored
// error is refused as a downgrade.
bool unarmored_error_allowed(std::int32_t error_code) noexcept;

// --- The steps of an armored exchange, built on the functions above ---

// The FAST side of one armored AS exchange: its armor key and armor AP-REQ (one armor for the
// conversation, as MIT's client), the KDC's last PA-FX-COOKIE (echoed in the next request,
// §5.2) and the last FAST reply opened (what the views handed out point into). Opaque: it
// lives in fast.cpp, and its deleter comes from the table that made it.
struct AsState;
struct AsStateDeleter {
  void (*destroy)(AsState*) noexcept = nullptr;
  void operator()(AsState* state) const noexcept { destroy(state); }
};
using AsStatePtr = std::unique_ptr<AsState, AsStateDeleter>;

// The steps the exchanges take, as a table: they call FAST only through it, so FAST's code
// (KRB-FX-CF2, the FAST messages' codecs) is linked only into an app that takes operations()
// -- by making a FastArmor or asking for armored TGS requests.
struct Operations {
  // AS (each fills its out-parameters). The armor for `armor_tgt` (make_as_armor), which
  // must be a TGT of `realm`, the client's (krbtgt/REALM@REALM; kInvalidArgument otherwise).
  Result<void> (*start_as)(const Credentials& armor_tgt, std::string_view realm,
                           const ApContext& context, AsStatePtr& state);
  // §5.4.2: the AS-REQ's PA-FX-FAST, its req-checksum over `body` as encoded here (the outer
  // request sends the same DER). Inside: with `challenge_key` (the long-term key) the
  // PA-ENCRYPTED-CHALLENGE of `now` (§5.4.6), then `padata`, then the cookie.
  Result<void> (*armor_as_request)(AsState& state, const crypto::Key* challenge_key, Timestamp now,
                                   std::span<const PaData> padata, const KdcReqBody& body,
                                   crypto::Random& random, std::vector<std::uint8_t>& pa_fx_fast);
  // §5.4.4: a KRB-ERROR to the armored request. Opened: true, with the inner error and the
  // FAST reply's padata (they stand for the e-data; the cookie is kept); views point into the
  // state. false: an unarmored error unarmored_error_allowed, which stands. Any other
  // unarmored error is kProtocol (a downgrade).
  Result<bool> (*open_as_error)(AsState& state, const KrbError& outer, std::uint32_t nonce,
                                KrbError& inner, MethodData& padata);
  // §5.4.3: the AS-REP's PA-FX-FAST opened, its KrbFastFinished verified for `client`; the
  // reply's padata (views into the state). kProtocol without either (a downgrade).
  Result<void> (*open_as_reply)(AsState& state, const KdcRep& rep, std::uint32_t nonce,
                                const Principal& client, std::optional<MethodData>& padata);
  // §5.4.6 then §5.4.3, after open_as_reply: after an encrypted challenge the reply must
  // carry the KDC's (open_kdc_challenge under the long-term key) and a strengthen-key; then
  // `key`, the long-term key, becomes the strengthened reply key (strengthen_reply_key).
  Result<void> (*as_reply_key)(const AsState& state, bool challenge_sent,
                               const crypto::Policy& policy, crypto::Key& key);

  // TGS (§5.4.1.1, §5.4.2): the armor key (the PA-TGS-REQ authenticator's subkey with the
  // TGT's session key) and PA-FX-FAST, its req-checksum over the PA-TGS-REQ's AP-REQ; `body`
  // must carry its raw bytes.
  Result<void> (*armor_tgs_request)(const crypto::Key& subkey, const crypto::Key& session_key,
                                    std::span<const std::uint8_t> ap_req, const KdcReqBody& body,
                                    crypto::Random& random, std::optional<crypto::Key>& armor_key,
                                    std::vector<std::uint8_t>& pa_fx_fast);
  // §5.4.4: the error a KRB-ERROR to an armored TGS-REQ stands for: the inner one, the outer
  // one when unarmored_error_allowed, else a refusal (kProtocol).
  Error (*tgs_error)(const crypto::Key& armor_key, const KrbError& outer, std::uint32_t nonce);
  // §5.4.3: the TGS-REP's FAST reply opened and verified for `client`, then the reply's keys
  // (the TGT session key, the authenticator subkey if any) strengthened in place.
  Result<void> (*open_tgs_reply)(const crypto::Key& armor_key, const KdcRep& rep,
                                 std::uint32_t nonce, const Principal& client,
                                 const crypto::Policy& policy, crypto::Key& session_key,
                                 std::optional<crypto::Key>& subkey);
};

// The table, e.g. for TgsOptions::fast.
const Operations& operations() noexcept;

}  // namespace kerb::fast

namespace kerb {

// FAST armor for AS requests (RFC 6113 §5.4.1.1): a TGT krbtgt/REALM@REALM of the client's
// realm, and the FAST operations that armor with it. Implicit from Credentials, so
// `options.fast_armor = device_tgt;`; the constructor (in fast.cpp) is what links FAST in.
class FastArmor {
 public:
  FastArmor(Credentials tgt);  // NOLINT(google-explicit-constructor): see above
  const Credentials& tgt() const noexcept { return tgt_; }
  const fast::Operations& operations() const noexcept { return *operations_; }

 private:
  Credentials tgt_;
  const fast::Operations* operations_;
};

}  // namespace kerb
