// kerb's SPNEGO (RFC 4178) against MIT's libgssapi_krb5 SPNEGO mechanism (the oracle,
// DESIGN.md), over the MIT KDC fixture:
//
//   [kerb-init]      kerb's SpnegoInitiator -> MIT gss_accept_sec_context(SPNEGO) -> MIT's
//                    NegTokenResp -> kerb completes; krb5 first, legacy OID first, no mutual
//   [kerb-init-mic]  krb5 not kerb's first choice: MIT answers request-mic and the mechListMIC
//                    exchange of §5 runs in both parities; a tampered MIC is refused by MIT
//   [mit-init]       MIT gss_init_sec_context(SPNEGO) -> kerb's spnego_accept -> MIT completes
//                    with kerb's reply, the tokens travelling in RFC 4559 HTTP headers
//   [errors]         each side's reject reaches the other as an error
//
// Every established pair then exchanges wrap (with and without confidentiality) and MIC tokens
// in both directions. The fixture's env file provides KRB5_CONFIG, KRB5_KTNAME (the bank
// keytab, which MIT's acceptor uses), KRB5RCACHEDIR, KERB_TEST_KEYTAB and the passwords.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/negotiate.hpp>
#include <kerb/gss/spnego.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>

#include "mit_gss_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::itest;

namespace {

const test::Bytes kNtlm = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
const test::Bytes kKrb5(std::begin(kKrb5MechOid), std::end(kKrb5MechOid));
const test::Bytes kLegacy(std::begin(kKrb5LegacyMechOid), std::end(kKrb5LegacyMechOid));
gss_OID_desc spnego_oid = {6, const_cast<std::uint8_t*>(kSpnegoMechOid)};

const Scratch scratch("spnego-itest");

test::Bytes vec(ByteView b) {
  return {b.begin(), b.end()};
}

// --- tickets and credentials ----------------------------------------------------------------

// kerb logs alice in and fetches host/bank.test.
Credentials kerb_service_ticket() {
  const Config config = load_config();
  PosixKdcTransport transport = make_transport(config);
  Client client(transport);
  const Credentials tgt =
      must(client.login_password(principal("alice"), password("alice")), "login");
  return must(client.service_ticket(tgt, principal("host/bank.test")), "service_ticket");
}

// MIT's SPNEGO initiator for host@bank.test.
MitInitiator spnego_initiator(OM_uint32 flags) {
  return MitInitiator(import_name("host@bank.test", GSS_C_NT_HOSTBASED_SERVICE), &spnego_oid,
                      flags);
}

// --- per-message interop ------------------------------------------------------------------

// Wrap (conf on and off) and MIC both ways between kerb's context and MIT's SPNEGO context.
void exchange_messages(SecurityContext& kerb_ctx, gss_ctx_id_t mit) {
  OM_uint32 minor = 0;
  for (std::size_t size : {0u, 1u, 1000u, 70000u}) {
    for (int conf : {0, 1}) {
      INFO("size " << size << " conf " << conf);
      test::Bytes msg(size);
      for (std::size_t i = 0; i < size; ++i)
        msg[i] = static_cast<std::uint8_t>(i * 13 + static_cast<std::size_t>(conf));

      const test::Bytes wrapped = must(kerb_ctx.wrap(msg, conf != 0), "kerb wrap");
      gss_buffer_desc in = buffer_of(wrapped), out = GSS_C_EMPTY_BUFFER;
      int conf_state = -1;
      REQUIRE_GSS(gss_unwrap(&minor, mit, &in, &out, &conf_state, nullptr));
      CHECK(take(out) == msg);
      CHECK(conf_state == conf);

      gss_buffer_desc plain = buffer_of(msg), sealed = GSS_C_EMPTY_BUFFER;
      REQUIRE_GSS(gss_wrap(&minor, mit, conf, GSS_C_QOP_DEFAULT, &plain, &conf_state, &sealed));
      const test::Bytes mit_wrapped = take(sealed);
      CHECK(must(kerb_ctx.unwrap(mit_wrapped), "kerb unwrap") == msg);

      const test::Bytes mic = must(kerb_ctx.get_mic(msg), "kerb get_mic");
      gss_buffer_desc mic_buf = buffer_of(mic);
      REQUIRE_GSS(gss_verify_mic(&minor, mit, &plain, &mic_buf, nullptr));

      gss_buffer_desc mit_mic = GSS_C_EMPTY_BUFFER;
      REQUIRE_GSS(gss_get_mic(&minor, mit, GSS_C_QOP_DEFAULT, &plain, &mit_mic));
      CHECK(must(kerb_ctx.verify_mic(msg, take(mit_mic)), "kerb verify_mic") == 0);
    }
  }
}

// --- kerb initiates, MIT accepts ------------------------------------------------------------

// Drives kerb's initiator against MIT's acceptor to the end; returns every token, in order.
std::vector<test::Bytes> negotiate_with_mit(SpnegoInitiator& init, MitContext& acc) {
  std::vector<test::Bytes> transcript;
  test::Bytes to_mit = vec(init.token());
  bool kerb_done = false;
  for (int round = 0; round < 4; ++round) {
    transcript.push_back(to_mit);
    const MitAccepted r = mit_accept(acc, to_mit);
    INFO("round " << round << ": " << mit_status(r.major, r.minor));
    REQUIRE((r.major == GSS_S_COMPLETE || r.major == GSS_S_CONTINUE_NEEDED));
    if (r.major == GSS_S_COMPLETE && kerb_done) {
      REQUIRE(r.output.empty());
      return transcript;
    }
    REQUIRE_FALSE(r.output.empty());
    transcript.push_back(r.output);
    const SpnegoInitiator::Step step = must(init.step(r.output), "SpnegoInitiator::step");
    kerb_done = step == SpnegoInitiator::Step::kDone;
    if (kerb_done && init.token().empty()) {
      REQUIRE(r.major == GSS_S_COMPLETE);
      return transcript;
    }
    to_mit = vec(init.token());
  }
  FAIL("the negotiation did not finish in 4 rounds");
  return transcript;
}

NegTokenResp resp_of(const test::Bytes& token) {
  return must(decode_neg_token_resp(token), "decode NegTokenResp");
}

std::string mit_mech_of(gss_ctx_id_t ctx) {
  OM_uint32 minor = 0;
  gss_OID mech = GSS_C_NO_OID;
  REQUIRE_GSS(gss_inquire_context(&minor, ctx, nullptr, nullptr, nullptr, &mech, nullptr, nullptr,
                                  nullptr));
  return std::string(static_cast<const char*>(mech->elements), mech->length);
}

SpnegoInitiator kerb_initiator(const Credentials& ticket, std::vector<test::Bytes> mechs,
                               bool mutual) {
  SpnegoInitiatorOptions o;
  o.mech_types = std::move(mechs);
  if (!mutual) o.krb5.flags &= ~context_flags::kMutual;
  return must(SpnegoInitiator::start(ticket, std::move(o), ApContext{}), "SpnegoInitiator::start");
}

// kerb's SpnegoInitiator offering `mechs`, negotiated to the end with a fresh MIT acceptor.
struct Negotiation {
  SpnegoInitiator init;
  MitContext acc;
  std::vector<test::Bytes> tokens;  // every token, in order, kerb's first

