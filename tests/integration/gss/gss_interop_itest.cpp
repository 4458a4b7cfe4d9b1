// kerb's krb5 GSS mechanism against MIT's libgssapi_krb5 (the oracle, DESIGN.md), over the
// MIT KDC fixture (kdc-fixtures/): kerb's Initiator with MIT's gss_accept_sec_context, MIT's
// gss_init_sec_context with kerb's accept(); mutual authentication, channel bindings,
// delegation and KRB-ERROR tokens both ways; then wrap/unwrap and MIC between a kerb context
// and an MIT context in both directions, for aes-sha1 and aes-sha2 session keys; tokens the
// initiator protects before the AP-REP (prot_ready) both ways; and GSS_Pseudo_random, whose
// octets kerb and MIT must derive alike.
//
// The fixture's env file provides KRB5_CONFIG, KRB5_KTNAME (the bank keytab, which MIT's
// acceptor uses), KRB5RCACHEDIR, KERB_TEST_KEYTAB and the KERB_TEST_* passwords.
#include <catch2/catch.hpp>

#include <gssapi/gssapi_ext.h>
#include <krb5.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>

#include "mit_gss_util.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::itest;

namespace {

const Scratch scratch("gss-itest");

// --- krb5.conf --------------------------------------------------------------------------

// A krb5.conf that is the fixture's plus [libdefaults] lines (MIT reads KRB5_CONFIG anew for
// every krb5 context it creates).
std::string config_with(const std::string& name, const std::string& libdefaults) {
  std::ifstream in(env("KRB5_CONFIG"));
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  const std::string marker = "[libdefaults]\n";
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  text.insert(at + marker.size(), libdefaults);
  const std::string path = scratch(name + ".conf");
  std::ofstream(path) << text;
  return path;
}

// Runs `body` with KRB5_CONFIG pointing elsewhere, then restores it.
struct ConfigOverride {
  std::string saved = env("KRB5_CONFIG");
  explicit ConfigOverride(const std::string& path) { ::setenv("KRB5_CONFIG", path.c_str(), 1); }
  ~ConfigOverride() { ::setenv("KRB5_CONFIG", saved.c_str(), 1); }
};

// --- the two realms' clients ------------------------------------------------------------

// Which session-key family a case runs with.
struct Family {
  const char* name;
  const char* user;               // KERB_TEST_PASSWORD_<user>
  crypto::EncType session_etype;  // what the service ticket's session key must be
  const char* mit_libdefaults;
};

const Family kAesSha1{"aes-sha1", "alice", crypto::EncType{18}, ""};
const Family kAesSha2{"aes-sha2", "sha2user", crypto::EncType{20},
                      "    default_tkt_enctypes = aes256-cts-hmac-sha384-192 "
                      "aes128-cts-hmac-sha256-128\n"
                      "    default_tgs_enctypes = aes256-cts-hmac-sha384-192 "
                      "aes128-cts-hmac-sha256-128\n"};

// kerb logs in and fetches the ticket for `service`; for aes-sha2 the policy lists only the
// RFC 8009 enctypes, so both the TGT and the service ticket get such session keys.
struct KerbClient {
  Config config = load_config();
  PosixKdcTransport transport = make_transport(config);
  Credentials tgt;
  Credentials ticket;

