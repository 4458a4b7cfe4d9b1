// kerb_cred_tool: the kerb side of the ccache/keytab interop tests (credentials_test.sh).
// Each command reads or writes MIT-format files with kerb only; the script checks the results
// with MIT's own klist, kvno and kinit.
//
//   klist CCACHE                 kerb's view of a ccache, laid out like `klist -e -f` output
//   check-mit-ccache CCACHE      sanity checks on a cache MIT's kinit wrote (exit 1 on failure)
//   copy-ccache IN OUT           CcacheContents::open(IN).write(OUT); says "identical" if the bytes
//                                kerb wrote equal IN's
//   rebuild-ccache IN OUT        a new cache built field by field from IN's tickets only (no
//                                config entries, no KDC offset), written to OUT
//   api-copy IN-NAME OUT-NAME    IN -> MEMORY:relay -> OUT through the CredentialCache interface
//   klist-keytab KEYTAB          kerb's view of a keytab, laid out like `klist -k -e -t` output
//   copy-keytab IN OUT           Keytab::open(IN).write(OUT); "identical" as for copy-ccache
//   select-keytab IN OUT PRINCIPAL ENCTYPE...
//                                a new keytab of PRINCIPAL's keys of those enctypes (strict
//                                lookup, highest kvno), in the order given
//   make-keytab OUT PRINCIPAL KVNO PASSWORD ENCTYPE...
//                                a keytab built from scratch: keys from the password with the
//                                default salt (realm + components)
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/der/reader.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ticket.hpp>

using namespace kerb;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

[[noreturn]] void die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "kerb_cred_tool: %s: %.*s (%.*s)\n", what.c_str(),
               static_cast<int>(e.detail().size()), e.detail().data(),
               static_cast<int>(to_string(e.category()).size()), to_string(e.category()).data());
  std::exit(2);
}

template <class T>
T take(Result<T> r, const std::string& what) {
  if (!r) die(what, r.error());
  return std::move(r).value();
}
void take(Result<void> r, const std::string& what) {
  if (!r) die(what, r.error());
}

std::vector<std::uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// klist's time format in the C locale.
std::string klist_time(std::int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%m/%d/%y %H:%M:%S", &tm);
  return buf;
}

// MIT's spelling of the enctypes the fixture uses.
std::string mit_enctype_name(crypto::EncType enctype) {
  const std::int32_t e = static_cast<std::int32_t>(enctype);
  switch (e) {
    case 17:
      return "aes128-cts-hmac-sha1-96";
    case 18:
      return "aes256-cts-hmac-sha1-96";
    case 19:
      return "aes128-cts-hmac-sha256-128";
    case 20:
      return "aes256-cts-hmac-sha384-192";
    case 23:
      return "DEPRECATED:arcfour-hmac";
    case 25:
      return "camellia128-cts-cmac";
    case 26:
      return "camellia256-cts-cmac";
    default:
      return "etype-" + std::to_string(e);
  }
}

// klist -f letters, in klist's order (RFC 4120 §5.3 TicketFlags; bit 0 is the top bit).
std::string flag_letters(std::uint32_t flags) {
  static const struct {
    std::uint32_t bit;
    char letter;
  } table[] = {{0x40000000, 'F'}, {0x20000000, 'f'}, {0x10000000, 'P'}, {0x08000000, 'p'},
               {0x04000000, 'D'}, {0x02000000, 'd'}, {0x01000000, 'i'}, {0x00800000, 'R'},
               {0x00400000, 'I'}, {0x00100000, 'H'}, {0x00200000, 'A'}, {0x00080000, 'T'},
               {0x00040000, 'O'}, {0x00008000, 'a'}};
  std::string out;
  for (const auto& f : table) {
    if ((flags & f.bit) != 0) out.push_back(f.letter);
  }
  return out;
}

struct DecodedTicket {
  bool ok = false;
  std::string server;
  crypto::EncType etype = crypto::EncType::kNone;
  std::optional<std::uint32_t> kvno;
};

DecodedTicket decode_ticket(const std::vector<std::uint8_t>& bytes) {
  DecodedTicket out;
  der::Error err;
  der::Reader reader(bytes, err);
  Ticket t;
  if (!decode(reader, t) || !reader.finish()) return out;
  out.ok = true;
  out.server = Principal(t.realm, t.sname).to_string();
  out.etype = t.enc_part.etype;
  out.kvno = t.enc_part.kvno;
  return out;
}

int cmd_klist(const std::string& path) {
  const CcacheContents cc = take(CcacheContents::open(path), "read " + path);
  std::printf("Default principal: %s\n", cc.default_principal.to_string().c_str());
  for (const Credentials& c : cc.credentials) {
    const std::int64_t start = c.starttime != 0 ? c.starttime : c.authtime;
    std::printf("%s  %s  %s\n", klist_time(start).c_str(), klist_time(c.endtime).c_str(),
                c.server.to_string().c_str());
    std::printf("\t");
    if (c.renew_till != 0) std::printf("renew until %s, ", klist_time(c.renew_till).c_str());
    const DecodedTicket t = decode_ticket(c.ticket);
    std::printf("Flags: %s\n\tEtype (skey, tkt): %s, %s\n", flag_letters(c.ticket_flags).c_str(),
                mit_enctype_name(c.session_key.enctype).c_str(),
                t.ok ? mit_enctype_name(t.etype).c_str() : "undecodable");
  }
  return 0;
}

