#include "names.hpp"

#include <cinttypes>
#include <cstdio>
#include <ctime>

#include <kerb/constants.hpp>
#include <kerb/crypto/enctype.hpp>

namespace krbdump {
namespace {

bool fits_int32(std::int64_t n) {
  return n >= INT32_MIN && n <= INT32_MAX;
}

}  // namespace

std::string_view message_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::message_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}

// RFC 4120 §6.2 writes name types as "NT-PRINCIPAL", the §7.5.8 registry as "KRB_NT_PRINCIPAL":
// the trees show the §6.2 spelling.
std::string name_type_name(std::int64_t type) {
  if (!fits_int32(type)) return {};
  std::string name(kerb::name_type_name(static_cast<std::int32_t>(type)));
  if (name.starts_with("KRB_")) name.erase(0, 4);
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}
std::string_view padata_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::padata_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}
std::string_view ad_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::ad_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}
std::string_view address_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::address_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}
std::string_view key_usage_name(std::int64_t usage) {
  return usage >= 0 && usage <= UINT32_MAX ? kerb::key_usage_name(static_cast<std::uint32_t>(usage))
                                           : std::string_view{};
}
std::string_view last_req_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::last_req_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}
std::string_view transited_type_name(std::int64_t type) {
  return fits_int32(type) ? kerb::transited_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}
// Registry names (RFC 3961 §8), except that RFC 3961 calls both 10 and 14 "sha1 (unkeyed)": the
// trees show 14 as plain "sha1" to tell the two apart.
std::string_view checksum_type_name(std::int64_t type) {
  if (type == kGssChecksumType) return "GSS-API checksum (RFC 4121 §4.1.1)";
  if (type == static_cast<std::int32_t>(kerb::crypto::CksumType::kSha1)) return "sha1";
  return fits_int32(type) ? kerb::crypto::checksum_type_name(static_cast<std::int32_t>(type))
                          : std::string_view{};
}

std::string_view error_code_name(std::int64_t code) {
  if (!fits_int32(code)) return {};
  return kerb::error_code_name(static_cast<std::int32_t>(code));
}

std::string_view enctype_name(std::int64_t type) {
  if (!fits_int32(type)) return {};
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
      on = (bits & kerb::kerberos_flag(n)) != 0;
      switch (set) {
        case FlagSet::kTicket:
          name = kerb::ticket_flag_name(n);
          break;
        case FlagSet::kKdcOptions:
          name = kerb::kdc_option_name(n);
          break;
        case FlagSet::kApOptions:
          name = kerb::ap_option_name(n);
          break;
        default:
          name = kerb::fast_option_name(n);
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
