// The KRB-ERROR error-code registry against RFC 4120 §7.5.9, written out here from the RFC's
// table rather than taken from kerb/error_codes.hpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <string_view>

#include <kerb/constants.hpp>

namespace {

struct RfcErrorCode {
  std::int32_t value;
  std::string_view name;
};

// RFC 4120 §7.5.9, "Error Code" and "Value" columns, every row.
constexpr RfcErrorCode kRfc4120ErrorCodes[] = {
    {0, "KDC_ERR_NONE"},
    {1, "KDC_ERR_NAME_EXP"},
    {2, "KDC_ERR_SERVICE_EXP"},
    {3, "KDC_ERR_BAD_PVNO"},
    {4, "KDC_ERR_C_OLD_MAST_KVNO"},
    {5, "KDC_ERR_S_OLD_MAST_KVNO"},
    {6, "KDC_ERR_C_PRINCIPAL_UNKNOWN"},
    {7, "KDC_ERR_S_PRINCIPAL_UNKNOWN"},
    {8, "KDC_ERR_PRINCIPAL_NOT_UNIQUE"},
    {9, "KDC_ERR_NULL_KEY"},
    {10, "KDC_ERR_CANNOT_POSTDATE"},
    {11, "KDC_ERR_NEVER_VALID"},
    {12, "KDC_ERR_POLICY"},
    {13, "KDC_ERR_BADOPTION"},
    {14, "KDC_ERR_ETYPE_NOSUPP"},
    {15, "KDC_ERR_SUMTYPE_NOSUPP"},
    {16, "KDC_ERR_PADATA_TYPE_NOSUPP"},
    {17, "KDC_ERR_TRTYPE_NOSUPP"},
    {18, "KDC_ERR_CLIENT_REVOKED"},
    {19, "KDC_ERR_SERVICE_REVOKED"},
    {20, "KDC_ERR_TGT_REVOKED"},
    {21, "KDC_ERR_CLIENT_NOTYET"},
    {22, "KDC_ERR_SERVICE_NOTYET"},
    {23, "KDC_ERR_KEY_EXPIRED"},
    {24, "KDC_ERR_PREAUTH_FAILED"},
    {25, "KDC_ERR_PREAUTH_REQUIRED"},
    {26, "KDC_ERR_SERVER_NOMATCH"},
    {27, "KDC_ERR_MUST_USE_USER2USER"},
    {28, "KDC_ERR_PATH_NOT_ACCEPTED"},
    {29, "KDC_ERR_SVC_UNAVAILABLE"},
    {31, "KRB_AP_ERR_BAD_INTEGRITY"},
    {32, "KRB_AP_ERR_TKT_EXPIRED"},
    {33, "KRB_AP_ERR_TKT_NYV"},
    {34, "KRB_AP_ERR_REPEAT"},
    {35, "KRB_AP_ERR_NOT_US"},
    {36, "KRB_AP_ERR_BADMATCH"},
    {37, "KRB_AP_ERR_SKEW"},
    {38, "KRB_AP_ERR_BADADDR"},
    {39, "KRB_AP_ERR_BADVERSION"},
    {40, "KRB_AP_ERR_MSG_TYPE"},
    {41, "KRB_AP_ERR_MODIFIED"},
    {42, "KRB_AP_ERR_BADORDER"},
    {44, "KRB_AP_ERR_BADKEYVER"},
    {45, "KRB_AP_ERR_NOKEY"},
    {46, "KRB_AP_ERR_MUT_FAIL"},
    {47, "KRB_AP_ERR_BADDIRECTION"},
    {48, "KRB_AP_ERR_METHOD"},
    {49, "KRB_AP_ERR_BADSEQ"},
    {50, "KRB_AP_ERR_INAPP_CKSUM"},
    {51, "KRB_AP_PATH_NOT_ACCEPTED"},
    {52, "KRB_ERR_RESPONSE_TOO_BIG"},
    {60, "KRB_ERR_GENERIC"},
    {61, "KRB_ERR_FIELD_TOOLONG"},
    {62, "KDC_ERROR_CLIENT_NOT_TRUSTED"},
    {63, "KDC_ERROR_KDC_NOT_TRUSTED"},
    {64, "KDC_ERROR_INVALID_SIG"},
    {65, "KDC_ERR_KEY_TOO_WEAK"},
    {66, "KDC_ERR_CERTIFICATE_MISMATCH"},
    {67, "KRB_AP_ERR_NO_TGT"},
    {68, "KDC_ERR_WRONG_REALM"},
    {69, "KRB_AP_ERR_USER_TO_USER_REQUIRED"},
    {70, "KDC_ERR_CANT_VERIFY_CERTIFICATE"},
    {71, "KDC_ERR_INVALID_CERTIFICATE"},
    {72, "KDC_ERR_REVOKED_CERTIFICATE"},
    {73, "KDC_ERR_REVOCATION_STATUS_UNKNOWN"},
    {74, "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE"},
    {75, "KDC_ERR_CLIENT_NAME_MISMATCH"},
    {76, "KDC_ERR_KDC_NAME_MISMATCH"},
};

}  // namespace

TEST_CASE("error codes: error_code_name gives RFC 4120 §7.5.9's name for every code it lists") {
  static_assert(std::size(kRfc4120ErrorCodes) == 68);  // 0-29, 31-42, 44-52, 60-76
  for (const RfcErrorCode& rfc : kRfc4120ErrorCodes) {
    INFO(rfc.value << " " << rfc.name);
    CHECK(kerb::error_code_name(rfc.value) == rfc.name);
    CHECK(kerb::error_code_message(rfc.value) != "Unknown error code");
  }
  // Values the RFC leaves out have no name.
  for (std::int32_t gap : {30, 43, 53, 59}) {
    INFO(gap);
    CHECK(kerb::error_code_name(gap).empty());
  }
}

TEST_CASE("error codes: every named constant has the name of its value") {
  using namespace kerb::error_code;
  CHECK(kerb::error_code_name(kKdcErrNone) == "KDC_ERR_NONE");
  CHECK(kerb::error_code_name(kKdcErrCPrincipalUnknown) == "KDC_ERR_C_PRINCIPAL_UNKNOWN");
  CHECK(kerb::error_code_name(kKdcErrPreauthRequired) == "KDC_ERR_PREAUTH_REQUIRED");
  CHECK(kerb::error_code_name(kKrbApErrSkew) == "KRB_AP_ERR_SKEW");
  CHECK(kerb::error_code_name(kKrbErrResponseTooBig) == "KRB_ERR_RESPONSE_TOO_BIG");
  CHECK(kerb::error_code_name(kKdcErrKeyTooWeak) == "KDC_ERR_KEY_TOO_WEAK");
  CHECK(kerb::error_code_name(kKdcErrKdcNameMismatch) == "KDC_ERR_KDC_NAME_MISMATCH");
  // RFC 6113 §6.1 and RFC 8636 §8 beyond RFC 4120.
  CHECK(kKdcErrPreauthExpired == 90);
  CHECK(kerb::error_code_name(91) == "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED");
  CHECK(kKdcErrNoAcceptableKdf == 100);
  CHECK(kerb::error_code_name(100) == "KDC_ERR_NO_ACCEPTABLE_KDF");
}
