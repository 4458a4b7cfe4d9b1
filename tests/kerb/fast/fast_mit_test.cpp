// FAST against MIT's bytes: MIT kinit -T's armored login of alice (tests/data/mit_fast/,
// recorded by record.sh there through a relay) decodes and re-encodes byte for byte, and with
// the armor TGT's session key (armor.ccache) and alice's password every key RFC 6113 defines
// opens what MIT and its KDC made: the armor AP-REQ's subkey gives the armor key (§5.4.1.1),
// which verifies MIT's req-checksum over the outer req-body (§5.4.2) and opens KrbFastReq
// (usage 51) and the KDC's KrbFastResponse (52); the encrypted challenges open under the
// challenge keys (§5.4.6, usages 54 and 55); the KrbFastFinished checksum covers the ticket
// (53); and the AS-REP's enc-part opens under the strengthened reply key (§5.4.3).
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/crypto/checksum.hpp>
#include <kerb/fast.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>

#include "hex_bytes.hpp"

using namespace kerb;

namespace {

// RFC 6113 §7 / RFC 4120 §7.5 numbers, typed in.
constexpr std::int32_t kPaFxFast = 136;
constexpr std::int32_t kPaFxCookie = 133;
constexpr std::int32_t kPaEncryptedChallenge = 138;
constexpr std::int32_t kPaEncTimestamp = 2;
constexpr std::int32_t kPaEtypeInfo2 = 19;
constexpr std::int32_t kKdcErrPreauthRequired = 25;

struct Recording {
  std::vector<test::Bytes> requests, replies;
  std::string password;
  CcacheContents armor;
};

const Recording& recording() {
  static const Recording r = [] {
    Recording rec;
    std::ifstream in(std::string(KERB_MIT_FAST_DIR) + "/exchange.txt");
    std::string line;
    while (std::getline(in, line)) {
      const auto colon = line.find(": ");
      if (colon == std::string::npos) continue;
      auto& list = line.compare(0, colon, "request") == 0 ? rec.requests : rec.replies;
      list.push_back(test::hex(line.substr(colon + 2)));
    }
    std::ifstream pw(std::string(KERB_MIT_FAST_DIR) + "/password.txt");
    std::getline(pw, rec.password);
    auto cc = CcacheContents::open(std::string(KERB_MIT_FAST_DIR) + "/armor.ccache");
    if (cc) rec.armor = std::move(cc).value();
    return rec;
  }();
  return r;
}

template <class T>
T must(Result<T> r) {
  if (!r) FAIL(std::string(r.error().detail()));
  return std::move(r).value();
}

test::Bytes encoded(const auto& value) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  test::Bytes out(counter.size());
  der::Writer w(out);
  encode(w, value);
  REQUIRE(w.ok());
  return out;
}

test::Bytes open(const crypto::Key& key, std::uint32_t usage, const EncryptedData& enc) {
  test::Bytes plain(enc.cipher.size());
  const std::size_t n = must(crypto::decrypt(key, usage, enc.cipher, plain));
  plain.resize(n);
  return plain;
}

const Credentials& armor_tgt() {
  const Recording& r = recording();
  REQUIRE(r.armor.credentials.size() >= 1);
  return r.armor.credentials.front();
}

// The armor key of a recorded request, from its armor AP-REQ: the authenticator opens under
// the armor TGT's session key (usage 11) and carries the subkey.
crypto::Key armor_key_of(const KrbFastArmoredReq& armored) {
  REQUIRE(armored.armor);
  CHECK(armored.armor->armor_type == 1);
  const ApReq ap = must(decode_ap_req(armored.armor->armor_value));
  CHECK(ap.ticket.raw.size() == armor_tgt().ticket.size());
  const crypto::Key session = must(armor_tgt().session_key.to_key());
  const test::Bytes auth_plain = open(session, 11, ap.authenticator);
  const Authenticator auth = must(decode_authenticator(auth_plain));
  REQUIRE(auth.subkey);
  const crypto::Key subkey =
      must(crypto::Key::from_bytes(auth.subkey->keytype, auth.subkey->keyvalue));
  return must(fast::armor_key(subkey, session));
}

// The nonce a request's KrbFastReq carries: MIT sends 0 in the outer req-body (the KDC uses
// the inner one, RFC 6113 §5.4.2), so the KDC's replies echo the inner nonce.
std::uint32_t inner_nonce(const KrbFastArmoredReq& armored, const crypto::Key& armor) {
  const test::Bytes plain = open(armor, 51, armored.enc_fast_req);
  return must(decode_krb_fast_req(plain)).req_body.nonce;
}

