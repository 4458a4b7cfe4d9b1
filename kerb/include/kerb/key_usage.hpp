// Key usage numbers (RFC 4120 §7.5.1; RFC 4121 §2; RFC 6113 §5.4.1-§6.5; RFC 6806 §11;
// [MS-PAC] §2.8; [MS-SFU] §2.2.2). std::uint32_t, as kerb::crypto takes them.
#pragma once

#include <cstdint>
#include <string_view>

namespace kerb {

// X(constant, number, "name"), sorted by number; the key_usage:: constants and key_usage_name
// are both expanded from it. RFC 4121, RFC 6113, RFC 6806 and [MS-PAC] name their usages
// (KG-USAGE-*, KEY_USAGE_*, KERB_NON_KERB_CKSUM_SALT); RFC 4120 §7.5.1 and [MS-SFU] describe
// theirs, and the name is that description, shortened.
#define KERB_KEY_USAGE_LIST(X)                                      \
  X(kAsReqPaEncTimestamp, 1, "PA-ENC-TIMESTAMP")                    \
  X(kTicket, 2, "ticket enc-part")                                  \
  X(kAsRepEncPart, 3, "AS-REP enc-part")                            \
  X(kTgsReqAuthData, 4, "TGS-REQ authorization-data, session key")  \
  X(kTgsReqAuthDataSubkey, 5, "TGS-REQ authorization-data, subkey") \
  X(kTgsReqPaTgsReqCksum, 6, "PA-TGS-REQ authenticator checksum")   \
  X(kTgsReqPaTgsReqAuthenticator, 7, "PA-TGS-REQ authenticator")    \
  X(kTgsRepEncPart, 8, "TGS-REP enc-part, session key")             \
  X(kTgsRepEncPartSubkey, 9, "TGS-REP enc-part, subkey")            \
  X(kApReqAuthenticatorCksum, 10, "AP-REQ authenticator checksum")  \
  X(kApReqAuthenticator, 11, "AP-REQ authenticator")                \
  X(kApRepEncPart, 12, "AP-REP enc-part")                           \
  X(kKrbPrivEncPart, 13, "KRB-PRIV enc-part")                       \
  X(kKrbCredEncPart, 14, "KRB-CRED enc-part")                       \
  X(kKrbSafeCksum, 15, "KRB-SAFE checksum")                         \
  X(kNonKerbCksumSalt, 17, "KERB_NON_KERB_CKSUM_SALT")              \
  X(kAdKdcIssuedCksum, 19, "AD-KDC-ISSUED checksum")                \
  X(kAcceptorSeal, 22, "KG-USAGE-ACCEPTOR-SEAL")                    \
  X(kAcceptorSign, 23, "KG-USAGE-ACCEPTOR-SIGN")                    \
  X(kInitiatorSeal, 24, "KG-USAGE-INITIATOR-SEAL")                  \
  X(kInitiatorSign, 25, "KG-USAGE-INITIATOR-SIGN")                  \
  X(kPaS4uX509UserRequest, 26, "PA-S4U-X509-USER request")          \
  X(kPaS4uX509UserReply, 27, "PA-S4U-X509-USER reply")              \
  X(kFastReqChksum, 50, "KEY_USAGE_FAST_REQ_CHKSUM")                \
  X(kFastEnc, 51, "KEY_USAGE_FAST_ENC")                             \
  X(kFastRep, 52, "KEY_USAGE_FAST_REP")                             \
  X(kFastFinished, 53, "KEY_USAGE_FAST_FINISHED")                   \
  X(kEncChallengeClient, 54, "KEY_USAGE_ENC_CHALLENGE_CLIENT")      \
  X(kEncChallengeKdc, 55, "KEY_USAGE_ENC_CHALLENGE_KDC")            \
  X(kAsReq, 56, "KEY_USAGE_AS_REQ")                                 \
  X(kApplicationEncryption, 1024, "application encryption")         \
  X(kApplicationChecksum, 1025, "application checksum")

namespace key_usage {
#define KERB_KEY_USAGE_CONSTANT(constant, number, name) \
  inline constexpr std::uint32_t constant = number;
KERB_KEY_USAGE_LIST(KERB_KEY_USAGE_CONSTANT)
#undef KERB_KEY_USAGE_CONSTANT
}  // namespace key_usage

// The name of a key usage ("KG-USAGE-ACCEPTOR-SEAL", "ticket enc-part"), or "" if unknown.
constexpr std::string_view key_usage_name(std::uint32_t usage) noexcept {
  switch (usage) {
#define KERB_KEY_USAGE_CASE(constant, number, name) \
  case number:                                      \
    return name;
    KERB_KEY_USAGE_LIST(KERB_KEY_USAGE_CASE)
#undef KERB_KEY_USAGE_CASE
  }
  return {};
}

}  // namespace kerb

#undef KERB_KEY_USAGE_LIST
