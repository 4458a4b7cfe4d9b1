// krb5 GSS context establishment (RFC 4121 §4.1): Initiator and accept() against each other
// in a synthetic realm, every token looked inside independently (establish_world.hpp).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include <kerb/ccache.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/krb_error.hpp>

#include "establish_world.hpp"

using namespace kerb;
using namespace kerb::gss;
using namespace kerb::gss::test;

namespace {

constexpr std::uint32_t kDefaultFlags = context_flags::kMutual | context_flags::kReplay |
                                        context_flags::kSequence | context_flags::kConf |
                                        context_flags::kInteg;

void check_failure(const Result<Accepted>& r, std::int32_t code) {
  REQUIRE_FALSE(r.ok());
  INFO(describe(r.error()));
  CHECK(r.error().code() == code);
}

}  // namespace

TEST_CASE("mutual authentication: AP-REQ token, AP-REP token, both contexts", "[gss][establish]") {
  World w;
  Initiator init = w.start();
  CHECK_FALSE(init.established());

  // The InitialContextToken: [APPLICATION 0] { krb5 OID, 01 00, AP-REQ }.
  const Unframed u = unframe(init.token());
  CHECK(u.oid == kerb::test::Bytes(std::begin(kKrb5MechOid), std::end(kKrb5MechOid)));
  CHECK(u.tok_id == 0x0100);
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  CHECK(a.ap_options == ap_options::kMutualRequired);
  CHECK(a.cksumtype == 0x8003);
  CHECK(a.cksum == gss_checksum(kDefaultFlags));  // Lgth 16, Bnd zeros, the flags, nothing more
  REQUIRE(a.seq_number.has_value());
  CHECK(*a.seq_number <= 0x3FFFFFFFu);
  REQUIRE(a.subkey_type.has_value());
  CHECK(*a.subkey_type == crypto::EncType{18});  // a fresh subkey of the session key's enctype
  CHECK(a.subkey != key_bytes(EncType::kAes256CtsHmacSha1_96, 0x22));

  Accepted accepted = must(w.accept(init.token()), "accept");
  CHECK(accepted.initiator == w.client);
  CHECK(accepted.flags == kDefaultFlags);
  CHECK_FALSE(accepted.delegated.has_value());
  CHECK(accepted.context.established());
  CHECK(accepted.context.role() == SecurityContext::Role::kAcceptor);
  CHECK(accepted.context.initiator() == w.client);
  CHECK(accepted.context.acceptor() == w.service);
  CHECK(accepted.context.endtime() == kNow + 3600);
  CHECK((accepted.context.flags() & context_flags::kMutual) != 0);
  CHECK((accepted.context.flags() & context_flags::kDeleg) == 0);

  // The AP-REP token: 02 00, an acceptor subkey of the session key's enctype, a sequence number.
  REQUIRE_FALSE(accepted.output_token.empty());
  CHECK(unframe(accepted.output_token).tok_id == 0x0200);
  const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key());
  REQUIRE(rep.subkey_type.has_value());
  CHECK(*rep.subkey_type == crypto::EncType{18});
  CHECK(rep.subkey != a.subkey);
  REQUIRE(rep.seq_number.has_value());
  CHECK(*rep.seq_number <= 0x3FFFFFFFu);

  auto step = init.step(accepted.output_token);
  INFO((step ? "" : describe(step.error())));
  REQUIRE(step.ok());
  CHECK(*step == Initiator::Step::kDone);
  CHECK(init.established());
  SecurityContext ctx = must(init.take_context(), "take_context");
  CHECK(ctx.role() == SecurityContext::Role::kInitiator);
  CHECK(ctx.initiator() == w.client);
  CHECK(ctx.acceptor() == w.service);
  CHECK(ctx.endtime() == kNow + 3600);
  CHECK((ctx.flags() & kDefaultFlags) == kDefaultFlags);

  SECTION("both sides use the acceptor's subkey (RFC 4121 §2) and the right sequence numbers") {
    const crypto::Key acceptor_subkey = key_of(*rep.subkey_type, rep.subkey);
    check_mic(ctx, acceptor_subkey, key_usage::kInitiatorSign, kAcceptorSubkey, *a.seq_number);
    check_mic(accepted.context, acceptor_subkey, key_usage::kAcceptorSign,
              kSentByAcceptor | kAcceptorSubkey, *rep.seq_number);
  }
  SECTION("the two contexts talk to each other") {
    const kerb::test::Bytes message = {'t', 'r', 'a', 'n', 's', 'f', 'e', 'r'};
    const kerb::test::Bytes sealed = must(ctx.wrap(message, true), "wrap");
    CHECK(must(accepted.context.unwrap(sealed), "unwrap") == message);
    const kerb::test::Bytes back = must(accepted.context.wrap(message, false), "wrap");
    CHECK(must(ctx.unwrap(back), "unwrap") == message);
  }
  SECTION("the context is handed over once; no second acceptor token is expected") {
    CHECK_FALSE(init.take_context().ok());
    CHECK_FALSE(init.step(accepted.output_token).ok());
  }
}