PaData padata_of(const MethodData& md, std::int32_t type) {
  auto pa = find_padata(md, type);
  REQUIRE(pa);
  return *pa;
}

}  // namespace

TEST_CASE("MIT kinit -T: two round trips, each request armored", "[fast][mit]") {
  const Recording& r = recording();
  REQUIRE(r.requests.size() == 2);
  REQUIRE(r.replies.size() == 2);
  for (const test::Bytes& bytes : r.requests) {
    const KdcReq req = must(decode_as_req(bytes));
    REQUIRE(req.padata);
    // Outside, only PA-FX-FAST: the pre-authentication travels inside.
    CHECK_FALSE(find_padata(*req.padata, kPaEncTimestamp));
    CHECK_FALSE(find_padata(*req.padata, kPaEncryptedChallenge));
    const PaData fx = padata_of(*req.padata, kPaFxFast);
    const PaFxFastRequest fast = must(decode_pa_fx_fast_request(fx.padata_value));
    CHECK(encoded(fast) == test::Bytes(fx.padata_value.begin(), fx.padata_value.end()));
    CHECK(fast.armored_data.armor);
  }
}

TEST_CASE("MIT kinit -T: the armor key verifies the req-checksum and opens KrbFastReq",
          "[fast][mit]") {
  const Recording& r = recording();
  for (const test::Bytes& bytes : r.requests) {
    const KdcReq req = must(decode_as_req(bytes));
    const PaFxFastRequest fast =
        must(decode_pa_fx_fast_request(padata_of(*req.padata, kPaFxFast).padata_value));
    const crypto::Key armor = armor_key_of(fast.armored_data);
    const Checksum& cksum = fast.armored_data.req_checksum;
    CHECK(cksum.cksumtype == static_cast<std::int32_t>(armor.info()->checksum_type));
    CHECK(crypto::verify_keyed(armor, 50, static_cast<crypto::CksumType>(cksum.cksumtype),
                               req.req_body.raw, cksum.checksum)
              .ok());
    const test::Bytes plain = open(armor, 51, fast.armored_data.enc_fast_req);
    const KrbFastReq inner = must(decode_krb_fast_req(plain));
    CHECK(encoded(inner) == plain);
    CHECK(req.req_body.nonce == 0);  // MIT's outer body hides it
    CHECK(inner.req_body.nonce != 0);
    CHECK(inner.req_body.realm == "KERB.TEST");
  }
}

TEST_CASE("MIT kinit -T: the PREAUTH_REQUIRED error travels inside the FAST reply", "[fast][mit]") {
  const Recording& r = recording();
  const KdcReq req = must(decode_as_req(r.requests[0]));
  const PaFxFastRequest fast =
      must(decode_pa_fx_fast_request(padata_of(*req.padata, kPaFxFast).padata_value));
  const crypto::Key armor = armor_key_of(fast.armored_data);
  const KrbError outer = must(decode_krb_error(r.replies[0]));
  const auto fx = fast::find_fast_padata(outer.e_data);
  REQUIRE(fx);
  const fast::FastReply reply =
      must(fast::open_fast_reply(armor, fx->padata_value, inner_nonce(fast.armored_data, armor)));
  const KrbError inner = must(fast::inner_error(reply));
  CHECK(inner.error_code == kKdcErrPreauthRequired);
  CHECK_FALSE(inner.e_data);
  CHECK(find_padata(reply.response.padata, kPaEtypeInfo2));
  CHECK(find_padata(reply.response.padata, kPaFxCookie));
  CHECK(find_padata(reply.response.padata, kPaEncryptedChallenge));
  // A wrong nonce is refused.
  CHECK_FALSE(
      fast::open_fast_reply(armor, fx->padata_value, inner_nonce(fast.armored_data, armor) + 1)
          .ok());
}

