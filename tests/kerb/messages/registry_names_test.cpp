// The registry headers' name lookups against the RFCs' tables, written out here from the RFCs
// rather than taken from the headers (error codes have error_codes_test.cpp).
#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <string_view>

#include <kerb/constants.hpp>

namespace {

struct Row {
  std::int64_t value;
  std::string_view name;
};

}  // namespace

TEST_CASE("registry names: message types, RFC 4120 §7.5.7") {
  constexpr Row kRfc[] = {
      {10, "KRB_AS_REQ"}, {11, "KRB_AS_REP"}, {12, "KRB_TGS_REQ"},    {13, "KRB_TGS_REP"},
      {14, "KRB_AP_REQ"}, {15, "KRB_AP_REP"}, {16, "KRB_RESERVED16"}, {17, "KRB_RESERVED17"},
      {20, "KRB_SAFE"},   {21, "KRB_PRIV"},   {22, "KRB_CRED"},       {30, "KRB_ERROR"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::message_type_name(static_cast<std::int32_t>(r.value)) == r.name);
  }
  CHECK(static_cast<std::int32_t>(kerb::MessageType::kAsReq) == 10);
  CHECK(static_cast<std::int32_t>(kerb::MessageType::kError) == 30);
  for (std::int32_t gap : {0, 9, 18, 19, 23, 29, 31})
    CHECK(kerb::message_type_name(gap).empty());
}

TEST_CASE("registry names: name types, RFC 4120 §7.5.8, RFC 6111 §3.1, [MS-KILE]") {
  constexpr Row kRfc[] = {
      {0, "KRB_NT_UNKNOWN"},         {1, "KRB_NT_PRINCIPAL"}, {2, "KRB_NT_SRV_INST"},
      {3, "KRB_NT_SRV_HST"},         {4, "KRB_NT_SRV_XHST"},  {5, "KRB_NT_UID"},
      {6, "KRB_NT_X500_PRINCIPAL"},  {7, "KRB_NT_SMTP_NAME"}, {10, "KRB_NT_ENTERPRISE"},
      {11, "KRB_NT_WELLKNOWN"},       // RFC 6111 §3.1
      {-128, "KRB_NT_MS_PRINCIPAL"},  // [MS-KILE] §2.2.1
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::name_type_name(static_cast<std::int32_t>(r.value)) == r.name);
  }
  CHECK(static_cast<std::int32_t>(kerb::NameType::kSrvInst) == 2);
  CHECK(static_cast<std::int32_t>(kerb::NameType::kEnterprise) == 10);
  for (std::int32_t gap : {8, 9, 12, -1})
    CHECK(kerb::name_type_name(gap).empty());
}