TEST_CASE(
    "without mutual authentication there is no AP-REP and both use the initiator's "
    "subkey and sequence number",
    "[gss][establish]") {
  World w;
  InitiatorOptions o;
  o.flags = context_flags::kReplay | context_flags::kSequence | context_flags::kConf |
            context_flags::kInteg;
  Initiator init = w.start(o);
  CHECK(init.established());  // nothing to wait for
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  CHECK(a.ap_options == 0);
  CHECK(a.cksum == gss_checksum(o.flags));

  Accepted accepted = must(w.accept(init.token()), "accept");
  CHECK(accepted.output_token.empty());
  CHECK(accepted.flags == o.flags);
  CHECK((accepted.context.flags() & context_flags::kMutual) == 0);
  CHECK_FALSE(init.step(kerb::test::Bytes{0x60, 0x00}).ok());

  SecurityContext ctx = must(init.take_context(), "take_context");
  const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
  check_mic(ctx, initiator_subkey, key_usage::kInitiatorSign, 0, *a.seq_number);
  check_mic(accepted.context, initiator_subkey, key_usage::kAcceptorSign, kSentByAcceptor,
            *a.seq_number);
  const kerb::test::Bytes message = {'h', 'i'};
  CHECK(must(accepted.context.unwrap(must(ctx.wrap(message, true), "wrap")), "unwrap") == message);
  CHECK(must(ctx.unwrap(must(accepted.context.wrap(message, true), "wrap")), "unwrap") == message);
}

TEST_CASE("an acceptor without a subkey of its own leaves the initiator's subkey in use",
          "[gss][establish]") {
  World w;
  Initiator init = w.start();
  AcceptorOptions o = w.acceptor();
  o.acceptor_subkey = false;
  Accepted accepted = must(w.accept(init.token(), o), "accept");
  const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key());
  CHECK_FALSE(rep.subkey_type.has_value());
  REQUIRE(rep.seq_number.has_value());
  REQUIRE(init.step(accepted.output_token).ok());
  SecurityContext ctx = must(init.take_context(), "take_context");
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  const crypto::Key initiator_subkey = key_of(*a.subkey_type, a.subkey);
  check_mic(ctx, initiator_subkey, key_usage::kInitiatorSign, 0, *a.seq_number);
  check_mic(accepted.context, initiator_subkey, key_usage::kAcceptorSign, kSentByAcceptor,
            *rep.seq_number);
}

TEST_CASE("every session-key enctype establishes a context", "[gss][establish]") {
  for (EncType e : crypto::kImplementedEnctypes) {
    if (e == EncType::kRc4Hmac) continue;  // weak: the World's default policy refuses it
    DYNAMIC_SECTION(crypto::enctype_name(e)) {
      World w;
      Initiator init = w.start(w.ticket(e));
      Accepted accepted = must(w.accept(init.token()), "accept");
      const ApRepSeen rep = look_inside_ap_rep(accepted.output_token, w.session_key(e));
      CHECK(*rep.subkey_type == e);
      REQUIRE(init.step(accepted.output_token).ok());
      SecurityContext ctx = must(init.take_context(), "take_context");
      check_mic(ctx, key_of(*rep.subkey_type, rep.subkey), key_usage::kInitiatorSign,
                kAcceptorSubkey, *look_inside(init.token(), w.session_key(e)).seq_number);
    }
  }
}

TEST_CASE("channel bindings: RFC 4121 §4.1.1.2 hash, match and mismatch", "[gss][establish]") {
  World w;
  ChannelBindings tls;
  const kerb::test::Bytes abc = {'a', 'b', 'c'};
  tls.application_data = abc;
  // MD5(00000000 00000000 00000000 00000000 03000000 'abc'): every length field, even zero
  // ones, as four little-endian octets (computed with Python's hashlib).
  const kerb::test::Bytes tls_bnd = {0x42, 0x0b, 0x92, 0xda, 0x63, 0x95, 0x37, 0x11,
                                     0xd0, 0x37, 0x90, 0xfc, 0x6a, 0x20, 0x01, 0x3d};
  ChannelBindings addresses;
  const kerb::test::Bytes ip1 = {127, 0, 0, 1};
  const kerb::test::Bytes ip2 = {127, 0, 0, 2};
  addresses.initiator_addrtype = 2;
  addresses.initiator_address = ip1;
  addresses.acceptor_addrtype = 2;
  addresses.acceptor_address = ip2;
  const kerb::test::Bytes addresses_bnd = {0xa0, 0x21, 0x10, 0x9b, 0x3c, 0x49, 0x13, 0xcc,
                                           0x53, 0x24, 0x3a, 0x92, 0x99, 0xe8, 0x64, 0x8c};

  SECTION("the Bnd field is the MD5 of the encoding") {
    InitiatorOptions o;
    o.channel_bindings = tls;
    Initiator init = w.start(o);
    CHECK(look_inside(init.token(), w.session_key()).cksum == gss_checksum(kDefaultFlags, tls_bnd));
    o.channel_bindings = addresses;
    Initiator init2 = w.start(o);
    CHECK(look_inside(init2.token(), w.session_key()).cksum ==
          gss_checksum(kDefaultFlags, addresses_bnd));
  }
  SECTION("the same bindings on both sides") {
    InitiatorOptions o;
    o.channel_bindings = tls;
    Initiator init = w.start(o);
    AcceptorOptions a = w.acceptor();
    a.channel_bindings = tls;
    CHECK(w.accept(init.token(), a).ok());
  }
  SECTION("different bindings: GSS_S_BAD_BINDINGS") {
    InitiatorOptions o;
    o.channel_bindings = tls;
    Initiator init = w.start(o);
    AcceptorOptions a = w.acceptor();
    a.channel_bindings = addresses;
    check_failure(w.accept(init.token(), a), major_status::kBadBindings);
  }
  SECTION("an initiator without bindings does not pass an acceptor that has some") {
    Initiator init = w.start();
    AcceptorOptions a = w.acceptor();
    a.channel_bindings = tls;
    check_failure(w.accept(init.token(), a), major_status::kBadBindings);
  }
  SECTION("an acceptor without bindings ignores the initiator's") {
    InitiatorOptions o;
    o.channel_bindings = addresses;
    Initiator init = w.start(o);
    CHECK(w.accept(init.token()).ok());
  }
}