  KerbClient(const Family& f, const char* service = "host/bank.test", bool forwardable = false) {
    ClientOptions o;
    if (f.session_etype == crypto::EncType{20}) {
      const crypto::EncType only[] = {crypto::EncType::kAes256CtsHmacSha384_192,
                                      crypto::EncType::kAes128CtsHmacSha256_128};
      o.policy = must(crypto::Policy::from_list(only), "Policy::from_list");
    }
    Client client(transport, o);
    AsOptions as;
    if (forwardable) as.kdc_options = kdc_options::kForwardable;
    tgt = must(client.login_password(principal(f.user), password(f.user), as), "login_password");
    ticket = must(client.service_ticket(tgt, principal(service)), "service_ticket");
    REQUIRE(ticket.session_key.enctype == f.session_etype);
  }
};

// MIT initiating to `service` in the fixture's realm with the krb5 mechanism.
MitInitiator krb5_initiator(OM_uint32 flags, const std::string& service = "host/bank.test") {
  return MitInitiator(
      import_name(service + "@" + env("KERB_TEST_REALM"), GSS_KRB5_NT_PRINCIPAL_NAME),
      gss_mech_krb5, flags);
}

// --- per-message interop ----------------------------------------------------------------

test::Bytes pattern(std::size_t n, std::uint8_t seed) {
  test::Bytes m(n);
  for (std::size_t i = 0; i < n; ++i)
    m[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  return m;
}

// Wrap (conf on and off) and MIC both ways between a kerb context and an MIT context, for
// message sizes 0 .. 64 KiB; then a tampered token each way is refused.
void exchange_messages(SecurityContext& kerb_ctx, gss_ctx_id_t mit, std::size_t mic_size) {
  OM_uint32 minor = 0;
  CHECK(kerb_ctx.mic_size() == mic_size);
  std::uint8_t seed = 1;
  for (std::size_t size : {0u, 1u, 100u, 4096u, 65536u}) {
    for (bool conf : {false, true}) {
      const test::Bytes msg = pattern(size, seed++);
      INFO("size " << size << (conf ? ", conf" : ", no conf"));

      // kerb -> MIT: wrap / unwrap.
      const test::Bytes wrapped = must(kerb_ctx.wrap(msg, conf), "kerb wrap");
      CHECK(wrapped.size() == kerb_ctx.wrap_size(size, conf));
      gss_buffer_desc in = buffer_of(wrapped), out = GSS_C_EMPTY_BUFFER;
      int conf_state = -1;
      gss_qop_t qop = 0;
      REQUIRE_GSS(gss_unwrap(&minor, mit, &in, &out, &conf_state, &qop));
      CHECK(take(out) == msg);
      CHECK(conf_state == (conf ? 1 : 0));

      // MIT -> kerb: wrap / unwrap.
      gss_buffer_desc plain = buffer_of(msg), sealed = GSS_C_EMPTY_BUFFER;
      REQUIRE_GSS(
          gss_wrap(&minor, mit, conf ? 1 : 0, GSS_C_QOP_DEFAULT, &plain, &conf_state, &sealed));
      const test::Bytes mit_wrapped = take(sealed);
      test::Bytes buffer(mit_wrapped.size());
      const Unwrapped u = must(kerb_ctx.unwrap(mit_wrapped, buffer), "kerb unwrap");
      CHECK(test::Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(u.length)) ==
            msg);
      CHECK(u.conf == conf);
      CHECK(u.supplementary == 0);

      // kerb -> MIT: MIC.
      const test::Bytes mic = must(kerb_ctx.get_mic(msg), "kerb get_mic");
      CHECK(mic.size() == mic_size);
      gss_buffer_desc m = buffer_of(msg), t = buffer_of(mic);
      REQUIRE_GSS(gss_verify_mic(&minor, mit, &m, &t, &qop));

      // MIT -> kerb: MIC.
      gss_buffer_desc mit_mic = GSS_C_EMPTY_BUFFER;
      REQUIRE_GSS(gss_get_mic(&minor, mit, GSS_C_QOP_DEFAULT, &m, &mit_mic));
      const test::Bytes mic_from_mit = take(mit_mic);
      auto supplementary = kerb_ctx.verify_mic(msg, mic_from_mit);
      INFO((supplementary ? "" : describe(supplementary.error())));
      REQUIRE(supplementary.ok());
      CHECK(*supplementary == 0);
    }
  }
  // Tampering is caught both ways.
  const test::Bytes msg = pattern(64, 99);
  test::Bytes wrapped = must(kerb_ctx.wrap(msg, true), "kerb wrap");
  wrapped[wrapped.size() - 1] ^= 1;
  gss_buffer_desc in = buffer_of(wrapped), out = GSS_C_EMPTY_BUFFER;
  CHECK(gss_unwrap(&minor, mit, &in, &out, nullptr, nullptr) != GSS_S_COMPLETE);
  gss_release_buffer(&minor, &out);
  gss_buffer_desc plain = buffer_of(msg), sealed = GSS_C_EMPTY_BUFFER;
  int conf_state = 0;
  REQUIRE_GSS(gss_wrap(&minor, mit, 1, GSS_C_QOP_DEFAULT, &plain, &conf_state, &sealed));
  test::Bytes mit_wrapped = take(sealed);
  mit_wrapped[mit_wrapped.size() - 1] ^= 1;
  CHECK_FALSE(kerb_ctx.unwrap(mit_wrapped).ok());
}

std::size_t mic_size_for(crypto::EncType etype) {
  return etype == crypto::EncType{20} ? 16 + 24
                                      : 16 + 12;  // RFC 4121 header + the enctype's checksum
}

// --- kerb initiates, MIT accepts --------------------------------------------------------

void kerb_to_mit(const Family& f, std::uint32_t flags) {
  KerbClient kc(f);
  InitiatorOptions o;
  o.flags = flags;
  Initiator init = must(Initiator::start(kc.ticket, o, ApContext{}), "Initiator::start");
  MitContext mit;
  const MitAccepted a = mit_accept(mit, init.token());
  INFO(mit_status(a.major, a.minor));
  REQUIRE(a.major == GSS_S_COMPLETE);
  CHECK(a.initiator == std::string(f.user) + "@" + env("KERB_TEST_REALM"));
  if ((flags & context_flags::kMutual) != 0) {
    CHECK((a.flags & GSS_C_MUTUAL_FLAG) != 0);
    REQUIRE_FALSE(a.output.empty());
    auto step = init.step(a.output);
    INFO((step ? "" : describe(step.error())));
    REQUIRE(step.ok());
    CHECK(*step == Initiator::Step::kDone);
  } else {
    CHECK((a.flags & GSS_C_MUTUAL_FLAG) == 0);
    CHECK(a.output.empty());
  }
  REQUIRE(init.established());
  SecurityContext ctx = must(init.take_context(), "take_context");
  exchange_messages(ctx, mit.handle, mic_size_for(f.session_etype));
}

// --- MIT initiates, kerb accepts --------------------------------------------------------

void mit_to_kerb(const Family& f, OM_uint32 flags) {
  std::optional<ConfigOverride> config;
  if (*f.mit_libdefaults != 0) config.emplace(config_with(f.name, f.mit_libdefaults));
  mit_kinit(f.user, "FILE:" + scratch(std::string(f.name) + ".ccache"));
  MitInitiator mi = krb5_initiator(flags);
  test::Bytes token;
  OM_uint32 minor = 0;
  OM_uint32 major = mi.step({}, token, minor);
  INFO(mit_status(major, minor));
  REQUIRE((major == GSS_S_COMPLETE || major == GSS_S_CONTINUE_NEEDED));
  const Keytab keytab = bank_keytab();
  AcceptorOptions ao;
  MemoryReplayCache cache;
  ao.replay_cache = &cache;
  Accepted accepted = must(accept(token, keytab, ao), "kerb accept");
  CHECK(accepted.initiator == principal(f.user));
  if ((flags & GSS_C_MUTUAL_FLAG) != 0) {
    REQUIRE(major == GSS_S_CONTINUE_NEEDED);
    REQUIRE_FALSE(accepted.output_token.empty());
    test::Bytes none;
    major = mi.step(accepted.output_token, none, minor);
    INFO(mit_status(major, minor));
    REQUIRE(major == GSS_S_COMPLETE);
    CHECK(none.empty());
  } else {
    CHECK(major == GSS_S_COMPLETE);
    CHECK(accepted.output_token.empty());
  }
  CHECK((mi.ret_flags & GSS_C_MUTUAL_FLAG) == (flags & GSS_C_MUTUAL_FLAG));
  exchange_messages(accepted.context, mi.ctx.handle, mic_size_for(f.session_etype));
}

// --- GSS_Pseudo_random ------------------------------------------------------------------

// kerb's pseudo_random and MIT's gss_pseudo_random on the two ends of one context give the
// same octets for both keys, several inputs and lengths. Returns the full key's 32 octets
// for the empty input, so a caller can tell the keys apart.
test::Bytes compare_prf(SecurityContext& kerb_ctx, gss_ctx_id_t mit) {
  OM_uint32 minor = 0;
  const std::string inputs[] = {"", "tls-exporter label", std::string(300, 'z')};
  test::Bytes full32;
  for (const std::string& input : inputs) {
    for (std::size_t n : {1u, 16u, 32u, 100u, 1000u}) {
      for (const auto& [kerb_key, mit_key] : {std::pair{PrfKey::kPartial, GSS_C_PRF_KEY_PARTIAL},
                                              std::pair{PrfKey::kFull, GSS_C_PRF_KEY_FULL}}) {
        INFO("input of " << input.size() << ", " << n << " octets, key "
                         << (mit_key == GSS_C_PRF_KEY_FULL ? "full" : "partial"));
        gss_buffer_desc in = {input.size(), const_cast<char*>(input.data())};
        gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
        REQUIRE_GSS(gss_pseudo_random(&minor, mit, mit_key, &in, static_cast<ssize_t>(n), &out));
        const test::Bytes from_mit = take(out);
        REQUIRE(from_mit.size() == n);
        test::Bytes from_kerb(n);
        const test::Bytes input_bytes(input.begin(), input.end());
        auto r = kerb_ctx.pseudo_random(kerb_key, input_bytes, from_kerb);
        INFO((r ? "" : describe(r.error())));
        REQUIRE(r.ok());
        CHECK(from_kerb == from_mit);
        if (input.empty() && n == 32 && kerb_key == PrfKey::kFull) full32 = from_kerb;
      }
    }
  }
  return full32;
}

test::Bytes prf32(SecurityContext& ctx, PrfKey key) {
  test::Bytes out(32);
  REQUIRE(ctx.pseudo_random(key, {}, out).ok());
  return out;
}

}  // namespace

