#include "names.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include <kerb/constants.hpp>
#include <kerb/crypto/enctype.hpp>

namespace krbdump {
namespace {

struct Entry {
  std::int64_t number;
  std::string_view name;
};

template <std::size_t N>
std::string_view lookup(const Entry (&table)[N], std::int64_t number) {
  for (const Entry& e : table)
    if (e.number == number) return e.name;
  return {};
}

// RFC 4120 §7.5.7.
constexpr Entry kMessageTypes[] = {
    {10, "KRB_AS_REQ"}, {11, "KRB_AS_REP"}, {12, "KRB_TGS_REQ"},    {13, "KRB_TGS_REP"},
    {14, "KRB_AP_REQ"}, {15, "KRB_AP_REP"}, {16, "KRB_RESERVED16"}, {17, "KRB_RESERVED17"},
    {20, "KRB_SAFE"},   {21, "KRB_PRIV"},   {22, "KRB_CRED"},       {30, "KRB_ERROR"},
};

// RFC 4120 §6.2; RFC 6806; RFC 6111.
constexpr Entry kNameTypes[] = {
    {0, "NT-UNKNOWN"},     {1, "NT-PRINCIPAL"},  {2, "NT-SRV-INST"},        {3, "NT-SRV-HST"},
    {4, "NT-SRV-XHST"},    {5, "NT-UID"},        {6, "NT-X500-PRINCIPAL"},  {7, "NT-SMTP-NAME"},
    {10, "NT-ENTERPRISE"}, {11, "NT-WELLKNOWN"}, {-128, "NT-MS-PRINCIPAL"},
};

// RFC 4120 §7.5.2 and the IANA PA/TD registry.
constexpr Entry kPadataTypes[] = {
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
    {149, "PA-REQ-ENC-PA-REP"},
    {150, "PA-AS-FRESHNESS"},
    {151, "PA-SPAKE"},
    {165, "PA-SUPPORTED-ENCTYPES"},
    {166, "PA-EXTENDED-ERROR"},
};

// RFC 4120 §7.5.4 and the IANA registry.
constexpr Entry kAdTypes[] = {
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
    {70, "AD-authentication-strength"},
    {71, "AD-fx-fast-armor"},
    {72, "AD-fx-fast-used"},
    {96, "AD-CAMMAC"},
    {128, "AD-WIN2K-PAC"},
    {129, "AD-ETYPE-NEGOTIATION"},
    {141, "KERB-AUTH-DATA-TOKEN-RESTRICTIONS"},
    {142, "KERB-LOCAL"},
    {143, "AD-AUTH-DATA-AP-OPTIONS"},
    {144, "KERB-AUTH-DATA-TARGET-NAME"},
};

// RFC 4120 §7.5.3.
constexpr Entry kAddressTypes[] = {
    {2, "IPv4"},  {3, "Directional"},      {5, "ChaosNet"},       {6, "XNS"},
    {7, "ISO"},   {12, "DECNET Phase IV"}, {16, "AppleTalk DDP"}, {20, "NetBios"},
    {24, "IPv6"},
};

// RFC 4120 §7.5.1; RFC 4121 §2; RFC 6113.
constexpr Entry kKeyUsages[] = {
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
    {17, "KERB_NON_KERB_CKSUM_SALT (PAC signatures)"},
    {19, "AD-KDC-ISSUED checksum"},
    {22, "KG-USAGE-ACCEPTOR-SEAL"},
    {23, "KG-USAGE-ACCEPTOR-SIGN"},
    {24, "KG-USAGE-INITIATOR-SEAL"},
    {25, "KG-USAGE-INITIATOR-SIGN"},
    {50, "KEY_USAGE_FAST_REQ_CHKSUM"},
    {51, "KEY_USAGE_FAST_ENC"},
    {52, "KEY_USAGE_FAST_REP"},
    {53, "KEY_USAGE_FAST_FINISHED"},
    {54, "KEY_USAGE_ENC_CHALLENGE_CLIENT"},
    {55, "KEY_USAGE_ENC_CHALLENGE_KDC"},
    {56, "KEY_USAGE_AS_REQ"},
};

// RFC 4120 §5.4.2.
constexpr Entry kLastReqTypes[] = {
    {0, "none"},
    {1, "last initial TGT request"},
    {2, "last initial request"},
    {3, "newest TGT issued"},
    {4, "last renewal"},
    {5, "last request"},
    {6, "password expiration"},
    {7, "account expiration"},
};

// RFC 3961 §8 and the IANA checksum registry.
constexpr Entry kChecksumTypes[] = {
    {1, "CRC32"},
    {2, "rsa-md4"},
    {3, "rsa-md4-des"},
    {4, "des-mac"},
    {5, "des-mac-k"},
    {6, "rsa-md4-des-k"},
    {7, "rsa-md5"},
    {8, "rsa-md5-des"},
    {9, "rsa-md5-des3"},
    {10, "sha1 (unkeyed)"},
    {12, "hmac-sha1-des3-kd"},
    {13, "hmac-sha1-des3"},
    {14, "sha1"},
    {15, "hmac-sha1-96-aes128"},
    {16, "hmac-sha1-96-aes256"},
    {17, "cmac-camellia128"},
    {18, "cmac-camellia256"},
    {19, "hmac-sha256-128-aes128"},
    {20, "hmac-sha384-192-aes256"},
    {0x8003, "GSS-API checksum (RFC 4121 §4.1.1)"},
    {-138, "hmac-md5"},
};

constexpr std::string_view kTicketFlags[32] = {
    "reserved",
    "forwardable",
    "forwarded",
    "proxiable",
    "proxy",
    "may-postdate",
    "postdated",
    "invalid",
    "renewable",
    "initial",
    "pre-authent",
    "hw-authent",
    "transited-policy-checked",
    "ok-as-delegate",
    {},
    "enc-pa-rep",
    "anonymous",
};
constexpr std::string_view kKdcOptions[32] = {
    "reserved",
    "forwardable",
    "forwarded",
    "proxiable",
    "proxy",
    "allow-postdate",
    "postdated",
    {},
    "renewable",
    {},
    {},
    "opt-hardware-auth",
    {},
    {},
    "cname-in-addl-tkt",
    "canonicalize",
    "request-anonymous",
    {},
    {},
    {},
    {},
    {},
    {},
    {},
    {},
    {},
    "disable-transited-check",
    "renewable-ok",
    "enc-tkt-in-skey",
    {},
    "renew",
    "validate",
};
constexpr std::string_view kApOptions[32] = {"reserved", "use-session-key", "mutual-required"};

}  // namespace

std::string_view message_type_name(std::int64_t type) {
  return lookup(kMessageTypes, type);
}
std::string_view name_type_name(std::int64_t type) {
  return lookup(kNameTypes, type);
}
std::string_view padata_type_name(std::int64_t type) {
  return lookup(kPadataTypes, type);
}
std::string_view ad_type_name(std::int64_t type) {
  return lookup(kAdTypes, type);
}
std::string_view address_type_name(std::int64_t type) {
  return lookup(kAddressTypes, type);
}
std::string_view key_usage_name(std::int64_t usage) {
  return lookup(kKeyUsages, usage);
}
std::string_view last_req_type_name(std::int64_t type) {
  return lookup(kLastReqTypes, type < 0 ? -type : type);
}
std::string_view checksum_type_name(std::int64_t type) {
  return lookup(kChecksumTypes, type);
}

std::string_view error_code_name(std::int64_t code) {
  if (code < INT32_MIN || code > INT32_MAX) return {};
  return kerb::error_code_name(static_cast<std::int32_t>(code));
}

std::string_view enctype_name(std::int64_t type) {
  if (type < INT32_MIN || type > INT32_MAX) return {};
  const std::string_view name = kerb::crypto::enctype_name(
      static_cast<kerb::crypto::EncType>(static_cast<std::int32_t>(type)));
  if (name.starts_with("etype ")) return {};  // kerb's fallback for numbers it does not know
  return name;
}

std::string named(std::string_view name, std::int64_t number) {
  std::string out(name.empty() ? std::string_view("unknown") : name);
  out += " (";
  out += std::to_string(number);
  out += ')';
  return out;
}

std::string flags_value(FlagSet set, std::uint32_t bits) {
  char head[16];
  std::snprintf(head, sizeof head, "0x%08" PRIx32, bits);
  std::string out = head;
  std::string names;
  for (unsigned n = 0; n < 32; ++n) {
    std::string_view name;
    bool on = false;
    if (set == FlagSet::kGssChecksum) {
      // RFC 4121 §4.1.1.1: bit n counts from the least significant end; 128 and 256 are
      // RFC 2744's PROT_READY and TRANS, which MIT's initiator also sets.
      static constexpr std::string_view kGss[32] = {"GSS_C_DELEG_FLAG",
                                                    "GSS_C_MUTUAL_FLAG",
                                                    "GSS_C_REPLAY_FLAG",
                                                    "GSS_C_SEQUENCE_FLAG",
                                                    "GSS_C_CONF_FLAG",
                                                    "GSS_C_INTEG_FLAG",
                                                    "GSS_C_ANON_FLAG",
                                                    "GSS_C_PROT_READY_FLAG",
                                                    "GSS_C_TRANS_FLAG",
                                                    {},
                                                    {},
                                                    {},
                                                    "GSS_C_DCE_STYLE",
                                                    "GSS_C_IDENTIFY_FLAG",
                                                    "GSS_C_EXTENDED_ERROR_FLAG"};
      on = (bits >> n) & 1u;
      name = kGss[n];
    } else {
      on = (bits & (0x80000000u >> n)) != 0;
      // RFC 6113 §5.4.1: FastOptions.
      static constexpr std::string_view kFast[32] = {
          "reserved", "hide-client-names",   {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},
          {},         "kdc-follow-referrals"};
      switch (set) {
        case FlagSet::kTicket:
          name = kTicketFlags[n];
          break;
        case FlagSet::kKdcOptions:
          name = kKdcOptions[n];
          break;
        case FlagSet::kApOptions:
          name = kApOptions[n];
          break;
        default:
          name = kFast[n];
          break;
      }
    }
    if (!on) continue;
    if (!names.empty()) names += ", ";
    if (name.empty())
      names += "bit " + std::to_string(n);
    else
      names += name;
  }
  if (!names.empty()) out += " (" + names + ")";
  return out;
}

std::string iso_time(std::int64_t seconds) {
  // Kerberos times are years 0000..9999 (RFC 4120 §5.2.3); convert by the civil calendar
  // rather than gmtime, which some platforms limit to 32 bits.
  if (seconds < -62167219200 || seconds > 253402300799) return std::to_string(seconds) + "s";
  std::int64_t days = seconds / 86400;
  std::int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Howard Hinnant's days_from_civil inverse.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char out[96];
  std::snprintf(out, sizeof out,
                "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64
                "Z",
                y, m, d, rem / 3600, rem / 60 % 60, rem % 60);
  return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

bool printable(std::span<const std::uint8_t> bytes) {
  for (std::uint8_t b : bytes)
    if (b < 0x20 || b > 0x7e) return false;
  return true;
}

std::string oid_text(std::span<const std::uint8_t> content) {
  std::string out;
  std::uint64_t value = 0;
  bool first = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (value > (UINT64_MAX >> 7)) return "(malformed OID " + hex(content) + ")";
    value = (value << 7) | (content[i] & 0x7fu);
    if (content[i] & 0x80) {
      if (i + 1 == content.size()) return "(malformed OID " + hex(content) + ")";
      continue;
    }
    if (first) {
      const std::uint64_t arc0 = value < 40 ? 0 : value < 80 ? 1 : 2;
      out = std::to_string(arc0) + "." + std::to_string(value - arc0 * 40);
      first = false;
    } else {
      out += "." + std::to_string(value);
    }
    value = 0;
  }
  std::string_view name;
  if (out == "1.2.840.113554.1.2.2")
    name = "Kerberos V5 (RFC 4121)";
  else if (out == "1.2.840.48018.1.2.2")
    name = "Kerberos V5, Microsoft's legacy OID";
  else if (out == "1.3.6.1.5.5.2")
    name = "SPNEGO (RFC 4178)";
  else if (out == "1.3.6.1.4.1.311.2.2.10")
    name = "NTLMSSP";
  else if (out == "1.3.6.1.5.2.5")
    name = "IAKERB";
  else if (out == "1.3.6.1.4.1.311.2.2.30")
    name = "NegoEx";
  else if (out == "1.2.840.113554.1.2.2.3")
    name = "Kerberos V5 user-to-user";
  if (!name.empty()) out += " (" + std::string(name) + ")";
  return out;
}

}  // namespace krbdump
