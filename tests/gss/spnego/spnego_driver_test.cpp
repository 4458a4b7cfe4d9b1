// The SPNEGO drivers, kerb against kerb (the MIT interop lives in tests/integration/gss_spnego):
// the one-round krb5 negotiation, Microsoft's legacy OID, reselection with the mechListMIC
// exchange of RFC 4178 §5 (both parities), downgrade detection, tampered MICs, and every
// protocol violation either side must refuse. Tickets come from the synthetic KDC of the
// exchange tests, with a FixedClock and deterministic randomness.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <kerb/der/time.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/spnego.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>

#include "fake_kdc.hpp"
#include "service_ticket.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::test;

namespace {

const ByteView kKrb5(kKrb5MechOid);
const ByteView kLegacy(kKrb5LegacyMechOid);
const test::Bytes kNtlm = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};

test::Bytes vec(ByteView b) {
  return {b.begin(), b.end()};
}

bool same(ByteView a, ByteView b) {
  return vec(a) == vec(b);
}

template <class T>
void check_error(const Result<T>& r, ErrorCategory category, const std::string& fragment) {
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().category() == category);
  CHECK_THAT(std::string(r.error().detail()), Catch::Contains(fragment));
}

struct World {
  FixedClock clock{Timestamp{kNow, kNowUsec}};
  FixedClock service_clock{Timestamp{kNow, kNowUsec}};
  TestRandom random{11};
  TestRandom service_random{12};
  TestRandom kdc_random{13};
  const Principal client = principal("alice@KERB.TEST");
  const Principal service = principal("HTTP/bank.test@KERB.TEST");
  const crypto::Key service_key = fixed_key(EncType::kAes256CtsHmacSha1_96, 0x51);
  Keytab keytab;
  Credentials ticket;
  MemoryReplayCache replay_cache;

  World() {
    add_service_key(keytab, service, 2, service_key);
    ticket = make_credentials(
        service_ticket_spec(client, service, service_key, 2, EncType::kAes256CtsHmacSha1_96, 0x33),
        kdc_random);
  }

  ApContext ap() {
    ApContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  AcceptorOptions acceptor_options() {
    AcceptorOptions o;
    o.clock = &service_clock;
    o.random = &service_random;
    o.replay_cache = &replay_cache;  // each World's tokens are the same: a cache per World
    return o;
  }
  SpnegoInitiator initiator(std::vector<test::Bytes> mechs = {}, bool mutual = true) {
    SpnegoInitiatorOptions o;
    if (!mechs.empty()) o.mech_types = std::move(mechs);
    if (!mutual) o.krb5.flags &= ~context_flags::kMutual;
    return must(SpnegoInitiator::start(ticket, std::move(o), ap()), "SpnegoInitiator::start");
  }
  SpnegoAcceptor acceptor() { return SpnegoAcceptor(keytab, acceptor_options()); }
};

// Both contexts protect messages for each other.
void check_contexts(SecurityContext& initiator, SecurityContext& acceptor) {
  const test::Bytes msg = {'p', 'a', 'y', ' ', '4', '2'};
  const test::Bytes sealed = must(initiator.wrap(msg, true), "wrap");
  CHECK(must(acceptor.unwrap(sealed), "unwrap") == msg);
  const test::Bytes back = must(acceptor.wrap(msg, true), "wrap");
  CHECK(must(initiator.unwrap(back), "unwrap") == msg);
  const test::Bytes mic = must(initiator.get_mic(msg), "get_mic");
  CHECK(must(acceptor.verify_mic(msg, mic), "verify_mic") == 0);
}

NegTokenResp resp_of(ByteView token) {
  return must(decode_neg_token_resp(token), "decode NegTokenResp");
}

test::Bytes encode(const NegTokenResp& r) {
  return must(encode_neg_token_resp(r), "encode NegTokenResp");
}

}  // namespace

