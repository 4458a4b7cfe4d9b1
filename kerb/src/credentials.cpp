#include <kerb/credentials.hpp>

namespace kerb {

Result<KeyBlock> KeyBlock::from_bytes(crypto::EncType enctype,
                                      std::span<const std::uint8_t> bytes) {
  KeyBlock k;
  k.enctype = enctype;
  if (!k.contents.assign(bytes)) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "key of %zu bytes exceeds the limit of %zu", bytes.size(), kMaxSize);
  }
  return k;
}

KeyBlock KeyBlock::from_key(const crypto::Key& key) {
  KeyBlock k;
  k.enctype = key.enctype();
  static_cast<void>(k.contents.assign(key.expose_secret()));  // Key::kMaxSize < kMaxSize
  return k;
}

Result<crypto::Key> KeyBlock::to_key(const crypto::Policy& policy) const {
  return crypto::Key::from_bytes(enctype, contents.view(), policy);
}

bool operator==(const KeyBlock& a, const KeyBlock& b) noexcept {
  return a.enctype == b.enctype &&
         crypto::constant_time_equal(a.contents.view(), b.contents.view());
}

bool operator==(const Credentials& a, const Credentials& b) noexcept {
  return a.client == b.client && a.server == b.server && a.session_key == b.session_key &&
         a.authtime == b.authtime && a.starttime == b.starttime && a.endtime == b.endtime &&
         a.renew_till == b.renew_till && a.is_skey == b.is_skey &&
         a.ticket_flags == b.ticket_flags && a.addresses == b.addresses &&
         a.authdata == b.authdata && a.ticket == b.ticket && a.second_ticket == b.second_ticket;
}

}  // namespace kerb
