// kerb_bench_gss: kerb::gss next to MIT krb5's libgssapi_krb5 on the same work, in one run:
// the per-message cost of an established krb5 GSS context (RFC 4121).
//
// No KDC. A scratch realm BENCH.TEST lives in a mkdtemp directory: a krb5.conf whose only KDC
// is 127.0.0.1:1 (never contacted), a FILE keytab with a random service key for
// bank/bank.test@BENCH.TEST, and a FILE ccache holding a service ticket for alice@BENCH.TEST
// that this program fabricates with kerb's encoders (EncTicketPart under the service key, key
// usage 2). kerb writes both files; MIT reads them through KRB5_CCNAME and KRB5_KTNAME.
//
// For each session-key enctype, both libraries establish a context pair on that ticket
// (mutual, replay, sequence, conf, integ; the acceptor asserts a subkey of the session key's
// enctype), then
//   wrap+unwrap conf   the initiator wraps one message of 64 B, 1 KiB, 16 KiB with
//                      confidentiality, the acceptor unwraps it (kerb: the span forms into
//                      caller buffers, and the vector forms as a second row; MIT: gss_wrap +
//                      gss_unwrap + two gss_release_buffer)
//   get_mic+verify_mic the initiator makes a MIC of 1 KiB, the acceptor verifies it
// Contexts enforce sequence and replay, so each operation wraps and unwraps in lockstep: every
// unwrap is the next token expected, and every call is checked.
//
// Timing as in kerb_bench_crypto (bench_timing.hpp): calibrated batches, kerb and MIT
// alternating, fastest (or --median) batch. See bench/README.md.
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <stdlib.h>  // mkdtemp, setenv

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/ccache.hpp>
#include <kerb/constants.hpp>
#include <kerb/credentials.hpp>
#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ticket.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/principal.hpp>

#include "bench_timing.hpp"

namespace crypto = kerb::crypto;
namespace gss = kerb::gss;

namespace {

using namespace kerb::bench;
using ByteVector = std::vector<std::uint8_t>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kerb_bench_gss: %s\n", what.c_str());
  std::exit(1);
}

std::string describe(const kerb::Error& e) {
  return std::string(kerb::to_string(e.category())) + " (code " + std::to_string(e.code()) +
         "): " + std::string(e.detail());
}

template <class T>
T must(kerb::Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + describe(r.error()));
  return std::move(r).value();
}

void must(kerb::Result<void> r, const char* what) {
  if (!r) die(std::string(what) + ": " + describe(r.error()));
}

// ---- the scratch realm ----------------------------------------------------------------------

constexpr std::string_view kClient = "alice@BENCH.TEST";
constexpr std::string_view kService = "bank/bank.test@BENCH.TEST";

std::string g_dir;  // removed at exit