TEST_CASE("SPNEGO: krb5 first with its optimistic token completes in one round (no MIC)") {
  World w;
  SpnegoInitiator init = w.initiator();
  const NegTokenInit offer = must(decode_neg_token_init(init.token()));
  REQUIRE(offer.mech_types.size() == 1);  // as MIT offers it: no legacy OID to pay for
  CHECK(same(offer.mech_types[0], kKrb5));
  CHECK_FALSE(offer.req_flags);  // §4.2.1: SHOULD be omitted
  CHECK_FALSE(offer.mech_list_mic);
  REQUIRE(offer.mech_token);
  CHECK(must(parse_framed_token(*offer.mech_token)).tok_id == TokenId::kApReq);

  SpnegoAccepted accepted = must(spnego_accept(init.token(), w.keytab, w.acceptor_options()));
  const NegTokenResp reply = resp_of(accepted.output_token);
  CHECK(reply.neg_state == NegState::kAcceptCompleted);
  REQUIRE(reply.supported_mech);
  CHECK(same(*reply.supported_mech, kKrb5));
  REQUIRE(reply.response_token);
  CHECK(must(parse_framed_token(*reply.response_token)).tok_id == TokenId::kApRep);
  CHECK_FALSE(reply.mech_list_mic);
  CHECK(accepted.accepted.initiator == w.client);

  CHECK(must(init.step(accepted.output_token)) == SpnegoInitiator::Step::kDone);
  CHECK(init.token().empty());
  CHECK(init.established());
  CHECK(same(init.selected_mech(), kKrb5));
  SecurityContext ictx = must(init.take_context());
  check_contexts(ictx, accepted.accepted.context);
  check_error(init.take_context(), ErrorCategory::kInvalidArgument, "not complete");
  check_error(init.step(accepted.output_token), ErrorCategory::kInvalidArgument, "no reply");
}

TEST_CASE("SPNEGO: without mutual authentication the acceptor completes with no token") {
  World w;
  SpnegoInitiator init = w.initiator({}, false);
  SpnegoAcceptor acc = w.acceptor();
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
  const NegTokenResp reply = resp_of(acc.token());
  CHECK(reply.neg_state == NegState::kAcceptCompleted);
  CHECK_FALSE(reply.response_token);
  CHECK_FALSE(reply.mech_list_mic);
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
  CHECK(init.token().empty());
  SecurityContext ictx = must(init.take_context());
  Accepted a = must(acc.take_accepted());
  CHECK(a.output_token.empty());
  check_contexts(ictx, a.context);
  check_error(acc.step(init.token()), ErrorCategory::kInvalidArgument, "no token expected");
}

TEST_CASE("SPNEGO: Microsoft's legacy krb5 OID offered first is selected and echoed") {
  World w;
  SpnegoInitiator init = w.initiator({vec(kLegacy), vec(kKrb5)});
  SpnegoAcceptor acc = w.acceptor();
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
  CHECK(same(acc.selected_mech(), kLegacy));
  const NegTokenResp reply = resp_of(acc.token());
  REQUIRE(reply.supported_mech);
  CHECK(same(*reply.supported_mech, kLegacy));
  CHECK_FALSE(reply.mech_list_mic);  // the initiator's first choice: MIC optional, not sent
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
  CHECK(same(init.selected_mech(), kLegacy));
  SecurityContext ictx = must(init.take_context());
  Accepted a = must(acc.take_accepted());
  check_contexts(ictx, a.context);
}

TEST_CASE("SPNEGO: the legacy OID answered for krb5 offered first is the same mechanism") {
  // Windows may answer 1.2.840.48018.1.2.2 for a krb5-first offer; here a relay reorders the
  // list so that a kerb acceptor does. Not a downgrade: no MIC is needed, the AP-REP counts.
  World w;
  SpnegoInitiator init = w.initiator({vec(kKrb5), vec(kLegacy)});
  NegTokenInit offer = must(decode_neg_token_init(init.token()));
  std::swap(offer.mech_types[0], offer.mech_types[1]);
  const test::Bytes reordered = must(encode_neg_token_init(offer));
  SpnegoAcceptor acc = w.acceptor();
  REQUIRE(must(acc.step(reordered)) == SpnegoAcceptor::Step::kDone);
  CHECK(same(*resp_of(acc.token()).supported_mech, kLegacy));
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
  CHECK(same(init.selected_mech(), kLegacy));
  CHECK(init.token().empty());
  SecurityContext ictx = must(init.take_context());
  Accepted a = must(acc.take_accepted());
  check_contexts(ictx, a.context);
}

