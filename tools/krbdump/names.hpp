// Names of the numbers Kerberos puts on the wire, as the RFCs and IANA registries spell them,
// and the value formats the trees use ("name (number)", ISO 8601 UTC, hex).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace krbdump {

// "" when the registry has no name for the number. All but the checksum types are kerb's
// registry lookups (kerb/constants.hpp).
std::string_view message_type_name(std::int64_t type);
// "NT-PRINCIPAL": the RFC 4120 §6.2 spelling of the registry's KRB_NT_PRINCIPAL.
std::string name_type_name(std::int64_t type);
std::string_view padata_type_name(std::int64_t type);
std::string_view ad_type_name(std::int64_t type);
std::string_view address_type_name(std::int64_t type);
std::string_view key_usage_name(std::int64_t usage);
std::string_view error_code_name(std::int64_t code);
std::string_view last_req_type_name(std::int64_t type);
std::string_view transited_type_name(std::int64_t type);
std::string_view enctype_name(std::int64_t type);
// RFC 4121 §4.1.1's authenticator checksum: a GSS record, not an RFC 3961 checksum algorithm,
// so crypto's checksum list leaves it out and krbdump names and decodes it itself.
inline constexpr std::int64_t kGssChecksumType = 0x8003;

std::string_view checksum_type_name(std::int64_t type);

// "name (number)", or "unknown (number)".
std::string named(std::string_view name, std::int64_t number);

enum class FlagSet { kTicket, kKdcOptions, kApOptions, kGssChecksum, kFastOptions };
// "0x40810000 (forwardable, renewable, pre-authent)"; bits without a name appear as "bit N".
std::string flags_value(FlagSet set, std::uint32_t bits);

// "2026-12-06T01:51:00Z"; out-of-range values are shown as a number of seconds.
std::string iso_time(std::int64_t seconds);
std::string hex(std::span<const std::uint8_t> bytes);
// Printable ASCII as is, else "" (the caller shows hex).
bool printable(std::span<const std::uint8_t> bytes);
// Dotted OID from its content octets, with a name for the OIDs GSS and SPNEGO use.
std::string oid_text(std::span<const std::uint8_t> content);

}  // namespace krbdump
