// GSS-API token framing (RFC 2743 §3.1) and the krb5 mechanism's token identifiers
// (RFC 4121 §4.1, §4.2.6).
//
//   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
//     thisMech MechType, innerContextToken ANY DEFINED BY thisMech }
//
// The krb5 mechanism frames all its context tokens (AP-REQ, AP-REP, KRB-ERROR) this way, the
// inner token being a two-octet TOK_ID followed by the Kerberos message. Per-message tokens
// (MIC, Wrap) are not framed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <kerb/result.hpp>

namespace kerb::gss {

using Bytes = std::span<const std::uint8_t>;

// OBJECT IDENTIFIER content octets.
inline constexpr std::uint8_t kKrb5MechOid[] = {0x2A, 0x86, 0x48, 0x86, 0xF7,
                                                0x12, 0x01, 0x02, 0x02};  // 1.2.840.113554.1.2.2
inline constexpr std::uint8_t kSpnegoMechOid[] = {0x2B, 0x06, 0x01,
                                                  0x05, 0x05, 0x02};  // 1.3.6.1.5.5.2

enum class TokenId : std::uint16_t {
  kApReq = 0x0100,
  kApRep = 0x0200,
  kKrbError = 0x0300,
  kMic = 0x0404,   // RFC 4121 §4.2.6.1
  kWrap = 0x0504,  // RFC 4121 §4.2.6.2
};

// A framed context token, as views into the bytes parsed.
struct MechToken {
  Bytes mech_oid;
  TokenId tok_id = TokenId::kApReq;
  Bytes body;  // the Kerberos message after TOK_ID
};

// Frames a krb5 context token: [APPLICATION 0] { mech, TOK_ID || body }.
Result<std::vector<std::uint8_t>> frame_token(Bytes mech_oid, TokenId tok_id, Bytes body);
// Parses a framed token strictly (DER lengths, nothing trailing); the caller checks the mech.
// TOK_ID is any two octets (the caller checks it too). Errors: major_status::kDefectiveToken
// (context.hpp) as kerb::Error::code(), the detail naming the byte offset.
Result<MechToken> parse_framed_token(Bytes token);

// The same framing for a mechanism whose inner token has no TOK_ID (SPNEGO's
// NegotiationToken, RFC 4178 §4.2): [APPLICATION 0] { mech, inner }.
struct GenericToken {
  Bytes mech_oid;
  Bytes inner;  // innerContextToken, as sent
};
Result<std::vector<std::uint8_t>> frame_generic_token(Bytes mech_oid, Bytes inner);
Result<GenericToken> parse_generic_token(Bytes token);

}  // namespace kerb::gss