TEST_CASE("SPNEGO: krb5 tokens framed with the legacy OID (as Windows sends them) are accepted") {
  World w;
  SpnegoInitiator init = w.initiator({vec(kLegacy)});
  const NegTokenInit offer = must(decode_neg_token_init(init.token()));
  const MechToken krb5 = must(parse_framed_token(*offer.mech_token));
  const test::Bytes legacy_framed = must(frame_token(kLegacy, krb5.tok_id, krb5.body));
  NegTokenInit windows = offer;
  windows.mech_token = ByteView(legacy_framed);
  const test::Bytes token = must(encode_neg_token_init(windows));

  SpnegoAccepted accepted = must(spnego_accept(token, w.keytab, w.acceptor_options()));
  // The reply's AP-REP framed with the legacy OID reaches the initiator just as well.
  NegTokenResp reply = resp_of(accepted.output_token);
  const MechToken rep = must(parse_framed_token(*reply.response_token));
  const test::Bytes legacy_rep = must(frame_token(kLegacy, rep.tok_id, rep.body));
  reply.response_token = ByteView(legacy_rep);
  CHECK(must(init.step(encode(reply))) == SpnegoInitiator::Step::kDone);
  SecurityContext ictx = must(init.take_context());
  check_contexts(ictx, accepted.accepted.context);
}

TEST_CASE("SPNEGO §5 b: krb5 not first, mutual: request-mic, AP-REP with MIC, MIC back") {
  World w;
  SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
  const NegTokenInit offer = must(decode_neg_token_init(init.token()));
  CHECK_FALSE(offer.mech_token);  // no optimistic token for a mechanism kerb does not speak

  SpnegoAcceptor acc = w.acceptor();
  check_error(spnego_accept(init.token(), w.keytab, w.acceptor_options()), ErrorCategory::kProtocol,
              "another round");
  // 1. acceptor: request-mic, krb5 selected, no token yet (§3.2 c II).
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  NegTokenResp r1 = resp_of(acc.token());
  CHECK(r1.neg_state == NegState::kRequestMic);
  REQUIRE(r1.supported_mech);
  CHECK(same(*r1.supported_mech, kKrb5));
  CHECK_FALSE(r1.response_token);
  CHECK_FALSE(r1.mech_list_mic);
  // 2. initiator: the krb5 AP-REQ; no MIC yet (its context needs the AP-REP).
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
  NegTokenResp i2 = resp_of(init.token());
  REQUIRE(i2.response_token);
  CHECK(must(parse_framed_token(*i2.response_token)).tok_id == TokenId::kApReq);
  CHECK_FALSE(i2.mech_list_mic);
  CHECK_FALSE(i2.supported_mech);
  // 3. acceptor: the AP-REP and its MIC, accept-incomplete (§5 b).
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  CHECK_FALSE(acc.established());
  NegTokenResp r3 = resp_of(acc.token());
  CHECK(r3.neg_state == NegState::kAcceptIncomplete);
  CHECK_FALSE(r3.supported_mech);
  REQUIRE(r3.response_token);
  REQUIRE(r3.mech_list_mic);
  // 4. initiator: verifies it and answers with its own MIC, accept-completed (§5 b I).
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
  NegTokenResp i4 = resp_of(init.token());
  CHECK(i4.neg_state == NegState::kAcceptCompleted);
  REQUIRE(i4.mech_list_mic);
  CHECK_FALSE(i4.response_token);
  // 5. acceptor: verifies it; nothing more to send.
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
  CHECK(acc.token().empty());
  CHECK(acc.established());

  SecurityContext ictx = must(init.take_context());
  Accepted a = must(acc.take_accepted());
  check_contexts(ictx, a.context);  // sequence numbers stay in step after the MICs
}

