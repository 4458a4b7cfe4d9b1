// The AS and TGS exchanges against MIT krb5kdc's own bytes (tests/data/mit_exchange/, recorded
// by record.sh there): every recorded message decodes and re-encodes byte for byte with its
// kept bytes cleared; the exchanges, replayed with the recording's clock and seed, rebuild the
// very requests MIT answered and accept MIT's replies; and those replies, opened here with the
// key usages of RFC 4120 §7.5.1 and the fixture's password and service keys, say what kerb
// made of them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

#include <kerb/as_exchange.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/tgs_exchange.hpp>

#include "../messages/raw_clear.hpp"
#include "fake_kdc.hpp"
#include "recording.hpp"

using namespace kerb;
using namespace kerb::test;

namespace {

// RFC 4120 §7.5.9 error codes and §7.5.2 padata types, typed in.
constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
constexpr std::int32_t kKdcErrPreauthRequired = 25;
constexpr std::int32_t kPaTgsReq = 1;
constexpr std::int32_t kPaEtypeInfo2 = 19;

const test::Recording& recording() {
  static const test::Recording r(KERB_MIT_EXCHANGE_RECORDING);
  return r;
}

const test::Bytes& recorded(const char* name) {
  return recording().bytes(name);
}

// The encoding of `decoded` rebuilt from its fields alone.
template <class T>
test::Bytes rebuilt(const Result<T>& decoded) {
  if (!decoded) FAIL("decode failed: " << describe(decoded.error()));
  T value = *decoded;
  RawStorage storage;
  clear_raw(value, storage);
  return der_of(value);
}

test::Bytes key_contents(const KeyBlock& k) {
  return copy_of(k.contents.view());
}

crypto::Key key_of(const EncryptionKey& k) {
  return must(crypto::Key::from_bytes(k.keytype, k.keyvalue, kdc_policy()), "Key::from_bytes");
}

struct Replay {
  FixedClock clock{Timestamp{std::stoll(recording().text("time")), 0}};
  TestRandom random{std::stoull(recording().text("seed"))};
  Principal client = principal(recording().text("client"));
  Principal service = principal(recording().text("service"));
};

}  // namespace

TEST_CASE(
    "MIT KDC exchange messages (AS-REQ AS-REP TGS-REQ TGS-REP KRB-ERROR) re-encode byte for byte") {
  for (const char* name : {"as_req_1", "as_req_2"}) {
    INFO(name);
    CHECK(rebuilt(decode_as_req(recorded(name))) == recorded(name));
  }
  for (const char* name : {"tgs_req", "tgs_req_unknown"}) {
    INFO(name);
    CHECK(rebuilt(decode_tgs_req(recorded(name))) == recorded(name));
    // The AP-REQ inside PA-TGS-REQ, ticket and authenticator included.
    const KdcReq req = must(decode_tgs_req(recorded(name)), "decode_tgs_req");
    REQUIRE(req.padata);
    const auto pa = find_padata(*req.padata, kPaTgsReq);
    REQUIRE(pa);
    CHECK(rebuilt(decode_ap_req(pa->padata_value)) == copy_of(pa->padata_value));
  }
  CHECK(rebuilt(decode_as_rep(recorded("as_rep"))) == recorded("as_rep"));
  CHECK(rebuilt(decode_tgs_rep(recorded("tgs_rep"))) == recorded("tgs_rep"));

  const KrbError preauth =
      must(decode_krb_error(recorded("krb_error_preauth_required")), "decode_krb_error");
  CHECK(preauth.error_code == kKdcErrPreauthRequired);
  CHECK(rebuilt(decode_krb_error(recorded("krb_error_preauth_required"))) ==
        recorded("krb_error_preauth_required"));
  REQUIRE(preauth.e_data);
  CHECK(rebuilt(decode_method_data(*preauth.e_data)) == copy_of(*preauth.e_data));
  const KrbError unknown =
      must(decode_krb_error(recorded("krb_error_unknown")), "decode_krb_error");
  CHECK(unknown.error_code == kKdcErrSPrincipalUnknown);
  CHECK(rebuilt(decode_krb_error(recorded("krb_error_unknown"))) == recorded("krb_error_unknown"));

  // The tickets alone.
  const KdcRep as_rep = must(decode_as_rep(recorded("as_rep")), "decode_as_rep");
  CHECK(rebuilt(decode_der<Ticket>(as_rep.ticket.raw, "Ticket")) == copy_of(as_rep.ticket.raw));
  const KdcRep tgs_rep = must(decode_tgs_rep(recorded("tgs_rep")), "decode_tgs_rep");
  CHECK(rebuilt(decode_der<Ticket>(tgs_rep.ticket.raw, "Ticket")) == copy_of(tgs_rep.ticket.raw));
}

