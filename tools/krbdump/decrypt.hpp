// Opening an EncryptedData with the keys of a KeyRing. (Declarations only; the implementation
// belongs to decrypt.cpp.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kerb/messages/types.hpp>

namespace krbdump {

class KeyRing;

// What the part itself says about the key that opens it.
struct Hint {
  std::string principal;  // name/instance@REALM, "" when unknown
  std::optional<std::uint32_t> kvno;
};

struct DecryptAttempt {
  std::string key_source;
  std::string why_not;
};

struct DecryptOutcome {
  bool ok = false;
  std::vector<std::uint8_t> plain;  // wiped by the owner of the outcome
  std::string key_source;
  std::string need;  // when !ok: the key the part needs
  std::vector<DecryptAttempt> tried;
};

DecryptOutcome open(KeyRing& keys, const kerb::EncryptedData& data, std::uint32_t usage,
                    const Hint& hint);

}  // namespace krbdump
