// Message types and protocol version (RFC 4120 §7.5.6, §7.5.7), and the [APPLICATION n] tags of
// the other RFC 4120 types. A decoder checks a message type against the application tag, so it
// is a scoped enum.
#pragma once

#include <cstdint>

namespace kerb {

// Protocol version number (RFC 4120 §7.5.6): pvno, tkt-vno and authenticator-vno.
inline constexpr std::int32_t kPvno = 5;

// Message types (RFC 4120 §7.5.7). Each equals its message's [APPLICATION n] tag number.
enum class MessageType : std::int32_t {
  kAsReq = 10,       // KRB_AS_REQ: request for initial authentication
  kAsRep = 11,       // KRB_AS_REP
  kTgsReq = 12,      // KRB_TGS_REQ: request for authentication based on a TGT
  kTgsRep = 13,      // KRB_TGS_REP
  kApReq = 14,       // KRB_AP_REQ: application request to server
  kApRep = 15,       // KRB_AP_REP: reply to a mutual-authentication AP_REQ
  kReserved16 = 16,  // KRB_RESERVED16: user-to-user krb_tgt_request
  kReserved17 = 17,  // KRB_RESERVED17: user-to-user krb_tgt_reply
  kSafe = 20,        // KRB_SAFE: checksummed application message
  kPriv = 21,        // KRB_PRIV: encrypted application message
  kCred = 22,        // KRB_CRED: forwarded credentials
  kError = 30,       // KRB_ERROR
};

// [APPLICATION n] tag numbers of the encrypted parts and other non-message types (RFC 4120
// §5.10), for the few places that need them by number.
namespace application_tag {
inline constexpr std::uint8_t kTicket = 1;
inline constexpr std::uint8_t kAuthenticator = 2;
inline constexpr std::uint8_t kEncTicketPart = 3;
inline constexpr std::uint8_t kEncAsRepPart = 25;
inline constexpr std::uint8_t kEncTgsRepPart = 26;
inline constexpr std::uint8_t kEncApRepPart = 27;
inline constexpr std::uint8_t kEncKrbPrivPart = 28;
inline constexpr std::uint8_t kEncKrbCredPart = 29;
}  // namespace application_tag

}  // namespace kerb
