// The password change exchange against MIT kadmind's own bytes (mit_kadmind.txt, recorded by
// record.sh here): replayed with the recording's clock and seed, KpasswdExchange rebuilds the
// very requests kadmind answered and reads its three answers (success, a policy refusal, a
// KRB-ERROR). Then kadmind's success reply is changed -- every byte flipped, a KRB-PRIV
// resealed with another sequence number or under the wrong key, an AP-REP that does not echo
// the authenticator, replies spliced from two exchanges -- and each must be refused. The forged
// parts are sealed here with the key usages of RFC 4120 §7.5.1 (11, 12, 13).
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <kerb/kpasswd.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/krb_priv.hpp>

#include "../exchange/fake_kdc.hpp"
#include "../exchange/recording.hpp"

using namespace kerb;
using namespace kerb::test;
using Buf = kerb::test::Bytes;

namespace {

// RFC 4120 §7.5.9 error codes, typed in.
constexpr std::int32_t kKrbApErrBadaddr = 38;
constexpr std::int32_t kKrbApErrBadorder = 42;
constexpr std::int32_t kKrbApErrMutFail = 46;
constexpr std::int32_t kKrbErrGeneric = 60;

const test::Recording& recording() {
  static const test::Recording r(KERB_MIT_KPASSWD_RECORDING);
  return r;
}

Credentials changepw_credentials() {
  const test::Recording& r = recording();
  Credentials c;
  c.client = principal(r.text("client"));
  c.server = principal(r.text("server"));
  c.session_key = must(KeyBlock::from_bytes(enctype_of(std::stoi(r.text("session_key_etype"))),
                                            r.bytes("session_key")),
                       "KeyBlock::from_bytes");
  c.ticket = r.bytes("ticket");
  return c;
}

// The recorder's three exchanges, started in its order with its clock and seed.
struct Replay {
  Credentials changepw = changepw_credentials();
  FixedClock clock{Timestamp{std::stoll(recording().text("time")), 0}};
  TestRandom random{std::stoull(recording().text("seed"))};
  std::vector<KpasswdExchange> exchanges;  // short, krb_error, ok