TEST_CASE("SPNEGO §5 c: krb5 not first, no mutual: AP-REQ with MIC, accept-completed with MIC") {
  World w;
  SpnegoInitiator init = w.initiator({kNtlm, vec(kLegacy), vec(kKrb5)}, false);
  SpnegoAcceptor acc = w.acceptor();
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  CHECK(same(acc.selected_mech(), kLegacy));
  CHECK(resp_of(acc.token()).neg_state == NegState::kRequestMic);
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
  NegTokenResp i2 = resp_of(init.token());
  REQUIRE(i2.response_token);
  REQUIRE(i2.mech_list_mic);  // the last mechanism token carries the required MIC
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
  NegTokenResp r3 = resp_of(acc.token());
  CHECK(r3.neg_state == NegState::kAcceptCompleted);
  CHECK_FALSE(r3.response_token);
  REQUIRE(r3.mech_list_mic);  // §5 c I
  CHECK(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
  CHECK(init.token().empty());
  SecurityContext ictx = must(init.take_context());
  Accepted a = must(acc.take_accepted());
  check_contexts(ictx, a.context);
}

TEST_CASE("SPNEGO §5 c IV: request-mic with the optimistic token: verify its MIC, send ours") {
  // An acceptor that prefers another mechanism may still accept krb5 and demand the MIC
  // exchange (kerb's never does: krb5 is all it has); its first reply then carries its MIC.
  for (bool mutual : {true, false}) {
    INFO((mutual ? "mutual" : "no mutual"));
    World w;
    SpnegoInitiator init = w.initiator({}, mutual);
    // (A copy: token() is replaced by the next step.)
    const test::Bytes mech_list = vec(must(decode_neg_token_init(init.token())).mech_types_der);
    SpnegoAccepted accepted = must(spnego_accept(init.token(), w.keytab, w.acceptor_options()));
    NegTokenResp reply = resp_of(accepted.output_token);
    reply.neg_state = NegState::kRequestMic;
    const test::Bytes mic = must(accepted.accepted.context.get_mic(mech_list));
    reply.mech_list_mic = ByteView(mic);
    CHECK(must(init.step(encode(reply))) == SpnegoInitiator::Step::kDone);
    const NegTokenResp answer = resp_of(init.token());
    CHECK(answer.neg_state == NegState::kAcceptCompleted);
    REQUIRE(answer.mech_list_mic);
    CHECK(must(accepted.accepted.context.verify_mic(mech_list, *answer.mech_list_mic)) == 0);
    SecurityContext ictx = must(init.take_context());
    check_contexts(ictx, accepted.accepted.context);

    // Without its MIC, the request-mic reply ends the negotiation.
    SpnegoInitiator again = w.initiator({}, mutual);
    SpnegoAccepted acc2 = must(spnego_accept(again.token(), w.keytab, w.acceptor_options()));
    NegTokenResp bare = resp_of(acc2.output_token);
    bare.neg_state = NegState::kRequestMic;
    check_error(again.step(encode(bare)), ErrorCategory::kProtocol, "no mechListMIC");
  }
}

TEST_CASE("SPNEGO §5 c V: a required MIC missing with the last mechanism token is fatal") {
  World w;
  SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)}, false);
  SpnegoAcceptor acc = w.acceptor();
  REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
  NegTokenResp stripped = resp_of(init.token());
  stripped.mech_list_mic.reset();
  check_error(acc.step(encode(stripped)), ErrorCategory::kProtocol, "no mechListMIC");
  CHECK(resp_of(acc.token()).neg_state == NegState::kReject);
  CHECK_FALSE(acc.established());
  check_error(acc.take_accepted(), ErrorCategory::kInvalidArgument, "not complete");
}

TEST_CASE("SPNEGO §5: the acceptor refuses a final token without the initiator's MIC") {
  World w;
  SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
  SpnegoAcceptor acc = w.acceptor();
  REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
  REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
  NegTokenResp done;
  done.neg_state = NegState::kAcceptCompleted;
  check_error(acc.step(encode(done)), ErrorCategory::kProtocol, "no mechListMIC");
  CHECK(resp_of(acc.token()).neg_state == NegState::kReject);
}

TEST_CASE("SPNEGO §5: tampered MICs are refused by either side") {
  SECTION("the acceptor's MIC") {
    World w;
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    SpnegoAcceptor acc = w.acceptor();
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    NegTokenResp r3 = resp_of(acc.token());
    test::Bytes mic = vec(*r3.mech_list_mic);
    mic.back() ^= 1;
    r3.mech_list_mic = ByteView(mic);
    auto r = init.step(encode(r3));
    check_error(r, ErrorCategory::kCrypto, "mechListMIC does not verify");
    CHECK(r.error().code() == major_status::kBadMic);
    CHECK_FALSE(init.established());
    check_error(init.take_context(), ErrorCategory::kInvalidArgument, "not complete");
  }
  SECTION("the initiator's MIC") {
    World w;
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    SpnegoAcceptor acc = w.acceptor();
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kDone);
    NegTokenResp i4 = resp_of(init.token());
    test::Bytes mic = vec(*i4.mech_list_mic);
    mic[mic.size() / 2] ^= 0x80;
    i4.mech_list_mic = ByteView(mic);
    auto r = acc.step(encode(i4));
    check_error(r, ErrorCategory::kCrypto, "mechListMIC does not verify");
    CHECK(resp_of(acc.token()).neg_state == NegState::kReject);
    CHECK_FALSE(acc.established());
  }
}