int cmd_check_mit_ccache(const std::string& path) {
  const CcacheContents cc = take(CcacheContents::open(path), "read " + path);
  const std::string realm(std::getenv("KERB_TEST_REALM") ? std::getenv("KERB_TEST_REALM") : "");
  check(cc.version == CcacheContents::kVersion4, "MIT wrote format version 4");
  check(cc.kdc_offset.has_value(), "the header carries a KDC time offset");
  check(cc.default_principal.to_string() == "alice@" + realm,
        "default principal " + cc.default_principal.to_string());
  check(!cc.credentials.empty(), std::to_string(cc.credentials.size()) + " credentials");
  const Credentials* tgt = cc.find(Principal::parse("krbtgt/" + realm + "@" + realm).value());
  check(tgt != nullptr, "a TGT krbtgt/" + realm + "@" + realm);
  if (tgt == nullptr) return 1;
  check(tgt->client == cc.default_principal, "TGT client is the default principal");
  check(tgt->session_key.enctype == crypto::EncType{18},
        "TGT session key enctype " + mit_enctype_name(tgt->session_key.enctype));
  const crypto::EncTypeInfo* info = crypto::find_enctype(tgt->session_key.enctype);
  check(info != nullptr && tgt->session_key.contents.size() == info->key_size,
        "session key length " + std::to_string(tgt->session_key.contents.size()));
  check(tgt->session_key.to_key().ok(), "the session key is a usable crypto::Key");
  check(tgt->authtime > 1600000000, "authtime " + std::to_string(tgt->authtime));
  check(tgt->starttime >= tgt->authtime, "starttime " + std::to_string(tgt->starttime));
  // kinit asks for till and rtime from its own clock before its first AS-REQ; the KDC counts
  // the start from its clock at the second. The seconds in between (a loaded machine's) come
  // off both spans, so each is its request less at most that delay.
  const auto within = [](std::int64_t span, std::int64_t asked) {
    return span <= asked && span > asked - 60;
  };
  check(within(tgt->endtime - tgt->starttime, 86400),
        "lifetime " + std::to_string(tgt->endtime - tgt->starttime) + "s (max_life 1d)");
  check(within(tgt->renew_till - tgt->starttime, 2 * 86400),
        "renewable for " + std::to_string(tgt->renew_till - tgt->starttime) + "s (kinit -r 2d)");
  const std::uint32_t want = 0x40000000 | 0x00800000 | 0x00400000 | 0x00200000;  // F R I A
  check((tgt->ticket_flags & want) == want, "ticket flags " + flag_letters(tgt->ticket_flags));
  check(!tgt->is_skey && tgt->second_ticket.empty(), "not user-to-user");
  check(!tgt->ticket.empty() && tgt->ticket[0] == 0x61, "the ticket starts with 0x61");
  const DecodedTicket t = decode_ticket(tgt->ticket);
  check(t.ok, "the ticket decodes as a Ticket (" + std::to_string(tgt->ticket.size()) + " bytes)");
  check(t.server == tgt->server.to_string(), "the ticket's sname/realm is " + t.server);
  check(cc.find_config("pa_type", tgt->server.to_string()) != nullptr,
        "config entry pa_type for the TGT (kept as config, not as a ticket)");
  for (const Credentials& c : cc.credentials) {
    check(!CcacheContents::is_config_principal(c.server), "not config: " + c.server.to_string());
  }
  return failures == 0 ? 0 : 1;
}

int cmd_copy_ccache(const std::string& in, const std::string& out) {
  const CcacheContents cc = take(CcacheContents::open(in), "read " + in);
  take(cc.write(out), "write " + out);
  std::printf("%s\n", file_bytes(in) == file_bytes(out) ? "identical" : "different");
  return 0;
}

int cmd_rebuild_ccache(const std::string& in, const std::string& out) {
  const CcacheContents source = take(CcacheContents::open(in), "read " + in);
  CcacheContents cc;
  cc.default_principal = take(Principal::parse(source.default_principal.to_string()), "parse");
  for (const Credentials& s : source.credentials) {
    Credentials c;
    c.client = take(Principal::parse(s.client.to_string()), "parse client");
    c.server = take(Principal::parse(s.server.to_string()), "parse server");
    c.session_key = take(KeyBlock::from_bytes(s.session_key.enctype, s.session_key.contents.view()),
                         "session key");
    c.authtime = s.authtime;
    c.starttime = s.starttime;
    c.endtime = s.endtime;
    c.renew_till = s.renew_till;
    c.ticket_flags = s.ticket_flags;
    c.ticket = s.ticket;
    cc.store(std::move(c));
  }
  take(cc.write(out), "write " + out);
  std::printf("rebuilt %zu credentials, %s\n", cc.credentials.size(),
              file_bytes(in) == file_bytes(out) ? "identical" : "different bytes");
  return 0;
}