  explicit Replay(std::optional<Credentials::Address> server_address = std::nullopt) {
    KpasswdContext context;
    context.clock = &clock;
    context.random = &random;
    context.policy = recording_policy();
    context.server_address = std::move(server_address);
    for (const char* name : {"short", "krb_error", "ok"}) {
      exchanges.push_back(must(KpasswdExchange::start(
          changepw, recording().text(std::string("new_password_") + name), context)));
    }
  }
  const KpasswdExchange& ok() const { return exchanges[2]; }
  const KpasswdExchange& refused() const { return exchanges[0]; }
};

std::size_t be16(const Buf& b, std::size_t at) {
  return static_cast<std::size_t>(b[at] << 8 | b[at + 1]);
}

// The parts of a framed request or reply: header, AP-REQ/AP-REP, KRB-PRIV.
struct Parts {
  Buf ap;
  Buf priv;
};
Parts split(const Buf& message) {
  const std::size_t ap_length = be16(message, 4);
  return Parts{Buf(message.begin() + 6, message.begin() + 6 + static_cast<long>(ap_length)),
               Buf(message.begin() + 6 + static_cast<long>(ap_length), message.end())};
}
Buf frame(const Buf& ap_rep, const Buf& priv) {
  Buf out{0,
          0,
          0x00,
          0x01,
          static_cast<std::uint8_t>(ap_rep.size() >> 8),
          static_cast<std::uint8_t>(ap_rep.size())};
  out.insert(out.end(), ap_rep.begin(), ap_rep.end());
  out.insert(out.end(), priv.begin(), priv.end());
  out[0] = static_cast<std::uint8_t>(out.size() >> 8);
  out[1] = static_cast<std::uint8_t>(out.size());
  return out;
}

crypto::Key session_key() {
  return must(changepw_credentials().session_key.to_key());
}

// Our subkey, from the recorded request's authenticator (usage 11 under the session key).
crypto::Key subkey_of(const Buf& request) {
  const Buf ap_req = split(request).ap;
  ApReq req = must(decode_ap_req(ap_req));
  auto plain = unseal(session_key(), usage::kApReqAuthenticator, req.authenticator);
  REQUIRE(plain);
  Authenticator a = must(decode_authenticator(*plain));
  REQUIRE(a.subkey);
  return must(crypto::Key::from_bytes(a.subkey->keytype, a.subkey->keyvalue));
}

// kadmind's EncAPRepPart and EncKrbPrivPart of the success reply, opened here.
EncApRepPart ap_rep_part(const Buf& reply, Buf& storage) {
  const Parts reply_parts = split(reply);  // the decoded views point into it
  ApRep rep = must(decode_ap_rep(reply_parts.ap));
  auto plain = unseal(session_key(), usage::kApRepEncPart, rep.enc_part);
  REQUIRE(plain);
  storage = *plain;
  return must(decode_enc_ap_rep_part(storage));
}
EncKrbPrivPart priv_part(const Buf& reply, const crypto::Key& key, Buf& storage) {
  const Parts reply_parts = split(reply);  // the decoded views point into it
  KrbPriv priv = must(decode_krb_priv(reply_parts.priv));
  auto plain = unseal(key, 13, priv.enc_part);
  REQUIRE(plain);
  storage = *plain;
  return must(decode_enc_krb_priv_part(storage));
}

Buf seal_priv(const EncKrbPrivPart& part, const crypto::Key& key, std::uint32_t usage_number) {
  TestRandom random(7);
  KrbPriv priv;
  const Buf cipher = seal(key, usage_number, der_of(part), random);
  priv.enc_part = EncryptedData{key.enctype(), std::nullopt, cipher};
  return der_of(priv);
}

}  // namespace

TEST_CASE("replayed, KpasswdExchange rebuilds the requests MIT kadmind answered",
          "[kpasswd][mit]") {
  const test::Recording& r = recording();
  Replay replay;
  CHECK(copy_of(replay.refused().request()) == r.bytes("request_short"));
  CHECK(copy_of(replay.ok().request()) == r.bytes("request_ok"));
  // What RFC 3244 §2 and MIT ask of it: version 1, an AP-REQ asking for mutual authentication,
  // with a subkey and a sequence number, and a KRB-PRIV under the subkey carrying that number.
  const Buf request = r.bytes("request_ok");
  CHECK(be16(request, 0) == request.size());
  CHECK(be16(request, 2) == 0x0001);
  const Parts request_parts = split(request);  // the decoded views point into it
  ApReq req = must(decode_ap_req(request_parts.ap));
  CHECK(req.ap_options.bits == 0x20000000u);  // mutual-required (bit 2)
  auto auth_plain = unseal(session_key(), usage::kApReqAuthenticator, req.authenticator);
  REQUIRE(auth_plain);
  Authenticator a = must(decode_authenticator(*auth_plain));
  REQUIRE(a.seq_number);
  Buf storage;
  EncKrbPrivPart part = priv_part(request, subkey_of(request), storage);
  CHECK(part.seq_number == a.seq_number);
  CHECK(std::string(part.user_data.begin(), part.user_data.end()) == r.text("new_password_ok"));
}

TEST_CASE("MIT kadmind's success reply is accepted", "[kpasswd][mit]") {
  Replay replay;
  KpasswdOutcome outcome = must(replay.ok().on_reply(recording().bytes("reply_ok")));
  CHECK(outcome.code == 0);
  CHECK(outcome.success());
  CHECK_FALSE(outcome.from_krb_error);
  CHECK(kpasswd_outcome_error(outcome).ok());
}