TEST_CASE("SPNEGO §5: a rewritten mechanism list (downgrade) is detected") {
  SECTION("a preferred mechanism removed") {
    World w;
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    NegTokenInit offer = must(decode_neg_token_init(init.token()));
    offer.mech_types.erase(offer.mech_types.begin());
    const test::Bytes forged = must(encode_neg_token_init(offer));
    SpnegoAcceptor acc = w.acceptor();
    REQUIRE(must(acc.step(forged)) == SpnegoAcceptor::Step::kContinue);
    CHECK(resp_of(acc.token()).neg_state == NegState::kAcceptIncomplete);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
    check_error(init.step(acc.token()), ErrorCategory::kProtocol, "no mechListMIC");
  }
  SECTION("a preferred mechanism replaced: both sides want MICs, over different lists") {
    World w;
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    NegTokenInit offer = must(decode_neg_token_init(init.token()));
    const test::Bytes other = {0x2b, 0x06, 0x01, 0x05, 0x02, 0x05};  // IAKERB
    offer.mech_types[0] = ByteView(other);
    const test::Bytes forged = must(encode_neg_token_init(offer));
    SpnegoAcceptor acc = w.acceptor();
    REQUIRE(must(acc.step(forged)) == SpnegoAcceptor::Step::kContinue);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    check_error(init.step(acc.token()), ErrorCategory::kCrypto, "mechListMIC does not verify");
  }
}

TEST_CASE("SPNEGO: the acceptor rejects offers without krb5 and broken krb5 tokens") {
  World w;
  SECTION("no krb5 offered") {
    NegTokenInit offer;
    offer.mech_types = {ByteView(kNtlm)};
    const std::uint8_t ntlm_token[] = {'N', 'T', 'L', 'M'};
    offer.mech_token = ByteView(ntlm_token);
    SpnegoAcceptor acc = w.acceptor();
    auto r = acc.step(must(encode_neg_token_init(offer)));
    check_error(r, ErrorCategory::kProtocol, "no krb5 mechanism");
    CHECK(r.error().code() == kSpnegoBadMech);
    const NegTokenResp reject = resp_of(acc.token());
    CHECK(reject.neg_state == NegState::kReject);
    CHECK_FALSE(reject.supported_mech);
    // The initiator side of a reject.
    SpnegoInitiator init = w.initiator();
    auto ri = init.step(acc.token());
    check_error(ri, ErrorCategory::kProtocol, "rejected");
    CHECK(ri.error().code() == kSpnegoBadMech);
  }
  SECTION("a krb5 token under a key the keytab lacks") {
    Keytab other;
    KeytabEntry e;
    e.principal = w.service;
    e.kvno = 2;
    e.key = KeyBlock::from_key(fixed_key(EncType::kAes256CtsHmacSha1_96, 0x52));
    other.add(std::move(e));
    SpnegoInitiator init = w.initiator();
    SpnegoAcceptor acc(other, w.acceptor_options());
    auto refused = acc.step(init.token());
    check_error(refused, ErrorCategory::kCrypto, "");
    CHECK_FALSE(spnego_accept(init.token(), other, w.acceptor_options()).ok());
    // The reject carries the krb5 KRB-ERROR (RFC 4121 §4.1), from the service the ticket names.
    const test::Bytes reject = vec(acc.token());
    const NegTokenResp r = resp_of(reject);
    CHECK(r.neg_state == NegState::kReject);
    REQUIRE(r.response_token);
    const MechToken krb_error = must(parse_framed_token(*r.response_token));
    CHECK(krb_error.tok_id == TokenId::kKrbError);
    // ...which the initiator turns into the Kerberos error code.
    auto ri = init.step(reject);
    REQUIRE_FALSE(ri.ok());
    INFO(describe(ri.error()));
    CHECK(ri.error().code() == refused.error().code());
    CHECK(ri.error().code() == 31);  // KRB_AP_ERR_BAD_INTEGRITY
  }
  SECTION("not a NegTokenInit") {
    SpnegoAcceptor acc = w.acceptor();
    NegTokenResp resp;
    resp.neg_state = NegState::kAcceptCompleted;
    check_error(acc.step(encode(resp)), ErrorCategory::kDer, "unexpected tag at offset 0");
    CHECK(resp_of(acc.token()).neg_state == NegState::kReject);
  }
  SECTION("the initiator's later tokens") {
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    auto start = [&] {
      SpnegoAcceptor acc = w.acceptor();
      REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
      return acc;
    };
    const test::Bytes ap_req =
        vec(*must(decode_neg_token_init(w.initiator({vec(kKrb5)}).token())).mech_token);
    NegTokenResp no_token;
    no_token.neg_state = NegState::kAcceptIncomplete;
    SpnegoAcceptor a1 = start();
    check_error(a1.step(encode(no_token)), ErrorCategory::kProtocol, "no krb5 token");
    NegTokenResp with_mech;
    with_mech.supported_mech = kKrb5;
    with_mech.response_token = ByteView(ap_req);
    SpnegoAcceptor a2 = start();
    check_error(a2.step(encode(with_mech)), ErrorCategory::kProtocol, "supportedMech");
    NegTokenResp reject;
    reject.neg_state = NegState::kReject;
    SpnegoAcceptor a3 = start();
    check_error(a3.step(encode(reject)), ErrorCategory::kProtocol, "rejected");
    SpnegoAcceptor a4 = start();
    check_error(a4.step(init.token()), ErrorCategory::kDer, "unexpected tag at offset 0");
  }
}

