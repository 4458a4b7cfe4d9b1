// Credentials: what the AS and TGS exchanges produce and what a credentials cache stores
// (RFC 4120 §3.1.5, §3.3.3; MIT's ccache "credential" record). Everything here is owned, so
// it outlives the reply it came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/crypto/secret.hpp>
#include <kerb/principal.hpp>
#include <kerb/result.hpp>

namespace kerb {

// A key as a ccache or keytab holds it: an enctype number and the key bytes, in zeroizing
// storage (DESIGN.md convention 10). Unlike crypto::Key it accepts any enctype -- a cache may
// hold keys of enctypes kerb has no profile for, and must carry them unchanged -- so it is
// only storage; to_key() turns it into a usable key under a Policy.
struct KeyBlock {
  // Longer than any defined key (aes256-sha2 is 32 bytes); longer ones are refused.
  static constexpr std::size_t kMaxSize = 64;

  crypto::EncType enctype = crypto::EncType::kNone;
  crypto::SecretBytes<kMaxSize> contents;

  // kInvalidArgument when `bytes` is longer than kMaxSize.
  static Result<KeyBlock> from_bytes(crypto::EncType enctype, std::span<const std::uint8_t> bytes);
  static KeyBlock from_key(const crypto::Key& key);

  // A protocol key, if `policy` accepts the enctype and the length matches it (kPolicy,
  // kCrypto otherwise; see crypto::Key::from_bytes).
  Result<crypto::Key> to_key(const crypto::Policy& policy = crypto::Policy::defaults()) const;

  bool empty() const noexcept { return enctype == crypto::EncType::kNone && contents.empty(); }

  // Constant time in the contents (convention 10).
  friend bool operator==(const KeyBlock& a, const KeyBlock& b) noexcept;
};

// One set of credentials: a ticket plus what the client learnt from the KDC reply's
// encrypted part (RFC 4120 §5.4.2 EncKDCRepPart).
struct Credentials {
  // Real tickets carry none (MIT's noaddresses is on by default) or a handful; more is refused
  // (exchanges, ccache files), so a reply's count cannot set what the copy costs.
  static constexpr std::size_t kMaxAddresses = 256;
  static constexpr std::size_t kMaxAuthData = 256;

  // HostAddress (RFC 4120 §5.2.5), owned.
  struct Address {
    std::int32_t addr_type = 0;
    std::vector<std::uint8_t> address;
    friend bool operator==(const Address&, const Address&) = default;
  };
  // One AuthorizationData element (RFC 4120 §5.2.6), owned.
  struct AuthData {
    std::int32_t ad_type = 0;
    std::vector<std::uint8_t> ad_data;
    friend bool operator==(const AuthData&, const AuthData&) = default;
  };

  Principal client;
  Principal server;
  KeyBlock session_key;
  // Seconds since the epoch. A ccache stores them as unsigned 32-bit numbers (good until 2106);
  // 0 means absent (starttime, renew_till).
  std::int64_t authtime = 0;
  std::int64_t starttime = 0;
  std::int64_t endtime = 0;
  std::int64_t renew_till = 0;
  bool is_skey = false;  // ticket is encrypted in another ticket's session key (user-to-user)
  std::uint32_t ticket_flags = 0;  // TicketFlags; bit 0 is the top bit (forwardable: 0x40000000)
  std::vector<Address> addresses;
  std::vector<AuthData> authdata;
  std::vector<std::uint8_t> ticket;         // the Ticket's DER encoding, as the KDC sent it
  std::vector<std::uint8_t> second_ticket;  // user-to-user: the additional ticket, or empty

  // Principals compare as Principal does (realm and components; name types are advisory).
  friend bool operator==(const Credentials& a, const Credentials& b) noexcept;
};

}  // namespace kerb