  Negotiation(const Credentials& ticket, std::vector<test::Bytes> mechs, bool mutual)
      : init(kerb_initiator(ticket, std::move(mechs), mutual)),
        tokens(negotiate_with_mit(init, acc)) {}

  // Wrap and MIC tokens both ways over the established pair.
  void exchange() {
    SecurityContext ctx = must(init.take_context(), "take_context");
    exchange_messages(ctx, acc.handle);
  }
};

}  // namespace

TEST_CASE("kerb's SpnegoInitiator against MIT's SPNEGO acceptor", "[kerb-init]") {
  const Credentials ticket = kerb_service_ticket();
  const std::string krb5_mech(kKrb5.begin(), kKrb5.end());

  SECTION("krb5 then the legacy OID, mutual: one round, AP-REP, no MIC") {
    Negotiation n(ticket, {kKrb5, kLegacy}, true);
    REQUIRE(n.tokens.size() == 2);
    const NegTokenResp reply = resp_of(n.tokens[1]);
    CHECK(reply.neg_state == NegState::kAcceptCompleted);
    CHECK(vec(*reply.supported_mech) == kKrb5);
    CHECK(reply.response_token.has_value());
    CHECK_FALSE(reply.mech_list_mic.has_value());
    CHECK(vec(n.init.selected_mech()) == kKrb5);
    CHECK(mit_mech_of(n.acc.handle) == krb5_mech);
    n.exchange();
  }
  SECTION("without mutual authentication: accept-completed, no response token") {
    Negotiation n(ticket, {kKrb5, kLegacy}, false);
    REQUIRE(n.tokens.size() == 2);
    const NegTokenResp reply = resp_of(n.tokens[1]);
    CHECK(reply.neg_state == NegState::kAcceptCompleted);
    CHECK_FALSE(reply.response_token.has_value());
    n.exchange();
  }
  SECTION("the legacy OID first (as Windows offers): MIT selects and echoes it") {
    Negotiation n(ticket, {kLegacy, kKrb5}, true);
    REQUIRE(n.tokens.size() == 2);
    const NegTokenResp reply = resp_of(n.tokens[1]);
    CHECK(vec(*reply.supported_mech) == kLegacy);
    CHECK_FALSE(reply.mech_list_mic.has_value());
    CHECK(vec(n.init.selected_mech()) == kLegacy);
    n.exchange();
  }
}