TEST_CASE("with default options a replayed initial token is refused", "[gss][establish][replay]") {
  World w;
  // Options built afresh for each accept, replay settings untouched: what a server that makes
  // them per connection does. RFC 4120 §3.2.3: the second use of an authenticator is refused.
  const auto defaults = [&] {
    AcceptorOptions o;
    o.clock = &w.service_clock;
    o.random = &w.service_random;
    return o;
  };
  Initiator init = w.start();
  REQUIRE(w.accept(init.token(), defaults()).ok());
  check_failure(w.accept(init.token(), defaults()), error_code::kKrbApErrRepeat);
  // A new token from the same client is not a replay.
  Initiator again = w.start();
  CHECK(w.accept(again.token(), defaults()).ok());
}

TEST_CASE("a replayed initial token is accepted only when detection is turned off by name",
          "[gss][establish][replay]") {
  World w;
  AcceptorOptions off = w.acceptor();
  off.replay_detection = ReplayDetection::kOff;
  Initiator init = w.start();
  CHECK(w.accept(init.token(), off).ok());
  CHECK(w.accept(init.token(), off).ok());
  // Nothing was remembered while it was off; on again, the first use goes and the second not.
  CHECK(w.accept(init.token()).ok());
  check_failure(w.accept(init.token()), error_code::kKrbApErrRepeat);
}

TEST_CASE("a replayed initial token is refused by the caller's own cache",
          "[gss][establish][replay]") {
  World w;
  MemoryReplayCache cache;
  AcceptorOptions a = w.acceptor();
  a.replay_cache = &cache;
  Initiator init = w.start();
  REQUIRE(w.accept(init.token(), a).ok());
  check_failure(w.accept(init.token(), a), error_code::kKrbApErrRepeat);
  Initiator again = w.start();
  CHECK(w.accept(again.token(), a).ok());
}

TEST_CASE("a replay is refused across a restart with a FileReplayCache",
          "[gss][establish][replay]") {
  World w;
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/kerb-gss-establish-rcache-" + std::to_string(::getpid());
  std::remove(path.c_str());
  Initiator init = w.start();
  {
    FileReplayCache cache(path);
    AcceptorOptions a = w.acceptor();
    a.replay_cache = &cache;
    REQUIRE(w.accept(init.token(), a).ok());
  }
  FileReplayCache restarted(path);
  AcceptorOptions a = w.acceptor();
  a.replay_cache = &restarted;
  check_failure(w.accept(init.token(), a), error_code::kKrbApErrRepeat);
  std::remove(path.c_str());
}

TEST_CASE("require_mutual refuses initiators that did not ask for it", "[gss][establish]") {
  World w;
  AcceptorOptions a = w.acceptor();
  a.require_mutual = true;
  InitiatorOptions o;
  o.flags = context_flags::kConf | context_flags::kInteg;
  Initiator init = w.start(o);
  check_failure(w.accept(init.token(), a), error_code::kKrbApErrMethod);
  Initiator mutual = w.start();
  CHECK(w.accept(mutual.token(), a).ok());
}

TEST_CASE("delegation: the forwardable TGT arrives as KRB-CRED and comes out as Credentials",
          "[gss][establish][deleg]") {
  World w;
  const Credentials tgt = w.tgt();
  InitiatorOptions o;
  o.flags |= context_flags::kDeleg;
  o.delegated_tgt = &tgt;
  Initiator init = w.start(o);

  // The checksum carries DlgOpt 1, Dlgth and a KRB-CRED under the session key (usage 14).
  const AuthenticatorSeen a = look_inside(init.token(), w.session_key());
  REQUIRE(a.cksum.size() > 28);
  CHECK((a.cksum[20] & context_flags::kDeleg) != 0);
  CHECK(a.cksum[24] == 1);
  CHECK(a.cksum[25] == 0);
  const std::size_t dlgth = a.cksum[26] | std::size_t{a.cksum[27]} << 8;
  REQUIRE(a.cksum.size() == 28 + dlgth);
  const KrbCred cred = must(decode_krb_cred(ByteView(a.cksum).subspan(28)), "decode_krb_cred");
  CHECK(cred.enc_part.etype == crypto::EncType{18});
  CHECK(unseal(w.session_key(), key_usage::kKrbCredEncPart, cred.enc_part).has_value());

  Accepted accepted = must(w.accept(init.token()), "accept");
  CHECK((accepted.flags & context_flags::kDeleg) != 0);
  CHECK((accepted.context.flags() & context_flags::kDeleg) != 0);
  REQUIRE(accepted.delegated.has_value());
  const Credentials& d = *accepted.delegated;
  CHECK(d.client == w.client);
  CHECK(d.server == w.krbtgt);
  CHECK(d.session_key == tgt.session_key);
  CHECK(d.ticket == tgt.ticket);
  CHECK(d.authtime == tgt.authtime);
  CHECK(d.endtime == tgt.endtime);
  CHECK(d.renew_till == tgt.renew_till);
  CHECK(d.ticket_flags == tgt.ticket_flags);
  REQUIRE(init.step(accepted.output_token).ok());
  SecurityContext ctx = must(init.take_context(), "take_context");
  CHECK((ctx.flags() & context_flags::kDeleg) != 0);
}