void remove_dir() {
  if (g_dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

std::string ccache_path() {
  return g_dir + "/ccache";
}
std::string keytab_path() {
  return g_dir + "/keytab";
}

// Before any MIT call: MIT reads these when it creates a krb5 context.
void make_realm() {
  char templ[] = "/tmp/kerb_bench_gss.XXXXXX";
  if (::mkdtemp(templ) == nullptr) die("mkdtemp failed");
  g_dir = templ;
  std::atexit(remove_dir);
  const std::string conf = g_dir + "/krb5.conf";
  std::ofstream out(conf);
  // Nothing is ever sent to the KDC: the ticket is already in the ccache.
  out << R"([libdefaults]
    default_realm = BENCH.TEST
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
[realms]
    BENCH.TEST = {
        kdc = 127.0.0.1:1
    }
)";
  out.close();
  if (!out) die("cannot write " + conf);
  ::setenv("KRB5_CONFIG", conf.c_str(), 1);
  ::setenv("KRB5CCNAME", ("FILE:" + ccache_path()).c_str(), 1);
  ::setenv("KRB5_KTNAME", ("FILE:" + keytab_path()).c_str(), 1);
  ::setenv("KRB5RCACHETYPE", "none", 1);
}

// ---- MIT GSS plumbing -----------------------------------------------------------------------

std::string gss_text(OM_uint32 code, int type) {
  std::string out;
  OM_uint32 minor = 0, more = 0;
  do {
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (gss_display_status(&minor, code, type, type == GSS_C_MECH_CODE ? gss_mech_krb5 : nullptr,
                           &more, &text) != GSS_S_COMPLETE) {
      break;
    }
    if (!out.empty()) out += "; ";
    out.append(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&minor, &text);
  } while (more != 0);
  return out;
}

void mit_check(OM_uint32 major, OM_uint32 minor, const char* what,
               OM_uint32 expected = GSS_S_COMPLETE) {
  if (major == expected) return;
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%x", major);
  die(std::string(what) + ": MIT major " + hex + " (" + gss_text(major, GSS_C_GSS_CODE) +
      "), minor " + std::to_string(minor) + " (" + gss_text(minor, GSS_C_MECH_CODE) + ")");
}

gss_buffer_desc buffer_of(std::span<const std::uint8_t> b) {
  gss_buffer_desc d;
  d.length = b.size();
  d.value = const_cast<std::uint8_t*>(b.data());
  return d;
}

// An initiator and an acceptor context, established on the ccache's ticket and the keytab.
struct MitPair {
  gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;  // the initiator's, from the ccache
  gss_ctx_id_t init = GSS_C_NO_CONTEXT;
  gss_ctx_id_t acc = GSS_C_NO_CONTEXT;
  std::size_t initial_token = 0;  // InitialContextToken length
  std::size_t ap_rep_token = 0;

  MitPair() = default;
  MitPair(const MitPair&) = delete;
  MitPair& operator=(const MitPair&) = delete;
  ~MitPair() {
    OM_uint32 minor = 0;
    if (init != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &init, GSS_C_NO_BUFFER);
    if (acc != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &acc, GSS_C_NO_BUFFER);
    if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
  }
};

constexpr OM_uint32 kMitFlags = GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG |
                                GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;

void mit_establish(MitPair& p, crypto::EncType enctype) {
  OM_uint32 minor = 0;
  // MIT's initiator offers the acceptor its whole default enctype list (RFC 4537 etype
  // negotiation; aes256-cts-hmac-sha1-96 first) and MIT's acceptor then makes its subkey, the
  // context key, of the first one it supports: aes256-sha1 whatever the ticket's session key.
  // kerb sends no such list, so its acceptor subkey has the session key's enctype. Restricting
  // MIT's initiator credential to that enctype gives both libraries the same context key.
  gss_OID_set_desc mechs{1, gss_mech_krb5};
  mit_check(gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE,
                             &p.cred, nullptr, nullptr),
            minor, "gss_acquire_cred (initiator, default ccache)");
  krb5_enctype allowed = static_cast<krb5_enctype>(enctype);
  mit_check(gss_krb5_set_allowable_enctypes(&minor, p.cred, 1, &allowed), minor,
            "gss_krb5_set_allowable_enctypes");
  // The service as a krb5 principal name, so MIT looks up exactly the cached ticket's server
  // (a host-based name would go through realm mapping first).
  gss_name_t target = GSS_C_NO_NAME;
  gss_buffer_desc name = buffer_of(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(kService.data()), kService.size()));
  mit_check(gss_import_name(&minor, &name, GSS_KRB5_NT_PRINCIPAL_NAME, &target), minor,
            "gss_import_name");

  gss_buffer_desc initial = GSS_C_EMPTY_BUFFER;
  OM_uint32 init_flags = 0;
  mit_check(gss_init_sec_context(&minor, p.cred, &p.init, target, gss_mech_krb5, kMitFlags, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, nullptr, &initial,
                                 &init_flags, nullptr),
            minor, "gss_init_sec_context (first call)", GSS_S_CONTINUE_NEEDED);
  p.initial_token = initial.length;

  gss_buffer_desc ap_rep = GSS_C_EMPTY_BUFFER;
  OM_uint32 acc_flags = 0;
  mit_check(gss_accept_sec_context(&minor, &p.acc, GSS_C_NO_CREDENTIAL, &initial,
                                   GSS_C_NO_CHANNEL_BINDINGS, nullptr, nullptr, &ap_rep, &acc_flags,
                                   nullptr, nullptr),
            minor, "gss_accept_sec_context");
  p.ap_rep_token = ap_rep.length;

  gss_buffer_desc none = GSS_C_EMPTY_BUFFER;
  mit_check(gss_init_sec_context(&minor, p.cred, &p.init, target, gss_mech_krb5, kMitFlags, 0,
                                 GSS_C_NO_CHANNEL_BINDINGS, &ap_rep, nullptr, &none, &init_flags,
                                 nullptr),
            minor, "gss_init_sec_context (AP-REP)");
  gss_release_buffer(&minor, &none);
  gss_release_buffer(&minor, &ap_rep);
  gss_release_buffer(&minor, &initial);
  gss_release_name(&minor, &target);
  if ((init_flags & kMitFlags) != kMitFlags || (acc_flags & kMitFlags) != kMitFlags) {
    die("MIT negotiated fewer context flags than asked for");
  }
}

