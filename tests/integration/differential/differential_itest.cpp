// Differential decoding against MIT krb5: every message of real sessions with the fixture's MIT
// KDC and kadmind -- what the KDC sent and what kerb sent, and their encrypted parts where the
// test knows the key -- is decoded by kerb and re-encoded from its fields alone, and decoded by
// MIT's libkrb5 (its exported decode_krb5_*) and re-encoded with encode_krb5_*. Both must give
// back the very bytes that went over the wire: DER has one encoding per value, so a field
// kerb drops, adds or encodes differently from MIT shows as a difference. The same for the
// krb5 GSS tokens of MIT's and kerb's initiators and kerb's acceptor, and for the ETYPE-INFO2
// entry kerb keeps in a ccache.
#include <catch2/catch.hpp>

#include <krb5/krb5.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/kkdcp.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/replay_cache.hpp>

#include "itest_util.hpp"
#include "message_test_util.hpp"
#include "mit_gss_util.hpp"

// MIT's ASN.1 codecs and the matching destructors (libkrb5 exports them; k5-int.h declares
// them). Each decoder hands back one allocated value; the encoder takes that value back.
extern "C" {
krb5_error_code decode_krb5_as_req(const krb5_data*, void**);
krb5_error_code encode_krb5_as_req(const void*, krb5_data**);
krb5_error_code decode_krb5_tgs_req(const krb5_data*, void**);
krb5_error_code encode_krb5_tgs_req(const void*, krb5_data**);
krb5_error_code decode_krb5_kdc_req_body(const krb5_data*, void**);
krb5_error_code encode_krb5_kdc_req_body(const void*, krb5_data**);
krb5_error_code decode_krb5_as_rep(const krb5_data*, void**);
krb5_error_code encode_krb5_as_rep(const void*, krb5_data**);
krb5_error_code decode_krb5_tgs_rep(const krb5_data*, void**);
krb5_error_code encode_krb5_tgs_rep(const void*, krb5_data**);
krb5_error_code decode_krb5_enc_kdc_rep_part(const krb5_data*, void**);
krb5_error_code encode_krb5_enc_kdc_rep_part(const void*, krb5_data**);
krb5_error_code decode_krb5_ticket(const krb5_data*, void**);
krb5_error_code encode_krb5_ticket(const void*, krb5_data**);
krb5_error_code decode_krb5_enc_tkt_part(const krb5_data*, void**);
krb5_error_code encode_krb5_enc_tkt_part(const void*, krb5_data**);
krb5_error_code decode_krb5_ap_req(const krb5_data*, void**);
krb5_error_code encode_krb5_ap_req(const void*, krb5_data**);
krb5_error_code decode_krb5_authenticator(const krb5_data*, void**);
krb5_error_code encode_krb5_authenticator(const void*, krb5_data**);
krb5_error_code decode_krb5_ap_rep(const krb5_data*, void**);
krb5_error_code encode_krb5_ap_rep(const void*, krb5_data**);
krb5_error_code decode_krb5_ap_rep_enc_part(const krb5_data*, void**);
krb5_error_code encode_krb5_ap_rep_enc_part(const void*, krb5_data**);
krb5_error_code decode_krb5_error(const krb5_data*, void**);
krb5_error_code encode_krb5_error(const void*, krb5_data**);
krb5_error_code decode_krb5_padata_sequence(const krb5_data*, void**);
krb5_error_code encode_krb5_padata_sequence(const void*, krb5_data**);
krb5_error_code decode_krb5_etype_info2(const krb5_data*, void**);
krb5_error_code encode_krb5_etype_info2(const void*, krb5_data**);
krb5_error_code decode_krb5_pa_enc_ts(const krb5_data*, void**);
krb5_error_code encode_krb5_pa_enc_ts(const void*, krb5_data**);
krb5_error_code decode_krb5_enc_data(const krb5_data*, void**);
krb5_error_code encode_krb5_enc_data(const void*, krb5_data**);
krb5_error_code decode_krb5_priv(const krb5_data*, void**);
krb5_error_code encode_krb5_priv(const void*, krb5_data**);
krb5_error_code decode_krb5_enc_priv_part(const krb5_data*, void**);
krb5_error_code encode_krb5_enc_priv_part(const void*, krb5_data**);
krb5_error_code decode_krb5_pa_fx_fast_request(const krb5_data*, void**);
krb5_error_code decode_krb5_fast_req(const krb5_data*, void**);
krb5_error_code decode_krb5_pa_fx_fast_reply(const krb5_data*, void**);
krb5_error_code encode_krb5_pa_fx_fast_reply(const void*, krb5_data**);
krb5_error_code decode_krb5_fast_response(const krb5_data*, void**);
krb5_error_code encode_krb5_fast_response(const void*, krb5_data**);
krb5_error_code decode_krb5_cred(const krb5_data*, void**);
krb5_error_code encode_krb5_cred(const void*, krb5_data**);
krb5_error_code decode_krb5_enc_cred_part(const krb5_data*, void**);
krb5_error_code encode_krb5_enc_cred_part(const void*, krb5_data**);
krb5_error_code decode_krb5_kkdcp_message(const krb5_data*, void**);
krb5_error_code encode_krb5_kkdcp_message(const void*, krb5_data**);

void krb5_free_kdc_req(krb5_context, void*);
void krb5_free_kdc_rep(krb5_context, void*);
void krb5_free_enc_kdc_rep_part(krb5_context, void*);
void krb5_free_enc_tkt_part(krb5_context, void*);
void krb5_free_ap_req(krb5_context, void*);
void krb5_free_ap_rep(krb5_context, void*);
void krb5_free_pa_data(krb5_context, void*);
void krb5_free_etype_info(krb5_context, void*);
void krb5_free_pa_enc_ts(krb5_context, void*);
void krb5_free_enc_data(krb5_context, void*);
void krb5_free_priv(krb5_context, void*);
void krb5_free_priv_enc_part(krb5_context, void*);
void krb5_free_fast_armored_req(krb5_context, void*);
void krb5_free_fast_req(krb5_context, void*);
void krb5_free_fast_response(krb5_context, void*);
void k5_free_kkdcp_message(krb5_context, void*);
void krb5_free_cred(krb5_context, void*);
void krb5_free_cred_enc_part(krb5_context, void*);
}

