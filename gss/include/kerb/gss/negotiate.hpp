// HTTP Negotiate (RFC 4559): SPNEGO tokens in HTTP headers.
//
//   C: Authorization: Negotiate <base64 token>          authorization_header / parse_authorization
//   S: WWW-Authenticate: Negotiate [<base64 token>]     www_authenticate / parse_www_authenticate
//
// A header value is what follows "Name:" (leading and trailing SP/HTAB are ignored). The scheme
// name is case-insensitive (RFC 7235 §2.1); scheme and token are separated by SP or HTAB; the
// token is strict base64 (RFC 4648 §4: standard alphabet, '=' padding to a multiple of four,
// zero pad bits, no whitespace or line breaks inside). Control characters (CR, LF, NUL, ...)
// anywhere are refused. Everything is bounded: a value longer than kMaxNegotiateHeader or a
// token longer than kMaxNegotiateToken decoded octets is refused before anything is
// allocated for it. Errors are kProtocol, naming the offset in the header value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <kerb/gss/token.hpp>
#include <kerb/result.hpp>

namespace kerb::gss {

// Windows' MaxTokenSize tops out at 64 KiB; a Kerberos token with a large PAC fits.
inline constexpr std::size_t kMaxNegotiateToken = 65536;
// The base64 of the largest token plus room for other schemes' challenges.
inline constexpr std::size_t kMaxNegotiateHeader = 96 * 1024;

// Standard base64 with padding.
std::string base64_encode(Bytes data);
// Strict base64 (see above); at most max_size decoded octets. The empty string decodes to
// nothing.
Result<std::vector<std::uint8_t>> base64_decode(std::string_view text,
                                                std::size_t max_size = kMaxNegotiateToken);

// "Negotiate <base64>" (just "Negotiate" for an empty token, which no one should send).
std::string authorization_header(Bytes token);
// The token of an "Authorization: Negotiate <base64>" value; a missing or empty token, another
// scheme, or anything after the token is an error.
Result<std::vector<std::uint8_t>> parse_authorization(std::string_view header_value);

// "Negotiate" (the initial challenge) or "Negotiate <base64>" (a continuation or final leg).
std::string www_authenticate(Bytes token = {});
// Finds the Negotiate challenge in a WWW-Authenticate value, which may list several challenges
// separated by commas (RFC 7235 §4.1: `Basic realm="x", Negotiate`, parameters and quoted
// strings included). nullopt: a Negotiate challenge without a token (the initial challenge).
// No Negotiate challenge, two of them, or a Negotiate challenge with auth-params instead of a
// token is an error; so is a malformed value.
Result<std::optional<std::vector<std::uint8_t>>> parse_www_authenticate(
    std::string_view header_value);

}  // namespace kerb::gss