TEST_CASE("delegated credentials with more addresses than a ccache holds are refused",
          "[gss][establish][deleg]") {
  World w;
  const auto delegate = [&](std::size_t addresses) {
    Credentials tgt = w.tgt();
    for (std::size_t i = 0; i < addresses; ++i)
      tgt.addresses.push_back(Credentials::Address{
          2, {10, 1, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}});
    InitiatorOptions o;
    o.flags |= context_flags::kDeleg;
    o.delegated_tgt = &tgt;
    Initiator init = w.start(o);
    return w.accept(init.token());
  };
  auto most = delegate(CcacheContents::kMaxAddresses);
  INFO((most ? "" : describe(most.error())));
  REQUIRE(most.ok());
  REQUIRE(most->delegated.has_value());
  CHECK(most->delegated->addresses.size() == 256);
  auto more = delegate(CcacheContents::kMaxAddresses + 1);
  check_failure(more, major_status::kFailure);
  CHECK_THAT(std::string(more.error().detail()), Catch::Contains("257 addresses"));
}

TEST_CASE("no delegation without a forwardable TGT of the same client", "[gss][establish][deleg]") {
  World w;
  const Credentials not_forwardable = w.tgt(false);
  Credentials someone_else = w.tgt();
  someone_else.client = principal("mallory@EXAMPLE.COM");
  for (const Credentials* tgt : {static_cast<const Credentials*>(nullptr), &not_forwardable,
                                 static_cast<const Credentials*>(&someone_else)}) {
    InitiatorOptions o;
    o.flags |= context_flags::kDeleg;
    o.delegated_tgt = tgt;
    Initiator init = w.start(o);
    CHECK(look_inside(init.token(), w.session_key()).cksum == gss_checksum(kDefaultFlags));
    Accepted accepted = must(w.accept(init.token()), "accept");
    CHECK_FALSE(accepted.delegated.has_value());
    CHECK((accepted.flags & context_flags::kDeleg) == 0);
  }
}

namespace {

// The KRB-CRED contents that forward `tgt` (RFC 4120 §5.8.1): its Ticket and one KrbCredInfo
// naming its key, client, server and endtime. The encoders' views point into the members, so
// it stays where it is made.
struct ForwardedTgt {
  explicit ForwardedTgt(const Credentials& tgt)
      : ticket(must(decode_der<Ticket>(tgt.ticket, "Ticket"), "Ticket")),
        pname(tgt.client.name()),
        sname(tgt.server.name()) {
    info.key = EncryptionKey{tgt.session_key.enctype, tgt.session_key.contents.view()};
    info.prealm = tgt.client.realm();
    info.pname = pname;
    info.srealm = tgt.server.realm();
    info.sname = sname;
    info.endtime = KerberosTime{tgt.endtime};
    part.ticket_info = SequenceOf<KrbCredInfo>(std::span<const KrbCredInfo>(&info, 1));
  }
  ForwardedTgt(const ForwardedTgt&) = delete;
  ForwardedTgt& operator=(const ForwardedTgt&) = delete;

  const Ticket ticket;
  const PrincipalName pname;
  const PrincipalName sname;
  KrbCredInfo info;
  EncKrbCredPart part;
};

// The 0x8003 checksum with GSS_C_DELEG_FLAG carrying `krb_cred` (RFC 4121 §4.1.1: DlgOpt 1,
// Dlgth, Deleg).
kerb::test::Bytes deleg_checksum(const kerb::test::Bytes& krb_cred) {
  kerb::test::Bytes c = gss_checksum(kDefaultFlags | context_flags::kDeleg);
  put_le16(c, 1);
  put_le16(c, static_cast<std::uint16_t>(krb_cred.size()));
  c.insert(c.end(), krb_cred.begin(), krb_cred.end());
  return c;
}

}  // namespace