TEST_CASE("SPNEGO: the initiator refuses replies that break RFC 4178") {
  World w;
  // A genuine acceptor reply to take fields from.
  const auto genuine = [&](SpnegoInitiator& init) {
    return vec(must(spnego_accept(init.token(), w.keytab, w.acceptor_options())).output_token);
  };

  struct Case {
    const char* what;
    void (*edit)(NegTokenResp&);
    ErrorCategory category;
    const char* fault;
  };
  static const test::Bytes ntlm = kNtlm;
  static const std::uint8_t iakerb[] = {0x2b, 0x06, 0x01, 0x05, 0x02, 0x05};
  const Case cases[] = {
      {"no negState in the first reply", [](NegTokenResp& r) { r.neg_state.reset(); },
       ErrorCategory::kProtocol, "no negState"},
      {"no supportedMech in the first reply", [](NegTokenResp& r) { r.supported_mech.reset(); },
       ErrorCategory::kProtocol, "no supportedMech"},
      {"supportedMech never offered", [](NegTokenResp& r) { r.supported_mech = ByteView(iakerb); },
       ErrorCategory::kProtocol, "not a mechanism we offered"},
      {"accept-completed without the AP-REP asked for",
       [](NegTokenResp& r) { r.response_token.reset(); }, ErrorCategory::kProtocol,
       "no krb5 AP-REP"},
      {"an AP-REP from someone else",
       [](NegTokenResp& r) {
         static test::Bytes bad;
         bad = vec(*r.response_token);
         bad[bad.size() - 5] ^= 1;
         r.response_token = ByteView(bad);
       },
       ErrorCategory::kCrypto, ""},
      {"a response token that is not a krb5 token",
       [](NegTokenResp& r) {
         static const std::uint8_t junk[] = {1, 2, 3};
         r.response_token = ByteView(junk);
       },
       ErrorCategory::kProtocol, "defective"},
      {"a mechListMIC that does not verify",
       [](NegTokenResp& r) {
         static const std::uint8_t mic[] = {4, 4, 0, 0};
         r.mech_list_mic = ByteView(mic);
       },
       ErrorCategory::kCrypto, "mechListMIC"},
      {"accept-incomplete with nothing pending",
       [](NegTokenResp& r) { r.neg_state = NegState::kAcceptIncomplete; }, ErrorCategory::kProtocol,
       "no MIC is pending"},
      {"reject", [](NegTokenResp& r) { r.neg_state = NegState::kReject; }, ErrorCategory::kProtocol,
       "rejected"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    SpnegoInitiator init = w.initiator();
    const test::Bytes keep = genuine(init);
    NegTokenResp reply = resp_of(keep);  // views into keep
    c.edit(reply);
    auto r = init.step(encode(reply));
    REQUIRE_FALSE(r.ok());
    INFO(describe(r.error()));
    CHECK(r.error().category() == c.category);
    CHECK_THAT(std::string(r.error().detail()), Catch::Contains(c.fault));
    CHECK_FALSE(init.established());
    CHECK(init.token().empty());
    check_error(init.step(keep), ErrorCategory::kInvalidArgument, "no reply");
  }

  SECTION("krb5 offered but another offered mechanism selected") {
    SpnegoInitiator init = w.initiator({vec(kKrb5), kNtlm});
    NegTokenResp reply;
    reply.neg_state = NegState::kRequestMic;
    reply.supported_mech = ByteView(ntlm);
    auto r = init.step(encode(reply));
    check_error(r, ErrorCategory::kProtocol, "other than krb5");
    CHECK(r.error().code() == kSpnegoBadMech);
  }
  SECTION("after a reselection: no response token in the first reply, no request-mic later") {
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    NegTokenResp first;
    first.neg_state = NegState::kRequestMic;
    first.supported_mech = kKrb5;
    const std::uint8_t junk[] = {0x60, 0x00};
    first.response_token = ByteView(junk);
    check_error(init.step(encode(first)), ErrorCategory::kProtocol, "no token for");

    SpnegoInitiator again = w.initiator({kNtlm, vec(kKrb5)});
    first.response_token.reset();
    REQUIRE(must(again.step(encode(first))) == SpnegoInitiator::Step::kContinue);
    NegTokenResp later;
    later.neg_state = NegState::kRequestMic;
    check_error(again.step(encode(later)), ErrorCategory::kProtocol, "request-mic after");
    SpnegoInitiator third = w.initiator({kNtlm, vec(kKrb5)});
    REQUIRE(must(third.step(encode(first))) == SpnegoInitiator::Step::kContinue);
    check_error(third.step(encode(first)), ErrorCategory::kProtocol, "supportedMech after");
  }
  SECTION("accept-completed before any krb5 token was sent") {
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)});
    NegTokenResp first;
    first.neg_state = NegState::kAcceptCompleted;
    first.supported_mech = kKrb5;
    check_error(init.step(encode(first)), ErrorCategory::kProtocol, "before any krb5 token");
  }
  SECTION("a mechanism token after krb5 completed") {
    SpnegoInitiator init = w.initiator({kNtlm, vec(kKrb5)}, false);
    SpnegoAcceptor acc = w.acceptor();
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kContinue);
    REQUIRE(must(init.step(acc.token())) == SpnegoInitiator::Step::kContinue);
    REQUIRE(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
    const test::Bytes reply = vec(acc.token());
    NegTokenResp r3 = resp_of(reply);
    const std::uint8_t junk[] = {0x60, 0x00};
    r3.response_token = ByteView(junk);
    check_error(init.step(encode(r3)), ErrorCategory::kProtocol, "after krb5 completed");
  }
}