namespace kerb::test {
// KrbFastReq keeps its req-body's bytes (found by ADL from reencode in message_test_util.hpp).
inline void clear_raw(KrbFastReq& r, RawStorage& storage) {
  clear_raw(r.req_body, storage);
}
}  // namespace kerb::test

using namespace kerb;
using namespace kerb::itest;
using test::ByteView;

namespace {

using Octets = std::vector<std::uint8_t>;

// RFC 4120 / RFC 6113 numbers, typed in.
constexpr std::int32_t kPaTgsReq = 1;
constexpr std::int32_t kPaEncTimestamp = 2;
constexpr std::int32_t kPaEtypeInfo2 = 19;
constexpr std::int32_t kPaFxFast = 136;
constexpr std::int32_t kPaFxError = 137;
constexpr std::int32_t kPaEncryptedChallenge = 138;
constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
constexpr std::int32_t kKdcErrPreauthRequired = 25;

// --- the two oracles -------------------------------------------------------------------------

using MitDecode = krb5_error_code (*)(const krb5_data*, void**);
using MitEncode = krb5_error_code (*)(const void*, krb5_data**);
using MitFree = void (*)(krb5_context, void*);

// One ASN.1 type: kerb's decode -> encode, and MIT's (MIT exports no encoder for the two FAST
// request types: for those, MIT's decoder must accept kerb's bytes).
struct Kind {
  const char* name;
  std::function<Result<test::Bytes>(ByteView)> kerb;
  MitDecode mit_decode;
  MitEncode mit_encode;
  MitFree mit_free;
  // MIT's decoders of EncKDCRepPart and EncTicketPart fill an absent starttime with authtime
  // (RFC 4120 §5.3: absent means authtime), so its encoder then writes [6]: this takes such a
  // field back out of MIT's re-encoding (through kerb) before the comparison.
  std::function<Result<test::Bytes>(ByteView)> drop_mit_starttime = {};
};

template <class T, Result<T> (*Decode)(kerb::Bytes)>
Result<test::Bytes> without_starttime(ByteView b) {
  Result<T> value = Decode(b);
  if (value && value->starttime && value->starttime->seconds == value->authtime.seconds)
    value->starttime.reset();
  return test::reencode(value);
}
Result<EncTicketPart> decode_enc_ticket_part(kerb::Bytes b) {
  return decode_der<EncTicketPart>(b, "EncTicketPart");
}

template <class T, Result<T> (*Decode)(kerb::Bytes)>
std::function<Result<test::Bytes>(ByteView)> kerb_codec() {
  return [](ByteView b) { return test::reencode(Decode(b)); };
}
template <class T>
std::function<Result<test::Bytes>(ByteView)> kerb_der_codec(const char* what) {
  return [what](ByteView b) { return test::reencode(decode_der<T>(b, what)); };
}

const Kind kAsReq{"AS-REQ", kerb_codec<KdcReq, decode_as_req>(), decode_krb5_as_req,
                  encode_krb5_as_req, krb5_free_kdc_req};
const Kind kTgsReq{"TGS-REQ", kerb_codec<KdcReq, decode_tgs_req>(), decode_krb5_tgs_req,
                   encode_krb5_tgs_req, krb5_free_kdc_req};
const Kind kReqBody{"KDC-REQ-BODY", kerb_codec<KdcReqBody, decode_kdc_req_body>(),
                    decode_krb5_kdc_req_body, encode_krb5_kdc_req_body, krb5_free_kdc_req};
const Kind kAsRep{"AS-REP", kerb_codec<KdcRep, decode_as_rep>(), decode_krb5_as_rep,
                  encode_krb5_as_rep, krb5_free_kdc_rep};
const Kind kTgsRep{"TGS-REP", kerb_codec<KdcRep, decode_tgs_rep>(), decode_krb5_tgs_rep,
                   encode_krb5_tgs_rep, krb5_free_kdc_rep};
const Kind kEncKdcRepPart{"EncKDCRepPart",
                          kerb_codec<EncKdcRepPart, decode_enc_kdc_rep_part>(),
                          decode_krb5_enc_kdc_rep_part,
                          encode_krb5_enc_kdc_rep_part,
                          krb5_free_enc_kdc_rep_part,
                          without_starttime<EncKdcRepPart, decode_enc_kdc_rep_part>};
const Kind kTicket{
    "Ticket", kerb_der_codec<Ticket>("Ticket"), decode_krb5_ticket, encode_krb5_ticket,
    [](krb5_context c, void* p) { krb5_free_ticket(c, static_cast<krb5_ticket*>(p)); }};
const Kind kEncTicketPart{
    "EncTicketPart",          kerb_der_codec<EncTicketPart>("EncTicketPart"),
    decode_krb5_enc_tkt_part, encode_krb5_enc_tkt_part,
    krb5_free_enc_tkt_part,   without_starttime<EncTicketPart, decode_enc_ticket_part>};
const Kind kApReq{"AP-REQ", kerb_codec<ApReq, decode_ap_req>(), decode_krb5_ap_req,
                  encode_krb5_ap_req, krb5_free_ap_req};
const Kind kAuthenticator{"Authenticator", kerb_codec<Authenticator, decode_authenticator>(),
                          decode_krb5_authenticator, encode_krb5_authenticator,
                          [](krb5_context c, void* p) {
                            krb5_free_authenticator(c, static_cast<krb5_authenticator*>(p));
                          }};
const Kind kApRep{"AP-REP", kerb_codec<ApRep, decode_ap_rep>(), decode_krb5_ap_rep,
                  encode_krb5_ap_rep, krb5_free_ap_rep};
const Kind kEncApRepPart{"EncAPRepPart", kerb_codec<EncApRepPart, decode_enc_ap_rep_part>(),
                         decode_krb5_ap_rep_enc_part, encode_krb5_ap_rep_enc_part,
                         [](krb5_context c, void* p) {
                           krb5_free_ap_rep_enc_part(c, static_cast<krb5_ap_rep_enc_part*>(p));
                         }};
const Kind kKrbError{
    "KRB-ERROR", kerb_codec<KrbError, decode_krb_error>(), decode_krb5_error, encode_krb5_error,
    [](krb5_context c, void* p) { krb5_free_error(c, static_cast<krb5_error*>(p)); }};
const Kind kMethodData{"METHOD-DATA", kerb_codec<MethodData, decode_method_data>(),
                       decode_krb5_padata_sequence, encode_krb5_padata_sequence, krb5_free_pa_data};
const Kind kEtypeInfo2{"ETYPE-INFO2", kerb_codec<EtypeInfo2, decode_etype_info2>(),
                       decode_krb5_etype_info2, encode_krb5_etype_info2, krb5_free_etype_info};
const Kind kPaEncTsEnc{"PA-ENC-TS-ENC", kerb_codec<PaEncTsEnc, decode_pa_enc_ts_enc>(),
                       decode_krb5_pa_enc_ts, encode_krb5_pa_enc_ts, krb5_free_pa_enc_ts};
const Kind kEncryptedData{"EncryptedData", kerb_der_codec<EncryptedData>("EncryptedData"),
                          decode_krb5_enc_data, encode_krb5_enc_data, krb5_free_enc_data};
const Kind kKrbPriv{"KRB-PRIV", kerb_codec<KrbPriv, decode_krb_priv>(), decode_krb5_priv,
                    encode_krb5_priv, krb5_free_priv};
const Kind kEncKrbPrivPart{"EncKrbPrivPart", kerb_codec<EncKrbPrivPart, decode_enc_krb_priv_part>(),
                           decode_krb5_enc_priv_part, encode_krb5_enc_priv_part,
                           krb5_free_priv_enc_part};
const Kind kPaFxFastRequest{"PA-FX-FAST-REQUEST",
                            kerb_codec<PaFxFastRequest, decode_pa_fx_fast_request>(),
                            decode_krb5_pa_fx_fast_request, nullptr, krb5_free_fast_armored_req};
const Kind kKrbFastReq{"KrbFastReq", kerb_codec<KrbFastReq, decode_krb_fast_req>(),
                       decode_krb5_fast_req, nullptr, krb5_free_fast_req};
const Kind kPaFxFastReply{"PA-FX-FAST-REPLY", kerb_codec<PaFxFastReply, decode_pa_fx_fast_reply>(),
                          decode_krb5_pa_fx_fast_reply, encode_krb5_pa_fx_fast_reply,
                          krb5_free_enc_data};
const Kind kKrbFastResponse{
    "KrbFastResponse", kerb_codec<KrbFastResponse, decode_krb_fast_response>(),
    decode_krb5_fast_response, encode_krb5_fast_response, krb5_free_fast_response};
const Kind kKdcProxyMessage{
    "KDC-PROXY-MESSAGE", kerb_codec<KdcProxyMessage, decode_kdc_proxy_message>(),
    decode_krb5_kkdcp_message, encode_krb5_kkdcp_message, k5_free_kkdcp_message};

const Kind kKrbCred{"KRB-CRED", kerb_codec<KrbCred, decode_krb_cred>(), decode_krb5_cred,
                    encode_krb5_cred, krb5_free_cred};
// MIT's krb5_free_cred_enc_part frees what the structure holds, not the structure.
void free_enc_cred_part(krb5_context ctx, void* value) {
  krb5_free_cred_enc_part(ctx, value);
  std::free(value);
}
const Kind kEncKrbCredPart{"EncKrbCredPart", kerb_codec<EncKrbCredPart, decode_enc_krb_cred_part>(),
                           decode_krb5_enc_cred_part, encode_krb5_enc_cred_part,
                           free_enc_cred_part};

// Which message types were checked in which direction, for the summary the program prints.
std::map<std::string, std::set<std::string>>& checked() {
  static std::map<std::string, std::set<std::string>> table;
  return table;
}

struct Mit {
  krb5_context ctx = nullptr;
  Mit() { REQUIRE(krb5_init_context(&ctx) == 0); }
  ~Mit() { krb5_free_context(ctx); }
  Mit(const Mit&) = delete;
  Mit& operator=(const Mit&) = delete;
};

// `bytes`, one value of `kind` that `from` sent ("MIT" or "kerb"): kerb's decode -> encode and
// MIT's give back the same bytes.
void check(const Kind& kind, ByteView bytes, const char* from) {
  INFO(kind.name << " from " << from << ": " << test::to_hex(bytes));
  const Result<test::Bytes> again = kind.kerb(bytes);
  if (!again) FAIL("kerb cannot decode it: " << describe(again.error()));
  CHECK(test::to_hex(*again) == test::to_hex(bytes));

  static Mit mit;
  krb5_data in{};
  in.data = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
  in.length = static_cast<unsigned int>(bytes.size());
  void* value = nullptr;
  const krb5_error_code decoded = kind.mit_decode(&in, &value);
  INFO("MIT's decoder says " << decoded);
  REQUIRE(decoded == 0);
  if (kind.mit_encode != nullptr) {
    krb5_data* out = nullptr;
    const krb5_error_code encoded = kind.mit_encode(value, &out);
    if (encoded == 0) {
      const ByteView mine(reinterpret_cast<const std::uint8_t*>(out->data), out->length);
      if (kind.drop_mit_starttime &&
          !std::equal(mine.begin(), mine.end(), bytes.begin(), bytes.end())) {
        const Result<test::Bytes> normal = kind.drop_mit_starttime(mine);
        REQUIRE(normal.ok());
        CHECK(test::to_hex(*normal) == test::to_hex(bytes));
      } else {
        CHECK(test::to_hex(mine) == test::to_hex(bytes));
      }
      krb5_free_data(mit.ctx, out);
    }
    CHECK(encoded == 0);
  }
  kind.mit_free(mit.ctx, value);
  checked()[kind.name].insert(std::string(from) + (kind.mit_encode ? "" : " (MIT: decode only)"));
}

template <class T>
T decoded(Result<T> r, const char* what) {
  return must(std::move(r), what);
}

// --- keys -------------------------------------------------------------------------------------

crypto::Key key_of(const EncryptionKey& k) {
  return must(crypto::Key::from_bytes(k.keytype, k.keyvalue), "Key::from_bytes");
}
crypto::Key key_of(const KeyBlock& k) {
  return must(crypto::Key::from_bytes(k.enctype, k.contents.view()), "Key::from_bytes");
}

Octets decrypt(const crypto::Key& key, std::uint32_t usage, const EncryptedData& data) {
  INFO("decrypting with key usage " << usage);
  const crypto::UsageKey uk = must(crypto::UsageKey::derive(key, usage), "UsageKey::derive");
  Octets out(must(uk.plaintext_size(data.cipher.size()), "plaintext_size"));
  out.resize(must(uk.decrypt(data.cipher, out), "decrypt"));
  return out;
}

crypto::Key cf2(const crypto::Key& k1, const crypto::Key& k2, std::string_view p1,
                std::string_view p2) {
  return must(crypto::krb_fx_cf2(k1, k2, test::bytes_of(p1), test::bytes_of(p2)), "KRB-FX-CF2");
}

// A principal's long-term key from its password and the KDC's ETYPE-INFO2 entry (RFC 4120
// §3.1.3: the salt defaults to the realm followed by the name's components).
crypto::Key password_key(const std::string& user, const EtypeInfo2Entry& entry) {
  std::string salt = entry.salt ? std::string(*entry.salt) : env("KERB_TEST_REALM") + user;
  return must(crypto::Key::from_password(entry.etype, password(user), test::bytes_of(salt),
                                         entry.s2kparams.value_or(kerb::Bytes{})),
              "Key::from_password");
}

// --- the traffic ------------------------------------------------------------------------------

class RecordingTransport final : public KdcTransport {
 public:
  explicit RecordingTransport(KdcTransport& inner) : inner_(inner) {}
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override {
    requests.emplace_back(request.begin(), request.end());
    KERB_TRY(std::vector<std::uint8_t> reply, inner_.exchange(realm, request));
    replies.push_back(reply);
    return reply;
  }
  std::vector<Octets> requests, replies;

