// FAST (RFC 6113) against MIT's KDC: the device principal's TGT (the fixture's device keytab)
// armors alice's password login, which then uses the encrypted challenge; the bytes kerb sent
// are decoded to show it; TGS requests are armored with the TGT; the KDC's errors come from
// inside its FAST reply; and replies with the FAST part taken out are refused.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include <kerb/ccache.hpp>
#include <kerb/client.hpp>
#include <kerb/constants.hpp>
#include <kerb/messages/fast.hpp>
#include <kerb/messages/kdc_rep.hpp>
#include <kerb/messages/kdc_req.hpp>
#include <kerb/messages/krb_error.hpp>
#include <kerb/messages/padata.hpp>

#include "itest_util.hpp"

using namespace kerb;
using namespace kerb::itest;

namespace {

// RFC 4120 / RFC 6113 numbers, typed in.
constexpr std::int32_t kPaEncTimestamp = 2;
constexpr std::int32_t kPaTgsReq = 1;
constexpr std::int32_t kPaFxFast = 136;
constexpr std::int32_t kPaEncryptedChallenge = 138;
constexpr std::int32_t kKdcErrPreauthFailed = 24;
constexpr std::int32_t kKdcErrSPrincipalUnknown = 7;
constexpr std::int32_t kKrbErrGeneric = 60;

// Records every request and reply; `rewrite` may change a reply before kerb sees it.
class RecordingTransport final : public KdcTransport {
 public:
  explicit RecordingTransport(KdcTransport& inner) : inner_(inner) {}
  Result<std::vector<std::uint8_t>> exchange(std::string_view realm,
                                             std::span<const std::uint8_t> request) override {
    requests.emplace_back(request.begin(), request.end());
    KERB_TRY(std::vector<std::uint8_t> reply, inner_.exchange(realm, request));
    if (rewrite) reply = rewrite(reply);
    replies.push_back(reply);
    return reply;
  }
  std::vector<std::vector<std::uint8_t>> requests, replies;
  std::function<std::vector<std::uint8_t>(const std::vector<std::uint8_t>&)> rewrite;

 private:
  KdcTransport& inner_;
};

template <class T>
std::vector<std::uint8_t> to_der(const T& value) {
  der::Writer counter = der::Writer::counting();
  encode(counter, value);
  std::vector<std::uint8_t> out(counter.size());
  der::Writer w(out);
  encode(w, value);
  REQUIRE(w.ok());
  return out;
}

struct Fixture {
  Config config = load_config();
  PosixKdcTransport posix = make_transport(config);
  RecordingTransport transport{posix};

  ClientOptions options() { return must(ClientOptions::from_config(config), "from_config"); }

  // The device's TGT, from its keytab: the armor.
  Credentials device_tgt() {
    Client device(posix, options());
    const Keytab keytab = must(Keytab::open(env("KERB_TEST_DEVICE_KEYTAB")), "Keytab::open");
    const Principal name =
        must(Principal::parse(env("KERB_TEST_DEVICE_PRINCIPAL")), "Principal::parse");
    return must(device.login_keytab(name, keytab), "device login_keytab");
  }

  Client armored_client() {
    ClientOptions o = options();
    o.fast_armor = device_tgt();
    return Client(transport, std::move(o));
  }
};

// A rewrite that re-encodes a KDC-REP (read with `decode`) without its padata, where PA-FX-FAST
// travels; other replies pass unchanged.
auto without_padata(Result<KdcRep> (*decode)(Bytes)) {
  return [decode](const std::vector<std::uint8_t>& reply) {
    auto rep = decode(reply);
    if (!rep) return reply;
    KdcRep stripped = *rep;
    stripped.padata.reset();
    return to_der(stripped);
  };
}

bool has_padata(const std::optional<MethodData>& md, std::int32_t type) {
  return md && find_padata(*md, type).has_value();
}

}  // namespace

TEST_CASE("a password change's kadmin/changepw ticket is armored like a login",
          "[integration][fast]") {
  Fixture f;
  Client client = f.armored_client();
  auto changepw = client.changepw_ticket(principal("alice"), password("alice"));
  if (!changepw) FAIL(describe(changepw.error()));
  CHECK(changepw->server.to_string() == "kadmin/changepw@KERB.TEST");
  REQUIRE_FALSE(f.transport.requests.empty());
  for (const auto& bytes : f.transport.requests) {
    const KdcReq req = must(decode_as_req(bytes), "decode_as_req");
    CHECK(has_padata(req.padata, kPaFxFast));
    CHECK_FALSE(has_padata(req.padata, kPaEncTimestamp));
  }
}