TEST_CASE("SPNEGO: a KRB-ERROR inside a reject surfaces its Kerberos error code") {
  World w;
  SpnegoInitiator init = w.initiator();
  const Error why(ErrorCategory::kKdc, 41, "KRB_AP_ERR_MODIFIED");
  const test::Bytes krb_error = must(error_token(why, w.service, w.service_clock));
  NegTokenResp reject;
  reject.neg_state = NegState::kReject;
  reject.supported_mech = kKrb5;
  reject.response_token = ByteView(krb_error);
  auto r = init.step(encode(reject));
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().code() == 41);
}

TEST_CASE("SPNEGO: initiator options are checked") {
  World w;
  const auto start = [&](std::vector<test::Bytes> mechs) {
    SpnegoInitiatorOptions o;
    o.mech_types = std::move(mechs);
    return SpnegoInitiator::start(w.ticket, std::move(o), w.ap());
  };
  check_error(start({}), ErrorCategory::kInvalidArgument, "must offer krb5");
  check_error(start({kNtlm}), ErrorCategory::kInvalidArgument, "must offer krb5");
  check_error(start({vec(kKrb5), vec(kKrb5)}), ErrorCategory::kInvalidArgument, "twice");
  check_error(start({vec(ByteView(kSpnegoMechOid)), vec(kKrb5)}), ErrorCategory::kInvalidArgument,
              "itself");
  check_error(start({{0x2a, 0x86}, vec(kKrb5)}), ErrorCategory::kInvalidArgument, "OID");
  std::vector<test::Bytes> many;
  for (std::uint8_t i = 0; i < 33; ++i)
    many.push_back({0x2b, 0x06, 0x01, 0x04, 0x01, i});
  many.back() = vec(kKrb5);
  check_error(start(many), ErrorCategory::kInvalidArgument, "more than 32");
  many.erase(many.begin());
  CHECK(start(many).ok());
}

TEST_CASE("SPNEGO: with default options a replayed token is refused across acceptors") {
  World w;
  // One SpnegoAcceptor per connection, options with replay settings untouched: RFC 4120 §3.2.3
  // still refuses the second use of the authenticator.
  const auto defaults = [&] {
    AcceptorOptions o;
    o.clock = &w.service_clock;
    o.random = &w.service_random;
    return o;
  };
  SpnegoInitiator init = w.initiator();
  SpnegoAcceptor first(w.keytab, defaults());
  CHECK(must(first.step(init.token())) == SpnegoAcceptor::Step::kDone);
  SpnegoAcceptor second(w.keytab, defaults());
  auto replay = second.step(init.token());
  REQUIRE_FALSE(replay.ok());
  CHECK(replay.error().code() == 34);  // KRB_AP_ERR_REPEAT
  // The reject carries it to the initiator, in the krb5 KRB-ERROR.
  auto told = init.step(second.token());
  REQUIRE_FALSE(told.ok());
  CHECK(told.error().code() == 34);
  CHECK_FALSE(spnego_accept(init.token(), w.keytab, defaults()).ok());
}