TEST_CASE(
    "AS and TGS exchanges accept MIT KDC replies that RFC 4120 key usages open to the same keys") {
  Replay r;
  const std::string password = recording().text("password");

  // --- AS: PREAUTH_REQUIRED, then the AS-REP --------------------------------------------
  AsContext as_context;
  as_context.clock = &r.clock;
  as_context.policy = recording_policy();
  as_context.random = &r.random;
  AsExchange as = must(AsExchange::with_password(r.client, password, AsOptions{}, as_context));
  CHECK(copy_of(as.request()) == recorded("as_req_1"));
  REQUIRE(must(as.on_reply(recorded("krb_error_preauth_required"))) ==
          AsExchange::Step::kSendAgain);
  CHECK(copy_of(as.request()) == recorded("as_req_2"));
  REQUIRE(must(as.on_reply(recorded("as_rep"))) == AsExchange::Step::kDone);
  const Credentials tgt = as.take_credentials();

  // The AS-REP opened here: the client key from the password and MIT's ETYPE-INFO2, usage 3.
  const KdcRep as_rep = must(decode_as_rep(recorded("as_rep")));
  const KrbError preauth = must(decode_krb_error(recorded("krb_error_preauth_required")));
  const MethodData hints = must(decode_method_data(*preauth.e_data));
  const auto info2 = find_padata(hints, kPaEtypeInfo2);
  REQUIRE(info2);
  std::optional<crypto::Key> client_key;
  for (const EtypeInfo2Entry& e : must(decode_etype_info2(info2->padata_value))) {
    if (e.etype != as_rep.enc_part.etype) continue;
    const std::string salt = e.salt ? std::string(*e.salt) : "KERB.TESTalice";
    client_key = password_key(e.etype, password, salt, e.s2kparams ? *e.s2kparams : ByteView());
  }
  REQUIRE(client_key);
  const auto as_plain = unseal(*client_key, usage::kAsRepEncPart, as_rep.enc_part);
  REQUIRE(as_plain);
  const EncKdcRepPart as_part = must(decode_enc_kdc_rep_part(*as_plain));
  CHECK(rebuilt(decode_enc_kdc_rep_part(*as_plain)) == *as_plain);
  CHECK(as_part.nonce == must(decode_as_req(recorded("as_req_2"))).req_body.nonce);
  CHECK(tgt.session_key.enctype == as_part.key.keytype);
  CHECK(key_contents(tgt.session_key) == copy_of(as_part.key.keyvalue));
  CHECK(tgt.client == r.client);
  CHECK(tgt.endtime == as_part.endtime.seconds);
  CHECK(tgt.ticket == copy_of(as_rep.ticket.raw));

  // --- TGS: bank/bank.test, the reply under the authenticator's subkey ----------------------
  ApContext ap_context;
  ap_context.clock = &r.clock;
  ap_context.policy = recording_policy();
  ap_context.random = &r.random;
  ap_context.clock_offset = as.hints().clock_offset;
  TgsExchange tgs = must(TgsExchange::for_service(tgt, r.service, TgsOptions{}, ap_context));
  CHECK(copy_of(tgs.request()) == recorded("tgs_req"));
  REQUIRE(must(tgs.on_reply(recorded("tgs_rep"))) == TgsExchange::Step::kDone);
  const Credentials ticket = tgs.take_credentials();

  // The TGS-REQ's authenticator under the TGT session key (usage 7) names the subkey; MIT's
  // reply opens under it with usage 9; the service ticket under bank's key with usage 2.
  const KdcReq tgs_req = must(decode_tgs_req(recorded("tgs_req")));
  const auto pa = find_padata(*tgs_req.padata, kPaTgsReq);
  REQUIRE(pa);
  const ApReq ap = must(decode_ap_req(pa->padata_value));
  const auto auth_plain =
      unseal(key_of(as_part.key), usage::kTgsReqPaTgsReqAuthenticator, ap.authenticator);
  REQUIRE(auth_plain);
  const Authenticator authenticator = must(decode_authenticator(*auth_plain));
  CHECK(rebuilt(decode_authenticator(*auth_plain)) == *auth_plain);
  REQUIRE(authenticator.subkey);
  const KdcRep tgs_rep = must(decode_tgs_rep(recorded("tgs_rep")));
  const auto tgs_plain =
      unseal(key_of(*authenticator.subkey), usage::kTgsRepEncPartSubkey, tgs_rep.enc_part);
  REQUIRE(tgs_plain);
  const EncKdcRepPart tgs_part = must(decode_enc_kdc_rep_part(*tgs_plain));
  CHECK(rebuilt(decode_enc_kdc_rep_part(*tgs_plain)) == *tgs_plain);
  CHECK(tgs_part.nonce == tgs_req.req_body.nonce);
  CHECK(key_contents(ticket.session_key) == copy_of(tgs_part.key.keyvalue));
  CHECK(ticket.server == r.service);
  CHECK(ticket.ticket == copy_of(tgs_rep.ticket.raw));

  const std::string key_name =
      "service_key_" + std::to_string(number_of(tgs_rep.ticket.enc_part.etype));
  const test::Bytes& service_key = recording().bytes(key_name);
  const crypto::Key bank =
      must(crypto::Key::from_bytes(tgs_rep.ticket.enc_part.etype, service_key, kdc_policy()));
  const auto ticket_plain = unseal(bank, usage::kTicket, tgs_rep.ticket.enc_part);
  REQUIRE(ticket_plain);
  const EncTicketPart tp = must(decode_der<EncTicketPart>(*ticket_plain, "EncTicketPart"));
  CHECK(rebuilt(decode_der<EncTicketPart>(*ticket_plain, "EncTicketPart")) == *ticket_plain);
  CHECK(copy_of(tp.key.keyvalue) == copy_of(tgs_part.key.keyvalue));
  CHECK(Principal(tp.crealm, tp.cname) == r.client);

  // --- TGS for a service the realm lacks: MIT's KDC_ERR_S_PRINCIPAL_UNKNOWN ------------------
  TgsExchange unknown = must(
      TgsExchange::for_service(tgt, principal("nosuch/bank.test@" + std::string(r.service.realm())),
                               TgsOptions{}, ap_context));
  CHECK(copy_of(unknown.request()) == recorded("tgs_req_unknown"));
  const auto refused = unknown.on_reply(recorded("krb_error_unknown"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().category() == ErrorCategory::kKdc);
  CHECK(refused.error().code() == kKdcErrSPrincipalUnknown);
}