int cmd_api_copy(const std::string& in_name, const std::string& out_name) {
  auto copy = [](CredentialCache& from, CredentialCache& to) {
    const CcacheContents all = take(from.snapshot(), "snapshot " + from.name());
    take(to.initialize(take(from.default_principal(), "default principal")), "initialize");
    take(to.set_kdc_offset(take(from.kdc_offset(), "kdc offset")), "set kdc offset");
    for (const ConfigEntry& e : all.config) {
      take(to.set_config(e.key, e.principal, e.value), "set config " + e.key);
    }
    for (const Credentials& c : take(from.list(), "list"))
      take(to.store(c), "store");
  };
  auto in = take(resolve_ccache(in_name), "resolve " + in_name);
  auto relay = take(resolve_ccache("MEMORY:relay"), "resolve MEMORY:relay");
  auto out = take(resolve_ccache(out_name), "resolve " + out_name);
  copy(*in, *relay);
  copy(*relay, *out);
  take(relay->destroy(), "destroy MEMORY:relay");
  std::printf("copied %s -> MEMORY:relay -> %s\n", in->name().c_str(), out->name().c_str());
  return 0;
}

int cmd_klist_keytab(const std::string& path) {
  const Keytab kt = take(Keytab::open(path), "read " + path);
  for (const KeytabEntry& e : kt.entries) {
    std::printf("%4u %s %s (%s)\n", e.kvno, klist_time(e.timestamp).c_str(),
                e.principal.to_string().c_str(), mit_enctype_name(e.key.enctype).c_str());
  }
  return 0;
}

int cmd_copy_keytab(const std::string& in, const std::string& out) {
  const Keytab kt = take(Keytab::open(in), "read " + in);
  take(kt.write(out), "write " + out);
  std::printf("%s\n", file_bytes(in) == file_bytes(out) ? "identical" : "different");
  return 0;
}

int cmd_select_keytab(int argc, char** argv) {
  const Keytab source = take(Keytab::open(argv[2]), std::string("read ") + argv[2]);
  const Principal principal = take(Principal::parse(argv[4]), "parse principal");
  Keytab kt;
  for (int i = 5; i < argc; ++i) {
    const KeytabEntry* e =
        take(source.find(principal, std::nullopt, static_cast<crypto::EncType>(std::atoi(argv[i]))),
             "find key");
    kt.add(*e);
  }
  take(kt.write(argv[3]), std::string("write ") + argv[3]);
  std::printf("selected %zu keys of %s\n", kt.entries.size(), principal.to_string().c_str());
  return 0;
}

int cmd_make_keytab(int argc, char** argv) {
  const std::string out = argv[2];
  const Principal principal = take(Principal::parse(argv[3]), "parse principal");
  const auto kvno = static_cast<std::uint32_t>(std::strtoul(argv[4], nullptr, 10));
  const std::string_view password = argv[5];
  std::string salt(principal.realm());
  for (const std::string& c : principal.components())
    salt += c;
  Keytab kt;
  for (int i = 6; i < argc; ++i) {
    const auto enctype = static_cast<crypto::EncType>(std::atoi(argv[i]));
    const crypto::Key key = take(
        crypto::Key::from_password(
            enctype, password, {reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size()}),
        "string-to-key");
    KeytabEntry e;
    e.principal = principal;
    e.timestamp = static_cast<std::int64_t>(std::time(nullptr));
    e.kvno = kvno;
    e.key = KeyBlock::from_key(key);
    kt.add(std::move(e));
  }
  take(kt.write(out), "write " + out);
  std::printf("wrote %zu keys for %s kvno %u\n", kt.entries.size(), principal.to_string().c_str(),
              kvno);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "klist" && argc == 3) return cmd_klist(argv[2]);
  if (cmd == "check-mit-ccache" && argc == 3) return cmd_check_mit_ccache(argv[2]);
  if (cmd == "copy-ccache" && argc == 4) return cmd_copy_ccache(argv[2], argv[3]);
  if (cmd == "rebuild-ccache" && argc == 4) return cmd_rebuild_ccache(argv[2], argv[3]);
  if (cmd == "api-copy" && argc == 4) return cmd_api_copy(argv[2], argv[3]);
  if (cmd == "klist-keytab" && argc == 3) return cmd_klist_keytab(argv[2]);
  if (cmd == "copy-keytab" && argc == 4) return cmd_copy_keytab(argv[2], argv[3]);
  if (cmd == "select-keytab" && argc >= 6) return cmd_select_keytab(argc, argv);
  if (cmd == "make-keytab" && argc >= 7) return cmd_make_keytab(argc, argv);
  std::fprintf(stderr, "usage: see the comment at the top of kerb_cred_tool.cpp\n");
  return 2;
}