// The enctype of the key that protects the context's messages (the acceptor subkey when there
// is one), from gss_inquire_sec_context_by_oid(GSS_C_INQ_SSPI_SESSION_KEY): the second buffer
// is the OID 1.2.840.113554.1.2.2.4 with the enctype appended as one more arc.
int mit_context_enctype(gss_ctx_id_t ctx) {
  static constexpr std::uint8_t kPrefix[] = {0x2a, 0x86, 0x48, 0x86, 0xf7,
                                             0x12, 0x01, 0x02, 0x02, 0x04};
  OM_uint32 minor = 0;
  gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
  mit_check(gss_inquire_sec_context_by_oid(&minor, ctx, GSS_C_INQ_SSPI_SESSION_KEY, &set), minor,
            "gss_inquire_sec_context_by_oid(GSS_C_INQ_SSPI_SESSION_KEY)");
  int enctype = -1;
  if (set != GSS_C_NO_BUFFER_SET && set->count >= 2) {
    const auto* oid = static_cast<const std::uint8_t*>(set->elements[1].value);
    const std::size_t n = set->elements[1].length;
    if (n > sizeof kPrefix && std::memcmp(oid, kPrefix, sizeof kPrefix) == 0) {
      enctype = 0;
      for (std::size_t i = sizeof kPrefix; i < n; ++i)
        enctype = (enctype << 7) | (oid[i] & 0x7f);
    }
  }
  gss_release_buffer_set(&minor, &set);
  if (enctype < 0) die("MIT returned no session key enctype OID");
  return enctype;
}

// ---- the fabricated ticket ------------------------------------------------------------------

template <class T>
ByteVector der_of(const T& value, const char* what) {
  kerb::der::Writer w;
  encode(w, value);
  if (!w.ok()) die(std::string("encoding ") + what);
  return w.take();
}

// What a KDC would hand alice for the bank: a Ticket whose EncTicketPart is encrypted under
// the service key (key usage 2), and the Credentials around it (tests/kerb/exchange/
// fake_kdc.hpp make_ticket/make_credentials, with the real clock).
kerb::Credentials make_service_ticket(const kerb::Principal& client, const kerb::Principal& service,
                                      const crypto::Key& service_key, crypto::EncType enctype) {
  crypto::Random& random = crypto::os_random();
  const crypto::Key session_key = must(crypto::Key::generate(enctype, random), "Key::generate");
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const std::uint32_t flags = kerb::ticket_flags::kForwardable | kerb::ticket_flags::kInitial |
                              kerb::ticket_flags::kPreAuthent;

  kerb::EncTicketPart part;
  part.flags = kerb::KerberosFlags{flags};
  part.key = kerb::EncryptionKey{enctype, session_key.expose_secret()};
  part.crealm = client.realm();
  part.cname = client.name();
  part.transited = kerb::TransitedEncoding{kerb::transited_type::kDomainX500Compress, {}};
  part.authtime = kerb::KerberosTime{now};
  part.endtime = kerb::KerberosTime{now + 10 * 3600};
  ByteVector plain = der_of(part, "EncTicketPart");

  auto ticket_key =
      must(crypto::UsageKey::derive(service_key, kerb::key_usage::kTicket), "UsageKey::derive");
  ByteVector cipher(ticket_key.ciphertext_size(plain.size()));
  static_cast<void>(must(ticket_key.encrypt(plain, cipher, random), "encrypt EncTicketPart"));
  std::fill(plain.begin(), plain.end(), std::uint8_t{0});  // it holds the session key

  kerb::Ticket ticket;
  ticket.realm = service.realm();
  ticket.sname = service.name();
  ticket.enc_part = kerb::EncryptedData{service_key.enctype(), 1u, cipher};

  kerb::Credentials c;
  c.client = client;
  c.server = service;
  c.session_key = kerb::KeyBlock::from_key(session_key);
  c.authtime = now;
  c.endtime = now + 10 * 3600;
  c.ticket_flags = flags;
  c.ticket = der_of(ticket, "Ticket");
  return c;
}

