// krbdump's key ring and PAC verification on a ticket fetched now from the MIT KDC fixture:
// MIT's KDC (1.20+) signs the PAC with the service key and its krbtgt key, so those
// signatures verifying, and failing once the PAC is altered, is the oracle.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ticket.hpp>

#include "decrypt.hpp"
#include "itest_util.hpp"
#include "keys.hpp"
#include "pac.hpp"

using namespace kerb;
using namespace kerb::itest;

namespace {

const Scratch scratch("krbdump-pac-itest");

// A fresh host/bank.test ticket for alice, its EncTicketPart opened through the key ring.
struct FetchedTicket {
  Config config = load_config();
  PosixKdcTransport transport = make_transport(config);
  krbdump::KeyRing ring;
  std::vector<std::uint8_t> ticket_bytes;
  Ticket ticket;
  std::string sname;
  krbdump::DecryptOutcome opened;
  crypto::Key service_key;
  std::vector<std::uint8_t> pac;

  FetchedTicket() {
    Client client(transport);
    const Credentials tgt =
        must(client.login_password(principal("alice"), password("alice")), "login_password");
    const Credentials creds =
        must(client.service_ticket(tgt, principal("host/bank.test")), "service_ticket");
    ticket_bytes = creds.ticket;
    ticket = must(decode_der<Ticket>(ticket_bytes, "Ticket"), "decode Ticket");
    sname = Principal(ticket.realm, ticket.sname).to_string();

    REQUIRE(ring.add_keytab(env("KERB_TEST_KEYTAB")).ok());
    krbdump::Hint hint;
    hint.principal = sname;
    opened = krbdump::open(ring, ticket.enc_part, key_usage::kTicket, hint);
    INFO(opened.explain());
    REQUIRE(opened.ok);
    service_key = must(opened.key->key.to_key(ring.policy()), "service key");
    const EncTicketPart part =
        must(decode_der<EncTicketPart>(opened.plain.view(), "EncTicketPart"), "EncTicketPart");
    REQUIRE(part.authorization_data.has_value());
    auto found = must(krbdump::find_pac(*part.authorization_data), "find_pac");
    REQUIRE(found.has_value());
    pac.assign(found->begin(), found->end());
  }
};

// The realm's krbtgt key, written by kadmin.local on the KDC's database (the fixture's env
// names its kdc.conf).
crypto::Key krbtgt_key(crypto::EncType enctype) {
  const std::string path = scratch("krbtgt.keytab");
  const std::string realm = env("KERB_TEST_REALM");
  ::unlink(path.c_str());
  run("kadmin.local -r " + realm + " -q 'ktadd -k " + path + " -norandkey krbtgt/" + realm + "@" +
      realm + "'");
  const Keytab keytab = must(Keytab::open(path), "Keytab::open krbtgt");
  ::unlink(path.c_str());
  const KeytabEntry* entry =
      must(keytab.find(principal("krbtgt/" + realm), std::nullopt, enctype), "krbtgt key");
  return must(entry->key.to_key(), "krbtgt to_key");
}

}  // namespace