TEST_CASE("registry names: PA and TD types, RFC 6113 §7.1") {
  // RFC 6113 §7.1's table, every row but the second names of 20 and 22. Where the table writes
  // underscores (TD_DH_PARAMETERS, PA-FOR_USER, PA_PKINIT_KX, PA_PKU2U_NAME, PA-EXTENDED_ERROR)
  // the row carries the hyphens RFC 4556, [MS-SFU], RFC 6112 and MIT write; 165 is [MS-KILE]
  // §2.2.8's PA-SUPPORTED-ENCTYPES (the table: PA-SUPPORTED-ETYPES).
  constexpr Row kRfc[] = {
      {1, "PA-TGS-REQ"},
      {2, "PA-ENC-TIMESTAMP"},
      {3, "PA-PW-SALT"},
      {5, "PA-ENC-UNIX-TIME"},
      {6, "PA-SANDIA-SECUREID"},
      {7, "PA-SESAME"},
      {8, "PA-OSF-DCE"},
      {9, "PA-CYBERSAFE-SECUREID"},
      {10, "PA-AFS3-SALT"},
      {11, "PA-ETYPE-INFO"},
      {12, "PA-SAM-CHALLENGE"},
      {13, "PA-SAM-RESPONSE"},
      {14, "PA-PK-AS-REQ_OLD"},
      {15, "PA-PK-AS-REP_OLD"},
      {16, "PA-PK-AS-REQ"},
      {17, "PA-PK-AS-REP"},
      {18, "PA-PK-OCSP-RESPONSE"},
      {19, "PA-ETYPE-INFO2"},
      {20, "PA-USE-SPECIFIED-KVNO"},
      {21, "PA-SAM-REDIRECT"},
      {22, "PA-GET-FROM-TYPED-DATA"},
      {23, "PA-SAM-ETYPE-INFO"},
      {24, "PA-ALT-PRINC"},
      {25, "PA-SERVER-REFERRAL"},
      {30, "PA-SAM-CHALLENGE2"},
      {31, "PA-SAM-RESPONSE2"},
      {41, "PA-EXTRA-TGT"},
      {101, "TD-PKINIT-CMS-CERTIFICATES"},
      {102, "TD-KRB-PRINCIPAL"},
      {103, "TD-KRB-REALM"},
      {104, "TD-TRUSTED-CERTIFIERS"},
      {105, "TD-CERTIFICATE-INDEX"},
      {106, "TD-APP-DEFINED-ERROR"},
      {107, "TD-REQ-NONCE"},
      {108, "TD-REQ-SEQ"},
      {109, "TD-DH-PARAMETERS"},
      {111, "TD-CMS-DIGEST-ALGORITHMS"},
      {112, "TD-CERT-DIGEST-ALGORITHMS"},
      {128, "PA-PAC-REQUEST"},
      {129, "PA-FOR-USER"},
      {130, "PA-FOR-X509-USER"},
      {131, "PA-FOR-CHECK_DUPS"},
      {132, "PA-AS-CHECKSUM"},
      {133, "PA-FX-COOKIE"},
      {134, "PA-AUTHENTICATION-SET"},
      {135, "PA-AUTH-SET-SELECTED"},
      {136, "PA-FX-FAST"},
      {137, "PA-FX-ERROR"},
      {138, "PA-ENCRYPTED-CHALLENGE"},
      {141, "PA-OTP-CHALLENGE"},
      {142, "PA-OTP-REQUEST"},
      {143, "PA-OTP-CONFIRM"},
      {144, "PA-OTP-PIN-CHANGE"},
      {145, "PA-EPAK-AS-REQ"},
      {146, "PA-EPAK-AS-REP"},
      {147, "PA-PKINIT-KX"},
      {148, "PA-PKU2U-NAME"},
      {165, "PA-SUPPORTED-ENCTYPES"},
      {166, "PA-EXTENDED-ERROR"},
      // Registered after RFC 6113: RFC 6806 §11, RFC 8070 §3, the IANA registry's SPAKE entry.
      {149, "PA-REQ-ENC-PA-REP"},
      {150, "PA-AS-FRESHNESS"},
      {151, "PA-SPAKE"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::padata_type_name(static_cast<std::int32_t>(r.value)) == r.name);
  }
  using namespace kerb::padata_type;
  CHECK(kPaEtypeInfo2 == 19);
  CHECK(kPaSvrReferralInfo == 20);
  CHECK(kTdPadata == 22);
  CHECK(kPaFxFast == 136);
  for (std::int32_t gap : {0, 4, 26, 100, 110, 139, 152})
    CHECK(kerb::padata_type_name(gap).empty());
}

TEST_CASE("registry names: authorization data types, RFC 4120 §7.5.4 and later") {
  constexpr Row kRfc[] = {
      {1, "AD-IF-RELEVANT"},
      {2, "AD-INTENDED-FOR-SERVER"},
      {3, "AD-INTENDED-FOR-APPLICATION-CLASS"},
      {4, "AD-KDC-ISSUED"},
      {5, "AD-AND-OR"},
      {6, "AD-MANDATORY-TICKET-EXTENSIONS"},
      {7, "AD-IN-TICKET-EXTENSIONS"},
      {8, "AD-MANDATORY-FOR-KDC"},
      {64, "OSF-DCE"},
      {65, "SESAME"},
      {66, "AD-OSF-DCE-PKI-CERTID"},
      {70, "AD-authentication-strength"},  // RFC 6113 §6.3
      {71, "AD-fx-fast-armor"},
      {72, "AD-fx-fast-used"},
      {96, "AD-CAMMAC"},  // RFC 7751 §2
      {128, "AD-WIN2K-PAC"},
      {129, "AD-ETYPE-NEGOTIATION"},
      {141, "KERB-AUTH-DATA-TOKEN-RESTRICTIONS"},  // [MS-KILE] §3.1.5.9-§3.1.5.11
      {142, "KERB-LOCAL"},
      {143, "AD-AUTH-DATA-AP-OPTIONS"},
      {144, "KERB-AUTH-DATA-TARGET-NAME"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::ad_type_name(static_cast<std::int32_t>(r.value)) == r.name);
  }
  CHECK(kerb::ad_type::kAdIfRelevant == 1);
  CHECK(kerb::ad_type::kAdWin2kPac == 128);
  for (std::int32_t gap : {0, 9, 63, 67, 97, 130})
    CHECK(kerb::ad_type_name(gap).empty());
}