// ---- per-enctype work -----------------------------------------------------------------------

std::vector<Row> g_rows;

struct TokenSizes {
  std::string enctype;
  int mit_init_key = 0;  // MIT's context key enctypes, initiator and acceptor
  int mit_acc_key = 0;
  std::size_t kerb_initial = 0, mit_initial = 0;
  std::size_t kerb_ap_rep = 0, mit_ap_rep = 0;
  std::size_t kerb_wrap = 0, mit_wrap = 0;  // 1 KiB with confidentiality
  std::size_t kerb_mic = 0, mit_mic = 0;
};
std::vector<TokenSizes> g_sizes;

ByteVector pattern(std::size_t size) {
  ByteVector v(size);
  for (std::size_t i = 0; i < size; ++i)
    v[i] = static_cast<std::uint8_t>(i * 13 + 5);
  return v;
}

void bench_enctype(crypto::EncType e, kerb::Keytab& keytab) {
  const crypto::EncTypeInfo* info = crypto::find_enctype(e);
  if (info == nullptr) die("no kerb profile for enctype " + std::to_string(static_cast<int>(e)));
  const std::string name(info->name);
  const kerb::Principal client = must(kerb::Principal::parse(kClient), "Principal::parse");
  const kerb::Principal service = must(kerb::Principal::parse(kService), "Principal::parse");

  // The service key (kvno 1) joins the keytab; the ccache holds only this enctype's ticket.
  const crypto::Key service_key =
      must(crypto::Key::generate(e, crypto::os_random()), "Key::generate");
  keytab.add(kerb::KeytabEntry{service, static_cast<std::int64_t>(std::time(nullptr)), 1,
                               kerb::KeyBlock::from_key(service_key)});
  must(keytab.write(keytab_path()), "Keytab::write");
  kerb::FileCredentialCache ccache(ccache_path());
  must(ccache.initialize(client), "ccache initialize");
  must(ccache.store(make_service_ticket(client, service, service_key, e)), "ccache store");

  // kerb: the ticket and the key as the files hold them.
  const std::optional<kerb::Credentials> creds = must(ccache.retrieve(service), "ccache retrieve");
  if (!creds) die("the ccache lost the service ticket");
  const kerb::Keytab file_keytab = must(kerb::Keytab::open(keytab_path()), "Keytab::open");
  gss::Initiator init =
      must(gss::Initiator::start(*creds, gss::InitiatorOptions{}, kerb::ApContext{}),
           "Initiator::start");
  TokenSizes sizes;
  sizes.enctype = name;
  sizes.kerb_initial = init.token().size();
  gss::Accepted accepted =
      must(gss::accept(init.token(), file_keytab, gss::AcceptorOptions{}), "gss::accept");
  sizes.kerb_ap_rep = accepted.output_token.size();
  if (must(init.step(accepted.output_token), "Initiator::step") != gss::Initiator::Step::kDone) {
    die("kerb initiator wants another token");
  }
  gss::SecurityContext kinit = must(init.take_context(), "take_context");
  gss::SecurityContext kacc = std::move(accepted.context);
  const std::uint32_t kerb_flags = gss::context_flags::kMutual | gss::context_flags::kReplay |
                                   gss::context_flags::kSequence | gss::context_flags::kConf |
                                   gss::context_flags::kInteg;
  if ((kinit.flags() & kerb_flags) != kerb_flags || (kacc.flags() & kerb_flags) != kerb_flags) {
    die("kerb negotiated fewer context flags than asked for");
  }

  // MIT: the same ticket from the ccache, the same key from the keytab.
  MitPair mit;
  mit_establish(mit, e);
  sizes.mit_initial = mit.initial_token;
  sizes.mit_ap_rep = mit.ap_rep_token;
  sizes.mit_init_key = mit_context_enctype(mit.init);
  sizes.mit_acc_key = mit_context_enctype(mit.acc);
  if (sizes.mit_init_key != static_cast<int>(e) || sizes.mit_acc_key != static_cast<int>(e)) {
    die("MIT's context key is enctype " + std::to_string(sizes.mit_init_key) + "/" +
        std::to_string(sizes.mit_acc_key) + ", not " + std::to_string(static_cast<int>(e)));
  }

  OM_uint32 minor = 0;
  for (std::size_t size : {std::size_t{64}, std::size_t{1024}, std::size_t{16384}}) {
    const ByteVector msg = pattern(size);
    ByteVector token(kinit.wrap_size(size, true));
    ByteVector out(token.size());
    std::uint64_t kerb_count = 0, kerb_vec_count = 0, mit_count = 0;

    // Every call is checked; the plaintext is compared every 64th operation (and the first).
    auto kerb_span = [&] {
      auto n = kinit.wrap(msg, true, token);
      if (!n) die("kerb wrap: " + describe(n.error()));
      auto u = kacc.unwrap(kerb::Bytes(token.data(), *n), out);
      if (!u) die("kerb unwrap: " + describe(u.error()));
      if (u->length != size || !u->conf || u->supplementary != 0) die("kerb unwrap: wrong result");
      if ((kerb_count++ & 63) == 0 && std::memcmp(out.data(), msg.data(), size) != 0) {
        die("kerb unwrap: wrong plaintext");
      }
    };
    auto kerb_vec = [&] {
      auto t = kinit.wrap(msg, true);
      if (!t) die("kerb wrap: " + describe(t.error()));
      std::uint32_t supplementary = 0;
      auto p = kacc.unwrap(*t, &supplementary);
      if (!p) die("kerb unwrap: " + describe(p.error()));
      if (p->size() != size || supplementary != 0) die("kerb unwrap: wrong result");
      if ((kerb_vec_count++ & 63) == 0 && *p != msg) die("kerb unwrap: wrong plaintext");
    };
    gss_buffer_desc in = buffer_of(msg);
    auto mit_op = [&] {
      gss_buffer_desc wrapped = GSS_C_EMPTY_BUFFER, plain = GSS_C_EMPTY_BUFFER;
      int conf = 0;
      mit_check(gss_wrap(&minor, mit.init, 1, GSS_C_QOP_DEFAULT, &in, &conf, &wrapped), minor,
                "gss_wrap");
      if (mit_count == 0 && size == 1024) sizes.mit_wrap = wrapped.length;
      int unwrapped_conf = 0;
      mit_check(gss_unwrap(&minor, mit.acc, &wrapped, &plain, &unwrapped_conf, nullptr), minor,
                "gss_unwrap");
      if (!conf || !unwrapped_conf || plain.length != size) die("MIT unwrap: wrong result");
      if ((mit_count++ & 63) == 0 && std::memcmp(plain.value, msg.data(), size) != 0) {
        die("MIT unwrap: wrong plaintext");
      }
      gss_release_buffer(&minor, &wrapped);
      gss_release_buffer(&minor, &plain);
    };
    if (size == 1024) sizes.kerb_wrap = token.size();

    const auto s = measure_group(kerb_span, kerb_vec, mit_op);
    Row span_row{name, "wrap+unwrap conf", size, s[0], s[2]};
    g_rows.push_back(span_row);
    print_row(span_row);
    Row vec_row{name, "wrap+unwrap conf (vec)", size, s[1], s[2]};
    g_rows.push_back(vec_row);
    print_row(vec_row);
  }

  // MIC of 1 KiB: the initiator makes it, the acceptor verifies it.
  {
    const std::size_t size = 1024;
    const ByteVector msg = pattern(size);
    sizes.kerb_mic = kinit.mic_size();
    gss_buffer_desc in = buffer_of(msg);
    Row r{name, "get_mic+verify_mic", size, {}, {}};
    std::tie(r.kerb, r.mit) = measure_pair(
        [&] {
          auto t = kinit.get_mic(msg);
          if (!t) die("kerb get_mic: " + describe(t.error()));
          auto v = kacc.verify_mic(msg, *t);
          if (!v) die("kerb verify_mic: " + describe(v.error()));
          if (*v != 0) die("kerb verify_mic: supplementary bits");
        },
        [&] {
          gss_buffer_desc mic = GSS_C_EMPTY_BUFFER;
          mit_check(gss_get_mic(&minor, mit.init, GSS_C_QOP_DEFAULT, &in, &mic), minor,
                    "gss_get_mic");
          sizes.mit_mic = mic.length;
          mit_check(gss_verify_mic(&minor, mit.acc, &in, &mic, nullptr), minor, "gss_verify_mic");
          gss_release_buffer(&minor, &mic);
        });
    g_rows.push_back(r);
    print_row(r);
  }
  g_sizes.push_back(sizes);
}