TEST_CASE("the mechListMIC exchange of RFC 4178 §5 with MIT's acceptor", "[kerb-init-mic]") {
  const Credentials ticket = kerb_service_ticket();

  SECTION("mutual: request-mic, AP-REQ, AP-REP with MIT's MIC, kerb's MIC back") {
    Negotiation n(ticket, {kNtlm, kKrb5}, true);
    REQUIRE(n.tokens.size() == 5);
    const NegTokenResp r1 = resp_of(n.tokens[1]);
    CHECK(r1.neg_state == NegState::kRequestMic);
    CHECK(vec(*r1.supported_mech) == kKrb5);
    CHECK_FALSE(r1.response_token.has_value());
    const NegTokenResp i2 = resp_of(n.tokens[2]);
    CHECK(i2.response_token.has_value());
    CHECK_FALSE(i2.mech_list_mic.has_value());
    const NegTokenResp r3 = resp_of(n.tokens[3]);
    CHECK(r3.neg_state == NegState::kAcceptIncomplete);
    CHECK(r3.response_token.has_value());
    CHECK(r3.mech_list_mic.has_value());  // MIT's MIC, which kerb verified
    const NegTokenResp i4 = resp_of(n.tokens[4]);
    CHECK(i4.neg_state == NegState::kAcceptCompleted);
    CHECK(i4.mech_list_mic.has_value());  // kerb's MIC, which MIT verified
    n.exchange();
  }
  SECTION("no mutual: the AP-REQ carries kerb's MIC, MIT answers with its own") {
    Negotiation n(ticket, {kNtlm, kLegacy, kKrb5}, false);
    REQUIRE(n.tokens.size() == 4);
    CHECK(vec(*resp_of(n.tokens[1]).supported_mech) == kLegacy);
    const NegTokenResp i2 = resp_of(n.tokens[2]);
    CHECK(i2.response_token.has_value());
    CHECK(i2.mech_list_mic.has_value());
    const NegTokenResp r3 = resp_of(n.tokens[3]);
    CHECK(r3.neg_state == NegState::kAcceptCompleted);
    CHECK(r3.mech_list_mic.has_value());
    n.exchange();
  }
  SECTION("MIT refuses a tampered MIC from kerb") {
    SpnegoInitiator init = kerb_initiator(ticket, {kNtlm, kKrb5}, false);
    MitContext acc;
    const MitAccepted r1 = mit_accept(acc, init.token());
    REQUIRE(r1.major == GSS_S_CONTINUE_NEEDED);
    REQUIRE(must(init.step(r1.output), "step") == SpnegoInitiator::Step::kContinue);
    const test::Bytes i2 = vec(init.token());
    NegTokenResp forged = resp_of(i2);
    test::Bytes mic = vec(*forged.mech_list_mic);
    mic.back() ^= 0x01;
    forged.mech_list_mic = ByteView(mic);
    const MitAccepted r = mit_accept(acc, must(encode_neg_token_resp(forged), "encode"));
    INFO(mit_status(r.major, r.minor));
    CHECK(GSS_ERROR(r.major));
  }
}