TEST_CASE("MIT kadmind's policy refusal is a soft error with its message", "[kpasswd][mit]") {
  Replay replay;
  KpasswdOutcome outcome = must(replay.refused().on_reply(recording().bytes("reply_short")));
  CHECK(outcome.code == 4);  // KRB5_KPASSWD_SOFTERROR
  CHECK_FALSE(outcome.from_krb_error);
  INFO(outcome.message);
  CHECK(outcome.message.find("too short") != std::string::npos);
  auto error = kpasswd_outcome_error(outcome);
  REQUIRE_FALSE(error.ok());
  CHECK(password_rejected(error.error()));
  CHECK(error.error().category() == ErrorCategory::kPolicy);
  CHECK(std::string(error.error().detail()).starts_with("Password change rejected: "));
}

TEST_CASE("MIT kadmind's KRB-ERROR answer carries a result code", "[kpasswd][mit]") {
  Replay replay;
  const Buf reply = recording().bytes("reply_krb_error");
  // kadmind frames it: version 1, AP-REP length 0, then the KRB-ERROR (KRB_ERR_GENERIC).
  CHECK(be16(reply, 2) == 0x0001);
  CHECK(be16(reply, 4) == 0);
  KpasswdReply parsed = must(parse_kpasswd_reply(reply));
  REQUIRE(parsed.krb_error);
  CHECK(parsed.krb_error->error_code == kKrbErrGeneric);
  KpasswdOutcome outcome = must(replay.exchanges[1].on_reply(reply));
  CHECK(outcome.from_krb_error);
  CHECK(outcome.code != 0);
  auto error = kpasswd_outcome_error(outcome);
  REQUIRE_FALSE(error.ok());
  CHECK_FALSE(password_rejected(error.error()));
  CHECK(error.error().category() == ErrorCategory::kKdc);
}

TEST_CASE("every flipped byte and every truncation of kadmind's reply is refused",
          "[kpasswd][mit]") {
  Replay replay;
  const Buf reply = recording().bytes("reply_ok");
  for (std::size_t i = 0; i < reply.size(); ++i) {
    Buf changed = reply;
    changed[i] ^= 0x01;
    INFO("byte " << i);
    CHECK_FALSE(replay.ok().on_reply(changed).ok());
  }
  for (std::size_t n = 0; n < reply.size(); ++n) {
    INFO("first " << n << " octets");
    CHECK_FALSE(
        replay.ok().on_reply(Buf(reply.begin(), reply.begin() + static_cast<long>(n))).ok());
  }
}

TEST_CASE("a KRB-PRIV with another sequence number, or none, is refused", "[kpasswd][mit]") {
  Replay replay;
  const test::Recording& r = recording();
  const Buf reply = r.bytes("reply_ok");
  const crypto::Key subkey = subkey_of(r.bytes("request_ok"));
  Buf ap_storage, priv_storage;
  const EncApRepPart ap = ap_rep_part(reply, ap_storage);
  const EncKrbPrivPart original = priv_part(reply, subkey, priv_storage);
  // What kadmind sent: the AP-REP's sequence number in the KRB-PRIV, and our subkey echoed.
  REQUIRE(ap.seq_number);
  REQUIRE(ap.subkey);
  CHECK(copy_of(ap.subkey->keyvalue) == copy_of(subkey.expose_secret()));
  CHECK(original.seq_number == ap.seq_number);

  // Resealed unchanged: accepted, so the forgeries below fail for what they change.
  CHECK(replay.ok().on_reply(frame(split(reply).ap, seal_priv(original, subkey, 13))).ok());

  EncKrbPrivPart wrong = original;
  wrong.seq_number = *original.seq_number + 1;
  auto refused = replay.ok().on_reply(frame(split(reply).ap, seal_priv(wrong, subkey, 13)));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().category() == ErrorCategory::kProtocol);
  CHECK(refused.error().code() == kKrbApErrBadorder);

  EncKrbPrivPart none = original;
  none.seq_number.reset();
  none.timestamp = KerberosTime{std::stoll(r.text("time"))};
  none.usec = Microseconds{0};
  auto without = replay.ok().on_reply(frame(split(reply).ap, seal_priv(none, subkey, 13)));
  REQUIRE_FALSE(without.ok());
  CHECK(without.error().category() == ErrorCategory::kProtocol);
}