 private:
  KdcTransport& inner_;
};

// What a session's checks learn and need along the way.
struct Keys {
  std::string user = "alice";
  std::optional<crypto::Key> client;  // the user's long-term key, once ETYPE-INFO2 named it
  std::optional<crypto::Key> armor;   // the FAST armor key of the current request
};

// Checks every PA-DATA value whose type the test knows, in a request (from kerb) or a reply.
void check_padata(const MethodData& padata, const char* from, Keys& keys) {
  for (const PaData& pa : padata) {
    // An empty value only names a method the KDC offers (RFC 4120 §5.2.7).
    if (pa.padata_value.empty()) continue;
    if (pa.padata_type == kPaEtypeInfo2) {
      check(kEtypeInfo2, pa.padata_value, from);
      const EtypeInfo2 info = decoded(decode_etype_info2(pa.padata_value), "ETYPE-INFO2");
      REQUIRE(info.begin() != info.end());
      keys.client = password_key(keys.user, *info.begin());
    } else if (pa.padata_type == kPaEncTimestamp) {
      check(kEncryptedData, pa.padata_value, from);
      const auto enc = decoded(decode_der<EncryptedData>(pa.padata_value, "EncryptedData"), "PA");
      REQUIRE(keys.client);
      check(kPaEncTsEnc, decrypt(*keys.client, 1, enc), from);
    } else if (pa.padata_type == kPaEncryptedChallenge) {
      check(kEncryptedData, pa.padata_value, from);
      const auto enc = decoded(decode_der<EncryptedData>(pa.padata_value, "EncryptedData"), "PA");
      REQUIRE(keys.client);
      REQUIRE(keys.armor);
      // RFC 6113 §5.4.6: the client's and the KDC's challenge keys and usages.
      const bool client = std::string_view(from) == "kerb";
      const crypto::Key key =
          cf2(*keys.armor, *keys.client, client ? "clientchallengearmor" : "kdcchallengearmor",
              "challengelongterm");
      check(kPaEncTsEnc, decrypt(key, client ? 54 : 55, enc), from);
    } else if (pa.padata_type == kPaFxError) {
      check(kKrbError, pa.padata_value, from);
    }
  }
}

// A KRB-ERROR from the KDC, with its METHOD-DATA e-data (and a FAST reply in it).
KrbError check_krb_error(ByteView bytes, Keys& keys) {
  check(kKrbError, bytes, "MIT");
  KrbError error = decoded(decode_krb_error(bytes), "KRB-ERROR");
  if (error.e_data && (error.error_code == kKdcErrPreauthRequired || keys.armor)) {
    check(kMethodData, *error.e_data, "MIT");
    const MethodData padata = decoded(decode_method_data(*error.e_data), "METHOD-DATA");
    check_padata(padata, "MIT", keys);
    const std::optional<PaData> fast = find_padata(padata, kPaFxFast);
    if (fast && !fast->padata_value.empty()) {  // empty: the KDC offers FAST
      REQUIRE(keys.armor);
      check(kPaFxFastReply, fast->padata_value, "MIT");
      const auto reply = decoded(decode_pa_fx_fast_reply(fast->padata_value), "PA-FX-FAST");
      const Octets response = decrypt(*keys.armor, 52, reply.armored_data.enc_fast_rep);
      check(kKrbFastResponse, response, "MIT");
      check_padata(decoded(decode_krb_fast_response(response), "KrbFastResponse").padata, "MIT",
                   keys);
    }
  }
  return error;
}

// An AP-REQ kerb sent, with the authenticator under `session` (usage 7 in a PA-TGS-REQ, 11
// otherwise); returns the authenticator's subkey.
std::optional<crypto::Key> check_ap_req(ByteView bytes, const crypto::Key& session,
                                        std::uint32_t usage) {
  check(kApReq, bytes, "kerb");
  const ApReq ap = decoded(decode_ap_req(bytes), "AP-REQ");
  check(kTicket, ap.ticket.raw, "MIT");
  check(kEncryptedData, ap.authenticator_raw, "kerb");
  const Octets plain = decrypt(session, usage, ap.authenticator);
  check(kAuthenticator, plain, "kerb");
  const Authenticator a = decoded(decode_authenticator(plain), "Authenticator");
  if (!a.subkey) return std::nullopt;
  return key_of(*a.subkey);
}

// A KDC request kerb sent. `tgt_session`: the TGT's session key, for a TGS-REQ; `armor_tgt`:
// the FAST armor TGT's session key, for an armored AS-REQ. Returns the TGS authenticator's
// subkey (the reply's key) if any.
std::optional<crypto::Key> check_kdc_req(ByteView bytes, const crypto::Key* tgt_session,
                                         const crypto::Key* armor_tgt, Keys& keys) {
  const bool tgs = tgt_session != nullptr;
  check(tgs ? kTgsReq : kAsReq, bytes, "kerb");
  const KdcReq req = decoded(tgs ? decode_tgs_req(bytes) : decode_as_req(bytes), "KDC-REQ");
  check(kReqBody, req.req_body.raw, "kerb");
  std::optional<crypto::Key> subkey;
  keys.armor.reset();
  if (!req.padata) return subkey;
  check(
      kMethodData,
      [&] {
        der::Writer w;
        encode(w, *req.padata);
        return w.take();
      }(),
      "kerb");
  if (const std::optional<PaData> tgs_req = find_padata(*req.padata, kPaTgsReq)) {
    REQUIRE(tgs);
    subkey = check_ap_req(tgs_req->padata_value, *tgt_session, 7);
  }
  if (const std::optional<PaData> fast = find_padata(*req.padata, kPaFxFast)) {
    check(kPaFxFastRequest, fast->padata_value, "kerb");
    const auto armored = decoded(decode_pa_fx_fast_request(fast->padata_value), "PA-FX-FAST");
    // RFC 6113 §5.4.1.1: the armor key from the armor AP-REQ's subkey and its ticket's session
    // key; in a TGS-REQ (no explicit armor) from the PA-TGS-REQ's.
    if (armored.armored_data.armor) {
      REQUIRE(armor_tgt != nullptr);
      std::optional<crypto::Key> armor_subkey =
          check_ap_req(armored.armored_data.armor->armor_value, *armor_tgt, 11);
      REQUIRE(armor_subkey);
      keys.armor = cf2(*armor_subkey, *armor_tgt, "subkeyarmor", "ticketarmor");
    } else {
      REQUIRE(subkey);
      REQUIRE(tgt_session != nullptr);
      keys.armor = cf2(*subkey, *tgt_session, "subkeyarmor", "ticketarmor");
    }
    const Octets fast_req = decrypt(*keys.armor, 51, armored.armored_data.enc_fast_req);
    check(kKrbFastReq, fast_req, "kerb");
    const KrbFastReq inner = decoded(decode_krb_fast_req(fast_req), "KrbFastReq");
    check(kReqBody, inner.req_body.raw, "kerb");
    check_padata(inner.padata, "kerb", keys);
  }
  check_padata(*req.padata, "kerb", keys);
  return subkey;
}

// A KDC-REP from MIT's KDC; `reply_key` decrypts its enc-part (unless it is FAST-strengthened:
// then the strengthen-key from the FAST reply is folded in, RFC 6113 §5.4.3).
KdcRep check_kdc_rep(ByteView bytes, bool tgs, crypto::Key reply_key, std::uint32_t usage,
                     Keys& keys) {
  check(tgs ? kTgsRep : kAsRep, bytes, "MIT");
  KdcRep rep = decoded(tgs ? decode_tgs_rep(bytes) : decode_as_rep(bytes), "KDC-REP");
  check(kTicket, rep.ticket.raw, "MIT");
  if (rep.padata) {
    check(
        kMethodData,
        [&] {
          der::Writer w;
          encode(w, *rep.padata);
          return w.take();
        }(),
        "MIT");
    check_padata(*rep.padata, "MIT", keys);
    if (const std::optional<PaData> fast = find_padata(*rep.padata, kPaFxFast)) {
      REQUIRE(keys.armor);
      check(kPaFxFastReply, fast->padata_value, "MIT");
      const auto reply = decoded(decode_pa_fx_fast_reply(fast->padata_value), "PA-FX-FAST");
      const Octets plain = decrypt(*keys.armor, 52, reply.armored_data.enc_fast_rep);
      check(kKrbFastResponse, plain, "MIT");
      const auto response = decoded(decode_krb_fast_response(plain), "KrbFastResponse");
      check_padata(response.padata, "MIT", keys);
      if (response.strengthen_key) {
        reply_key = cf2(key_of(*response.strengthen_key), reply_key, "strengthenkey", "replykey");
      }
    }
  }
  check(kEncKdcRepPart, decrypt(reply_key, usage, rep.enc_part), "MIT");
  return rep;
}

Config& config() {
  static Config c = load_config();
  return c;
}

crypto::Key bank_key(const Ticket& ticket) {
  static const Keytab keytab = bank_keytab();
  const Principal bank = principal("bank/bank.test");
  const KeytabEntry* entry =
      must(keytab.find(bank, ticket.enc_part.kvno, ticket.enc_part.etype), "keytab find");
  return key_of(entry->key);
}

void print_summary() {
  std::cout << "message type -> sent by (kerb and MIT both re-encode byte for byte)\n";
  for (const auto& [name, froms] : checked()) {
    std::cout << "  " << name << ":";
    for (const std::string& f : froms)
      std::cout << " [" << f << "]";
    std::cout << "\n";
  }
}

// A login (PREAUTH_REQUIRED, then AS-REP), a service ticket for bank/bank.test (whose ticket
// the bank keytab opens), and a TGS-REQ for an unknown service (KRB-ERROR), all checked.
void session(bool fast) {
  PosixKdcTransport posix = make_transport(config());
  RecordingTransport kdc(posix);
  ClientOptions options = must(ClientOptions::from_config(config()), "from_config");
  std::optional<crypto::Key> armor_session;
  if (fast) {
    Client device(posix, options);
    const Keytab keytab = must(Keytab::open(env("KERB_TEST_DEVICE_KEYTAB")), "Keytab::open");
    const Principal name =
        must(Principal::parse(env("KERB_TEST_DEVICE_PRINCIPAL")), "Principal::parse");
    Credentials device_tgt = must(device.login_keytab(name, keytab), "device login_keytab");
    armor_session = key_of(device_tgt.session_key);
    options.fast_armor = std::move(device_tgt);
  }
  Client client(kdc, options);
  Keys keys;
  const Credentials tgt =
      must(client.login_password(principal("alice"), password("alice")), "login_password");
  REQUIRE(kdc.requests.size() == 2);  // cold: PREAUTH_REQUIRED first
  const crypto::Key* armor_tgt = armor_session ? &*armor_session : nullptr;
  check_kdc_req(kdc.requests[0], nullptr, armor_tgt, keys);
  CHECK(check_krb_error(kdc.replies[0], keys).error_code == kKdcErrPreauthRequired);
  REQUIRE(keys.client);
  check_kdc_req(kdc.requests[1], nullptr, armor_tgt, keys);
  check_kdc_rep(kdc.replies[1], false, *keys.client, 3, keys);

  const crypto::Key tgt_session = key_of(tgt.session_key);
  const Credentials bank =
      must(client.service_ticket(tgt, principal("bank/bank.test")), "service_ticket");
  REQUIRE(kdc.requests.size() == 3);
  std::optional<crypto::Key> subkey = check_kdc_req(kdc.requests[2], &tgt_session, nullptr, keys);
  const KdcRep rep =
      check_kdc_rep(kdc.replies[2], true, subkey ? *subkey : tgt_session, subkey ? 9 : 8, keys);
  check(kEncTicketPart, decrypt(bank_key(rep.ticket), 2, rep.ticket.enc_part), "MIT");

  auto unknown = client.service_ticket(tgt, principal("nosuch/bank.test"));
  REQUIRE_FALSE(unknown.ok());
  REQUIRE(kdc.requests.size() == 4);
  check_kdc_req(kdc.requests[3], &tgt_session, nullptr, keys);
  KrbError error = check_krb_error(kdc.replies[3], keys);
  if (!fast) CHECK(error.error_code == kKdcErrSPrincipalUnknown);

  // The same AS-REQ as a KDC proxy would carry it (MS-KKDCP), in kerb's encoding.
  const auto wrapped = must(encode_kdc_proxy_request(kdc.requests[1], env("KERB_TEST_REALM")),
                            "encode_kdc_proxy_request");
  check(kKdcProxyMessage, wrapped, "kerb");
  (void)bank;
}

// The principal with the fixture's password again, expired (as the kpasswd tests reset theirs);
// created first if this fixture has never seen it.
void reset_expired(const std::string& user) {
  const std::string kadmin = "PATH=$PATH:/usr/sbin kadmin.local -r " + env("KERB_TEST_REALM");
  shell(kadmin + " -q 'addprinc -randkey +requires_preauth " + user + "'");
  run(kadmin + " -q 'cpw -pw " + password("alice") + " " + user + "'");
  run(kadmin + " -q 'modprinc -pwexpire 2000-01-01 " + user + "'");
}

}  // namespace