TEST_CASE("an armored password login uses the encrypted challenge, never PA-ENC-TIMESTAMP",
          "[integration][fast]") {
  Fixture f;
  Client client = f.armored_client();
  const Principal alice = principal("alice");
  auto tgt = client.login_password(alice, password("alice"));
  if (!tgt) FAIL(describe(tgt.error()));
  CHECK(tgt->server.to_string() == "krbtgt/KERB.TEST@KERB.TEST");
  CHECK(tgt->client == alice);

  REQUIRE(f.transport.requests.size() == 2);  // PREAUTH_REQUIRED inside FAST, then the challenge
  for (const auto& bytes : f.transport.requests) {
    const KdcReq req = must(decode_as_req(bytes), "decode_as_req");
    CHECK(has_padata(req.padata, kPaFxFast));
    CHECK_FALSE(has_padata(req.padata, kPaEncTimestamp));
    CHECK_FALSE(has_padata(req.padata, kPaEncryptedChallenge));  // inside, encrypted
    const PaFxFastRequest fx =
        must(decode_pa_fx_fast_request(find_padata(*req.padata, kPaFxFast)->padata_value), "fx");
    CHECK(fx.armored_data.armor);
  }
  // The KDC's replies were armored too.
  const KrbError first = must(decode_krb_error(f.transport.replies[0]), "decode_krb_error");
  REQUIRE(first.e_data);
  CHECK(find_padata(must(decode_method_data(*first.e_data), "e-data"), kPaFxFast));
  const KdcRep rep = must(decode_as_rep(f.transport.replies[1]), "decode_as_rep");
  CHECK(has_padata(rep.padata, kPaFxFast));

  SECTION("a TGS request armored with the TGT") {
    f.transport.requests.clear();
    auto bank = client.service_ticket(*tgt, principal("bank/bank.test"));
    if (!bank) FAIL(describe(bank.error()));
    CHECK(bank->server.to_string() == "bank/bank.test@KERB.TEST");
    REQUIRE(f.transport.requests.size() == 1);
    const KdcReq req = must(decode_tgs_req(f.transport.requests[0]), "decode_tgs_req");
    CHECK(has_padata(req.padata, kPaTgsReq));
    REQUIRE(has_padata(req.padata, kPaFxFast));
    const PaFxFastRequest fx =
        must(decode_pa_fx_fast_request(find_padata(*req.padata, kPaFxFast)->padata_value), "fx");
    CHECK_FALSE(fx.armored_data.armor);  // implicit: the PA-TGS-REQ
  }

  SECTION("a TGS-REP with its FAST part stripped is refused") {
    f.transport.rewrite = without_padata(decode_tgs_rep);
    auto bank = client.service_ticket(*tgt, principal("bank/bank.test"));
    REQUIRE_FALSE(bank.ok());
    INFO(describe(bank.error()));
    CHECK(bank.error().category() == ErrorCategory::kProtocol);
    CHECK(decode_tgs_rep(f.transport.replies.back()).ok());
  }

  SECTION("the KDC's TGS error comes from inside the FAST reply") {
    auto none = client.service_ticket(*tgt, principal("nosuch/bank.test"));
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().category() == ErrorCategory::kKdc);
    CHECK(none.error().code() == kKdcErrSPrincipalUnknown);
  }

  SECTION("a returning login takes one armored round trip") {
    ClientOptions o = f.options();
    o.fast_armor = f.device_tgt();
    Client returning(f.transport, std::move(o));
    returning.set_hints(alice, *client.hints(alice));
    f.transport.requests.clear();
    auto again = returning.login_password(alice, password("alice"));
    if (!again) FAIL(describe(again.error()));
    CHECK(f.transport.requests.size() == 1);
    const KdcReq req = must(decode_as_req(f.transport.requests[0]), "decode_as_req");
    CHECK(has_padata(req.padata, kPaFxFast));
    CHECK_FALSE(has_padata(req.padata, kPaEncTimestamp));
  }
}

