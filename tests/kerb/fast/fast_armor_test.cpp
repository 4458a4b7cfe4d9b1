// FastArmor: the exchanges armor only through an armor object's FAST operations. A TGT given
// as armor (implicitly a FastArmor) armors the AS request; TgsOptions::fast armors a TGS
// request with the TGT; without either nothing is armored, and a Client that requires FAST
// but has no armor refuses a service ticket rather than ask for one unarmored.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <kerb/as_exchange.hpp>
#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/fast.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/padata.hpp>
#include <kerb/tgs_exchange.hpp>

using namespace kerb;

namespace {

// RFC 6113 §7 / RFC 4120 §7.5 numbers, typed in.
constexpr std::int32_t kPaFxFast = 136;
constexpr std::int32_t kPaTgsReq = 1;

template <class T>
T must(Result<T> r) {
  if (!r) FAIL(std::string(r.error().detail()));
  return std::move(r).value();
}

// MIT kinit -k's TGT of the device principal (tests/data/mit_fast/armor.ccache).
Credentials armor_tgt() {
  CcacheContents cc = must(CcacheContents::open(std::string(KERB_MIT_FAST_DIR) + "/armor.ccache"));
  REQUIRE(cc.credentials.size() >= 1);
  return cc.credentials.front();
}

// Counts the requests it is asked to send and answers none.
class SilentKdc final : public KdcTransport {
 public:
  int sent = 0;
  Result<std::vector<std::uint8_t>> exchange(std::string_view,
                                             std::span<const std::uint8_t>) override {
    ++sent;
    return Error(ErrorCategory::kIo, "no KDC here");
  }
};

bool has_padata(const std::optional<MethodData>& md, std::int32_t type) {
  return md && find_padata(*md, type).has_value();
}

}  // namespace

TEST_CASE("a TGT given as armor armors the AS request with FAST's operations", "[fast]") {
  const Credentials tgt = armor_tgt();
  const Principal alice(std::string(tgt.server.realm()),
                        PrincipalName(NameType::kPrincipal, {"alice"}));
  AsContext context;
  context.fast_armor = tgt;  // implicit: a FastArmor
  REQUIRE(context.fast_armor);
  CHECK(&context.fast_armor->operations() == &fast::operations());
  CHECK(context.fast_armor->tgt().ticket == tgt.ticket);
  AsExchange as = must(AsExchange::with_password(alice, "secret", AsOptions{}, context));
  const KdcReq armored = must(decode_as_req(as.request()));
  CHECK(has_padata(armored.padata, kPaFxFast));

  AsExchange plain = must(AsExchange::with_password(alice, "secret", AsOptions{}, AsContext{}));
  CHECK_FALSE(has_padata(must(decode_as_req(plain.request())).padata, kPaFxFast));
}

TEST_CASE("TgsOptions::fast armors a TGS request with the TGT, null leaves it unarmored",
          "[fast]") {
  const Credentials tgt = armor_tgt();
  const Principal service(std::string(tgt.server.realm()),
                          PrincipalName(NameType::kSrvHst, {"bank", "bank.test"}));
  TgsOptions options;
  options.fast = &fast::operations();
  TgsExchange armored = must(TgsExchange::for_service(tgt, service, options, ApContext{}));
  const KdcReq req = must(decode_tgs_req(armored.request()));
  CHECK(has_padata(req.padata, kPaTgsReq));
  REQUIRE(has_padata(req.padata, kPaFxFast));
  // Implicit armor (RFC 6113 §5.4.1.1): the PA-TGS-REQ is the armor, so no armor field.
  const PaFxFastRequest fx =
      must(decode_pa_fx_fast_request(find_padata(*req.padata, kPaFxFast)->padata_value));
  CHECK_FALSE(fx.armored_data.armor);

  TgsExchange plain = must(TgsExchange::for_service(tgt, service, TgsOptions{}, ApContext{}));
  CHECK_FALSE(has_padata(must(decode_tgs_req(plain.request())).padata, kPaFxFast));
}

TEST_CASE("a Client requiring FAST without armor refuses a service ticket, sending nothing",
          "[fast]") {
  const Credentials tgt = armor_tgt();
  SilentKdc transport;
  ClientOptions options;
  options.require_fast = true;
  Client client(transport, options);
  const Principal service(std::string(tgt.server.realm()),
                          PrincipalName(NameType::kSrvHst, {"bank", "bank.test"}));
  auto ticket = client.service_ticket(tgt, service);
  REQUIRE_FALSE(ticket.ok());
  CHECK(ticket.error().category() == ErrorCategory::kPolicy);
  CHECK(transport.sent == 0);
}