TEST_CASE("registry names: host address types, RFC 4120 §7.5.3") {
  constexpr Row kRfc[] = {
      {2, "IPv4"},  {3, "Directional"},      {5, "ChaosNet"},       {6, "XNS"},
      {7, "ISO"},   {12, "DECNET Phase IV"}, {16, "AppleTalk DDP"}, {20, "NetBios"},
      {24, "IPv6"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::address_type_name(static_cast<std::int32_t>(r.value)) == r.name);
  }
  CHECK(kerb::address_type::kIpv6 == 24);
  for (std::int32_t gap : {0, 1, 4, 25})
    CHECK(kerb::address_type_name(gap).empty());
}

TEST_CASE("registry names: transited encoding types, RFC 4120 §7.5.5") {
  CHECK(kerb::transited_type_name(1) == "DOMAIN-X500-COMPRESS");
  CHECK(kerb::transited_type::kDomainX500Compress == 1);
  CHECK(kerb::transited_type_name(0).empty());
  CHECK(kerb::transited_type_name(2).empty());
}

TEST_CASE("registry names: lr-type, RFC 4120 §5.4.2 prose") {
  // §5.4.2 describes each value in a sentence; these are its words, shortened.
  constexpr Row kRfc[] = {
      {0, "none"},
      {1, "last initial TGT request"},
      {2, "last initial request"},
      {3, "newest TGT issued"},
      {4, "last renewal"},
      {5, "last request"},
      {6, "password expiration"},
      {7, "account expiration"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::last_req_type_name(static_cast<std::int32_t>(r.value)) == r.name);
    // "Negative values indicate that the information pertains only to the responding server."
    CHECK(kerb::last_req_type_name(static_cast<std::int32_t>(-r.value)) == r.name);
  }
  CHECK(kerb::last_req_type_name(8).empty());
  CHECK(kerb::last_req_type_name(INT32_MIN).empty());
}

TEST_CASE("registry names: key usages, RFC 4120 §7.5.1, RFC 4121 §2, RFC 6113, RFC 6806") {
  // RFC 4120 §7.5.1 and [MS-SFU] describe their usages; the rows are those descriptions,
  // shortened. The others are the names RFC 4121 §2, RFC 6113 §5.4.1-§6.5, RFC 6806 §11 and
  // [MS-PAC] §2.8 give.
  constexpr Row kRfc[] = {
      {1, "PA-ENC-TIMESTAMP"},
      {2, "ticket enc-part"},
      {3, "AS-REP enc-part"},
      {4, "TGS-REQ authorization-data, session key"},
      {5, "TGS-REQ authorization-data, subkey"},
      {6, "PA-TGS-REQ authenticator checksum"},
      {7, "PA-TGS-REQ authenticator"},
      {8, "TGS-REP enc-part, session key"},
      {9, "TGS-REP enc-part, subkey"},
      {10, "AP-REQ authenticator checksum"},
      {11, "AP-REQ authenticator"},
      {12, "AP-REP enc-part"},
      {13, "KRB-PRIV enc-part"},
      {14, "KRB-CRED enc-part"},
      {15, "KRB-SAFE checksum"},
      {17, "KERB_NON_KERB_CKSUM_SALT"},
      {19, "AD-KDC-ISSUED checksum"},
      {22, "KG-USAGE-ACCEPTOR-SEAL"},
      {23, "KG-USAGE-ACCEPTOR-SIGN"},
      {24, "KG-USAGE-INITIATOR-SEAL"},
      {25, "KG-USAGE-INITIATOR-SIGN"},
      {26, "PA-S4U-X509-USER request"},
      {27, "PA-S4U-X509-USER reply"},
      {50, "KEY_USAGE_FAST_REQ_CHKSUM"},
      {51, "KEY_USAGE_FAST_ENC"},
      {52, "KEY_USAGE_FAST_REP"},
      {53, "KEY_USAGE_FAST_FINISHED"},
      {54, "KEY_USAGE_ENC_CHALLENGE_CLIENT"},
      {55, "KEY_USAGE_ENC_CHALLENGE_KDC"},
      {56, "KEY_USAGE_AS_REQ"},
      {1024, "application encryption"},
      {1025, "application checksum"},
  };
  for (const Row& r : kRfc) {
    INFO(r.value << " " << r.name);
    CHECK(kerb::key_usage_name(static_cast<std::uint32_t>(r.value)) == r.name);
  }
  CHECK(kerb::key_usage::kTicket == 2);
  CHECK(kerb::key_usage::kAcceptorSeal == 22);
  CHECK(kerb::key_usage::kAsReq == 56);
  for (std::uint32_t gap : {0u, 16u, 18u, 20u, 28u, 49u, 57u, 1023u, 1026u})
    CHECK(kerb::key_usage_name(gap).empty());
}

