// The Privilege Attribute Certificate ([MS-PAC]) Microsoft KDCs and MIT krb5 (1.20 and later)
// put in tickets: found as ad-type 128 (AD-WIN2K-PAC) inside AD-IF-RELEVANT (ad-type 1) in
// EncTicketPart.authorization-data. Parsing is bounded: every offset and length is checked
// against the buffer it points into, and a fault is reported with its offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <kerb/crypto/key.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

#include "tree.hpp"

namespace krbdump {

// PAC_INFO_BUFFER ulType values ([MS-PAC] §2.4).
namespace pac_type {
inline constexpr std::uint32_t kLogonInfo = 1;
inline constexpr std::uint32_t kCredentialsInfo = 2;
inline constexpr std::uint32_t kServerChecksum = 6;
inline constexpr std::uint32_t kPrivsvrChecksum = 7;
inline constexpr std::uint32_t kClientInfo = 10;
inline constexpr std::uint32_t kConstrainedDelegation = 11;
inline constexpr std::uint32_t kUpnDnsInfo = 12;
inline constexpr std::uint32_t kClientClaims = 13;
inline constexpr std::uint32_t kDeviceInfo = 14;
inline constexpr std::uint32_t kDeviceClaims = 15;
inline constexpr std::uint32_t kTicketChecksum = 16;
inline constexpr std::uint32_t kAttributes = 17;
inline constexpr std::uint32_t kRequestorSid = 18;
inline constexpr std::uint32_t kFullChecksum = 19;
}  // namespace pac_type

// "logon info", "server checksum", ... ; "" for an unknown type.
std::string pac_type_name(std::uint32_t type);

struct PacBuffer {
  std::uint32_t type = 0;
  std::uint32_t size = 0;
  std::uint64_t offset = 0;
  std::span<const std::uint8_t> data;  // view into the PAC bytes
};

struct Pac {
  std::uint32_t version = 0;
  std::vector<PacBuffer> buffers;
};

// PACTYPE ([MS-PAC] §2.3): cBuffers, Version (must be 0), the PAC_INFO_BUFFER array, each
// buffer inside the PAC. kDer with "PAC: ... at offset N" on a fault.
kerb::Result<Pac> parse_pac(std::span<const std::uint8_t> pac);

// The PAC of an EncTicketPart's authorization-data (its DER encoding, the [10] contents'
// AuthorizationData SEQUENCE OF): the ad-data of ad-type 128 inside ad-type 1. nullopt when
// there is none; an error when the AD-IF-RELEVANT is malformed.
kerb::Result<std::optional<std::span<const std::uint8_t>>> find_pac(
    std::span<const std::uint8_t> authorization_data);
kerb::Result<std::optional<std::span<const std::uint8_t>>> find_pac(
    const kerb::AuthorizationData& authorization_data);

// What the signatures check against.
struct PacKeys {
  const kerb::crypto::Key* service = nullptr;  // the ticket's service key (server checksum)
  const kerb::crypto::Key* krbtgt = nullptr;   // the KDC's key (privsvr checksum)
  std::string service_source;
  std::string krbtgt_source;
};

struct PacVerification {
  std::optional<bool> server_ok;   // nullopt: not checked (no key, or no signature)
  std::optional<bool> privsvr_ok;  // KDC checksum over the server signature
  std::string server_detail;       // "verified with ...", "FAILED: ...", "not checked: ..."
  std::string privsvr_detail;
};

// Server checksum: keyed checksum (the signature's type) with the service key, usage 17
// (KERB_NON_KERB_CKSUM_SALT), over the whole PAC with the server and privsvr signature
// fields zeroed. KDC checksum: with the krbtgt key over the server signature's bytes.
PacVerification verify_pac(std::span<const std::uint8_t> pac, const Pac& parsed,
                           const PacKeys& keys);

// The PAC as a tree node ("pac"): buffers with type name, size, offset, and their decoded
// contents (client info, UPN/DNS info, attributes, requestor SID, signatures, logon info as far
// as decoded); the verification results as notes on the signature nodes.
Node pac_node(std::span<const std::uint8_t> pac, const PacKeys& keys);

}  // namespace krbdump