TEST_CASE("MIT's SPNEGO initiator against kerb's acceptor, over HTTP Negotiate headers",
          "[mit-init]") {
  mit_kinit("alice", scratch("alice.ccache"));
  const Keytab keytab = bank_keytab();

  for (bool mutual : {true, false}) {
    INFO((mutual ? "mutual" : "no mutual"));
    MitInitiator init = spnego_initiator(GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG | GSS_C_SEQUENCE_FLAG |
                                         GSS_C_REPLAY_FLAG | (mutual ? GSS_C_MUTUAL_FLAG : 0));

    // C: Authorization: Negotiate <MIT's NegTokenInit>
    const std::string authorization = authorization_header(init.start());
    const test::Bytes received = must(parse_authorization(authorization), "parse_authorization");
    const NegTokenInit offer = must(decode_neg_token_init(received), "decode NegTokenInit");
    CHECK(vec(offer.mech_types.front()) == kKrb5);

    SpnegoAccepted accepted =
        must(spnego_accept(received, keytab, AcceptorOptions{}), "spnego_accept");
    CHECK(accepted.accepted.initiator == principal("alice"));
    const NegTokenResp reply = resp_of(accepted.output_token);
    CHECK(reply.neg_state == NegState::kAcceptCompleted);
    CHECK(reply.response_token.has_value() == mutual);

    // S: WWW-Authenticate: Negotiate <kerb's NegTokenResp> (with a Basic challenge alongside)
    const std::string challenge =
        "Basic realm=\"bank\", " + www_authenticate(accepted.output_token);
    const auto token = must(parse_www_authenticate(challenge), "parse_www_authenticate");
    REQUIRE(token.has_value());
    test::Bytes none;
    OM_uint32 minor = 0;
    const OM_uint32 major = init.step(*token, none, minor);
    INFO(mit_status(major, minor));
    REQUIRE(major == GSS_S_COMPLETE);
    CHECK(none.empty());
    CHECK(((init.ret_flags & GSS_C_MUTUAL_FLAG) != 0) == mutual);
    exchange_messages(accepted.accepted.context, init.ctx.handle);
  }
}

TEST_CASE("a reject from either side reaches the other as an error", "[errors]") {
  SECTION("kerb rejects MIT's token when its keytab lacks the key") {
    mit_kinit("alice", scratch("alice.ccache"));
    MitInitiator init = spnego_initiator(GSS_C_MUTUAL_FLAG);
    const test::Bytes offer = init.start();

    Keytab keytab = bank_keytab();
    keytab.remove(principal("host/bank.test"));
    SpnegoAcceptor acc(keytab, AcceptorOptions{});
    auto step = acc.step(offer);
    REQUIRE_FALSE(step.ok());
    INFO(describe(step.error()));
    CHECK(step.error().code() == 45);  // KRB_AP_ERR_NOKEY
    const test::Bytes reject = vec(acc.token());
    const NegTokenResp r = resp_of(reject);
    CHECK(r.neg_state == NegState::kReject);
    REQUIRE(r.response_token.has_value());  // the krb5 KRB-ERROR token
    CHECK(must(parse_framed_token(*r.response_token), "parse").tok_id == TokenId::kKrbError);

    test::Bytes ignored;
    OM_uint32 minor = 0;
    const OM_uint32 major = init.step(reject, ignored, minor);
    INFO(mit_status(major, minor));
    CHECK(GSS_ERROR(major));
  }
  SECTION("MIT rejects a corrupted AP-REQ; kerb reads MIT's reject") {
    const Credentials ticket = kerb_service_ticket();
    SpnegoInitiator init = kerb_initiator(ticket, {kKrb5, kLegacy}, true);
    NegTokenInit offer = must(decode_neg_token_init(init.token()), "decode");
    test::Bytes ap_req = vec(*offer.mech_token);
    ap_req[ap_req.size() - 8] ^= 0x40;  // inside the authenticator's ciphertext
    offer.mech_token = ByteView(ap_req);
    MitContext acc;
    const MitAccepted r = mit_accept(acc, must(encode_neg_token_init(offer), "encode"));
    INFO(mit_status(r.major, r.minor));
    CHECK(GSS_ERROR(r.major));
    REQUIRE_FALSE(r.output.empty());
    const NegTokenResp reply = resp_of(r.output);
    CHECK(reply.neg_state == NegState::kReject);
    auto step = init.step(r.output);
    REQUIRE_FALSE(step.ok());
    INFO(describe(step.error()));
    CHECK_FALSE(init.established());
  }
}
