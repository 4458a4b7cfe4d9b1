// gss_accept_fuzz: arbitrary bytes as the krb5 GSS acceptor's initial token (accept() with a
// fixed keytab, clock and randomness) and as the acceptor's answer to a fixed initiator
// (Initiator::step). Nothing may crash or read out of bounds; whatever is accepted yields a
// working context and a well-framed AP-REP; every refusal turns into a KRB-ERROR token.
//
// The seeds in corpus/gss_accept are genuine tokens of this target's synthetic realm: initial
// tokens (mutual, without mutual, with channel bindings, with delegation), the AP-REP and a
// KRB-ERROR answering the fixed initiator. To regenerate them:
//   KERB_GSS_FUZZ_WRITE_SEEDS=<dir> gss_accept_fuzz <any existing file>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kerb/clock.hpp>
#include <kerb/constants.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/der/writer.hpp>
#include <kerb/gss/acceptor.hpp>
#include <kerb/gss/initiator.hpp>
#include <kerb/gss/token.hpp>
#include <kerb/keytab.hpp>
#include <kerb/messages/ticket.hpp>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

namespace {

using kerb::test::Bytes;

template <class T>
T must(kerb::Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "gss_accept_fuzz: setup failed: %s: %.*s\n", what,
                 static_cast<int>(r.error().detail().size()), r.error().detail().data());
    std::abort();
  }
  return std::move(r).value();
}

constexpr std::int64_t kNow = 1700000000;

// Deterministic randomness (SplitMix64), reseeded for every input.
class FixedRandom final : public kerb::crypto::Random {
 public:
  explicit FixedRandom(std::uint64_t seed) noexcept : state_(seed) {}
  kerb::Result<void> fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      b = static_cast<std::uint8_t>(z ^ (z >> 31));
    }
    return kerb::ok();
  }

 private:
  std::uint64_t state_;
};

Bytes key_bytes(std::size_t n, std::uint8_t first) {
  Bytes k(n);
  for (std::size_t i = 0; i < n; ++i)
    k[i] = static_cast<std::uint8_t>(first + 7 * i);
  return k;
}

kerb::Principal principal(const char* text) {
  return must(kerb::Principal::parse(text), "Principal::parse");
}

// A ticket as a KDC would issue it, and the credentials a client holds for it.
kerb::Credentials make_credentials(const kerb::Principal& client, const kerb::Principal& server,
                                   const kerb::crypto::Key& server_key, std::uint32_t kvno,
                                   std::uint8_t session_seed, std::uint32_t flags) {
  using namespace kerb;
  const Bytes session = key_bytes(32, session_seed);
  const PrincipalName cname = client.name();
  EncTicketPart part;
  part.flags = KerberosFlags{flags};
  part.key = EncryptionKey{crypto::EncType{18}, session};
  part.crealm = client.realm();
  part.cname = cname;
  part.transited = TransitedEncoding{transited_type::kDomainX500Compress, {}};
  part.authtime = KerberosTime{kNow - 60};
  part.endtime = KerberosTime{kNow + 3600};
  der::Writer pw;
  encode(pw, part);
  const Bytes plain = pw.take();
  FixedRandom random(7);
  const crypto::UsageKey k =
      must(crypto::UsageKey::derive(server_key, key_usage::kTicket), "derive");
  Bytes cipher(k.ciphertext_size(plain.size()));
  static_cast<void>(must(k.encrypt(plain, cipher, random), "encrypt"));
  const PrincipalName sname = server.name();
  Ticket t;
  t.realm = server.realm();
  t.sname = sname;
  t.enc_part = EncryptedData{crypto::EncType{18}, kvno, cipher};
  der::Writer tw;
  encode(tw, t);

  Credentials c;
  c.client = client;
  c.server = server;
  c.session_key = must(KeyBlock::from_bytes(crypto::EncType{18}, session), "KeyBlock");
  c.authtime = kNow - 60;
  c.endtime = kNow + 3600;
  c.ticket_flags = flags;
  c.ticket = tw.take();
  return c;
}

struct Realm {
  kerb::FixedClock clock{kerb::Timestamp{kNow, 250000}};
  kerb::Principal client = principal("alice@EXAMPLE.COM");
  kerb::Principal service = principal("host/bank.example.com@EXAMPLE.COM");
  kerb::crypto::Key service_key =
      must(kerb::crypto::Key::from_bytes(kerb::crypto::EncType::kAes256CtsHmacSha1_96,
                                         key_bytes(32, 0x60)),
           "service key");
  kerb::crypto::Key tgs_key =
      must(kerb::crypto::Key::from_bytes(kerb::crypto::EncType::kAes256CtsHmacSha1_96,
                                         key_bytes(32, 0x70)),
           "tgs key");
  kerb::Keytab keytab;
  kerb::Credentials ticket =
      make_credentials(client, service, service_key, 4, 0x22, kerb::ticket_flags::kPreAuthent);
  kerb::Credentials tgt =
      make_credentials(client, principal("krbtgt/EXAMPLE.COM@EXAMPLE.COM"), tgs_key, 1, 0x33,
                       kerb::ticket_flags::kForwardable | kerb::ticket_flags::kInitial);

