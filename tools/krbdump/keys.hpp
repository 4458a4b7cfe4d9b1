// KeyRing: the candidate keys krbdump tries on each EncryptedData. (Declarations only; the
// implementation belongs to keys.cpp.)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace krbdump {

class KeyRing {
 public:
  kerb::Result<void> add_keytab(std::string_view path);
  void add_password(std::string principal, std::string password, std::optional<std::string> salt);
  // "aes256-cts-hmac-sha1-96:HEX", "18:HEX" or "rc4-hmac:NTHASH".
  kerb::Result<void> add_raw_key(std::string_view spec);
  kerb::Result<void> add_ccache(std::string_view path);
  // A key found while decoding (session key, subkey); `source` says where, for the report.
  void learn(const kerb::EncryptionKey& key, std::string source);
  void note_etype_info2(std::string principal, std::int32_t enctype, std::string salt,
                        std::span<const std::uint8_t> s2kparams);
};

}  // namespace krbdump