TEST_CASE("a KRB-PRIV that does not open under the subkey and usage 13 is refused",
          "[kpasswd][mit]") {
  Replay replay;
  const test::Recording& r = recording();
  const Buf reply = r.bytes("reply_ok");
  const crypto::Key subkey = subkey_of(r.bytes("request_ok"));
  Buf storage;
  const EncKrbPrivPart part = priv_part(reply, subkey, storage);
  // Under the ticket's session key instead of the subkey, and under the subkey with usage 12.
  for (const Buf& priv : {seal_priv(part, session_key(), 13), seal_priv(part, subkey, 12)}) {
    auto refused = replay.ok().on_reply(frame(split(reply).ap, priv));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().category() == ErrorCategory::kCrypto);
  }
}

TEST_CASE("an AP-REP that does not echo the authenticator is refused", "[kpasswd][mit]") {
  Replay replay;
  const Buf reply = recording().bytes("reply_ok");
  Buf storage;
  EncApRepPart part = ap_rep_part(reply, storage);
  part.cusec.value += 1;
  TestRandom random(9);
  const Buf cipher = seal(session_key(), usage::kApRepEncPart, der_of(part), random);
  ApRep rep;
  rep.enc_part = EncryptedData{session_key().enctype(), std::nullopt, cipher};
  // Resealed unchanged: accepted, so the forgery below fails for what it changes.
  {
    part.cusec.value -= 1;
    const Buf same = seal(session_key(), usage::kApRepEncPart, der_of(part), random);
    ApRep unchanged;
    unchanged.enc_part = EncryptedData{session_key().enctype(), std::nullopt, same};
    CHECK(replay.ok().on_reply(frame(der_of(unchanged), split(reply).priv)).ok());
    part.cusec.value += 1;
  }
  auto refused = replay.ok().on_reply(frame(der_of(rep), split(reply).priv));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == kKrbApErrMutFail);
}

TEST_CASE("replies of two exchanges are not mixed up", "[kpasswd][mit]") {
  Replay replay;
  const test::Recording& r = recording();
  const Buf ok = r.bytes("reply_ok");
  const Buf refused = r.bytes("reply_short");
  // The other exchange's whole reply: its KRB-PRIV is under the other subkey.
  auto other = replay.ok().on_reply(refused);
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().category() == ErrorCategory::kCrypto);
  // The other exchange's AP-REP (same clock, so it echoes the same time) with our KRB-PRIV:
  // the sequence numbers disagree.
  auto spliced = replay.ok().on_reply(frame(split(refused).ap, split(ok).priv));
  REQUIRE_FALSE(spliced.ok());
  CHECK(spliced.error().code() == kKrbApErrBadorder);
}

TEST_CASE("the KRB-PRIV's sender address is checked when the server's is known", "[kpasswd][mit]") {
  const test::Recording& r = recording();
  const Buf reply = r.bytes("reply_ok");
  Buf storage;
  const EncKrbPrivPart part = priv_part(reply, subkey_of(r.bytes("request_ok")), storage);
  // kadmind names no address: type -1 (0xFF), empty (MIT 1.20).
  CHECK(part.s_address.addr_type == -1);
  CHECK(part.s_address.address.empty());

  Replay same(Credentials::Address{-1, {}});
  CHECK(same.ok().on_reply(reply).ok());
  Replay other(Credentials::Address{2, {127, 0, 0, 1}});
  auto refused = other.ok().on_reply(reply);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == kKrbApErrBadaddr);
}