  Realm() {
    kerb::KeytabEntry e;
    e.principal = service;
    e.kvno = 4;
    e.key = kerb::KeyBlock::from_key(service_key);
    keytab.add(std::move(e));
  }

  kerb::ApContext context(kerb::crypto::Random& random) {
    kerb::ApContext c;
    c.clock = &clock;
    c.random = &random;
    return c;
  }
  kerb::gss::AcceptorOptions acceptor(kerb::crypto::Random& random, kerb::ReplayCache* cache) {
    kerb::gss::AcceptorOptions o;
    o.clock = &clock;
    o.random = &random;
    o.replay_cache = cache;
    return o;
  }
  // The initiator every input answers: the same token each time (fixed clock and seed).
  // `random` must outlive it and its context.
  kerb::gss::Initiator initiator(kerb::crypto::Random& random,
                                 kerb::gss::InitiatorOptions options = {}) {
    return must(kerb::gss::Initiator::start(ticket, std::move(options), context(random)),
                "Initiator::start");
  }
};

Realm& realm() {
  static Realm* r = new Realm();
  return *r;
}

void write_seed(const std::string& dir, const char* name, std::span<const std::uint8_t> bytes) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

void write_seeds(const std::string& dir) {
  using namespace kerb::gss;
  Realm& r = realm();
  FixedRandom service_random(2);
  FixedRandom random1(1), random3(3), random4(4), random5(5);
  kerb::gss::Initiator mutual = r.initiator(random1);
  write_seed(dir, "initial-mutual", mutual.token());
  InitiatorOptions no_mutual;
  no_mutual.flags = context_flags::kConf | context_flags::kInteg;
  write_seed(dir, "initial-no-mutual", r.initiator(random3, no_mutual).token());
  InitiatorOptions bound;
  const Bytes app = {'t', 'l', 's'};
  bound.channel_bindings = ChannelBindings{};
  bound.channel_bindings->application_data = app;
  write_seed(dir, "initial-channel-bindings", r.initiator(random4, bound).token());
  InitiatorOptions deleg;
  deleg.flags |= context_flags::kDeleg;
  deleg.delegated_tgt = &r.tgt;
  write_seed(dir, "initial-delegation", r.initiator(random5, deleg).token());
  Accepted a =
      must(accept(mutual.token(), r.keytab, r.acceptor(service_random, nullptr)), "accept");
  write_seed(dir, "ap-rep", a.output_token);
  const Bytes error = must(error_token(kerb::Error(kerb::ErrorCategory::kProtocol,
                                                   kerb::error_code::kKrbApErrRepeat, "replay"),
                                       r.service, r.clock),
                           "error_token");
  write_seed(dir, "krb-error", error);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("KERB_GSS_FUZZ_WRITE_SEEDS")) write_seeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kerb::gss;
  const std::span<const std::uint8_t> input(data, size);
  Realm& r = realm();

  // As the acceptor's initial token.
  FixedRandom service_random(2);
  kerb::MemoryReplayCache cache;
  const AcceptorOptions options = r.acceptor(service_random, &cache);
  kerb::Result<Accepted> accepted = accept(input, r.keytab, options);
  if (accepted) {
    FUZZ_CHECK(accepted->context.established());
    FUZZ_CHECK(accepted->initiator == r.client);
    if (!accepted->output_token.empty()) {
      auto framed = parse_framed_token(accepted->output_token);
      FUZZ_CHECK(framed.ok() && framed->tok_id == TokenId::kApRep);
    }
    const std::uint8_t message[] = {'o', 'k'};
    FUZZ_CHECK(accepted->context.wrap(message, true).ok());
    // The same token again is a replay.
    auto again = accept(input, r.keytab, options);
    FUZZ_CHECK(!again.ok() && again.error().code() == kerb::error_code::kKrbApErrRepeat);
  } else {
    auto error = error_token(accepted.error(), r.service, r.clock);
    FUZZ_CHECK(error.ok());
    auto framed = parse_framed_token(*error);
    FUZZ_CHECK(framed.ok() && framed->tok_id == TokenId::kKrbError);
  }

  // As the acceptor's answer to the fixed initiator.
  FixedRandom init_random(1);
  Initiator init = r.initiator(init_random);
  kerb::Result<Initiator::Step> step = init.step(input);
  if (step) {
    FUZZ_CHECK(init.established());
    auto ctx = init.take_context();
    FUZZ_CHECK(ctx.ok());
  } else {
    FUZZ_CHECK(!init.established());
    FUZZ_CHECK(!init.take_context().ok());
  }
  return 0;
}
