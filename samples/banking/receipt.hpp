// Receipts: bankd's keyed checksum over a payment's Transaction, which the client keeps and
// can check later, also after logout.
//
// Both sides derive the receipt key from their GSS context with GSS_Pseudo_random (RFC 4401,
// krb5's PRF+ of RFC 4402 under the full context key) over a fixed label, so no key travels.
// The key is always aes256-cts-hmac-sha1-96 from 32 PRF octets (random-to-key): a receipt's
// strength then does not depend on which enctype the ticket happened to use, and the key can
// be stored with the receipt without naming the context. The checksum is that enctype's
// mandatory one (hmac-sha1-96-aes256) under key usage 1024, an application usage outside the
// range RFC 4120 §7.5.1 assigns. A receipt key authenticates nothing to the bank.
#pragma once

#include <cstdint>
#include <string_view>

#include <kerb/crypto/key.hpp>
#include <kerb/gss/context.hpp>
#include <kerb/result.hpp>

#include "protocol.hpp"

namespace bank {

inline constexpr std::string_view kReceiptKeyLabel = "kerb-bank receipt key";
inline constexpr std::uint32_t kReceiptKeyUsage = 1024;
inline constexpr kerb::crypto::EncType kReceiptEnctype =
    kerb::crypto::EncType::kAes256CtsHmacSha1_96;

kerb::Result<kerb::crypto::Key> receipt_key(kerb::gss::SecurityContext& context);
// The MIC over encode_transaction(transaction).
kerb::Result<Bytes> receipt_mic(const kerb::crypto::Key& key, const Transaction& transaction);
// kCrypto when the MIC does not match.
kerb::Result<void> verify_receipt(const kerb::crypto::Key& key, const Receipt& receipt);

}  // namespace bank