TEST_CASE("an unencrypted (etype 0) KRB-CRED is accepted, as MIT accepts it",
          "[gss][establish][deleg]") {
  World w;
  const Credentials tgt = w.tgt();
  const Credentials ticket = w.ticket();
  ForwardedTgt fwd(tgt);
  const kerb::test::Bytes plain = kerb::test::der_of(fwd.part);
  KrbCred cred;
  cred.tickets = SequenceOf<Ticket>(std::span<const Ticket>(&fwd.ticket, 1));
  cred.enc_part = EncryptedData{crypto::EncType{0}, std::nullopt, plain};
  const kerb::test::Bytes krb_cred = kerb::test::der_of(cred);

  const kerb::test::Bytes token =
      initial_token_with(w, ticket, Checksum{0x8003, deleg_checksum(krb_cred)});
  Accepted accepted = must(w.accept(token), "accept");
  REQUIRE(accepted.delegated.has_value());
  CHECK(accepted.delegated->ticket == tgt.ticket);
  CHECK(accepted.delegated->session_key == tgt.session_key);
  CHECK(accepted.delegated->endtime == tgt.endtime);

  SECTION("but not one naming another client") {
    const Principal mallory = principal("mallory@EXAMPLE.COM");
    const PrincipalName other = mallory.name();
    fwd.info.pname = other;
    const kerb::test::Bytes plain2 = kerb::test::der_of(fwd.part);
    cred.enc_part = EncryptedData{crypto::EncType{0}, std::nullopt, plain2};
    const kerb::test::Bytes krb_cred2 = kerb::test::der_of(cred);
    check_failure(
        w.accept(initial_token_with(w, ticket, Checksum{0x8003, deleg_checksum(krb_cred2)})),
        error_code::kKrbApErrBadmatch);
  }
}

TEST_CASE("a delegated KRB-CRED that fails its integrity check: KRB_AP_ERR_BAD_INTEGRITY",
          "[gss][establish][deleg]") {
  // RFC 4120 §3.6.2: "If decryption shows the data to have been modified, a
  // KRB_AP_ERR_BAD_INTEGRITY error is generated."
  World w;
  const Credentials tgt = w.tgt();
  const Credentials ticket = w.ticket();
  ForwardedTgt fwd(tgt);
  const crypto::Key session_key = must(ticket.session_key.to_key(), "session key");
  // Under the service ticket's session key with key usage 14 (RFC 4121 §4.1.1).
  const kerb::test::Bytes cipher = kerb::test::seal(session_key, key_usage::kKrbCredEncPart,
                                                    kerb::test::der_of(fwd.part), w.kdc_random);
  const auto token_with = [&](const kerb::test::Bytes& enc_part) {
    KrbCred cred;
    cred.tickets = SequenceOf<Ticket>(std::span<const Ticket>(&fwd.ticket, 1));
    cred.enc_part = EncryptedData{session_key.enctype(), std::nullopt, enc_part};
    const kerb::test::Bytes krb_cred = kerb::test::der_of(cred);
    return initial_token_with(w, ticket, Checksum{0x8003, deleg_checksum(krb_cred)});
  };
  Accepted accepted = must(w.accept(token_with(cipher)), "accept");
  REQUIRE(accepted.delegated.has_value());
  CHECK(accepted.delegated->ticket == tgt.ticket);

  kerb::test::Bytes tampered = cipher;
  tampered[tampered.size() / 2] ^= 0x01;
  auto r = w.accept(token_with(tampered));
  check_failure(r, error_code::kKrbApErrBadIntegrity);
  CHECK(r.error().category() == ErrorCategory::kCrypto);
  // And the KRB-ERROR token says so, not KRB_ERR_GENERIC.
  const kerb::test::Bytes token =
      must(error_token(r.error(), w.service, w.service_clock), "error_token");
  const KrbError e = must(decode_krb_error(unframe(token).body), "decode_krb_error");
  CHECK(e.error_code == error_code::kKrbApErrBadIntegrity);
}

