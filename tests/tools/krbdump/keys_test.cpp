// krbdump's key ring, decryption explanations and PAC, on messages recorded from the MIT KDC
// fixture (tests/data/krbdump/README.md): the KDC's own encryption and signatures are the
// oracle, and the recorded keys are the ones it used.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <kerb/constants.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/messages/ticket.hpp>

#include "decrypt.hpp"
#include "keys.hpp"
#include "pac.hpp"
#include "tree.hpp"

namespace {

using namespace krbdump;

std::string data_path(const std::string& name) {
  return std::string(KRBDUMP_TEST_DATA) + "/" + name;
}

std::vector<std::uint8_t> read_file(const std::string& name) {
  std::ifstream in(data_path(name), std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string principal_text(std::string_view realm, const kerb::PrincipalName& name) {
  return kerb::Principal(realm, name).to_string();
}

bool any_attempt(const DecryptOutcome& o, const std::string& source_part,
                 const std::string& why_part) {
  for (const DecryptAttempt& a : o.tried)
    if (a.key_source.find(source_part) != std::string::npos &&
        a.why_not.find(why_part) != std::string::npos)
      return true;
  return false;
}

std::string text_of(std::span<const std::uint8_t> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

bool any_attempt_gss(const GssTokenOutcome& o, const std::string& source_part,
                     const std::string& why_part) {
  for (const DecryptAttempt& a : o.tried)
    if (a.key_source.find(source_part) != std::string::npos &&
        a.why_not.find(why_part) != std::string::npos)
      return true;
  return false;
}

// The recorded TGS-REP (MIT kvno host/bank.test) and the ticket it carries.
struct Recorded {
  std::vector<std::uint8_t> as_rep_bytes = read_file("raw-4-as-rep.der");
  std::vector<std::uint8_t> tgs_rep_bytes = read_file("raw-6-tgs-rep.der");
  kerb::KdcRep as_rep = must(kerb::decode_as_rep(as_rep_bytes));
  kerb::KdcRep tgs_rep = must(kerb::decode_tgs_rep(tgs_rep_bytes));

  static kerb::KdcRep must(kerb::Result<kerb::KdcRep> r) {
    INFO((r ? "" : std::string(r.error().detail())));
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  Hint ticket_hint() const {
    return Hint{principal_text(tgs_rep.ticket.realm, tgs_rep.ticket.sname), {}, KeyKind::kAny, ""};
  }
  Hint as_rep_hint() const {
    Hint h;
    h.principal = principal_text(as_rep.crealm, as_rep.cname);
    return h;
  }
};

TEST_CASE("a service ticket opens with the service keytab", "[krbdump][keys]") {
  Recorded r;
  KeyRing ring;
  REQUIRE(ring.add_keytab(data_path("keys/bank.keytab")).ok());
  DecryptOutcome o =
      open(ring, r.tgs_rep.ticket.enc_part, kerb::key_usage::kTicket, r.ticket_hint());
  INFO(o.explain());
  REQUIRE(o.ok);
  CHECK_THAT(o.key_source, Catch::Contains("host/bank.test@KERB.TEST"));
  auto part = kerb::decode_der<kerb::EncTicketPart>(o.plain.view(), "EncTicketPart");
  REQUIRE(part.ok());
  CHECK(principal_text(part->crealm, part->cname) == "alice@KERB.TEST");
}

TEST_CASE("a ticket names the wrong kvno of a keytab key", "[krbdump][keys][explain]") {
  Recorded r;
  KeyRing ring;
  REQUIRE(ring.add_keytab(data_path("keys/wrong-kvno.keytab")).ok());
  const kerb::EncryptedData& enc = r.tgs_rep.ticket.enc_part;
  REQUIRE(enc.kvno.has_value());
  DecryptOutcome o = open(ring, enc, kerb::key_usage::kTicket, r.ticket_hint());
  REQUIRE_FALSE(o.ok);
  INFO(o.explain());
  CHECK(any_attempt(o, "kvno 8", "wrong kvno (key 8, part " + std::to_string(*enc.kvno) + ")"));
  CHECK_THAT(o.need, Catch::Contains("long-term key of host/bank.test@KERB.TEST"));
  CHECK_THAT(o.need, Catch::Contains("kvno " + std::to_string(*enc.kvno)));
  CHECK_THAT(o.need, Catch::Contains("aes256-cts-hmac-sha1-96 (18)"));
  CHECK_THAT(o.need, Catch::Contains("ticket enc-part (2)"));
}

TEST_CASE("a wrong key fails the integrity check", "[krbdump][keys][explain]") {
  Recorded r;
  KeyRing ring;
  REQUIRE(ring.add_keytab(data_path("keys/wrong-key.keytab")).ok());
  REQUIRE(ring.add_raw_key("aes256-cts-hmac-sha1-96:" + std::string(64, '7')).ok());
  REQUIRE(ring.add_raw_key("17:" + std::string(32, '1')).ok());
  DecryptOutcome o =
      open(ring, r.tgs_rep.ticket.enc_part, kerb::key_usage::kTicket, r.ticket_hint());
  REQUIRE_FALSE(o.ok);
  INFO(o.explain());
  CHECK(any_attempt(o, "keytab", "integrity check failed"));
  CHECK(any_attempt(o, "--key 1", "integrity check failed: wrong key"));
  CHECK(any_attempt(o, "--key 2",
                    "wrong enctype (key aes128-cts-hmac-sha1-96 (17), part "
                    "aes256-cts-hmac-sha1-96 (18))"));
}

TEST_CASE("a password with the wrong salt is explained, the default salt opens",
          "[krbdump][keys][explain]") {
  Recorded r;
  const kerb::EncryptedData& enc = r.as_rep.enc_part;
  {
    KeyRing ring;
    ring.add_password("alice@KERB.TEST", "Kerb-alice-pw1", std::string("KERB.TESTbob"));
    DecryptOutcome o = open(ring, enc, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
    REQUIRE_FALSE(o.ok);
    INFO(o.explain());
    CHECK(any_attempt(o, "password for alice@KERB.TEST",
                      "wrong password or wrong salt (salt \"KERB.TESTbob\")"));
    CHECK_THAT(o.explain(), Catch::Contains("salts tried: \"KERB.TESTbob\""));
  }
  {
    // No salt given and no ETYPE-INFO2 seen: the default salt, realm + name (RFC 4120 §4).
    KeyRing ring;
    ring.add_password("alice", "Kerb-alice-pw1", std::nullopt);
    DecryptOutcome o = open(ring, enc, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
    INFO(o.explain());
    REQUIRE(o.ok);
    CHECK_THAT(o.key_source, Catch::Contains("salt \"KERB.TESTalice\""));
    auto part = kerb::decode_enc_kdc_rep_part(o.plain.view());
    REQUIRE(part.ok());
  }
  {
    KeyRing ring;
    ring.add_password("alice@KERB.TEST", "not-her-password", std::nullopt);
    DecryptOutcome o = open(ring, enc, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
    REQUIRE_FALSE(o.ok);
    CHECK(any_attempt(o, "password", "wrong password or wrong salt (salt \"KERB.TESTalice\")"));
  }
}

TEST_CASE("a salt from ETYPE-INFO2 seen earlier salts the password", "[krbdump][keys]") {
  Recorded r;
  KeyRing ring;
  ring.add_password("alice@KERB.TEST", "Kerb-alice-pw1", std::nullopt);
  // A salt the KDC announced wins over the default: a wrong one must then fail.
  ring.note_etype_info2("alice@KERB.TEST", kerb::crypto::EncType{18}, "KERB.TESTsomeone-else", {});
  DecryptOutcome o = open(ring, r.as_rep.enc_part, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
  REQUIRE_FALSE(o.ok);
  CHECK_THAT(o.explain(), Catch::Contains("KERB.TESTsomeone-else"));

  KeyRing ring2;
  ring2.add_password("alice@KERB.TEST", "Kerb-alice-pw1", std::nullopt);
  ring2.note_etype_info2("alice@KERB.TEST", kerb::crypto::EncType{18}, "KERB.TESTalice", {});
  DecryptOutcome o2 =
      open(ring2, r.as_rep.enc_part, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
  INFO(o2.explain());
  CHECK(o2.ok);
}

TEST_CASE("learned keys open the TGS-REQ authenticator and then the TGS-REP", "[krbdump][keys]") {
  Recorded r;
  KeyRing ring;
  ring.add_password("alice@KERB.TEST", "Kerb-alice-pw1", std::nullopt);
  DecryptOutcome as =
      open(ring, r.as_rep.enc_part, kerb::key_usage::kAsRepEncPart, r.as_rep_hint());
  REQUIRE(as.ok);
  auto part = kerb::decode_enc_kdc_rep_part(as.plain.view());
  REQUIRE(part.ok());

  // Before learning: no session key, and the long-term password key is passed over.
  DecryptOutcome before =
      open(ring, r.tgs_rep.enc_part, kerb::key_usage::kTgsRepEncPartSubkey, Hint{});
  REQUIRE_FALSE(before.ok);
  CHECK(any_attempt(before, "password", "the part needs a session key or subkey"));

  // The TGT's session key opens the PA-TGS-REQ authenticator (usage 7); MIT's client put a
  // subkey in it, and the KDC encrypted the TGS-REP in that subkey (usage 9).
  ring.learn(part->key, "session key from the AS-REP");
  const std::vector<std::uint8_t> tgs_req_bytes = read_file("raw-5-tgs-req.der");
  auto tgs_req = kerb::decode_tgs_req(tgs_req_bytes);
  REQUIRE(tgs_req.ok());
  REQUIRE(tgs_req->padata.has_value());
  std::optional<kerb::ApReq> ap_req;
  for (const kerb::PaData& pa : *tgs_req->padata)
    if (pa.padata_type == kerb::padata_type::kPaTgsReq) {
      auto decoded = kerb::decode_ap_req(pa.padata_value);
      REQUIRE(decoded.ok());
      ap_req = *decoded;
    }
  REQUIRE(ap_req.has_value());
  DecryptOutcome auth =
      open(ring, ap_req->authenticator, kerb::key_usage::kTgsReqPaTgsReqAuthenticator, Hint{});
  INFO(auth.explain());
  REQUIRE(auth.ok);
  CHECK(auth.key_source == "session key from the AS-REP");
  auto authenticator = kerb::decode_authenticator(auth.plain.view());
  REQUIRE(authenticator.ok());
  REQUIRE(authenticator->subkey.has_value());

  // The session key does not open the reply under usage 8 ...
  DecryptOutcome by_session =
      open(ring, r.tgs_rep.enc_part, kerb::key_usage::kTgsRepEncPart, Hint{});
  CHECK_FALSE(by_session.ok);
  CHECK(any_attempt(by_session, "session key from the AS-REP", "integrity check failed"));
  // MIT's client armored the TGS-REQ with its TGT (RFC 6113 §5.4.1.1), so the reply key is
  // strengthened: the armor key opens the PA-FX-FAST reply (usage 52), whose strengthen-key
  // combined with the subkey opens the enc-part (usage 9).
  ring.learn(*authenticator->subkey, "TGS-REQ authenticator subkey", LearnedRole::kTgsReqSubkey);
  CHECK_FALSE(open(ring, r.tgs_rep.enc_part, kerb::key_usage::kTgsRepEncPartSubkey, Hint{}).ok);
  auto subkey =
      kerb::KeyBlock::from_bytes(authenticator->subkey->keytype, authenticator->subkey->keyvalue);
  auto session = kerb::KeyBlock::from_bytes(part->key.keytype, part->key.keyvalue);
  REQUIRE(subkey.ok());
  REQUIRE(session.ok());
  REQUIRE(ring.learn_fast_armor_key(*subkey, *session, "TGS armor key").ok());
  REQUIRE(r.tgs_rep.padata.has_value());
  std::optional<kerb::EncryptedData> fast_rep;
  for (const kerb::PaData& pa : *r.tgs_rep.padata)
    if (pa.padata_type == kerb::padata_type::kPaFxFast) {
      auto enc = fast_armored_rep(pa.padata_value);
      REQUIRE(enc.ok());
      fast_rep = *enc;
    }
  REQUIRE(fast_rep.has_value());
  DecryptOutcome fast = open(ring, *fast_rep, kerb::key_usage::kFastRep, Hint{});
  INFO(fast.explain());
  REQUIRE(fast.ok);
  CHECK(fast.key_source == "TGS armor key");
  auto strengthen = fast_strengthen_key(fast.plain.view());
  REQUIRE(strengthen.ok());
  REQUIRE(strengthen->has_value());
  auto strengthen_block =
      kerb::KeyBlock::from_bytes((*strengthen)->keytype, (*strengthen)->keyvalue);
  REQUIRE(strengthen_block.ok());
  REQUIRE(ring.learn_fast_reply_key(*strengthen_block, *subkey, "strengthened reply key").ok());

  DecryptOutcome after =
      open(ring, r.tgs_rep.enc_part, kerb::key_usage::kTgsRepEncPartSubkey, Hint{});
  INFO(after.explain());
  REQUIRE(after.ok);
  CHECK(after.key_source == "strengthened reply key");
  auto rep_part = kerb::decode_enc_kdc_rep_part(after.plain.view());
  REQUIRE(rep_part.ok());
}

TEST_CASE("a ccache's session key opens the TGS-REQ authenticator of its session",
          "[krbdump][keys]") {
  // mit.ccache was written by the kinit whose TGS-REQ raw-5 is (tests/data/krbdump/README.md).
  KeyRing ring;
  REQUIRE(ring.add_ccache(data_path("mit.ccache")).ok());
  const std::vector<std::uint8_t> bytes = read_file("raw-5-tgs-req.der");
  auto tgs_req = kerb::decode_tgs_req(bytes);
  REQUIRE(tgs_req.ok());
  std::optional<kerb::ApReq> ap_req;
  for (const kerb::PaData& pa : *tgs_req->padata)
    if (pa.padata_type == kerb::padata_type::kPaTgsReq)
      ap_req = *kerb::decode_ap_req(pa.padata_value);
  REQUIRE(ap_req.has_value());
  DecryptOutcome o =
      open(ring, ap_req->authenticator, kerb::key_usage::kTgsReqPaTgsReqAuthenticator, Hint{});
  INFO(o.explain());
  REQUIRE(o.ok);
  CHECK_THAT(o.key_source,
             Catch::Contains("session key of alice@KERB.TEST for krbtgt/KERB.TEST@KERB.TEST"));
  CHECK_THAT(o.key_source, Catch::Contains("mit.ccache"));
  CHECK(o.key->origin == KeyOrigin::kCcache);
}

TEST_CASE("weak and unimplemented enctypes are said so", "[krbdump][keys][explain]") {
  KeyRing ring;
  const std::string nt_hash(32, 'a');
  REQUIRE(ring.add_raw_key("rc4-hmac:" + nt_hash).ok());
  kerb::EncryptedData des;
  des.etype = kerb::crypto::EncType{3};
  const std::uint8_t junk[40] = {};
  des.cipher = junk;
  DecryptOutcome o = open(ring, des, kerb::key_usage::kApReqAuthenticator, Hint{});
  CHECK_FALSE(o.ok);
  CHECK_THAT(o.note, Catch::Contains("cannot decrypt des-cbc-md5 (3)"));

#if KERB_WITH_RC4_HMAC
  // An rc4-hmac part made by kerb's RFC 4757 profile opens, with the weakness noted.
  auto key =
      kerb::KeyBlock::from_bytes(kerb::crypto::EncType{23}, std::vector<std::uint8_t>(16, 0xaa))
          .value()
          .to_key(ring.policy());
  REQUIRE(key.ok());
  const std::string text = "captured";
  std::vector<std::uint8_t> cipher(
      kerb::crypto::ciphertext_size(kerb::crypto::EncType::kRc4Hmac, text.size()));
  REQUIRE(kerb::crypto::encrypt(
              *key, kerb::key_usage::kApReqAuthenticator,
              kerb::Bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), cipher,
              kerb::crypto::os_random())
              .ok());
  kerb::EncryptedData rc4;
  rc4.etype = kerb::crypto::EncType{23};
  rc4.cipher = cipher;
  DecryptOutcome r = open(ring, rc4, kerb::key_usage::kApReqAuthenticator, Hint{});
  INFO(r.explain());
  REQUIRE(r.ok);
  CHECK(text_of(r.plain.view()) == text);
  CHECK(r.note == "weak enctype rc4-hmac (23) allowed for decoding");
#endif
}

TEST_CASE("raw key specs are checked", "[krbdump][keys]") {
  KeyRing ring;
  CHECK_FALSE(ring.add_raw_key("aes256-cts-hmac-sha1-96").ok());
  CHECK_FALSE(ring.add_raw_key("aes256-cts-hmac-sha1-96:abc").ok());
  CHECK_FALSE(ring.add_raw_key("aes256-cts-hmac-sha1-96:" + std::string(62, '0') + "zz").ok());
  CHECK_FALSE(ring.add_raw_key("aes256-cts-hmac-sha1-96:" + std::string(32, '0')).ok());
  CHECK_FALSE(ring.add_raw_key("nonsense:00").ok());
  CHECK(ring.add_raw_key("rc4-hmac:" + std::string(32, 'a')).ok());
  CHECK(ring.add_raw_key("arcfour-hmac:" + std::string(32, 'b')).ok());
  CHECK(ring.add_raw_key("18:" + std::string(64, 'c')).ok());
  CHECK(parse_enctype("aes128-cts-hmac-sha256-128").value() == kerb::crypto::EncType{19});
}

// The PAC MIT's KDC (1.20+) put into the recorded service ticket.
struct TicketPac {
  Recorded r;
  KeyRing ring;
  std::vector<std::uint8_t> pac;
  kerb::crypto::Key service_key;

  TicketPac() {
    REQUIRE(ring.add_keytab(data_path("keys/bank.keytab")).ok());
    DecryptOutcome o =
        open(ring, r.tgs_rep.ticket.enc_part, kerb::key_usage::kTicket, r.ticket_hint());
    REQUIRE(o.ok);
    service_key = o.key->key.to_key(ring.policy()).value();
    auto part = kerb::decode_der<kerb::EncTicketPart>(o.plain.view(), "EncTicketPart");
    REQUIRE(part.ok());
    REQUIRE(part->authorization_data.has_value());
    auto found = find_pac(*part->authorization_data);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    pac.assign((*found)->begin(), (*found)->end());
  }
};

kerb::crypto::Key krbtgt_key(kerb::crypto::EncType enctype) {
  auto keytab = kerb::Keytab::open(data_path("keys/krbtgt.keytab"));
  REQUIRE(keytab.ok());
  auto who = kerb::Principal::parse("krbtgt/KERB.TEST@KERB.TEST");
  auto entry = keytab->find(*who, std::nullopt, enctype);
  REQUIRE(entry.ok());
  return (*entry)->key.to_key().value();
}

TEST_CASE("the PAC of an MIT ticket lists its buffers and its signatures verify",
          "[krbdump][pac]") {
  TicketPac t;
  auto parsed = parse_pac(t.pac);
  REQUIRE(parsed.ok());
  CHECK(parsed->version == 0);
  std::vector<std::uint32_t> types;
  for (const PacBuffer& b : parsed->buffers)
    types.push_back(b.type);
  // MIT 1.20's KDC: client info and the server and KDC signatures at least; the client info
  // name is the client without its realm, as MIT writes it.
  CHECK(std::find(types.begin(), types.end(), pac_type::kClientInfo) != types.end());
  CHECK(std::find(types.begin(), types.end(), pac_type::kServerChecksum) != types.end());
  CHECK(std::find(types.begin(), types.end(), pac_type::kPrivsvrChecksum) != types.end());

  const kerb::crypto::Key tgt = krbtgt_key(kerb::crypto::EncType{18});
  PacKeys keys{&t.service_key, &tgt, "bank.keytab", "krbtgt.keytab"};
  PacVerification v = verify_pac(t.pac, *parsed, keys);
  INFO(v.server_detail << " / " << v.privsvr_detail);
  CHECK(v.server_ok == std::optional<bool>(true));
  CHECK(v.privsvr_ok == std::optional<bool>(true));

  Node node = pac_node(t.pac, keys);
  bool saw_name = false;
  for (const Node& b : node.children.back().children)
    for (const Node& c : b.children)
      for (const Node& f : c.children)
        if (f.name == "name" && f.value == "alice") saw_name = true;
  INFO(render_text(node, RenderOptions{}));
  CHECK(saw_name);
}

TEST_CASE("a tampered PAC fails the server signature", "[krbdump][pac]") {
  TicketPac t;
  auto parsed = parse_pac(t.pac);
  REQUIRE(parsed.ok());
  const PacBuffer* client = nullptr;
  for (const PacBuffer& b : parsed->buffers)
    if (b.type == pac_type::kClientInfo) client = &b;
  REQUIRE(client != nullptr);
  std::vector<std::uint8_t> tampered = t.pac;
  tampered[client->offset + 10] ^= 0x01;  // the first byte of the client name
  auto reparsed = parse_pac(tampered);
  REQUIRE(reparsed.ok());
  PacKeys keys{&t.service_key, nullptr, "bank.keytab", ""};
  PacVerification v = verify_pac(tampered, *reparsed, keys);
  CHECK(v.server_ok == std::optional<bool>(false));
  CHECK_THAT(v.server_detail, Catch::Contains("FAILED"));
  CHECK_FALSE(v.privsvr_ok.has_value());
  CHECK_THAT(v.privsvr_detail, Catch::Contains("krbtgt key is not known"));
}

TEST_CASE("malformed PACs are refused with the offset", "[krbdump][pac]") {
  TicketPac t;
  {
    std::vector<std::uint8_t> p = t.pac;
    p[4] = 1;  // Version
    auto r = parse_pac(p);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(std::string(r.error().detail()), Catch::Contains("Version is not 0 at offset 4"));
  }
  {
    std::vector<std::uint8_t> p = t.pac;
    p[0] = 0xff;  // cBuffers
    CHECK_FALSE(parse_pac(p).ok());
  }
  {
    std::vector<std::uint8_t> p = t.pac;
    p[8 + 4] = 0xff;  // the first buffer's size runs past the end
    p[8 + 5] = 0xff;
    auto r = parse_pac(p);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(std::string(r.error().detail()), Catch::Contains("outside the PAC"));
  }
  {
    std::vector<std::uint8_t> p(t.pac.begin(), t.pac.begin() + 20);
    CHECK_FALSE(parse_pac(p).ok());
  }
}

// RFC 4121 per-message tokens made by kerb's GSS layer (tested against MIT's elsewhere).
kerb::gss::SecurityContext gss_context(kerb::gss::SecurityContext::Role role,
                                       const kerb::crypto::Key& key, bool acceptor_subkey) {
  kerb::gss::SecurityContext::Params p;
  p.role = role;
  p.key = key;
  p.acceptor_subkey = acceptor_subkey;
  p.flags = kerb::gss::context_flags::kConf | kerb::gss::context_flags::kInteg;
  p.endtime = 4102444800;  // 2100-01-01
  auto ctx = kerb::gss::SecurityContext::make(std::move(p));
  REQUIRE(ctx.ok());
  return std::move(ctx).value();
}

TEST_CASE("GSS Wrap and MIC tokens open with a learned context key", "[krbdump][gss]") {
  const auto key = kerb::crypto::Key::generate(kerb::crypto::EncType::kAes256CtsHmacSha1_96,
                                               kerb::crypto::os_random());
  REQUIRE(key.ok());
  const std::string message = "hello from the initiator";
  const kerb::Bytes msg(reinterpret_cast<const std::uint8_t*>(message.data()), message.size());
  using Role = kerb::gss::SecurityContext::Role;

  KeyRing ring;
  REQUIRE(ring.add_raw_key("aes256-cts-hmac-sha1-96:" + std::string(64, '3')).ok());
  ring.learn(kerb::KeyBlock::from_key(*key), "acceptor subkey from the AP-REP",
             LearnedRole::kAcceptorSubkey);

  SECTION("sealed, from the initiator") {
    auto ctx = gss_context(Role::kInitiator, *key, false);
    auto token = ctx.wrap(msg, true);
    REQUIRE(token.ok());
    GssTokenOutcome o = open_gss_token(ring, *token);
    INFO(o.error);
    REQUIRE(o.ok);
    CHECK(o.sealed);
    CHECK_FALSE(o.sent_by_acceptor);
    CHECK(o.key_source == "acceptor subkey from the AP-REP");
    CHECK(text_of(o.message.view()) == message);
    CHECK(any_attempt_gss(o, "--key 1", "integrity check failed"));
  }
  SECTION("sealed, from the acceptor with its subkey") {
    auto ctx = gss_context(Role::kAcceptor, *key, true);
    auto token = ctx.wrap(msg, true);
    REQUIRE(token.ok());
    GssTokenOutcome o = open_gss_token(ring, *token);
    REQUIRE(o.ok);
    CHECK(o.sent_by_acceptor);
    CHECK(o.acceptor_subkey);
    CHECK(text_of(o.message.view()) == message);
  }
  SECTION("integrity only") {
    auto ctx = gss_context(Role::kInitiator, *key, false);
    auto token = ctx.wrap(msg, false);
    REQUIRE(token.ok());
    GssTokenOutcome o = open_gss_token(ring, *token);
    INFO(o.error);
    REQUIRE(o.ok);
    CHECK_FALSE(o.sealed);
    CHECK(text_of(o.message.view()) == message);
    // One flipped payload bit: no key verifies it.
    std::vector<std::uint8_t> bad = *token;
    bad[16] ^= 1;
    CHECK_FALSE(open_gss_token(ring, bad).ok);
  }
  SECTION("MIC") {
    auto ctx = gss_context(Role::kAcceptor, *key, true);
    auto mic = ctx.get_mic(msg);
    REQUIRE(mic.ok());
    GssTokenOutcome o = open_gss_token(ring, *mic, msg);
    INFO(o.error);
    REQUIRE(o.ok);
    std::string other = message;
    other[0] = 'H';
    const kerb::Bytes other_msg(reinterpret_cast<const std::uint8_t*>(other.data()), other.size());
    CHECK_FALSE(open_gss_token(ring, *mic, other_msg).ok);
  }
  SECTION("a sealed token no key opens says so") {
    KeyRing empty;
    auto ctx = gss_context(Role::kInitiator, *key, false);
    auto token = ctx.wrap(msg, true);
    REQUIRE(token.ok());
    GssTokenOutcome o = open_gss_token(empty, *token);
    CHECK_FALSE(o.ok);
    CHECK(o.error == "no key given");
  }
}

}  // namespace