TEST_CASE("a login and TGS exchanges: every message re-encodes byte for byte in kerb and MIT",
          "[kdc]") {
  session(false);
  print_summary();
}

TEST_CASE("the same through FAST armor: armored requests, FAST replies, encrypted challenge",
          "[fast]") {
  session(true);
  for (const char* name : {"PA-FX-FAST-REQUEST", "KrbFastReq", "PA-FX-FAST-REPLY",
                           "KrbFastResponse", "AP-REQ", "Authenticator"}) {
    INFO(name);
    CHECK(checked().count(name) == 1);
  }
  print_summary();
}

TEST_CASE("a password change: AP-REQ, KRB-PRIV and kadmind's AP-REP and KRB-PRIV", "[kpasswd]") {
  const std::string user = "pwdiff";
  reset_expired(user);
  PosixKdcTransport kdc = make_transport(config());
  PosixKdcTransport kpasswd_posix =
      must(kpasswd_transport_from_config(config()), "kpasswd_transport_from_config");
  RecordingTransport kpasswd(kpasswd_posix);
  Client client(kdc);
  client.set_kpasswd_transport(kpasswd);
  const Principal who = principal(user);
  const Credentials changepw =
      must(client.changepw_ticket(who, password("alice")), "changepw_ticket");
  const std::string new_password = "Kerb-pwdiff-new-" + std::to_string(::getpid());
  auto changed = client.change_password(changepw, new_password);
  INFO((changed ? "" : describe(changed.error())));
  REQUIRE(changed.ok());
  REQUIRE(kpasswd.requests.size() == 1);

  // RFC 3244 §2: message length, version, AP-REQ length, AP-REQ, KRB-PRIV.
  const Octets& request = kpasswd.requests[0];
  REQUIRE(request.size() > 6);
  const std::size_t ap_req_length = std::size_t{request[4]} << 8 | request[5];
  REQUIRE(request.size() > 6 + ap_req_length);
  const ByteView ap_req(request.data() + 6, ap_req_length);
  const ByteView priv(request.data() + 6 + ap_req_length, request.size() - 6 - ap_req_length);
  const crypto::Key session_key = key_of(changepw.session_key);
  const std::optional<crypto::Key> subkey = check_ap_req(ap_req, session_key, 11);
  REQUIRE(subkey);
  check(kKrbPriv, priv, "kerb");
  const KrbPriv request_priv = decoded(decode_krb_priv(priv), "KRB-PRIV");
  check(kEncKrbPrivPart, decrypt(*subkey, 13, request_priv.enc_part), "kerb");

  const KpasswdReply reply = decoded(parse_kpasswd_reply(kpasswd.replies[0]), "kpasswd reply");
  REQUIRE_FALSE(reply.ap_rep.empty());
  check(kApRep, reply.ap_rep, "MIT");
  const ApRep ap_rep = decoded(decode_ap_rep(reply.ap_rep), "AP-REP");
  const Octets rep_part = decrypt(session_key, 12, ap_rep.enc_part);
  check(kEncApRepPart, rep_part, "MIT");
  const EncApRepPart rep_fields = decoded(decode_enc_ap_rep_part(rep_part), "EncAPRepPart");
  check(kKrbPriv, reply.krb_priv_raw, "MIT");
  REQUIRE(reply.krb_priv);
  // kadmind's KRB-PRIV is under its AP-REP's subkey if it made one, else the client's.
  const crypto::Key reply_key = rep_fields.subkey ? key_of(*rep_fields.subkey) : *subkey;
  check(kEncKrbPrivPart, decrypt(reply_key, 13, reply.krb_priv->enc_part), "MIT");
  print_summary();
}