TEST_CASE("MIT kinit -T: encrypted challenge, finished and the strengthened reply key",
          "[fast][mit]") {
  const Recording& r = recording();
  const KdcReq req = must(decode_as_req(r.requests[1]));
  const PaFxFastRequest fast =
      must(decode_pa_fx_fast_request(padata_of(*req.padata, kPaFxFast).padata_value));
  const crypto::Key armor = armor_key_of(fast.armored_data);
  const test::Bytes inner_plain = open(armor, 51, fast.armored_data.enc_fast_req);
  const KrbFastReq inner = must(decode_krb_fast_req(inner_plain));
  CHECK(find_padata(inner.padata, kPaFxCookie));
  CHECK_FALSE(find_padata(inner.padata, kPaEncTimestamp));

  // The long-term key, with the salt and enctype of the KDC's ETYPE-INFO2 (first reply).
  const KdcReq req1 = must(decode_as_req(r.requests[0]));
  const PaFxFastRequest fast1 =
      must(decode_pa_fx_fast_request(padata_of(*req1.padata, kPaFxFast).padata_value));
  const crypto::Key armor1 = armor_key_of(fast1.armored_data);
  const KrbError outer1 = must(decode_krb_error(r.replies[0]));
  const fast::FastReply reply1 =
      must(fast::open_fast_reply(armor1, fast::find_fast_padata(outer1.e_data)->padata_value,
                                 inner_nonce(fast1.armored_data, armor1)));
  const EtypeInfo2 info =
      must(decode_etype_info2(padata_of(reply1.response.padata, kPaEtypeInfo2).padata_value));
  const EtypeInfo2Entry entry = *info.begin();
  REQUIRE(entry.salt);
  const std::string_view salt = *entry.salt;
  const crypto::Key long_term = must(crypto::Key::from_password(
      entry.etype, r.password,
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(salt.data()),
                                    salt.size())));

  // MIT's PA-ENCRYPTED-CHALLENGE opens under the client challenge key, usage 54.
  const EncryptedData challenge = must(decode_der<EncryptedData>(
      padata_of(inner.padata, kPaEncryptedChallenge).padata_value, "EncryptedChallenge"));
  const crypto::Key client_key = must(fast::client_challenge_key(armor, long_term));
  const PaEncTsEnc ts = must(decode_pa_enc_ts_enc(open(client_key, 54, challenge)));
  CHECK(ts.patimestamp.seconds > 1700000000);
  // The same bytes do not open under the KDC's challenge key.
  const crypto::Key kdc_key = must(fast::kdc_challenge_key(armor, long_term));
  test::Bytes scratch(challenge.cipher.size());
  CHECK_FALSE(crypto::decrypt(kdc_key, 54, challenge.cipher, scratch).ok());

  // The AS-REP: its FAST reply, the KDC's challenge, finished over the ticket, strengthen-key.
  const KdcRep rep = must(decode_as_rep(r.replies[1]));
  REQUIRE(rep.padata);
  const fast::FastReply reply = must(fast::open_fast_reply(
      armor, padata_of(*rep.padata, kPaFxFast).padata_value, inner.req_body.nonce));
  const KrbFastResponse& response = reply.response;
  CHECK(encoded(response) == test::Bytes(reply.plain.view().begin(), reply.plain.view().end()));
  const KerberosTime kdc_time = must(fast::open_kdc_challenge(
      armor, long_term, padata_of(response.padata, kPaEncryptedChallenge).padata_value));
  CHECK(kdc_time.seconds - ts.patimestamp.seconds < 300);
  // MIT keeps one armor for the conversation; another password's key does not open it.
  CHECK(armor1.expose_secret().size() == armor.expose_secret().size());
  const crypto::Key wrong = must(crypto::Key::from_password(
      entry.etype, "not the password",
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(salt.data()),
                                    salt.size())));
  CHECK_FALSE(fast::open_kdc_challenge(
                  armor, wrong, padata_of(response.padata, kPaEncryptedChallenge).padata_value)
                  .ok());
  REQUIRE(response.finished);
  const Principal alice("KERB.TEST", PrincipalName(NameType::kPrincipal, {"alice"}));
  CHECK(fast::verify_finished(*response.finished, armor, rep.ticket.raw, alice).ok());
  const Principal bob("KERB.TEST", PrincipalName(NameType::kPrincipal, {"bob"}));
  CHECK_FALSE(fast::verify_finished(*response.finished, armor, rep.ticket.raw, bob).ok());
  test::Bytes ticket(rep.ticket.raw.begin(), rep.ticket.raw.end());
  ticket.back() ^= 1;
  CHECK_FALSE(fast::verify_finished(*response.finished, armor, ticket, alice).ok());

  REQUIRE(response.strengthen_key);
  const crypto::Key reply_key =
      must(fast::strengthen_reply_key(response, long_term, crypto::Policy::defaults()));
  const EncKdcRepPart part = must(decode_enc_kdc_rep_part(open(reply_key, 3, rep.enc_part)));
  CHECK(part.nonce == inner.req_body.nonce);
  // Not under the long-term key: the reply key was strengthened.
  test::Bytes plain(rep.enc_part.cipher.size());
  CHECK_FALSE(crypto::decrypt(long_term, 3, rep.enc_part.cipher, plain).ok());
}
