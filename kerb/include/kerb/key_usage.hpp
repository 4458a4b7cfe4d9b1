// Key usage numbers (RFC 4120 §7.5.1; RFC 4121 §2; RFC 6113 §6.2; RFC 6806 §11; [MS-SFU]).
// std::uint32_t, as kerb::crypto takes them.
#pragma once

#include <cstdint>

namespace kerb {

namespace key_usage {
inline constexpr std::uint32_t kAsReqPaEncTimestamp = 1;  // PA-ENC-TIMESTAMP, client key
inline constexpr std::uint32_t kTicket = 2;               // EncTicketPart, service key
inline constexpr std::uint32_t kAsRepEncPart = 3;         // EncASRepPart, client key
inline constexpr std::uint32_t kTgsReqAuthData = 4;       // enc-authorization-data, TGS session key
inline constexpr std::uint32_t kTgsReqAuthDataSubkey = 5;         // enc-authorization-data, subkey
inline constexpr std::uint32_t kTgsReqPaTgsReqCksum = 6;          // PA-TGS-REQ authenticator cksum
inline constexpr std::uint32_t kTgsReqPaTgsReqAuthenticator = 7;  // PA-TGS-REQ authenticator
inline constexpr std::uint32_t kTgsRepEncPart = 8;                // EncTGSRepPart, TGS session key
inline constexpr std::uint32_t kTgsRepEncPartSubkey = 9;  // EncTGSRepPart, authenticator subkey
inline constexpr std::uint32_t kApReqAuthenticatorCksum = 10;
inline constexpr std::uint32_t kApReqAuthenticator = 11;
inline constexpr std::uint32_t kApRepEncPart = 12;
inline constexpr std::uint32_t kKrbPrivEncPart = 13;
inline constexpr std::uint32_t kKrbCredEncPart = 14;
inline constexpr std::uint32_t kKrbSafeCksum = 15;
inline constexpr std::uint32_t kAdKdcIssuedCksum = 19;
inline constexpr std::uint32_t kAcceptorSeal = 22;          // RFC 4121 KG-USAGE-ACCEPTOR-SEAL
inline constexpr std::uint32_t kAcceptorSign = 23;          // KG-USAGE-ACCEPTOR-SIGN
inline constexpr std::uint32_t kInitiatorSeal = 24;         // KG-USAGE-INITIATOR-SEAL
inline constexpr std::uint32_t kInitiatorSign = 25;         // KG-USAGE-INITIATOR-SIGN
inline constexpr std::uint32_t kPaS4uX509UserRequest = 26;  // [MS-SFU] PA-S4U-X509-USER
inline constexpr std::uint32_t kPaS4uX509UserReply = 27;    // [MS-SFU]
inline constexpr std::uint32_t kFastReqChksum = 50;         // RFC 6113 KEY_USAGE_FAST_REQ_CHKSUM
inline constexpr std::uint32_t kFastEnc = 51;
inline constexpr std::uint32_t kFastRep = 52;
inline constexpr std::uint32_t kFastFinished = 53;
inline constexpr std::uint32_t kEncChallengeClient = 54;
inline constexpr std::uint32_t kEncChallengeKdc = 55;
inline constexpr std::uint32_t kAsReq = 56;                    // RFC 6806 KEY_USAGE_AS_REQ
inline constexpr std::uint32_t kApplicationEncryption = 1024;  // protocols without their own
inline constexpr std::uint32_t kApplicationChecksum = 1025;
}  // namespace key_usage

}  // namespace kerb