void usage() {
  std::puts(
      "usage: kerb_bench_gss [--cell-seconds=S] [--quick] [--median] [--enctype=N]...\n"
      "  --cell-seconds=S  time spent measuring each cell, per library (default 0.3)\n"
      "  --quick           0.05 s per cell: a smoke run, numbers are noisy\n"
      "  --median          report the median batch instead of the fastest\n"
      "  --enctype=N       only this session-key enctype (17 18 19 20); may repeat");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<crypto::EncType> all = {
      crypto::EncType::kAes128CtsHmacSha1_96, crypto::EncType::kAes256CtsHmacSha1_96,
      crypto::EncType::kAes128CtsHmacSha256_128, crypto::EncType::kAes256CtsHmacSha384_192};
  std::vector<crypto::EncType> enctypes;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    bool bad = false;
    if (parse_timing_option(arg, &bad)) {
      if (bad) die("bad --cell-seconds");
    } else if (arg.rfind("--enctype=", 0) == 0) {
      const auto e = static_cast<crypto::EncType>(std::atoi(argv[i] + 10));
      if (std::find(all.begin(), all.end(), e) == all.end()) {
        die("unsupported enctype " + std::string(arg.substr(10)) + " (17, 18, 19 or 20)");
      }
      enctypes.push_back(e);
    } else if (arg == "--help" || arg == "-h") {
      usage();
      return 0;
    } else {
      usage();
      return 2;
    }
  }
  if (enctypes.empty()) enctypes = all;

  make_realm();  // before any MIT call
  const auto start = Clock::now();
  std::printf("kerb_bench_gss: kerb::gss vs MIT krb5 %s libgssapi_krb5, %s build\n",
              KERB_BENCH_MIT_VERSION, KERB_BENCH_BUILD_TYPE);
  std::printf("CPU: %s; %.2f s per cell per library; %s batch time per operation\n",
              cpu_model().c_str(), g_cell_seconds, g_use_median ? "median" : "fastest");
  print_build_warnings();
  std::printf(
      "No KDC: a fabricated service ticket alice -> bank/bank.test@BENCH.TEST in a FILE ccache,\n"
      "the service key in a FILE keytab. Contexts: mutual|replay|sequence|conf|integ, acceptor\n"
      "subkey. wrap+unwrap = the initiator wraps one message with confidentiality, the acceptor\n"
      "unwraps it; kerb's main row uses the span forms, (vec) the vector forms, against the\n"
      "same MIT batches. MIT/kerb > 1 means kerb is faster.\n\n");

  print_header();
  kerb::Keytab keytab;
  for (crypto::EncType e : enctypes)
    bench_enctype(e, keytab);

  std::printf(
      "\nContext tokens for the same ticket (octets). MIT key = the enctype of MIT's context\n"
      "key (initiator/acceptor), from gss_inquire_sec_context_by_oid(GSS_C_INQ_SSPI_SESSION_KEY);\n"
      "kerb's acceptor subkey has the session key's enctype by construction.\n\n");
  std::printf("| %-26s | %7s | %8s | %8s | %8s | %8s | %9s | %9s | %8s | %8s |\n", "enctype",
              "MIT key", "ICT kerb", "ICT MIT", "REP kerb", "REP MIT", "wrap kerb", "wrap MIT",
              "MIC kerb", "MIC MIT");
  std::printf(
      "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n", std::string(28, '-').c_str(),
      std::string(9, '-').c_str(), std::string(10, '-').c_str(), std::string(10, '-').c_str(),
      std::string(10, '-').c_str(), std::string(10, '-').c_str(), std::string(11, '-').c_str(),
      std::string(11, '-').c_str(), std::string(10, '-').c_str(), std::string(10, '-').c_str());
  for (const TokenSizes& t : g_sizes) {
    const std::string keys = std::to_string(t.mit_init_key) + "/" + std::to_string(t.mit_acc_key);
    std::printf("| %-26s | %7s | %8zu | %8zu | %8zu | %8zu | %9zu | %9zu | %8zu | %8zu |\n",
                t.enctype.c_str(), keys.c_str(), t.kerb_initial, t.mit_initial, t.kerb_ap_rep,
                t.mit_ap_rep, t.kerb_wrap, t.mit_wrap, t.kerb_mic, t.mit_mic);
  }
  std::printf(
      "\n(ICT = InitialContextToken, REP = AP-REP token, wrap = a 1 KiB message with "
      "confidentiality)\n");
  std::printf("total %.1f s\n", seconds_since(start));
  return 0;
}