TEST_CASE("SPNEGO: a replay is accepted only with replay detection turned off by name") {
  World w;
  AcceptorOptions off = w.acceptor_options();
  off.replay_detection = ReplayDetection::kOff;
  SpnegoInitiator init = w.initiator();
  CHECK(spnego_accept(init.token(), w.keytab, off).ok());
  SpnegoAcceptor acc(w.keytab, off);
  CHECK(must(acc.step(init.token())) == SpnegoAcceptor::Step::kDone);
  // With the World's cache (detection on) the first use goes and the second not.
  CHECK(spnego_accept(init.token(), w.keytab, w.acceptor_options()).ok());
  CHECK_FALSE(spnego_accept(init.token(), w.keytab, w.acceptor_options()).ok());
}

TEST_CASE("SPNEGO: the acceptor name constrains the krb5 mechanism") {
  World w;  // the ticket is for HTTP/bank.test@KERB.TEST
  for (const char* service : {"HTTP", "host"}) {
    CAPTURE(service);
    AcceptorOptions o = w.acceptor_options();
    o.acceptor_name = AcceptorName::host_based(service);
    SpnegoInitiator init = w.initiator();
    SpnegoAcceptor acc(w.keytab, o);
    auto step = acc.step(init.token());
    if (std::string(service) == "HTTP") {
      CHECK(step.ok());
    } else {
      REQUIRE_FALSE(step.ok());
      CHECK(step.error().code() == 35);  // KRB_AP_ERR_NOT_US
      auto told = init.step(acc.token());
      REQUIRE_FALSE(told.ok());
      CHECK(told.error().code() == 35);
    }
  }
}

TEST_CASE("SPNEGO: the transit policy of the options decides on clients of other realms") {
  World w;  // the service is in KERB.TEST
  w.ticket =
      make_credentials(service_ticket_spec(principal("carol@OTHER.TEST"), w.service, w.service_key,
                                           2, EncType::kAes256CtsHmacSha1_96, 0x34),
                       w.kdc_random);

  SpnegoInitiator refused_init = w.initiator();
  SpnegoAcceptor refusing = w.acceptor();  // default: other realms are not trusted
  auto refused = refusing.step(refused_init.token());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == 51);  // KRB_AP_PATH_NOT_ACCEPTED
  auto told = refused_init.step(refusing.token());
  REQUIRE_FALSE(told.ok());
  CHECK(told.error().code() == 51);

  AcceptorOptions o = w.acceptor_options();
  o.transit.trust("OTHER.TEST", "KERB.TEST");
  SpnegoInitiator init = w.initiator();
  SpnegoAccepted accepted = must(spnego_accept(init.token(), w.keytab, o));
  CHECK(accepted.accepted.initiator == principal("carol@OTHER.TEST"));
}

TEST_CASE("SPNEGO: a KRB-ERROR the acceptor cannot encode is reported, not dropped") {
  World w;
  // KerberosTime has a four-digit year (RFC 4120 §5.2.3): an acceptor clock past 9999 refuses
  // the AP-REQ (clock skew), and the KRB-ERROR's stime cannot be encoded.
  w.service_clock.set(Timestamp{der::kMaxKerberosTime + 1, 0});
  SpnegoInitiator init = w.initiator();
  SpnegoAcceptor acc = w.acceptor();
  auto refused = acc.step(init.token());
  REQUIRE_FALSE(refused.ok());
  INFO(describe(refused.error()));
  // The refusal keeps its category and Kerberos code; the detail says what was not sent.
  CHECK(refused.error().category() == ErrorCategory::kProtocol);
  CHECK(refused.error().code() == 37);  // KRB_AP_ERR_SKEW
  CHECK_THAT(
      std::string(refused.error().detail()),
      Catch::Contains("no KRB-ERROR for the initiator") && Catch::Contains("could not be encoded"));
  // The reject goes out all the same, without a mechanism token.
  const NegTokenResp reject = resp_of(acc.token());
  CHECK(reject.neg_state == NegState::kReject);
  CHECK_FALSE(reject.response_token);
  check_error(init.step(acc.token()), ErrorCategory::kProtocol, "rejected");
}
