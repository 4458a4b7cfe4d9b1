// kpasswd against MIT's own code: the ChangePasswdData kerb writes, read back by MIT's
// decode_krb5_setpw_req (what MIT's kadmind runs on a set-password request), and the AD policy
// blob kerb reads, rendered by MIT's krb5_chpw_message. MIT is the oracle here only.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include <krb5.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif
#include <catch2/catch.hpp>

#include <kerb/kpasswd.hpp>

#include "hex_bytes.hpp"

// Exported by libkrb5 but declared only in MIT's private k5-int.h.
extern "C" krb5_error_code decode_krb5_setpw_req(const krb5_data* code, krb5_data** password_out,
                                                 krb5_principal* target_out);

namespace {

struct Context {
  krb5_context ctx = nullptr;
  Context() { REQUIRE(krb5_init_context(&ctx) == 0); }
  ~Context() { krb5_free_context(ctx); }
};

krb5_data as_data(kerb::Bytes b) {
  krb5_data d{};
  d.length = static_cast<unsigned int>(b.size());
  d.data = const_cast<char*>(reinterpret_cast<const char*>(b.data()));
  return d;
}

std::string text(const krb5_data& d) {
  return std::string(d.data, d.length);
}

kerb::Bytes bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("kpasswd MIT: ChangePasswdData as MIT's kadmind decodes it", "[kpasswd][mit]") {
  Context mit;
  kerb::ChangePasswdData data;
  data.newpasswd = bytes_of("N3w passw\xC3\xB6rd");

  SECTION("with a target principal") {
    data.targname = kerb::PrincipalName(kerb::NameType::kPrincipal, {"alice", "admin"});
    data.targrealm = "KERB.TEST";
    auto encoded = kerb::kpasswd_user_data(kerb::KpasswdVersion::kSetPassword, data);
    REQUIRE(encoded);
    const krb5_data in = as_data(encoded->view());
    krb5_data* password = nullptr;
    krb5_principal target = nullptr;
    {
      // MIT's decode_krb5_setpw_req hands out the password and target it decoded and never
      // frees the 24-byte structure that held them: MIT's leak, not this test's.
#if defined(__SANITIZE_ADDRESS__)
      __lsan::ScopedDisabler mit_leaks;
#endif
      REQUIRE(decode_krb5_setpw_req(&in, &password, &target) == 0);
    }
    CHECK(text(*password) == "N3w passw\xC3\xB6rd");
    REQUIRE(target != nullptr);
    char* name = nullptr;
    REQUIRE(krb5_unparse_name(mit.ctx, target, &name) == 0);
    CHECK(std::string(name) == "alice/admin@KERB.TEST");
    CHECK(target->type == KRB5_NT_PRINCIPAL);
    krb5_free_unparsed_name(mit.ctx, name);
    krb5_free_principal(mit.ctx, target);
    krb5_free_data(mit.ctx, password);
  }

  SECTION("without a target: MIT's kadmind refuses it") {
    // RFC 3244 makes targname and targrealm OPTIONAL, but MIT's decoder requires both, so an
    // MIT server answers KRB5_KPASSWD_MALFORMED. MIT's own client changes its own password
    // with version 1 instead, as a kerb caller should.
    auto encoded = kerb::kpasswd_user_data(kerb::KpasswdVersion::kSetPassword, data);
    REQUIRE(encoded);
    const krb5_data in = as_data(encoded->view());
    krb5_data* password = nullptr;
    krb5_principal target = nullptr;
    CHECK(decode_krb5_setpw_req(&in, &password, &target) != 0);
    CHECK(password == nullptr);
    CHECK(target == nullptr);
  }
}

TEST_CASE("kpasswd MIT: the AD policy blob means to MIT what kerb reads", "[kpasswd][mit]") {
  Context mit;
  // min length 12, history 5, no complexity, max age 0, min age 3 days (100 ns units).
  const kerb::test::Bytes blob =
      kerb::test::hex("0000 0000000C 00000005 00000000 0000000000000000 0000025B7F3D4000");
  auto policy = kerb::decode_ad_policy_info(blob);
  REQUIRE(policy);
  CHECK(policy->min_length == 12);
  CHECK(policy->history == 5);
  CHECK(policy->properties == 0);
  CHECK(policy->min_age == 3ull * 86400 * 10000000);

  const krb5_data in = as_data(blob);
  char* message = nullptr;
  REQUIRE(krb5_chpw_message(mit.ctx, &in, &message) == 0);
  const std::string said(message);
  krb5_free_string(mit.ctx, message);
  CHECK_THAT(said, Catch::Contains("at least 12 characters"));
  CHECK_THAT(said, Catch::Contains("previous 5 passwords"));
  CHECK_THAT(said, Catch::Contains("every 3 days"));
}