namespace {

// The inner token of a krb5 GSS context token: RFC 2743 §3.1 framing, [APPLICATION 0]
// { mech OID, TOK_ID, inner token }, with TOK_ID 01 00 (AP-REQ), 02 00 (AP-REP) or 03 00
// (KRB-ERROR) (RFC 1964 §1.1, RFC 4121 §4.1).
ByteView inner_token(ByteView token, std::uint8_t tok_id) {
  INFO("GSS token " << test::to_hex(token));
  REQUIRE(token.size() > 20);
  REQUIRE(token[0] == 0x60);
  std::size_t at = 2 + ((token[1] & 0x80) ? (token[1] & 0x7F) : 0);
  REQUIRE(token[at] == 0x06);
  at += 2 + token[at + 1];
  REQUIRE(token.size() > at + 2);
  REQUIRE(token[at] == tok_id);
  REQUIRE(token[at + 1] == 0x00);
  return token.subspan(at + 2);
}

// The service ticket's session key, from the ticket itself (opened with the bank keytab).
crypto::Key ticket_session_key(const Ticket& ticket) {
  const Octets part = decrypt(bank_key(ticket), 2, ticket.enc_part);
  check(kEncTicketPart, part, "MIT");
  return key_of(decoded(decode_der<EncTicketPart>(part, "EncTicketPart"), "ticket").key);
}

// An InitialContextToken to bank/bank.test with delegation, from `from`: its AP-REQ, the
// authenticator, and the KRB-CRED in the 0x8003 checksum with its EncKrbCredPart.
void check_initiator_token(ByteView token, const char* from) {
  const ByteView ap_req_bytes = inner_token(token, 0x01);
  check(kApReq, ap_req_bytes, from);
  const ApReq ap = decoded(decode_ap_req(ap_req_bytes), "AP-REQ");
  check(kTicket, ap.ticket.raw, "MIT");
  check(kEncryptedData, ap.authenticator_raw, from);
  const crypto::Key session = ticket_session_key(ap.ticket);
  const Octets plain = decrypt(session, 11, ap.authenticator);
  check(kAuthenticator, plain, from);
  const Authenticator a = decoded(decode_authenticator(plain), "Authenticator");

  // RFC 4121 §4.1.1: the 0x8003 checksum; with delegation (GSS_C_DELEG_FLAG, 1, in the
  // little-endian Flags), DlgOpt, Dlgth and KRB-CRED follow the 24 octets of Lgth, Bnd, Flags.
  REQUIRE(a.cksum);
  REQUIRE(a.cksum->cksumtype == 0x8003);
  const kerb::Bytes cksum = a.cksum->checksum;
  REQUIRE(cksum.size() > 28);
  REQUIRE((cksum[20] & 0x01) != 0);
  const std::size_t dlgth = cksum[26] | std::size_t{cksum[27]} << 8;
  REQUIRE(cksum.size() >= 28 + dlgth);
  const ByteView cred_bytes = cksum.subspan(28, dlgth);
  check(kKrbCred, cred_bytes, from);
  const KrbCred cred = decoded(decode_krb_cred(cred_bytes), "KRB-CRED");
  REQUIRE(cred.tickets.size() == 1);
  // Under the ticket's session key, usage 14 (RFC 4120 §5.8.1, RFC 4121 §4.1.1).
  check(kEncKrbCredPart, decrypt(session, 14, cred.enc_part), from);
}

void must_ok(const Result<void>& r, const char* what) {
  if (!r) FAIL(what << " failed: " << describe(r.error()));
}

MitInitiator bank_initiator(OM_uint32 flags) {
  return MitInitiator(
      import_name("bank/bank.test@" + env("KERB_TEST_REALM"), GSS_KRB5_NT_PRINCIPAL_NAME),
      gss_mech_krb5, flags);
}

// A one-element SEQUENCE OF around a DER value (X.690 §8.10: tag 0x30, definite length).
Octets sequence_of_one(ByteView element) {
  Octets out{0x30};
  const std::size_t n = element.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    REQUIRE(n <= 0xFFFF);
    out.insert(out.end(), {0x82, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
  }
  out.insert(out.end(), element.begin(), element.end());
  return out;
}

}  // namespace

TEST_CASE("MIT's GSS initiator: its AP-REQ, authenticator and delegated KRB-CRED", "[gss]") {
  const Scratch scratch("differential-itest");
  mit_kinit("alice", "FILE:" + scratch("gss.ccache"), true);
  MitInitiator mit = bank_initiator(GSS_C_MUTUAL_FLAG | GSS_C_DELEG_FLAG);
  check_initiator_token(mit.start(), "MIT");
  print_summary();
}

TEST_CASE("kerb's GSS initiator: its AP-REQ, authenticator and delegated KRB-CRED", "[gss]") {
  PosixKdcTransport kdc = make_transport(config());
  Client client(kdc);
  AsOptions as;
  as.kdc_options = kdc_options::kForwardable;
  const Credentials tgt =
      must(client.login_password(principal("alice"), password("alice"), as), "login_password");
  REQUIRE((tgt.ticket_flags & ticket_flags::kForwardable) != 0);
  const Credentials bank =
      must(client.service_ticket(tgt, principal("bank/bank.test")), "service_ticket");
  gss::InitiatorOptions options;
  options.flags |= gss::context_flags::kDeleg;
  options.delegated_tgt = &tgt;
  gss::Initiator init = must(gss::Initiator::start(bank, options, ApContext{}), "Initiator::start");
  check_initiator_token(init.token(), "kerb");
  print_summary();
}

TEST_CASE("kerb's GSS acceptor: its AP-REP, EncAPRepPart and KRB-ERROR token", "[gss]") {
  const Scratch scratch("differential-itest");
  mit_kinit("alice", "FILE:" + scratch("acceptor.ccache"));
  MitInitiator mit = bank_initiator(GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
  const test::Bytes token = mit.start();
  const ApReq ap = decoded(decode_ap_req(inner_token(token, 0x01)), "AP-REQ");
  const crypto::Key session = ticket_session_key(ap.ticket);

  const Keytab keytab = bank_keytab();
  MemoryReplayCache cache;
  gss::AcceptorOptions options;
  options.replay_cache = &cache;
  const gss::Accepted accepted = must(gss::accept(token, keytab, options), "kerb accept");
  const ByteView ap_rep_bytes = inner_token(accepted.output_token, 0x02);
  check(kApRep, ap_rep_bytes, "kerb");
  const ApRep rep = decoded(decode_ap_rep(ap_rep_bytes), "AP-REP");
  // RFC 4120 §5.5.2: EncAPRepPart under the ticket's session key, usage 12.
  const Octets rep_part = decrypt(session, 12, rep.enc_part);
  check(kEncApRepPart, rep_part, "kerb");
  CHECK(decoded(decode_enc_ap_rep_part(rep_part), "EncAPRepPart").subkey.has_value());
  test::Bytes none;
  OM_uint32 minor = 0;
  const OM_uint32 major = mit.step(accepted.output_token, none, minor);
  INFO(mit_status(major, minor));
  CHECK(major == GSS_S_COMPLETE);

  // The same token again is a replay: the KRB-ERROR token kerb answers with.
  auto replay = gss::accept(token, keytab, options);
  REQUIRE_FALSE(replay.ok());
  REQUIRE(replay.error().code() == error_code::kKrbApErrRepeat);
  const test::Bytes error_token =
      must(gss::error_token(replay.error(), principal("bank/bank.test")), "error_token");
  const ByteView error_bytes = inner_token(error_token, 0x03);
  check(kKrbError, error_bytes, "kerb");
  CHECK(decoded(decode_krb_error(error_bytes), "KRB-ERROR").error_code == 34);  // RFC 4120 §7.5.9
  print_summary();
}

TEST_CASE("the ETYPE-INFO2 entry kerb keeps in a ccache after a login", "[hints]") {
  PosixKdcTransport posix = make_transport(config());
  RecordingTransport kdc(posix);
  Client client(kdc);
  const Principal alice = principal("alice");
  const Credentials tgt = must(client.login_password(alice, password("alice")), "login_password");
  REQUIRE(kdc.replies.size() == 2);  // cold: the KDC's PREAUTH_REQUIRED names the salt
  const ClientHints* hints = client.hints(alice);
  REQUIRE(hints != nullptr);
  REQUIRE(hints->etype_info);

  const Scratch scratch("differential-itest");
  const std::string path = scratch("hints.ccache");
  FileCredentialCache cache(path);
  must_ok(cache.initialize(alice), "initialize");
  must_ok(cache.store(tgt), "store");
  must_ok(save_hints(cache, alice, *hints), "save_hints");

  // MIT's ccache code reads the config entry from the file.
  static Mit mit;
  krb5_ccache cc = nullptr;
  REQUIRE(krb5_cc_resolve(mit.ctx, ("FILE:" + path).c_str(), &cc) == 0);
  krb5_principal mit_alice = nullptr;
  REQUIRE(krb5_parse_name(mit.ctx, alice.to_string().c_str(), &mit_alice) == 0);
  krb5_data value{};
  const std::string key(kEtypeInfoConfigKey);
  REQUIRE(krb5_cc_get_config(mit.ctx, cc, mit_alice, key.c_str(), &value) == 0);
  const Octets entry(reinterpret_cast<const std::uint8_t*>(value.data),
                     reinterpret_cast<const std::uint8_t*>(value.data) + value.length);
  krb5_free_data_contents(mit.ctx, &value);
  krb5_free_principal(mit.ctx, mit_alice);
  krb5_cc_close(mit.ctx, cc);

  // The entry is one ETYPE-INFO2-ENTRY; MIT decodes only the ETYPE-INFO2 sequence, so it goes
  // in as a sequence of one.
  const Octets info = sequence_of_one(entry);
  check(kEtypeInfo2, info, "kerb");

  // And it is the entry the KDC sent, as MIT re-encodes that one alone.
  const KrbError error = decoded(decode_krb_error(kdc.replies[0]), "KRB-ERROR");
  REQUIRE(error.e_data);
  const std::optional<PaData> kdc_info =
      find_padata(decoded(decode_method_data(*error.e_data), "METHOD-DATA"), kPaEtypeInfo2);
  REQUIRE(kdc_info);
  krb5_data in{};
  in.data = const_cast<char*>(reinterpret_cast<const char*>(kdc_info->padata_value.data()));
  in.length = static_cast<unsigned int>(kdc_info->padata_value.size());
  void* decoded_info = nullptr;
  REQUIRE(decode_krb5_etype_info2(&in, &decoded_info) == 0);
  std::vector<std::string> kdc_entries;
  for (void** e = static_cast<void**>(decoded_info); *e != nullptr; ++e) {
    void* one[2] = {*e, nullptr};
    krb5_data* out = nullptr;
    REQUIRE(encode_krb5_etype_info2(one, &out) == 0);
    kdc_entries.push_back(
        test::to_hex(ByteView(reinterpret_cast<const std::uint8_t*>(out->data), out->length)));
    krb5_free_data(mit.ctx, out);
  }
  krb5_free_etype_info(mit.ctx, decoded_info);
  INFO("kerb's entry " << test::to_hex(info));
  CHECK(std::find(kdc_entries.begin(), kdc_entries.end(), test::to_hex(info)) != kdc_entries.end());
  print_summary();
}
