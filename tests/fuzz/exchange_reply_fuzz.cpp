// exchange_reply_fuzz: arbitrary bytes as the KDC's (or kadmind's) reply to a started exchange,
// the way a client meets them on the wire: AsExchange::on_reply, TgsExchange::on_reply and
// KpasswdExchange::on_reply, each set up from recordings of MIT's servers
// (tests/data/mit_exchange, tests/fuzz/data/kerb_fast.txt, tests/kerb/kpasswd/mit_kadmind.txt)
// with their clock and seed, so that
// the recorded replies -- the seeds -- decrypt and complete the exchange and their mutations
// reach the checks after decryption. Nothing may crash or read out of bounds; a refusal is an
// error with a detail; a completed exchange holds credentials for the client it asked for.
//
// Input layout:
//   byte 0   mode, b % 6:
//            0  AS: the reply to the first request (no pre-authentication yet)
//            1  AS: the reply to the second request, after MIT's PREAUTH_REQUIRED
//            2  AS armored with FAST: the reply to the first request
//            3  TGS: the reply to the request for bank/bank.test, with the recorded TGT
//            4  kpasswd: the reply to the recorded "ok" password change request
//            5  AS armored with FAST: the reply to the second request, after the KDC's armored
//               PREAUTH_REQUIRED
//   rest     the reply
//
// tests/fuzz/data/kerb_fast.txt is kerb's own armored login against MIT's KDC, recorded by
// tests/fuzz/record_kerb_fast.sh through this program's record mode (KERB_EXCHANGE_FUZZ_RECORD).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kerb/as_exchange.hpp>
#include <kerb/ccache.hpp>
#include <kerb/clock.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/random.hpp>
#include <kerb/kpasswd.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/tgs_exchange.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_check.hpp"
#include "hex_bytes.hpp"

#ifndef EXCHANGE_FUZZ_DATA_DIR
#error "EXCHANGE_FUZZ_DATA_DIR names the source tree's tests/ directory"
#endif

namespace {

using kerb::test::Bytes;

[[noreturn]] void setup_failed(const char* what, const kerb::Error* e = nullptr) {
  std::fprintf(stderr, "exchange_reply_fuzz: setup failed: %s", what);
  if (e != nullptr)
    std::fprintf(stderr, ": %.*s", static_cast<int>(e->detail().size()), e->detail().data());
  std::fprintf(stderr, "\n");
  __builtin_trap();
}

template <class T>
T must(kerb::Result<T> r, const char* what) {
  if (!r) setup_failed(what, &r.error());
  return std::move(r).value();
}

// The tests' TestRandom (tests/kerb/exchange/fake_kdc.hpp), byte for byte: SplitMix64 words,
// handed out low byte first. Copyable, so a state can be saved and restored per input.
class SplitMixRandom final : public kerb::crypto::Random {
 public:
  explicit SplitMixRandom(std::uint64_t seed) noexcept : state_(seed) {}
  kerb::Result<void> fill(std::span<std::uint8_t> out) override {
    for (std::uint8_t& b : out) {
      if (available_ == 0) {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        word_ = z ^ (z >> 31);
        available_ = 8;
      }
      b = static_cast<std::uint8_t>(word_ & 0xFF);
      word_ >>= 8;
      --available_;
    }
    return kerb::ok();
  }

 private:
  std::uint64_t state_;
  std::uint64_t word_ = 0;
  int available_ = 0;
};

// A record.sh recording: "name: value" lines, '#' comments.
std::map<std::string, std::string> read_recording(const std::string& path) {
  std::ifstream in(path);
  if (!in) setup_failed(path.c_str());
  std::map<std::string, std::string> fields;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) setup_failed(line.c_str());
    fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

kerb::crypto::Policy recording_policy() {
  using kerb::crypto::EncType;
  constexpr EncType kAes[] = {EncType::kAes256CtsHmacSha1_96, EncType::kAes128CtsHmacSha1_96,
                              EncType::kAes256CtsHmacSha384_192, EncType::kAes128CtsHmacSha256_128};
  return must(kerb::crypto::Policy::from_list(kAes), "Policy::from_list");
}

struct Setup {
  std::map<std::string, std::string> as =
      read_recording(std::string(EXCHANGE_FUZZ_DATA_DIR) + "/data/mit_exchange/alice_bank.txt");
  std::map<std::string, std::string> kpw =
      read_recording(std::string(EXCHANGE_FUZZ_DATA_DIR) + "/kerb/kpasswd/mit_kadmind.txt");
  kerb::FixedClock as_clock{kerb::Timestamp{std::stoll(as.at("time")), 0}};
  kerb::Principal client = must(kerb::Principal::parse(as.at("client")), "client");
  kerb::Principal service = must(kerb::Principal::parse(as.at("service")), "service");
  // alice's long-term keys, as MIT's ETYPE-INFO2 salts them (the default salt): with_keys
  // spares every input the string-to-key a password login would cost.
  std::vector<kerb::KeyBlock> keys;
  std::optional<SplitMixRandom> as_random;  // at the start of the AS exchange
  Bytes preauth_required;
  kerb::Credentials tgt;
  kerb::ClientHints hints;
  std::optional<SplitMixRandom> tgs_random;  // after the AS exchange

