// Message types and protocol version (RFC 4120 §7.5.6, §7.5.7), and the [APPLICATION n] tags of
// the other RFC 4120 types. A decoder checks a message type against the application tag, so it
// is a scoped enum.
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// Protocol version number (RFC 4120 §7.5.6): pvno, tkt-vno and authenticator-vno.
inline constexpr std::int32_t kPvno = 5;

// X(constant, number, "RFC name") for each message type (RFC 4120 §7.5.7); the
// MessageType enumerators and message_type_name are both expanded from it. Each number equals
// its message's [APPLICATION n] tag number.
#define KERB_MESSAGE_TYPE_LIST(X)      \
  X(kAsReq, 10, "KRB_AS_REQ")          \
  X(kAsRep, 11, "KRB_AS_REP")          \
  X(kTgsReq, 12, "KRB_TGS_REQ")        \
  X(kTgsRep, 13, "KRB_TGS_REP")        \
  X(kApReq, 14, "KRB_AP_REQ")          \
  X(kApRep, 15, "KRB_AP_REP")          \
  X(kReserved16, 16, "KRB_RESERVED16") \
  X(kReserved17, 17, "KRB_RESERVED17") \
  X(kSafe, 20, "KRB_SAFE")             \
  X(kPriv, 21, "KRB_PRIV")             \
  X(kCred, 22, "KRB_CRED")             \
  X(kError, 30, "KRB_ERROR")

enum class MessageType : std::int32_t {
#define KERB_MESSAGE_TYPE_ENUMERATOR(constant, number, name) constant = number,
  KERB_MESSAGE_TYPE_LIST(KERB_MESSAGE_TYPE_ENUMERATOR)
#undef KERB_MESSAGE_TYPE_ENUMERATOR
};

// The RFC name of a msg-type ("KRB_AS_REQ"), or "" if unknown.
constexpr std::string_view message_type_name(std::int32_t type) noexcept {
  switch (type) {
#define KERB_MESSAGE_TYPE_CASE(constant, number, name) \
  case number:                                         \
    return name;
    KERB_MESSAGE_TYPE_LIST(KERB_MESSAGE_TYPE_CASE)
#undef KERB_MESSAGE_TYPE_CASE
  }
  return {};
}

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

#undef KERB_MESSAGE_TYPE_LIST