TEST_CASE("the 0x8003 checksum is checked strictly", "[gss][establish]") {
  World w;
  const Credentials ticket = w.ticket();
  auto accept_with = [&](std::optional<Checksum> c, bool seq = true) {
    return w.accept(initial_token_with(w, ticket, c, true, seq));
  };
  const kerb::test::Bytes good = gss_checksum(kDefaultFlags);
  CHECK(accept_with(Checksum{0x8003, good}).ok());

  SECTION("extensions past Flags are ignored (RFC 4121 §4.1.1)") {
    kerb::test::Bytes c = good;
    c.insert(c.end(), {1, 2, 3, 4, 5});
    CHECK(accept_with(Checksum{0x8003, c}).ok());
  }
  SECTION("no checksum, or another type: KRB_AP_ERR_INAPP_CKSUM") {
    check_failure(accept_with(std::nullopt), error_code::kKrbApErrInappCksum);
    check_failure(accept_with(Checksum{16, good}), error_code::kKrbApErrInappCksum);
  }
  SECTION("shorter than 24 octets") {
    for (std::size_t n : {0u, 4u, 20u, 23u}) {
      const kerb::test::Bytes c(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
      check_failure(accept_with(Checksum{0x8003, c}), major_status::kDefectiveToken);
    }
  }
  SECTION("Lgth other than 16") {
    kerb::test::Bytes c = good;
    c[0] = 15;
    check_failure(accept_with(Checksum{0x8003, c}), major_status::kDefectiveToken);
  }
  SECTION("GSS_C_DELEG_FLAG without delegation fields, a wrong DlgOpt, a Dlgth too long") {
    kerb::test::Bytes c = gss_checksum(kDefaultFlags | context_flags::kDeleg);
    check_failure(accept_with(Checksum{0x8003, c}), major_status::kDefectiveToken);
    kerb::test::Bytes wrong_opt = c;
    put_le16(wrong_opt, 2);
    put_le16(wrong_opt, 0);
    check_failure(accept_with(Checksum{0x8003, wrong_opt}), major_status::kDefectiveToken);
    kerb::test::Bytes too_long = c;
    put_le16(too_long, 1);
    put_le16(too_long, 10);
    too_long.insert(too_long.end(), 9, 0);
    check_failure(accept_with(Checksum{0x8003, too_long}), major_status::kDefectiveToken);
    kerb::test::Bytes garbage = c;
    put_le16(garbage, 1);
    put_le16(garbage, 3);
    garbage.insert(garbage.end(), {0x30, 0x01, 0x00});
    check_failure(accept_with(Checksum{0x8003, garbage}), major_status::kDefectiveToken);
  }
  SECTION("no sequence number (RFC 4121 §4.1.1: MUST)") {
    check_failure(accept_with(Checksum{0x8003, good}, false), major_status::kDefectiveToken);
  }
}

TEST_CASE("framing: other mechanisms and other TOK_IDs are refused", "[gss][establish]") {
  World w;
  Initiator init = w.start();
  const kerb::test::Bytes token(init.token().begin(), init.token().end());
  const Unframed u = unframe(token);

  SECTION("an AP-REQ framed with the SPNEGO OID") {
    const kerb::test::Bytes framed =
        must(frame_token(kSpnegoMechOid, TokenId::kApReq, u.body), "frame");
    check_failure(w.accept(framed), major_status::kDefectiveToken);
  }
  SECTION("TOK_ID 02 00 in an initial token: KRB_AP_ERR_MSG_TYPE (RFC 4121 §4.1)") {
    const kerb::test::Bytes framed =
        must(frame_token(kKrb5MechOid, TokenId::kApRep, u.body), "frame");
    check_failure(w.accept(framed), error_code::kKrbApErrMsgType);
  }
  SECTION("truncated and extended tokens") {
    for (std::size_t n = 0; n < token.size(); n += 7) {
      const kerb::test::Bytes cut(token.begin(), token.begin() + static_cast<std::ptrdiff_t>(n));
      CHECK_FALSE(w.accept(cut).ok());
    }
    kerb::test::Bytes longer = token;
    longer.push_back(0);
    CHECK_FALSE(w.accept(longer).ok());
  }
  SECTION("a ticket for a service the keytab has no key for: KRB_AP_ERR_NOKEY") {
    w.keytab.entries.clear();
    check_failure(w.accept(token), error_code::kKrbApErrNokey);
  }
  SECTION("outside the clock skew: KRB_AP_ERR_SKEW") {
    w.service_clock.advance(301);
    check_failure(w.accept(token), error_code::kKrbApErrSkew);
  }
}

TEST_CASE("every bit flip of the initial token is refused, and nothing crashes",
          "[gss][establish][tamper]") {
  World w;
  Initiator init = w.start();
  const kerb::test::Bytes token(init.token().begin(), init.token().end());
  const Unframed u = unframe(token);
  const std::size_t body_at = token.size() - u.body.size();
  // The fields outside any encryption and integrity check that an acceptor may ignore:
  // the ap-options BIT STRING's four octets (only mutual-required has a meaning, RFC 4120
  // §5.5.1) and the ticket's sname name-type (advisory, RFC 4120 §6.2).
  const kerb::test::Bytes options_header = {0xa2, 0x07, 0x03, 0x05, 0x00};
  const auto options_it =
      std::search(u.body.begin(), u.body.end(), options_header.begin(), options_header.end());
  REQUIRE(options_it != u.body.end());
  const std::size_t options_at =
      body_at + static_cast<std::size_t>(options_it - u.body.begin()) + options_header.size();
  const kerb::test::Bytes name_type_header = {0xa0, 0x03, 0x02, 0x01, 0x01};  // sname name-type 1
  const auto nt_it =
      std::search(u.body.begin(), u.body.end(), name_type_header.begin(), name_type_header.end());
  REQUIRE(nt_it != u.body.end());
  const std::size_t name_type_at =
      body_at + static_cast<std::size_t>(nt_it - u.body.begin()) + name_type_header.size() - 1;

  std::size_t refused = 0, ignored = 0;
  for (std::size_t i = 0; i < token.size() * 8; ++i) {
    kerb::test::Bytes t = token;
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto r = w.accept(t);
    const std::size_t at = i / 8;
    const bool unprotected = (at >= options_at && at < options_at + 4) || at == name_type_at;
    if (unprotected) {
      if (r.ok()) {
        ++ignored;
        CHECK(r->initiator == w.client);  // the same client, whatever the flipped bit said
      }
    } else {
      INFO("bit " << i << " of " << token.size() * 8);
      CHECK_FALSE(r.ok());
      ++refused;
    }
  }
  CHECK(refused >= token.size() * 8 - 40);
  CHECK(ignored > 0);
}

TEST_CASE("every bit flip of the AP-REP token is refused by the initiator",
          "[gss][establish][tamper]") {
  World w;
  Initiator first = w.start();
  Accepted accepted = must(w.accept(first.token()), "accept");
  const kerb::test::Bytes good = accepted.output_token;
  for (std::size_t i = 0; i < good.size() * 8; ++i) {
    World again;  // the same deterministic world: the same initiator state each time
    Initiator init = again.start();
    kerb::test::Bytes t = good;
    t[i / 8] ^= static_cast<std::uint8_t>(1u << (i % 8));
    INFO("bit " << i);
    CHECK_FALSE(init.step(t).ok());
    CHECK_FALSE(init.established());
    CHECK_FALSE(init.take_context().ok());
  }
  // The untouched AP-REP works against the same deterministic initiator.
  World again;
  Initiator init = again.start();
  CHECK(init.step(good).ok());
}

TEST_CASE("a KRB-ERROR token reaches the initiator with its code", "[gss][establish][error]") {
  World w;
  SECTION("a Kerberos code travels as is") {
    Initiator init = w.start();
    MemoryReplayCache cache;
    AcceptorOptions a = w.acceptor();
    a.replay_cache = &cache;
    REQUIRE(w.accept(init.token(), a).ok());
    auto replay = w.accept(init.token(), a);
    REQUIRE_FALSE(replay.ok());
    const kerb::test::Bytes token =
        must(error_token(replay.error(), w.service, w.service_clock), "error_token");
    const Unframed u = unframe(token);
    CHECK(u.tok_id == 0x0300);
    const KrbError e = must(decode_krb_error(u.body), "decode_krb_error");
    CHECK(e.error_code == error_code::kKrbApErrRepeat);
    CHECK(e.stime.seconds == kNow);
    CHECK(e.susec.value == kNowUsec);
    CHECK(e.realm == "EXAMPLE.COM");
    CHECK(Principal(e.realm, e.sname) == w.service);

    auto step = init.step(token);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().category() == ErrorCategory::kKdc);
    CHECK(step.error().code() == error_code::kKrbApErrRepeat);
    CHECK_THAT(std::string(step.error().detail()), Catch::Contains("KRB_AP_ERR_REPEAT"));
    CHECK_FALSE(init.established());
    CHECK_FALSE(init.take_context().ok());
  }
  SECTION("a GSS status (bad bindings) travels as KRB_ERR_GENERIC") {
    Initiator init = w.start();
    AcceptorOptions a = w.acceptor();
    ChannelBindings cb;
    const kerb::test::Bytes x = {'x'};
    cb.application_data = x;
    a.channel_bindings = cb;
    auto r = w.accept(init.token(), a);
    REQUIRE_FALSE(r.ok());
    const kerb::test::Bytes token =
        must(error_token(r.error(), w.service, w.service_clock), "error_token");
    auto step = init.step(token);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().code() == error_code::kKrbErrGeneric);
  }
  SECTION("a malformed KRB-ERROR is a defective token") {
    Initiator init = w.start();
    const kerb::test::Bytes junk = {0x30, 0x00};
    const kerb::test::Bytes token =
        must(frame_token(kKrb5MechOid, TokenId::kKrbError, junk), "frame");
    auto step = init.step(token);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().code() == major_status::kDefectiveToken);
  }
}

