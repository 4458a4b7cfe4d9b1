// kpasswd_reply_fuzz: a password-change reply (RFC 3244 §2) as a client reads it, then its
// result. Nothing may crash or read out of bounds; a refusal names a category; an accepted
// framed reply is exactly its parts: framing the AP-REP and KRB-PRIV again with the reply's
// version gives back the input (the request and reply share one layout), and every view lies
// inside the input. The whole input is also read as a result (code + string) and as an AD policy
// blob, and as a ChangePasswdData, which must re-encode to the input (DER is canonical).
#include <cstddef>
#include <cstdint>
#include <span>

#include <kerb/der/writer.hpp>
#include <kerb/kpasswd.hpp>

#include "fuzz_check.hpp"

namespace {

bool inside(kerb::Bytes part, kerb::Bytes whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool same(kerb::Bytes a, kerb::Bytes b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

void check_reply(kerb::Bytes input) {
  auto reply = kerb::parse_kpasswd_reply(input);
  if (!reply) {
    FUZZ_CHECK(reply.error().category() == kerb::ErrorCategory::kProtocol ||
               reply.error().category() == kerb::ErrorCategory::kDer);
    FUZZ_CHECK(!reply.error().detail().empty());
    return;
  }
  // Exactly one of: an AP-REP with its KRB-PRIV, or a KRB-ERROR.
  FUZZ_CHECK(reply->krb_priv.has_value() != reply->krb_error.has_value());
  FUZZ_CHECK(inside(reply->ap_rep, input) && inside(reply->krb_priv_raw, input));
  if (reply->krb_error) {
    FUZZ_CHECK(reply->ap_rep.empty() && reply->krb_priv_raw.empty());
    if (auto result = kerb::kpasswd_error_result(*reply->krb_error)) FUZZ_CHECK(!result->success());
    return;
  }
  FUZZ_CHECK(!reply->ap_rep.empty() && !reply->krb_priv_raw.empty());
  FUZZ_CHECK(reply->version == 0x0001 || reply->version == 0xff80);
  auto again = kerb::frame_kpasswd_request(static_cast<kerb::KpasswdVersion>(reply->version),
                                           reply->ap_rep, reply->krb_priv_raw);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(same(*again, input));
}

void check_result(kerb::Bytes input) {
  auto result = kerb::parse_kpasswd_result(input);
  FUZZ_CHECK(result.ok() == (input.size() >= 2));
  if (!result) return;
  FUZZ_CHECK(result->result_string.size() == input.size() - 2);
  FUZZ_CHECK(!kerb::describe_kpasswd_result(result->code).empty());
  if (auto policy = kerb::decode_ad_policy_info(result->result_string))
    FUZZ_CHECK(result->result_string.size() == 30);
}

void check_change_passwd_data(kerb::Bytes input) {
  auto data = kerb::decode_change_passwd_data(input);
  if (!data) {
    FUZZ_CHECK(data.error().category() == kerb::ErrorCategory::kDer);
    return;
  }
  kerb::der::Writer writer;
  encode(writer, *data);
  FUZZ_CHECK(writer.ok());
  FUZZ_CHECK(same(writer.bytes(), input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const kerb::Bytes input(data, size);
  check_reply(input);
  check_result(input);
  check_change_passwd_data(input);
  return 0;
}
