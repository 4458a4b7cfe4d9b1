// A cold password login (AS with pre-authentication, TGS, AP-REQ) in a caller's work buffer,
// replayed against MIT krb5kdc's recorded replies (tests/data/mit_exchange/): the requests must
// be MIT's recorded bytes, and the calls the headers mark "no heap" must not reach operator new.
// The calls that hand out what the caller keeps may allocate exactly what copying that costs.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <kerb/ap_exchange.hpp>
#include <kerb/as_exchange.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/messages/ap.hpp>
#include <kerb/tgs_exchange.hpp>

#include "../../heap_hooks.hpp"
#include "fake_kdc.hpp"

using namespace kerb;
using namespace kerb::test;

namespace {

// Allocations through operator new while counting (the tests run on one thread).
bool g_counting = false;
std::size_t g_allocations = 0;
std::size_t g_bytes = 0;

// Counts the allocations `f` makes; the result is checked only after counting stops, so that
// the test framework's own allocations are never counted.
struct Counted {
  std::size_t allocations = 0;
  std::size_t bytes = 0;
};
template <class F>
Counted count(F&& f) {
  g_allocations = 0;
  g_bytes = 0;
  g_counting = true;
  f();
  g_counting = false;
  return Counted{g_allocations, g_bytes};
}

// The recording's "name: value" lines.
std::map<std::string, std::string> recording() {
  std::ifstream in(KERB_MIT_EXCHANGE_RECORDING);
  if (!in) throw std::runtime_error("cannot open the MIT exchange recording");
  std::map<std::string, std::string> fields;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t colon = line.find(": ");
    if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

// MIT's recorded replies for the recorded requests, through exchange_into only: the heap path
// (exchange()) is an error, so a Client that took it would fail the login.
class RecordedKdc final : public KdcTransport {
 public:
  struct Trip {
    test::Bytes request;
    test::Bytes reply;
  };
  explicit RecordedKdc(std::vector<Trip> trips) : trips_(std::move(trips)) {}
  Result<std::vector<std::uint8_t>> exchange(std::string_view,
                                             std::span<const std::uint8_t>) override {
    return Error(ErrorCategory::kInvalidArgument, "the heap path was taken");
  }
  Result<std::span<const std::uint8_t>> exchange_into(
      std::string_view realm, std::span<const std::uint8_t> request,
      std::span<std::uint8_t> reply_buffer) override {
    if (next_ >= trips_.size() || realm != "KERB.TEST") {
      return Error(ErrorCategory::kIo, "unexpected request");
    }
    const Trip& trip = trips_[next_++];
    requests_matched_ +=
        std::equal(request.begin(), request.end(), trip.request.begin(), trip.request.end());
    if (trip.reply.size() > reply_buffer.size()) {
      return Error(ErrorCategory::kBufferTooSmall, "reply buffer");
    }
    last_reply_buffer_ = reply_buffer;
    std::copy(trip.reply.begin(), trip.reply.end(), reply_buffer.begin());
    return std::span<const std::uint8_t>(reply_buffer.first(trip.reply.size()));
  }
  std::size_t requests_matched() const { return requests_matched_; }
  std::span<std::uint8_t> last_reply_buffer() const { return last_reply_buffer_; }

 private:
  std::vector<Trip> trips_;
  std::size_t next_ = 0;
  std::size_t requests_matched_ = 0;
  std::span<std::uint8_t> last_reply_buffer_;
};

}  // namespace

void heap_hook_allocated(std::size_t size) noexcept {
  if (!g_counting) return;
  ++g_allocations;
  g_bytes += size;
}
void heap_hook_freeing(void*) noexcept {}

TEST_CASE("a login in a caller's work buffer sends MIT's recorded requests with no heap") {
  const auto rec = recording();
  const test::Bytes preauth_required = hex(rec.at("krb_error_preauth_required"));
  const test::Bytes as_rep_bytes = hex(rec.at("as_rep"));
  const test::Bytes tgs_rep_bytes = hex(rec.at("tgs_rep"));
  FixedClock clock{Timestamp{std::stoll(rec.at("time")), 0}};
  TestRandom random{std::stoull(rec.at("seed"))};
  Principal client = principal(rec.at("client"));
  const Principal service = principal(rec.at("service"));
  const std::string password = rec.at("password");

  static std::uint8_t work[4096];
  AsContext as_context;
  as_context.clock = &clock;
  as_context.policy = recording_policy();
  as_context.random = &random;
  as_context.work_buffer = work;

  // --- AS: construction, PREAUTH_REQUIRED, AS-REP: no heap but the credentials -----------
  Result<AsExchange> as = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted made = count([&] {
    as = AsExchange::with_password(std::move(client), password, AsOptions{}, as_context);
  });
  REQUIRE(as.ok());
  CHECK(made.allocations == 0);
  CHECK(copy_of(as->request()) == hex(rec.at("as_req_1")));
  CHECK(as->request().data() == work);  // encoded in the buffer, not copied there

  Result<AsExchange::Step> step = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted preauth = count([&] { step = as->on_reply(preauth_required); });
  REQUIRE(step.ok());
  REQUIRE(*step == AsExchange::Step::kSendAgain);
  CHECK(preauth.allocations == 0);
  CHECK(copy_of(as->request()) == hex(rec.at("as_req_2")));

  const Counted replied = count([&] { step = as->on_reply(as_rep_bytes); });
  REQUIRE(step.ok());
  REQUIRE(*step == AsExchange::Step::kDone);
  Credentials tgt;
  const Counted taken = count([&] { tgt = as->take_credentials(); });
  CHECK(taken.allocations == 0);
  // The reply allocated what the caller keeps and nothing else: as much as a copy of it.
  Credentials tgt_copy;
  const Counted tgt_cost = count([&] { tgt_copy = tgt; });
  CHECK(replied.allocations == tgt_cost.allocations);
  CHECK(replied.bytes == tgt_cost.bytes);
  CHECK(tgt.ticket == copy_of(must(decode_as_rep(as_rep_bytes)).ticket.raw));
  CHECK(as->work_needed() <= sizeof work);

  // --- TGS for the service: its request and reply work in the buffer ------------------------
  ApContext ap_context;
  ap_context.clock = &clock;
  ap_context.policy = recording_policy();
  ap_context.random = &random;
  ap_context.clock_offset = as->hints().clock_offset;
  ap_context.work_buffer = work;
  Result<TgsExchange> tgs = Error(ErrorCategory::kInvalidArgument, "unset");
  Principal service_arg = service;  // the by-value argument is the caller's copy
  const Counted tgs_made = count([&] {
    tgs = TgsExchange::for_service(tgt, std::move(service_arg), TgsOptions{}, ap_context);
  });
  REQUIRE(tgs.ok());
  // Its own copies of the TGT and of the service's name (asked, and as its KDC names it).
  Credentials tgt_copy2;
  Principal name_copy, name_copy2;
  const Counted copies = count([&] {
    tgt_copy2 = tgt;
    name_copy = service;
    name_copy2 = service;
  });
  CHECK(tgs_made.allocations == copies.allocations);
  CHECK(copy_of(tgs->request()) == hex(rec.at("tgs_req")));
  CHECK(tgs->request().data() == work);

  Result<TgsExchange::Step> tgs_step = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted tgs_replied = count([&] { tgs_step = tgs->on_reply(tgs_rep_bytes); });
  REQUIRE(tgs_step.ok());
  REQUIRE(*tgs_step == TgsExchange::Step::kDone);
  Credentials ticket;
  const Counted tgs_taken = count([&] { ticket = tgs->take_credentials(); });
  CHECK(tgs_taken.allocations == 0);
  Credentials ticket_copy;
  const Counted ticket_cost = count([&] { ticket_copy = ticket; });
  CHECK(tgs_replied.allocations == ticket_cost.allocations);
  CHECK(tgs_replied.bytes == ticket_cost.bytes);
  CHECK(ticket.server == service);
  CHECK(ticket.ticket == copy_of(must(decode_tgs_rep(tgs_rep_bytes)).ticket.raw));

  // --- AP-REQ for the service: one block, the AP-REQ the caller sends -------------------------
  ApReqOptions ap;
  ap.ap_options = ap_options::kMutualRequired;
  ap.subkey = true;
  ap.sequence_number = true;
  Result<ApReqBuilt> ap_req = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted ap_made = count([&] { ap_req = build_ap_req(ticket, ap, ap_context); });
  REQUIRE(ap_req.ok());
  CHECK(ap_made.allocations == 1);
  CHECK(ap_made.bytes == ap_req->bytes.size());
  // The service's view: the ticket as issued, the authenticator under the session key (usage
  // 11, RFC 4120 §7.5.1) naming the client at the AP-REQ's time.
  const ApReq decoded = must(decode_ap_req(ap_req->bytes));
  CHECK(copy_of(decoded.ticket.raw) == ticket.ticket);
  const crypto::Key session = must(crypto::Key::from_bytes(
      ticket.session_key.enctype, ticket.session_key.contents.view(), kdc_policy()));
  const auto plain = unseal(session, usage::kApReqAuthenticator, decoded.authenticator);
  REQUIRE(plain);
  const Authenticator a = must(decode_authenticator(*plain));
  CHECK(Principal(a.crealm, a.cname) == principal(rec.at("client")));
  CHECK(a.ctime.seconds == std::stoll(rec.at("time")));
}

TEST_CASE("a work buffer too small is kBufferTooSmall with the size the step needs") {
  const auto rec = recording();
  FixedClock clock{Timestamp{std::stoll(rec.at("time")), 0}};
  std::uint8_t small[64];
  std::size_t needed = 0;
  {
    TestRandom random{std::stoull(rec.at("seed"))};
    AsContext context;
    context.clock = &clock;
    context.policy = recording_policy();
    context.random = &random;
    context.work_buffer = small;
    auto as = AsExchange::with_password(principal(rec.at("client")), rec.at("password"),
                                        AsOptions{}, context);
    REQUIRE_FALSE(as.ok());
    CHECK(as.error().category() == ErrorCategory::kBufferTooSmall);
    // The first AS-REQ is the recording's, so the step needs exactly its length.
    needed = hex(rec.at("as_req_1")).size();
  }
  std::vector<std::uint8_t> exact(needed);
  TestRandom random{std::stoull(rec.at("seed"))};
  AsContext context;
  context.clock = &clock;
  context.policy = recording_policy();
  context.random = &random;
  context.work_buffer = exact;
  auto as = AsExchange::with_password(principal(rec.at("client")), rec.at("password"), AsOptions{},
                                      context);
  REQUIRE(as.ok());
  CHECK(as->work_needed() == needed);
  CHECK(copy_of(as->request()) == hex(rec.at("as_req_1")));
  // The pre-authenticated request adds PA-ENC-TIMESTAMP: the step says how much more it needs.
  const auto step = as->on_reply(hex(rec.at("krb_error_preauth_required")));
  REQUIRE_FALSE(step.ok());
  CHECK(step.error().category() == ErrorCategory::kBufferTooSmall);
  CHECK(as->work_needed() > needed);
}

TEST_CASE(
    "a Client login in a work buffer sends MIT's recorded requests, allocating what it keeps") {
  const auto rec = recording();
  FixedClock clock{Timestamp{std::stoll(rec.at("time")), 0}};
  TestRandom random{std::stoull(rec.at("seed"))};
  const Principal alice = principal(rec.at("client"));
  const Principal bank = principal(rec.at("service"));
  RecordedKdc kdc({{hex(rec.at("as_req_1")), hex(rec.at("krb_error_preauth_required"))},
                   {hex(rec.at("as_req_2")), hex(rec.at("as_rep"))},
                   {hex(rec.at("tgs_req")), hex(rec.at("tgs_rep"))}});
  static std::uint8_t work[4096];
  ClientOptions options;
  options.clock = &clock;
  options.random = &random;
  options.policy = recording_policy();
  options.work_buffer = work;
  Client client(kdc, options);

  Result<Credentials> tgt = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted login = count([&] { tgt = client.login_password(alice, rec.at("password")); });
  REQUIRE(tgt.ok());
  CHECK(kdc.requests_matched() == 2);
  CHECK(kdc.last_reply_buffer().data() > work);  // received in the buffer, after the request
  CHECK(kdc.last_reply_buffer().data() + kdc.last_reply_buffer().size() == work + sizeof work);
  // The exchange's copy of the client's name and the credentials: nothing else.
  Principal name_copy;
  Credentials tgt_copy;
  const Counted login_cost = count([&] {
    name_copy = alice;
    tgt_copy = *tgt;
  });
  CHECK(login.allocations == login_cost.allocations);
  CHECK(login.bytes == login_cost.bytes);
  CHECK(tgt->ticket == copy_of(must(decode_as_rep(hex(rec.at("as_rep")))).ticket.raw));

  Result<Credentials> ticket = Error(ErrorCategory::kInvalidArgument, "unset");
  const Counted tgs = count([&] { ticket = client.service_ticket(*tgt, bank); });
  REQUIRE(ticket.ok());
  CHECK(kdc.requests_matched() == 3);
  // The by-value service name, the exchange's TGT and two names, and the ticket.
  Principal service_copy, service_copy2, service_copy3;
  Credentials tgt_copy2, ticket_copy;
  const Counted tgs_cost = count([&] {
    service_copy = bank;
    service_copy2 = bank;
    service_copy3 = bank;
    tgt_copy2 = *tgt;
    ticket_copy = *ticket;
  });
  CHECK(tgs.allocations == tgs_cost.allocations);
  CHECK(tgs.bytes == tgs_cost.bytes);
  CHECK(ticket->server == bank);
  CHECK(ticket->ticket == copy_of(must(decode_tgs_rep(hex(rec.at("tgs_rep")))).ticket.raw));
  CHECK(client.work_needed() <= sizeof work);
  CHECK(client.work_needed() > hex(rec.at("tgs_req")).size() + hex(rec.at("tgs_rep")).size());
}