TEST_CASE("the initiator refuses what it cannot use", "[gss][establish]") {
  World w;
  SECTION("take_context before the AP-REP with mutual authentication") {
    Initiator init = w.start();
    auto ctx = init.take_context();
    REQUIRE_FALSE(ctx.ok());
    CHECK(ctx.error().code() == major_status::kNoContext);
  }
  SECTION("an AP-REP for another initiator (mutual authentication fails)") {
    Initiator init = w.start();
    World other;  // same session key, but a later ctime: its AP-REP echoes another time
    other.clock.advance(1);
    other.service_clock.advance(1);
    Initiator someone = other.start();
    Accepted accepted = must(other.accept(someone.token()), "accept");
    auto step = init.step(accepted.output_token);
    REQUIRE_FALSE(step.ok());
    CHECK_FALSE(init.established());
  }
  SECTION("a session key the policy refuses") {
    ApContext c = w.context();
    const crypto::EncType only[] = {EncType::kAes128CtsHmacSha256_128};
    c.policy = must(crypto::Policy::from_list(only), "Policy");
    auto init = Initiator::start(w.ticket(), {}, c);
    REQUIRE_FALSE(init.ok());
    CHECK(init.error().category() == ErrorCategory::kPolicy);
  }
}

TEST_CASE("an acceptor name: a principal, a host-based service, or the service on any host",
          "[gss][establish][name]") {
  World w;
  // More services in the keytab, each with its own key: the ticket's server name picks it.
  struct Service {
    const char* name;
    std::uint8_t key_seed;
  };
  const Service services[] = {{"bank/bank.test@OTHER.TEST", 0x61},
                              {"bank/www.example.com@EXAMPLE.COM", 0x62},
                              {"bank@EXAMPLE.COM", 0x63}};
  std::vector<crypto::Key> keys;
  for (const Service& s : services) {
    keys.push_back(fixed_key(EncType::kAes256CtsHmacSha1_96, s.key_seed));
    KeytabEntry e;
    e.principal = principal(s.name);
    e.kvno = World::kKvno;
    e.key = KeyBlock::from_key(keys.back());
    w.keytab.add(std::move(e));
  }
  const auto ticket_for = [&](std::size_t i) {
    TicketSpec t = w.ticket_spec();
    t.server = principal(services[i].name);
    t.service_key = &keys[i];
    return make_credentials(t, w.kdc_random);
  };
  // A fresh initial token for each attempt (so that no attempt is a replay of another).
  const auto attempt = [&](const Credentials& ticket, const AcceptorName& name) {
    AcceptorOptions o = w.acceptor();
    o.acceptor_name = name;
    o.transit.trust("EXAMPLE.COM", "OTHER.TEST");  // alice at bank/bank.test@OTHER.TEST
    Initiator init = w.start(ticket);
    return w.accept(init.token(), o);
  };
  const Credentials bank_test = ticket_for(0);  // bank/bank.test@OTHER.TEST
  const Credentials bank_www = ticket_for(1);   // bank/www.example.com@EXAMPLE.COM
  const Credentials bank_one = ticket_for(2);   // bank@EXAMPLE.COM: one component
  const Credentials host_bank = w.ticket();     // host/bank.example.com@EXAMPLE.COM

  // No name: any principal in the keytab (GSS_C_NO_NAME).
  for (const Credentials* t : {&bank_test, &bank_www, &bank_one, &host_bank})
    CHECK(attempt(*t, AcceptorName()).ok());

  // "bank" alone, as MIT's acceptor matches a host-based name without a host: bank/<any
  // host> in any realm; not a one-component "bank", not another service.
  const AcceptorName bank = AcceptorName::host_based("bank");
  auto a = attempt(bank_test, bank);
  INFO((a ? "" : describe(a.error())));
  REQUIRE(a.ok());
  CHECK(a->context.acceptor() == principal("bank/bank.test@OTHER.TEST"));
  CHECK(attempt(bank_www, bank).ok());
  check_failure(attempt(bank_one, bank), error_code::kKrbApErrNotUs);
  check_failure(attempt(host_bank, bank), error_code::kKrbApErrNotUs);

  // "bank@bank.test": that host, any realm.
  const AcceptorName bank_at = AcceptorName::host_based("bank", "bank.test");
  CHECK(attempt(bank_test, bank_at).ok());
  check_failure(attempt(bank_www, bank_at), error_code::kKrbApErrNotUs);

  // A full principal: exactly it, realm included.
  const AcceptorName exact = AcceptorName::principal(principal("bank/bank.test@OTHER.TEST"));
  CHECK(attempt(bank_test, exact).ok());
  check_failure(attempt(bank_www, exact), error_code::kKrbApErrNotUs);
  const AcceptorName other_realm = AcceptorName::principal(principal("bank/bank.test@EXAMPLE.COM"));
  auto refused = attempt(bank_test, other_realm);
  check_failure(refused, error_code::kKrbApErrNotUs);
  // The refusal names both the ticket's server and the name the acceptor answers as.
  CHECK_THAT(std::string(refused.error().detail()),
             Catch::Contains("bank/bank.test@OTHER.TEST") &&
                 Catch::Contains("bank/bank.test@EXAMPLE.COM"));
}