TEST_CASE("a fresh MIT ticket's PAC lists its buffers and both signatures verify",
          "[integration][krbdump][pac]") {
  FetchedTicket t;
  const krbdump::Pac parsed = must(krbdump::parse_pac(t.pac), "parse_pac");
  CHECK(parsed.version == 0);
  std::vector<std::uint32_t> types;
  for (const krbdump::PacBuffer& b : parsed.buffers)
    types.push_back(b.type);
  auto has = [&](std::uint32_t type) {
    return std::find(types.begin(), types.end(), type) != types.end();
  };
  CHECK(has(krbdump::pac_type::kClientInfo));
  CHECK(has(krbdump::pac_type::kServerChecksum));
  CHECK(has(krbdump::pac_type::kPrivsvrChecksum));

  // The KDC signed with the service key's enctype and with its own krbtgt key.
  const crypto::Key krbtgt = krbtgt_key(crypto::EncType{18});
  krbdump::PacKeys keys{&t.service_key, &krbtgt, t.opened.key_source, "kadmin.local ktadd"};
  const krbdump::PacVerification v = krbdump::verify_pac(t.pac, parsed, keys);
  INFO(v.server_detail << " / " << v.privsvr_detail);
  CHECK(v.server_ok == std::optional<bool>(true));
  CHECK(v.privsvr_ok == std::optional<bool>(true));

  // The tree names the client as MIT wrote it (without the realm) and says what verified.
  const krbdump::Node node = krbdump::pac_node(t.pac, keys);
  const std::string text = krbdump::render_text(node, krbdump::RenderOptions{});
  INFO(text);
  CHECK_THAT(text, Catch::Contains("client info (10)"));
  CHECK_THAT(text, Catch::Contains("name: alice"));
  CHECK_THAT(text, Catch::Contains("server checksum (6)"));
  CHECK_THAT(text, Catch::Contains("verified with"));
}

TEST_CASE("a tampered PAC from a fresh MIT ticket is flagged", "[integration][krbdump][pac]") {
  FetchedTicket t;
  const krbdump::Pac parsed = must(krbdump::parse_pac(t.pac), "parse_pac");
  const krbdump::PacBuffer* client = nullptr;
  for (const krbdump::PacBuffer& b : parsed.buffers)
    if (b.type == krbdump::pac_type::kClientInfo) client = &b;
  REQUIRE(client != nullptr);
  REQUIRE(client->size >= 12);

  std::vector<std::uint8_t> tampered = t.pac;
  tampered[static_cast<std::size_t>(client->offset) + 10] ^= 0x20;  // 'a' -> 'A' in the name
  const krbdump::Pac reparsed = must(krbdump::parse_pac(tampered), "parse_pac");
  const crypto::Key krbtgt = krbtgt_key(crypto::EncType{18});
  krbdump::PacKeys keys{&t.service_key, &krbtgt, t.opened.key_source, "kadmin.local ktadd"};
  const krbdump::PacVerification v = krbdump::verify_pac(tampered, reparsed, keys);
  CHECK(v.server_ok == std::optional<bool>(false));
  CHECK_THAT(v.server_detail, Catch::Contains("FAILED"));
  // The KDC signature covers only the server signature, which is untouched.
  CHECK(v.privsvr_ok == std::optional<bool>(true));

  const std::string text =
      krbdump::render_text(krbdump::pac_node(tampered, keys), krbdump::RenderOptions{});
  CHECK_THAT(text, Catch::Contains("name: Alice"));
  CHECK_THAT(text, Catch::Contains("FAILED"));
}

TEST_CASE("a fresh ticket explains a keytab of the wrong kvno", "[integration][krbdump][keys]") {
  FetchedTicket t;
  REQUIRE(t.ticket.enc_part.kvno.has_value());
  // The fixture's service keys, renumbered to a kvno the ticket does not name.
  Keytab renumbered = must(Keytab::open(env("KERB_TEST_KEYTAB")), "Keytab::open");
  for (KeytabEntry& e : renumbered.entries)
    e.kvno = *t.ticket.enc_part.kvno + 5;
  const std::vector<std::uint8_t> bytes = must(renumbered.serialize(), "serialize");
  krbdump::KeyRing ring;
  REQUIRE(ring.add_keytab_bytes(bytes, "renumbered").ok());
  krbdump::Hint hint;
  hint.principal = t.sname;
  const krbdump::DecryptOutcome o =
      krbdump::open(ring, t.ticket.enc_part, key_usage::kTicket, hint);
  REQUIRE_FALSE(o.ok);
  const std::string why = o.explain();
  INFO(why);
  CHECK_THAT(why, Catch::Contains("wrong kvno (key " + std::to_string(*t.ticket.enc_part.kvno + 5) +
                                  ", part " + std::to_string(*t.ticket.enc_part.kvno) + ")"));
  CHECK_THAT(why, Catch::Contains("key of another principal (bank/bank.test@"));
}