  std::map<std::string, std::string> fast =
      read_recording(std::string(EXCHANGE_FUZZ_DATA_DIR) + "/fuzz/data/kerb_fast.txt");
  kerb::Credentials armor;  // MIT kinit's TGT of bank/bank.test
  kerb::FixedClock fast_clock{kerb::Timestamp{std::stoll(fast.at("time")), 0}};
  std::optional<SplitMixRandom> fast_random;  // at the start of the armored login
  Bytes fast_reply_1;

  kerb::FixedClock kpw_clock{kerb::Timestamp{std::stoll(kpw.at("time")), 0}};
  std::optional<SplitMixRandom> kpw_random;
  std::vector<kerb::KpasswdExchange> kpasswd;  // short, krb_error, ok: recorded order

  kerb::AsExchange fast_exchange(SplitMixRandom& random) {
    kerb::AsContext context = as_context(random);
    context.clock = &fast_clock;
    context.fast_armor = armor;
    return must(kerb::AsExchange::with_keys(client, keys, {}, std::move(context)), "FAST AS");
  }

  kerb::AsContext as_context(SplitMixRandom& random) {
    kerb::AsContext c;
    c.clock = &as_clock;
    c.policy = recording_policy();
    c.random = &random;
    return c;
  }

  Setup() {
    const std::string password = as.at("password");
    const std::string salt = std::string(client.realm()) + "alice";
    const std::uint8_t* s = reinterpret_cast<const std::uint8_t*>(salt.data());
    const kerb::crypto::Policy policy = recording_policy();
    for (const kerb::crypto::EncType e : policy.enctypes()) {
      keys.push_back(kerb::KeyBlock::from_key(
          must(kerb::crypto::Key::from_password(e, password, std::span(s, salt.size())), "s2k")));
    }
    const std::uint64_t seed = std::stoull(as.at("seed"));
    as_random.emplace(seed);
    preauth_required = kerb::test::hex(as.at("krb_error_preauth_required"));

    // The recorded login, as the unit tests replay it: its replies must complete it.
    SplitMixRandom random(seed);
    auto login = must(kerb::AsExchange::with_keys(client, keys, {}, as_context(random)), "AS");
    if (must(login.on_reply(preauth_required), "PREAUTH_REQUIRED") !=
        kerb::AsExchange::Step::kSendAgain)
      setup_failed("PREAUTH_REQUIRED did not ask to send again");
    if (must(login.on_reply(kerb::test::hex(as.at("as_rep"))), "AS-REP") !=
        kerb::AsExchange::Step::kDone)
      setup_failed("the recorded AS-REP did not complete the login");
    tgt = login.take_credentials();
    hints = login.hints();
    tgs_random = random;

    auto cc = must(kerb::CcacheContents::read(kerb::test::hex(fast.at("armor"))), "armor");
    if (cc.credentials.empty()) setup_failed("the armor ccache holds no ticket");
    armor = cc.credentials.front();
    fast_random.emplace(std::stoull(fast.at("seed")));
    fast_reply_1 = kerb::test::hex(fast.at("reply_1"));
    {
      SplitMixRandom r = *fast_random;
      auto armored = fast_exchange(r);
      if (must(armored.on_reply(fast_reply_1), "FAST reply 1") !=
              kerb::AsExchange::Step::kSendAgain ||
          must(armored.on_reply(kerb::test::hex(fast.at("reply_2"))), "FAST reply 2") !=
              kerb::AsExchange::Step::kDone)
        setup_failed("the recorded armored login did not complete");
    }

    kerb::Credentials changepw;
    changepw.client = must(kerb::Principal::parse(kpw.at("client")), "kpasswd client");
    changepw.server = must(kerb::Principal::parse(kpw.at("server")), "kpasswd server");
    changepw.session_key =
        must(kerb::KeyBlock::from_bytes(
                 static_cast<kerb::crypto::EncType>(std::stoi(kpw.at("session_key_etype"))),
                 kerb::test::hex(kpw.at("session_key"))),
             "session key");
    changepw.ticket = kerb::test::hex(kpw.at("ticket"));
    kpw_random.emplace(std::stoull(kpw.at("seed")));
    kerb::KpasswdContext context;
    context.clock = &kpw_clock;
    context.random = &*kpw_random;
    context.policy = recording_policy();
    for (const char* name : {"short", "krb_error", "ok"}) {
      kpasswd.push_back(must(kerb::KpasswdExchange::start(
                                 changepw, kpw.at(std::string("new_password_") + name), context),
                             "KpasswdExchange::start"));
    }
    if (!kpasswd[2].on_reply(kerb::test::hex(kpw.at("reply_ok"))))
      setup_failed("the recorded kpasswd reply was refused");
  }
};

Setup& setup() {
  static Setup* s = new Setup();
  return *s;
}

void check_refusal(const kerb::Error& e) {
  FUZZ_CHECK(!e.detail().empty());
}

void check_as(kerb::AsExchange& as, std::span<const std::uint8_t> reply, const Setup& s) {
  auto step = as.on_reply(reply);
  if (!step) return check_refusal(step.error());
  if (*step == kerb::AsExchange::Step::kDone) {
    FUZZ_CHECK(as.credentials().client == s.client);
    FUZZ_CHECK(!as.credentials().ticket.empty());
  } else {
    // A new request, well formed.
    FUZZ_CHECK(kerb::decode_as_req(as.request()).ok());
  }
}

void as_first(std::span<const std::uint8_t> reply, Setup& s) {
  SplitMixRandom random = *s.as_random;
  auto as = must(kerb::AsExchange::with_keys(s.client, s.keys, {}, s.as_context(random)), "AS");
  check_as(as, reply, s);
}

void as_second(std::span<const std::uint8_t> reply, Setup& s) {
  SplitMixRandom random = *s.as_random;
  auto as = must(kerb::AsExchange::with_keys(s.client, s.keys, {}, s.as_context(random)), "AS");
  static_cast<void>(must(as.on_reply(s.preauth_required), "PREAUTH_REQUIRED"));
  check_as(as, reply, s);
}

void as_fast(std::span<const std::uint8_t> reply, Setup& s, bool second) {
  SplitMixRandom random = *s.fast_random;
  auto as = s.fast_exchange(random);
  if (second) static_cast<void>(must(as.on_reply(s.fast_reply_1), "FAST reply 1"));
  check_as(as, reply, s);
}

void tgs(std::span<const std::uint8_t> reply, Setup& s) {
  SplitMixRandom random = *s.tgs_random;
  kerb::ApContext context;
  context.clock = &s.as_clock;
  context.policy = recording_policy();
  context.random = &random;
  context.clock_offset = s.hints.clock_offset;
  auto exchange =
      must(kerb::TgsExchange::for_service(s.tgt, s.service, {}, context), "TgsExchange");
  auto step = exchange.on_reply(reply);
  if (!step) return check_refusal(step.error());
  if (*step == kerb::TgsExchange::Step::kDone) {
    FUZZ_CHECK(exchange.credentials().client == s.client);
    FUZZ_CHECK(!exchange.credentials().ticket.empty());
  }
}

void kpasswd(std::span<const std::uint8_t> reply, Setup& s) {
  auto outcome = s.kpasswd[2].on_reply(reply);
  if (!outcome) return check_refusal(outcome.error());
  FUZZ_CHECK(!outcome->message.empty());
  FUZZ_CHECK(outcome->success() == (outcome->code == 0));
  if (outcome->from_krb_error) FUZZ_CHECK(!outcome->success());
}

// --- record mode ------------------------------------------------------------------------------

// One request to the KDC at 127.0.0.1:port over TCP (RFC 4120 §7.2.2 framing).
Bytes ask_kdc(int port, std::span<const std::uint8_t> request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    setup_failed("connect to the KDC");
  Bytes out = {static_cast<std::uint8_t>(request.size() >> 24),
               static_cast<std::uint8_t>(request.size() >> 16),
               static_cast<std::uint8_t>(request.size() >> 8),
               static_cast<std::uint8_t>(request.size())};
  out.insert(out.end(), request.begin(), request.end());
  if (::write(fd, out.data(), out.size()) != static_cast<ssize_t>(out.size()))
    setup_failed("send to the KDC");
  Bytes in;
  std::uint8_t buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
    in.insert(in.end(), buf, buf + n);
    if (in.size() >= 4 && in.size() - 4 >= (std::size_t{in[0]} << 24 | std::size_t{in[1]} << 16 |
                                            std::size_t{in[2]} << 8 | in[3]))
      break;
  }
  ::close(fd);
  if (in.size() < 4) setup_failed("no reply from the KDC");
  return Bytes(in.begin() + 4, in.end());
}