TEST_CASE("registry names: KerberosFlags bits, RFC 4120 §5.3, §5.4.1, §5.5.1, RFC 6113 §5.4.1") {
  // The ASN.1 comments' names; RFC 6806 §11 adds enc-pa-rep(15) and canonicalize(15), RFC 8062
  // anonymous(16) and request-anonymous(16), [MS-SFU] §2.2.2 cname-in-addl-tkt(14).
  constexpr Row kTicket[] = {
      {0, "reserved"},
      {1, "forwardable"},
      {2, "forwarded"},
      {3, "proxiable"},
      {4, "proxy"},
      {5, "may-postdate"},
      {6, "postdated"},
      {7, "invalid"},
      {8, "renewable"},
      {9, "initial"},
      {10, "pre-authent"},
      {11, "hw-authent"},
      {12, "transited-policy-checked"},
      {13, "ok-as-delegate"},
      {15, "enc-pa-rep"},
      {16, "anonymous"},
  };
  constexpr Row kKdc[] = {
      {0, "reserved"},
      {1, "forwardable"},
      {2, "forwarded"},
      {3, "proxiable"},
      {4, "proxy"},
      {5, "allow-postdate"},
      {6, "postdated"},
      {8, "renewable"},
      {11, "opt-hardware-auth"},
      {14, "cname-in-addl-tkt"},
      {15, "canonicalize"},
      {16, "request-anonymous"},
      {26, "disable-transited-check"},
      {27, "renewable-ok"},
      {28, "enc-tkt-in-skey"},
      {30, "renew"},
      {31, "validate"},
  };
  constexpr Row kAp[] = {{0, "reserved"}, {1, "use-session-key"}, {2, "mutual-required"}};
  constexpr Row kFast[] = {{0, "reserved"}, {1, "hide-client-names"}, {16, "kdc-follow-referrals"}};

  auto check = [](const auto& rows, std::string_view (*lookup)(unsigned) noexcept) {
    bool named[32] = {};
    for (const Row& r : rows) {
      INFO(r.value << " " << r.name);
      CHECK(lookup(static_cast<unsigned>(r.value)) == r.name);
      named[r.value] = true;
    }
    for (unsigned bit = 0; bit < 32; ++bit) {
      INFO("bit " << bit);
      if (!named[bit]) CHECK(lookup(bit).empty());
    }
  };
  check(kTicket, kerb::ticket_flag_name);
  check(kKdc, kerb::kdc_option_name);
  check(kAp, kerb::ap_option_name);
  check(kFast, kerb::fast_option_name);
  // Bit 0 is the most significant (RFC 4120 §5.2.8).
  CHECK(kerb::ticket_flags::kForwardable == 0x40000000u);
  CHECK(kerb::kdc_options::kValidate == 0x00000001u);
  CHECK(kerb::ap_options::kMutualRequired == 0x20000000u);
  CHECK(kerb::fast_options::kKdcFollowReferrals == 0x00008000u);
}
