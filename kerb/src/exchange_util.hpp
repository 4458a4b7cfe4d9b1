// What kerb's exchanges share beyond <kerb/internal/sealed.hpp>: session keys from KDC
// replies and tickets.
#pragma once

#include <kerb/crypto/key.hpp>
#include <kerb/messages/types.hpp>
#include <kerb/result.hpp>

namespace kerb::detail {

// A session key from a KDC reply or ticket: an enctype policy permits, of the right length.
inline Result<crypto::Key> session_key(const EncryptionKey& key, const crypto::Policy& policy) {
  return crypto::Key::from_bytes(key.keytype, key.keyvalue, policy);
}

}  // namespace kerb::detail
