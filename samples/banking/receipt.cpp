#include "receipt.hpp"

#include <array>

#include <kerb/crypto/checksum.hpp>
#include <kerb/crypto/secret.hpp>

namespace bank {

kerb::Result<kerb::crypto::Key> receipt_key(kerb::gss::SecurityContext& context) {
  std::array<std::uint8_t, 32> seed{};  // aes256's key_seed_size
  const auto label = std::span(reinterpret_cast<const std::uint8_t*>(kReceiptKeyLabel.data()),
                               kReceiptKeyLabel.size());
  auto prf = context.pseudo_random(kerb::gss::PrfKey::kFull, label, seed);
  if (!prf) return prf.error();
  auto key = kerb::crypto::Key::random_to_key(kReceiptEnctype, seed);
  kerb::crypto::secure_wipe(seed);
  return key;
}

kerb::Result<Bytes> receipt_mic(const kerb::crypto::Key& key, const Transaction& transaction) {
  const Bytes der = encode_transaction(transaction);
  if (der.empty())
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "transaction does not encode");
  KERB_TRY(const kerb::crypto::ChecksumKey ck,
           kerb::crypto::ChecksumKey::derive(key, kReceiptKeyUsage));
  Bytes mic(ck.size());
  KERB_TRY_VOID(ck.make(der, mic));
  return mic;
}

kerb::Result<void> verify_receipt(const kerb::crypto::Key& key, const Receipt& receipt) {
  const Bytes der = encode_transaction(receipt.transaction);
  if (der.empty())
    return kerb::Error(kerb::ErrorCategory::kInvalidArgument, "transaction does not encode");
  KERB_TRY(const kerb::crypto::ChecksumKey ck,
           kerb::crypto::ChecksumKey::derive(key, kReceiptKeyUsage));
  return ck.verify(der, receipt.mic);
}

}  // namespace bank
