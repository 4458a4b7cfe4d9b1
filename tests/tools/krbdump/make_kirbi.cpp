// make-kirbi: wraps one ccache entry into a KRB-CRED (RFC 4120 §5.8) the way Rubeus and
// impacket write .kirbi files: the ticket as the KDC sent it, and EncKrbCredPart in an
// EncryptedData of etype 0 whose cipher is the plaintext encoding (no key protects it).
//
//   make-kirbi CCACHE SERVER OUT     SERVER: e.g. krbtgt/KERB.TEST@KERB.TEST
//
// Built only from kerb's public API, so krbdump's tests get a KRB-CRED that krbdump did not
// write itself.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/messages/krb_cred.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/principal.hpp>

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "make-kirbi: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fputs("usage: make-kirbi CCACHE SERVER OUT\n", stderr);
    return 2;
  }
  auto cache = kerb::CcacheContents::open(argv[1]);
  if (!cache) return fail("cannot read the ccache");
  auto server = kerb::Principal::parse(argv[2]);
  if (!server) return fail("bad server principal");
  const kerb::Credentials* creds = cache->find(*server);
  if (creds == nullptr) return fail(std::string("no entry for ") + argv[2]);

  kerb::der::Error error;
  kerb::der::Reader reader(creds->ticket, error);
  kerb::Ticket ticket;
  if (!kerb::decode(reader, ticket)) return fail("the entry's ticket does not decode");

  // Views into creds and the two principals, which outlive the encoding below.
  const kerb::PrincipalName pname = creds->client.name();
  const kerb::PrincipalName sname = creds->server.name();
  kerb::KrbCredInfo info;
  info.key.keytype = creds->session_key.enctype;
  info.key.keyvalue = creds->session_key.contents.view();
  info.prealm = creds->client.realm();
  info.pname = pname;
  info.flags = kerb::KerberosFlags{creds->ticket_flags};
  info.authtime = kerb::KerberosTime{creds->authtime};
  if (creds->starttime != 0) info.starttime = kerb::KerberosTime{creds->starttime};
  info.endtime = kerb::KerberosTime{creds->endtime};
  if (creds->renew_till != 0) info.renew_till = kerb::KerberosTime{creds->renew_till};
  info.srealm = creds->server.realm();
  info.sname = sname;

  kerb::EncKrbCredPart part;
  part.ticket_info = kerb::SequenceOf<kerb::KrbCredInfo>(std::span(&info, 1));
  kerb::der::Writer part_writer;
  kerb::encode(part_writer, part);
  if (!part_writer.ok()) return fail("cannot encode EncKrbCredPart");
  const std::vector<std::uint8_t> part_bytes = part_writer.take();

  kerb::KrbCred cred;
  cred.tickets = kerb::SequenceOf<kerb::Ticket>(std::span(&ticket, 1));
  cred.enc_part.etype = kerb::crypto::EncType::kNone;  // RFC 4120 §5.8.1: not encrypted
  cred.enc_part.cipher = part_bytes;
  kerb::der::Writer writer;
  kerb::encode(writer, cred);
  if (!writer.ok()) return fail("cannot encode KRB-CRED");
  const std::vector<std::uint8_t> out = writer.take();

  std::ofstream file(argv[3], std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (!file) return fail(std::string("cannot write ") + argv[3]);
  return 0;
}