// kerb's armored login of alice against the fixture KDC at the current time, written as a
// recording: KERB_EXCHANGE_FUZZ_RECORD=<out> KERB_EXCHANGE_FUZZ_ARMOR=<MIT ccache> with the
// fixture's env.
void record_fast(const char* out_path) {
  const char* armor_path = std::getenv("KERB_EXCHANGE_FUZZ_ARMOR");
  const char* port = std::getenv("KERB_TEST_KDC_PORT");
  const char* password = std::getenv("KERB_TEST_PASSWORD_ALICE");
  if (armor_path == nullptr || port == nullptr || password == nullptr)
    setup_failed("record mode needs KERB_EXCHANGE_FUZZ_ARMOR and the fixture's env");
  std::ifstream in(armor_path, std::ios::binary);
  const Bytes armor_file{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto cc = must(kerb::CcacheContents::read(armor_file), "armor ccache");
  if (cc.credentials.empty()) setup_failed("the armor ccache holds no ticket");
  const kerb::Principal client = must(kerb::Principal::parse("alice@KERB.TEST"), "alice");
  const std::string salt = "KERB.TESTalice";
  const kerb::crypto::Policy policy = recording_policy();
  std::vector<kerb::KeyBlock> keys;
  for (const kerb::crypto::EncType e : policy.enctypes()) {
    keys.push_back(kerb::KeyBlock::from_key(
        must(kerb::crypto::Key::from_password(
                 e, password,
                 std::span(reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size())),
             "s2k")));
  }
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  constexpr std::uint64_t kSeed = 6113;
  kerb::FixedClock clock{kerb::Timestamp{now, 0}};
  SplitMixRandom random(kSeed);
  kerb::AsContext context;
  context.clock = &clock;
  context.policy = policy;
  context.random = &random;
  context.fast_armor = cc.credentials.front();
  auto as = must(kerb::AsExchange::with_keys(client, keys, {}, std::move(context)), "AS");
  std::FILE* out = std::fopen(out_path, "w");
  if (out == nullptr) setup_failed(out_path);
  std::fprintf(out, "time: %lld\nseed: %llu\narmor: %s\n", static_cast<long long>(now),
               static_cast<unsigned long long>(kSeed), kerb::test::to_hex(armor_file).c_str());
  for (int i = 1; i <= 4; ++i) {
    const Bytes request(as.request().begin(), as.request().end());
    const Bytes reply = ask_kdc(std::atoi(port), request);
    std::fprintf(out, "request_%d: %s\nreply_%d: %s\n", i, kerb::test::to_hex(request).c_str(), i,
                 kerb::test::to_hex(reply).c_str());
    if (must(as.on_reply(reply), "on_reply") == kerb::AsExchange::Step::kDone) break;
  }
  std::fclose(out);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* out = std::getenv("KERB_EXCHANGE_FUZZ_RECORD")) {
    record_fast(out);
    std::exit(0);
  }
  setup();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  Setup& s = setup();
  const std::span<const std::uint8_t> reply(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      as_first(reply, s);
      break;
    case 1:
      as_second(reply, s);
      break;
    case 2:
      as_fast(reply, s, false);
      break;
    case 3:
      tgs(reply, s);
      break;
    case 4:
      kpasswd(reply, s);
      break;
    default:
      as_fast(reply, s, true);
      break;
  }
  return 0;
}