TEST_CASE("kerb initiator, MIT acceptor: mutual authentication and messages both ways",
          "[integration][gss][kerb-init]") {
  const std::uint32_t flags = context_flags::kMutual | context_flags::kReplay |
                              context_flags::kSequence | context_flags::kConf |
                              context_flags::kInteg;
  SECTION("aes-sha1 session key (alice)") {
    kerb_to_mit(kAesSha1, flags);
  }
  SECTION("aes-sha2 session key (sha2user, policy 20,19)") {
    kerb_to_mit(kAesSha2, flags);
  }
  SECTION("without mutual authentication") {
    kerb_to_mit(kAesSha1, context_flags::kReplay | context_flags::kSequence | context_flags::kConf |
                              context_flags::kInteg);
  }
}

TEST_CASE("MIT initiator, kerb acceptor: mutual authentication and messages both ways",
          "[integration][gss][mit-init]") {
  const OM_uint32 flags = GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG |
                          GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;
  SECTION("aes-sha1 session key (alice)") {
    mit_to_kerb(kAesSha1, flags);
  }
  SECTION("aes-sha2 session key (sha2user, default_tgs_enctypes 20 19)") {
    mit_to_kerb(kAesSha2, flags);
  }
  SECTION("without mutual authentication") {
    mit_to_kerb(kAesSha1,
                GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
  }
}

TEST_CASE("channel bindings hash the same in kerb and MIT", "[integration][gss][bindings]") {
  ChannelBindings cb;
  const test::Bytes ip1 = {127, 0, 0, 1}, ip2 = {127, 0, 0, 2};
  const std::string app = "tls-server-end-point:0123456789abcdef0123456789abcdef";
  const test::Bytes data(app.begin(), app.end());
  cb.initiator_addrtype = GSS_C_AF_INET;
  cb.initiator_address = ip1;
  cb.acceptor_addrtype = GSS_C_AF_INET;
  cb.acceptor_address = ip2;
  cb.application_data = data;
  ChannelBindings other = cb;
  const test::Bytes data2 = {'x'};
  other.application_data = data2;

  SECTION("kerb initiator, MIT acceptor") {
    KerbClient kc(kAesSha1);
    InitiatorOptions o;
    o.channel_bindings = cb;
    {
      Initiator init = must(Initiator::start(kc.ticket, o, ApContext{}), "Initiator::start");
      MitContext mit;
      const MitAccepted a = mit_accept(mit, init.token(), &cb);
      INFO(mit_status(a.major, a.minor));
      REQUIRE(a.major == GSS_S_COMPLETE);
      REQUIRE(init.step(a.output).ok());
    }
    {
      Initiator init = must(Initiator::start(kc.ticket, o, ApContext{}), "Initiator::start");
      MitContext mit;
      const MitAccepted a = mit_accept(mit, init.token(), &other);
      INFO(mit_status(a.major, a.minor));
      CHECK(GSS_ERROR(a.major) == GSS_S_BAD_BINDINGS);
    }
  }
  SECTION("MIT initiator, kerb acceptor") {
    mit_kinit("alice", "FILE:" + scratch("bindings.ccache"));
    const Keytab keytab = bank_keytab();
    for (bool match : {true, false}) {
      MitInitiator mi = krb5_initiator(GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
      mi.cb.emplace(cb);
      const test::Bytes token = mi.start();
      AcceptorOptions ao;
      ao.channel_bindings = match ? cb : other;
      auto accepted = accept(token, keytab, ao);
      if (match) {
        INFO((accepted ? "" : describe(accepted.error())));
        REQUIRE(accepted.ok());
        test::Bytes none;
        OM_uint32 minor = 0;
        CHECK(mi.step(accepted->output_token, none, minor) == GSS_S_COMPLETE);
      } else {
        REQUIRE_FALSE(accepted.ok());
        CHECK(accepted.error().code() == major_status::kBadBindings);
      }
    }
  }
}

TEST_CASE("delegation: kerb -> MIT and MIT -> kerb, and the delegated TGT works",
          "[integration][gss][deleg]") {
  SECTION("kerb delegates its forwardable TGT to MIT's acceptor") {
    KerbClient kc(kAesSha1, "host/bank.test", true);
    REQUIRE((kc.tgt.ticket_flags & ticket_flags::kForwardable) != 0);
    InitiatorOptions o;
    o.flags |= context_flags::kDeleg;
    o.delegated_tgt = &kc.tgt;
    Initiator init = must(Initiator::start(kc.ticket, o, ApContext{}), "Initiator::start");
    MitContext mit;
    const MitAccepted a = mit_accept(mit, init.token());
    INFO(mit_status(a.major, a.minor));
    REQUIRE(a.major == GSS_S_COMPLETE);
    CHECK((a.flags & GSS_C_DELEG_FLAG) != 0);
    REQUIRE(a.delegated.handle != GSS_C_NO_CREDENTIAL);
    REQUIRE(init.step(a.output).ok());

    // MIT uses the delegated TGT to reach bank/bank.test, and kerb's acceptor sees alice.
    MitInitiator onward = krb5_initiator(GSS_C_MUTUAL_FLAG, "bank/bank.test");
    const test::Bytes token = onward.start(a.delegated.handle);
    const Keytab keytab = bank_keytab();
    Accepted accepted = must(accept(token, keytab, AcceptorOptions{}), "kerb accept");
    CHECK(accepted.initiator == principal("alice"));
  }
  SECTION("MIT delegates to kerb's acceptor, and kerb's client uses the TGT") {
    mit_kinit("alice", "FILE:" + scratch("deleg.ccache"), true);
    MitInitiator mi =
        krb5_initiator(GSS_C_MUTUAL_FLAG | GSS_C_DELEG_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
    const test::Bytes token = mi.start();
    const Keytab keytab = bank_keytab();
    Accepted accepted = must(accept(token, keytab, AcceptorOptions{}), "kerb accept");
    CHECK((accepted.flags & context_flags::kDeleg) != 0);
    REQUIRE(accepted.delegated.has_value());
    const Credentials& d = *accepted.delegated;
    CHECK(d.client == principal("alice"));
    CHECK(d.server == principal("krbtgt/" + env("KERB_TEST_REALM")));
    CHECK((d.ticket_flags & ticket_flags::kForwarded) != 0);
    test::Bytes none;
    OM_uint32 minor = 0;
    REQUIRE(mi.step(accepted.output_token, none, minor) == GSS_S_COMPLETE);
    CHECK((mi.ret_flags & GSS_C_DELEG_FLAG) != 0);

    Config config = load_config();
    PosixKdcTransport transport = make_transport(config);
    Client client(transport);
    const Credentials bank =
        must(client.service_ticket(d, principal("bank/bank.test")), "service_ticket");
    CHECK(bank.client == principal("alice"));
  }
}

TEST_CASE("KRB-ERROR tokens between kerb and MIT", "[integration][gss][errors]") {
  SECTION("kerb's acceptor refuses a replay; MIT's initiator reads KRB_AP_ERR_REPEAT") {
    mit_kinit("alice", "FILE:" + scratch("errors.ccache"));
    MitInitiator mi = krb5_initiator(GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
    const test::Bytes token = mi.start();
    const Keytab keytab = bank_keytab();
    MemoryReplayCache cache;
    AcceptorOptions ao;
    ao.replay_cache = &cache;
    REQUIRE(accept(token, keytab, ao).ok());
    auto replay = accept(token, keytab, ao);
    REQUIRE_FALSE(replay.ok());
    CHECK(replay.error().code() == error_code::kKrbApErrRepeat);
    const test::Bytes error =
        must(error_token(replay.error(), principal("host/bank.test")), "error_token");
    test::Bytes none;
    OM_uint32 minor = 0;
    const OM_uint32 major = mi.step(error, none, minor);
    INFO(mit_status(major, minor));
    CHECK(GSS_ERROR(major) == GSS_S_FAILURE);
    CHECK(static_cast<krb5_error_code>(minor) == KRB5KRB_AP_ERR_REPEAT);
  }
  SECTION("MIT's acceptor refuses a replay; kerb's initiator reads its KRB-ERROR") {
    KerbClient kc(kAesSha1);
    Initiator init = must(Initiator::start(kc.ticket, {}, ApContext{}), "Initiator::start");
    {
      MitContext mit;
      REQUIRE(mit_accept(mit, init.token()).major == GSS_S_COMPLETE);
    }
    MitContext mit;
    const MitAccepted a = mit_accept(mit, init.token());
    INFO(mit_status(a.major, a.minor));
    REQUIRE(GSS_ERROR(a.major) != 0);
    REQUIRE_FALSE(a.output.empty());
    auto step = init.step(a.output);
    REQUIRE_FALSE(step.ok());
    INFO(describe(step.error()));
    CHECK(step.error().category() == ErrorCategory::kKdc);
    CHECK(step.error().code() == error_code::kKrbApErrRepeat);
  }
}

TEST_CASE("prot_ready: kerb's initiator wraps before the AP-REP, MIT's acceptor unwraps",
          "[integration][gss][prot-ready]") {
  for (const Family* f : {&kAesSha1, &kAesSha2}) {
    DYNAMIC_SECTION(f->name) {
      KerbClient kc(*f);
      Initiator init = must(Initiator::start(kc.ticket, {}, ApContext{}), "Initiator::start");
      REQUIRE(init.prot_ready());
      const test::Bytes request = pattern(300, 7);
      const test::Bytes sealed = must(init.wrap(request, true), "Initiator::wrap");
      const test::Bytes mic = must(init.get_mic(request), "Initiator::get_mic");
      const test::Bytes plain = must(init.wrap(request, false), "Initiator::wrap");

      // MIT's acceptor asserts a subkey of its own, yet reads the three in order.
      MitContext mit;
      const MitAccepted a = mit_accept(mit, init.token());
      INFO(mit_status(a.major, a.minor));
      REQUIRE(a.major == GSS_S_COMPLETE);
      OM_uint32 minor = 0;
      gss_buffer_desc in = buffer_of(sealed), out = GSS_C_EMPTY_BUFFER;
      int conf_state = -1;
      REQUIRE_GSS(gss_unwrap(&minor, mit.handle, &in, &out, &conf_state, nullptr));
      CHECK(take(out) == request);
      CHECK(conf_state == 1);
      gss_buffer_desc m = buffer_of(request), t = buffer_of(mic);
      REQUIRE_GSS(gss_verify_mic(&minor, mit.handle, &m, &t, nullptr));
      in = buffer_of(plain);
      REQUIRE_GSS(gss_unwrap(&minor, mit.handle, &in, &out, &conf_state, nullptr));
      CHECK(take(out) == request);
      CHECK(conf_state == 0);
      // A replay of the first is a duplicate to MIT as well.
      in = buffer_of(sealed);
      CHECK(GSS_SUPPLEMENTARY_INFO(gss_unwrap(&minor, mit.handle, &in, &out, nullptr, nullptr)) ==
            GSS_S_DUPLICATE_TOKEN);
      gss_release_buffer(&minor, &out);

      // Then the AP-REP: the initiator's next tokens go under MIT's subkey, the sequence on.
      REQUIRE(init.step(a.output).ok());
      const test::Bytes after = must(init.wrap(request, true), "Initiator::wrap after step");
      in = buffer_of(after);
      OM_uint32 major = gss_unwrap(&minor, mit.handle, &in, &out, nullptr, nullptr);
      INFO(mit_status(major, minor));
      CHECK(major == GSS_S_COMPLETE);  // no gap, no unseq bit: the next one expected
      CHECK(take(out) == request);
      SecurityContext ctx = must(init.take_context(), "take_context");
      exchange_messages(ctx, mit.handle, mic_size_for(f->session_etype));
      const test::Bytes full = compare_prf(ctx, mit.handle);
      CHECK(full != prf32(ctx, PrfKey::kPartial));  // MIT asserted a subkey
    }
  }
}

TEST_CASE("prot_ready: MIT's initiator protects with its subkey, kerb's acceptor unwraps",
          "[integration][gss][prot-ready]") {
  const Keytab keytab = bank_keytab();
  const test::Bytes request = pattern(300, 9);
  SECTION("without mutual authentication: PROT_READY with the initial token") {
    mit_kinit("alice", "FILE:" + scratch("prot-ready.ccache"));
    MitInitiator mi = krb5_initiator(GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG |
                                     GSS_C_INTEG_FLAG);
    test::Bytes token;
    OM_uint32 minor = 0;
    const OM_uint32 major = mi.step({}, token, minor);
    INFO(mit_status(major, minor));
    REQUIRE(major == GSS_S_COMPLETE);
    // MIT 1.20 fills ret_flags before it adds PROT_READY; gss_inquire_context has it.
    OM_uint32 ctx_flags = 0;
    REQUIRE_GSS(gss_inquire_context(&minor, mi.ctx.handle, nullptr, nullptr, nullptr, nullptr,
                                    &ctx_flags, nullptr, nullptr));
    REQUIRE((ctx_flags & GSS_C_PROT_READY_FLAG) != 0);
    gss_buffer_desc plain = buffer_of(request), sealed = GSS_C_EMPTY_BUFFER;
    int conf_state = 0;
    REQUIRE_GSS(
        gss_wrap(&minor, mi.ctx.handle, 1, GSS_C_QOP_DEFAULT, &plain, &conf_state, &sealed));
    const test::Bytes wrapped = take(sealed);

    AcceptorOptions ao;
    MemoryReplayCache cache;
    ao.replay_cache = &cache;
    Accepted accepted = must(accept(token, keytab, ao), "kerb accept");
    std::uint32_t sup = 0xFF;
    CHECK(must(accepted.context.unwrap(wrapped, &sup), "kerb unwrap") == request);
    CHECK(sup == 0);
    exchange_messages(accepted.context, mi.ctx.handle, mic_size_for(crypto::EncType{18}));
  }
  SECTION("kerb's acceptor asserted a subkey: MIT's tokens under the initiator's subkey pass") {
    // MIT's initiator with mutual authentication protects nothing before the AP-REP (1.20:
    // no PROT_READY, gss_wrap says GSS_S_NO_CONTEXT). Its tokens under its own subkey, with the
    // AcceptorSubkey flag clear and the sequence from the authenticator's -- what a prot_ready
    // initiator sends -- come from a second context of the same AP-REQ, completed with an AP-REP
    // that asserts no subkey.
    mit_kinit("alice", "FILE:" + scratch("prot-ready-mutual.ccache"));
    MitInitiator mi = krb5_initiator(GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG |
                                     GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
    const test::Bytes token = mi.start();
    AcceptorOptions ao;
    ao.replay_detection = ReplayDetection::kOff;  // the same AP-REQ, accepted twice
    ao.acceptor_subkey = false;
    Accepted plain_rep = must(accept(token, keytab, ao), "kerb accept without a subkey");
    test::Bytes none;
    OM_uint32 minor = 0;
    REQUIRE(mi.step(plain_rep.output_token, none, minor) == GSS_S_COMPLETE);
    gss_buffer_desc plain = buffer_of(request), sealed = GSS_C_EMPTY_BUFFER, mic = sealed;
    int conf_state = 0;
    REQUIRE_GSS(
        gss_wrap(&minor, mi.ctx.handle, 1, GSS_C_QOP_DEFAULT, &plain, &conf_state, &sealed));
    const test::Bytes wrapped = take(sealed);
    REQUIRE((wrapped.size() > 2 && (wrapped[2] & 0x04) == 0));  // AcceptorSubkey clear
    REQUIRE_GSS(gss_get_mic(&minor, mi.ctx.handle, GSS_C_QOP_DEFAULT, &plain, &mic));
    const test::Bytes mic_token = take(mic);

    ao.acceptor_subkey = true;
    Accepted accepted = must(accept(token, keytab, ao), "kerb accept with a subkey");
    std::uint32_t sup = 0xFF;
    CHECK(must(accepted.context.unwrap(wrapped, &sup), "kerb unwrap") == request);
    CHECK(sup == 0);
    auto verified = accepted.context.verify_mic(request, mic_token);
    INFO((verified ? "" : describe(verified.error())));
    REQUIRE(verified.ok());
    CHECK(*verified == 0);
    // MIT's PARTIAL key is its subkey: kerb's acceptor derives the same octets.
    const std::string label = "partial";
    gss_buffer_desc in = {label.size(), const_cast<char*>(label.data())}, out = GSS_C_EMPTY_BUFFER;
    REQUIRE_GSS(gss_pseudo_random(&minor, mi.ctx.handle, GSS_C_PRF_KEY_PARTIAL, &in, 64, &out));
    test::Bytes ours(64);
    REQUIRE(accepted.context
                .pseudo_random(PrfKey::kPartial, test::Bytes(label.begin(), label.end()), ours)
                .ok());
    CHECK(take(out) == ours);
  }
}

TEST_CASE("GSS_Pseudo_random: kerb and MIT derive the same octets on one context",
          "[integration][gss][prf]") {
  for (const Family* f : {&kAesSha1, &kAesSha2}) {
    DYNAMIC_SECTION(f->name << ", kerb initiator, MIT acceptor") {
      KerbClient kc(*f);
      Initiator init = must(Initiator::start(kc.ticket, {}, ApContext{}), "Initiator::start");
      MitContext mit;
      const MitAccepted a = mit_accept(mit, init.token());
      INFO(mit_status(a.major, a.minor));
      REQUIRE(a.major == GSS_S_COMPLETE);
      REQUIRE(init.step(a.output).ok());
      SecurityContext ctx = must(init.take_context(), "take_context");
      const test::Bytes full = compare_prf(ctx, mit.handle);
      CHECK(full != prf32(ctx, PrfKey::kPartial));
    }
    DYNAMIC_SECTION(f->name << ", MIT initiator, kerb acceptor") {
      std::optional<ConfigOverride> config;
      if (*f->mit_libdefaults != 0) config.emplace(config_with(f->name, f->mit_libdefaults));
      mit_kinit(f->user, "FILE:" + scratch(std::string(f->name) + "-prf.ccache"));
      MitInitiator mi = krb5_initiator(GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG);
      const test::Bytes token = mi.start();
      const Keytab keytab = bank_keytab();
      MemoryReplayCache cache;
      AcceptorOptions ao;
      ao.replay_cache = &cache;
      Accepted accepted = must(accept(token, keytab, ao), "kerb accept");
      test::Bytes none;
      OM_uint32 minor = 0;
      REQUIRE(mi.step(accepted.output_token, none, minor) == GSS_S_COMPLETE);
      const test::Bytes full = compare_prf(accepted.context, mi.ctx.handle);
      CHECK(full != prf32(accepted.context, PrfKey::kPartial));
    }
  }
  SECTION("without mutual authentication both keys are the initiator's subkey") {
    KerbClient kc(kAesSha1);
    InitiatorOptions o;
    o.flags = context_flags::kConf | context_flags::kInteg;
    Initiator init = must(Initiator::start(kc.ticket, o, ApContext{}), "Initiator::start");
    MitContext mit;
    const MitAccepted a = mit_accept(mit, init.token());
    INFO(mit_status(a.major, a.minor));
    REQUIRE(a.major == GSS_S_COMPLETE);
    SecurityContext ctx = must(init.take_context(), "take_context");
    const test::Bytes full = compare_prf(ctx, mit.handle);
    CHECK(full == prf32(ctx, PrfKey::kPartial));
  }
}