TEST_CASE("a client of another realm is accepted only when the transit policy trusts its realm",
          "[gss][establish][transit]") {
  World w;
  // RFC 4120 §2.7: the service decides which realms may have authenticated its clients.
  const auto ticket_of = [&](const char* client, const char* transited, std::uint32_t flags) {
    TicketSpec t = w.ticket_spec();
    t.client = principal(client);
    t.transited = transited;
    t.flags |= flags;
    return make_credentials(t, w.kdc_random);
  };
  const Credentials carol = ticket_of("carol@OTHER.TEST", "", 0);
  // Through OTHER.TEST, without TRANSITED-POLICY-CHECKED: as MIT's KDC issues eve's ticket
  // when its [capaths] do not allow the path.
  const Credentials eve = ticket_of("eve@EVIL.TEST", "OTHER.TEST", 0);
  const auto attempt = [&](const Credentials& ticket, const TransitPolicy& transit) {
    AcceptorOptions o = w.acceptor();
    o.transit = transit;
    Initiator init = w.start(ticket);
    auto accepted = w.accept(init.token(), o);
    return std::pair(std::move(init), std::move(accepted));
  };

  SECTION("the default options refuse carol: KRB_AP_PATH_NOT_ACCEPTED in the KRB-ERROR token") {
    auto [init, r] = attempt(carol, TransitPolicy());
    check_failure(r, error_code::kKrbApPathNotAccepted);
    const kerb::test::Bytes token =
        must(error_token(r.error(), w.service, w.service_clock), "error");
    const KrbError e = must(decode_krb_error(unframe(token).body), "decode_krb_error");
    CHECK(e.error_code == 51);  // RFC 4120 §7.5.9
    auto step = init.step(token);
    REQUIRE_FALSE(step.ok());
    CHECK(step.error().code() == 51);
  }
  SECTION("trusted directly, carol is accepted; eve through OTHER.TEST is not") {
    TransitPolicy direct;
    direct.trust("OTHER.TEST", "EXAMPLE.COM");
    direct.trust("EVIL.TEST", "EXAMPLE.COM");
    auto [init, r] = attempt(carol, direct);
    INFO((r ? "" : describe(r.error())));
    REQUIRE(r.ok());
    CHECK(r->initiator == principal("carol@OTHER.TEST"));
    CHECK(r->context.initiator() == principal("carol@OTHER.TEST"));
    check_failure(attempt(eve, direct).second, error_code::kKrbApPathNotAccepted);
  }
  SECTION("another realm's trust does not cover carol") {
    TransitPolicy evil_only;
    evil_only.trust("EVIL.TEST", "EXAMPLE.COM", {"OTHER.TEST"});
    check_failure(attempt(carol, evil_only).second, error_code::kKrbApPathNotAccepted);
    CHECK(attempt(eve, evil_only).second.ok());
  }
}
