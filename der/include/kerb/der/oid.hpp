// OBJECT IDENTIFIER content octets <-> dotted form ("1.2.840.113554.1.2.2").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace kerb::der {

// True when content is a valid DER OID body: non-empty, minimal base-128 arcs, the last octet
// ends an arc, and every arc fits in 64 bits (GSS and Kerberos OIDs need far less).
[[nodiscard]] bool valid_oid(std::span<const std::uint8_t> content);

// Encodes dotted text into out; written is the number of content octets.
// Fails on malformed text, a first arc above 2, a second arc above 39 under arcs 0 and 1,
// fewer than two arcs, or an out span too small.
[[nodiscard]] bool encode_oid(std::string_view dotted, std::span<std::uint8_t> out,
                              std::size_t& written);

// Decodes valid content octets to dotted text in out (not NUL-terminated).
[[nodiscard]] bool decode_oid(std::span<const std::uint8_t> content, std::span<char> out,
                              std::size_t& written);

}  // namespace kerb::der