TEST_CASE("a wrong password is the KDC's PREAUTH_FAILED from inside the FAST reply",
          "[integration][fast]") {
  Fixture f;
  Client client = f.armored_client();
  auto tgt = client.login_password(principal("alice"), "not alice's password");
  REQUIRE_FALSE(tgt.ok());
  INFO(describe(tgt.error()));
  CHECK(tgt.error().category() == ErrorCategory::kKdc);
  CHECK(tgt.error().code() == kKdcErrPreauthFailed);
  // The last reply was an armored KRB-ERROR.
  const KrbError outer = must(decode_krb_error(f.transport.replies.back()), "decode_krb_error");
  REQUIRE(outer.e_data);
  CHECK(find_padata(must(decode_method_data(*outer.e_data), "e-data"), kPaFxFast));

  SECTION("the outer error code is ignored (RFC 6113 §5.4.4)") {
    // The outer KRB-ERROR's code rewritten to KRB_ERR_GENERIC: the inner one still rules.
    f.transport.rewrite = [](const std::vector<std::uint8_t>& reply) {
      auto error = decode_krb_error(reply);
      if (!error) return reply;
      KrbError changed = *error;
      changed.error_code = kKrbErrGeneric;
      return to_der(changed);
    };
    auto again = client.login_password(principal("alice"), "not alice's password");
    REQUIRE_FALSE(again.ok());
    INFO(describe(again.error()));
    CHECK(again.error().code() == kKdcErrPreauthFailed);
  }
}

TEST_CASE("an AS-REP with its FAST part stripped is refused", "[integration][fast]") {
  Fixture f;
  Client client = f.armored_client();
  f.transport.rewrite = without_padata(decode_as_rep);
  auto tgt = client.login_password(principal("alice"), password("alice"));
  REQUIRE_FALSE(tgt.ok());
  INFO(describe(tgt.error()));
  CHECK(tgt.error().category() == ErrorCategory::kProtocol);
  CHECK(decode_as_rep(f.transport.replies.back()).ok());
}

TEST_CASE("an unarmored PREAUTH_REQUIRED after an armored request is refused",
          "[integration][fast]") {
  Fixture f;
  Client client = f.armored_client();
  // The KDC's armored error re-encoded without e-data, as a downgrading attacker would.
  f.transport.rewrite = [](const std::vector<std::uint8_t>& reply) {
    auto error = decode_krb_error(reply);
    if (!error) return reply;
    KrbError bare = *error;
    bare.e_data.reset();
    return to_der(bare);
  };
  auto tgt = client.login_password(principal("alice"), password("alice"));
  REQUIRE_FALSE(tgt.ok());
  INFO(describe(tgt.error()));
  CHECK(tgt.error().category() == ErrorCategory::kProtocol);
  CHECK(f.transport.requests.size() == 1);
}

TEST_CASE("require_fast without armor sends nothing", "[integration][fast]") {
  Fixture f;
  ClientOptions o = f.options();
  o.require_fast = true;
  Client client(f.transport, std::move(o));
  auto tgt = client.login_password(principal("alice"), password("alice"));
  REQUIRE_FALSE(tgt.ok());
  CHECK(tgt.error().category() == ErrorCategory::kPolicy);
  CHECK(f.transport.requests.empty());
}

TEST_CASE("an armor ccache written by MIT's kinit -k armors kerb's login", "[integration][fast]") {
  const Scratch scratch("fast-itest");
  const std::string armor = scratch("armor.ccache");
  run("kinit -k -t " + env("KERB_TEST_DEVICE_KEYTAB") + " -c FILE:" + armor + " " +
      env("KERB_TEST_DEVICE_PRINCIPAL"));
  Fixture f;
  ClientOptions o = f.options();
  o.fast_armor = must(armor_from_ccache("FILE:" + armor, "KERB.TEST"), "armor_from_ccache");
  Client client(f.transport, std::move(o));
  auto tgt = client.login_password(principal("bob"), password("bob"));
  if (!tgt) FAIL(describe(tgt.error()));
  const KdcReq req = must(decode_as_req(f.transport.requests.back()), "decode_as_req");
  CHECK(has_padata(req.padata, kPaFxFast));
  ::unlink(armor.c_str());
}

TEST_CASE("an armored login and TGS request in a caller's work buffer", "[integration][fast]") {
  Fixture f;
  ClientOptions o = f.options();
  o.fast_armor = f.device_tgt();
  std::vector<std::uint8_t> work(8192);
  o.work_buffer = work;
  Client client(f.transport, std::move(o));
  auto tgt = client.login_password(principal("alice"), password("alice"));
  if (!tgt) FAIL(describe(tgt.error()));
  auto bank = client.service_ticket(*tgt, principal("bank/bank.test"));
  if (!bank) FAIL(describe(bank.error()));
  // The requests were armored and encoded in the work buffer.
  for (const auto& bytes : f.transport.requests) {
    const KdcReq req = must(bytes[0] == 0x6A ? decode_as_req(bytes) : decode_tgs_req(bytes), "req");
    CHECK(has_padata(req.padata, kPaFxFast));
  }
  CHECK(client.work_needed() > 0);
  CHECK(client.work_needed() <= work.size());
}
