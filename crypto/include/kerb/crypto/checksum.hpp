// Checksums (RFC 3961 §4 get_mic/verify_mic). Keyed checksums protect messages; unkeyed ones
// (crc32, rsa-md5, sha1) exist only so decoders can display or cross-check them, and the API
// keeps the two apart: verify_keyed() refuses an unkeyed type with a kPolicy error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <kerb/crypto/enctype.hpp>
#include <kerb/crypto/key.hpp>
#include <kerb/result.hpp>

namespace kerb::crypto {

struct ChecksumInfo {
  CksumType type;
  std::string_view name;  // checksum_name(type), e.g. "hmac-sha1-96-aes256"
  std::size_t size;       // checksum length in bytes
  bool keyed;
  EncType key_enctype;  // for keyed types, the enctype a key must have; kNone otherwise
};

// The implemented checksum type, or nullptr (DES-based, 3DES-based, rsa-md4, unknown, and
// cmac-camellia* or hmac-md5 when this kerb is built without Camellia or rc4-hmac).
const ChecksumInfo* find_checksum(CksumType type) noexcept;

// A keyed checksum under one (key, usage) pair with Kc's HMAC/CMAC state prepared once.
// Heap-free, copyable, wiped on destruction.
class ChecksumKey {
 public:
  static constexpr std::size_t kStorageSize = 640;

  ChecksumKey() noexcept;  // empty; make/verify fail with kInvalidArgument
  ChecksumKey(const ChecksumKey& other) noexcept;
  ChecksumKey& operator=(const ChecksumKey& other) noexcept;
  ~ChecksumKey();

  // For the key's mandatory checksum type (EncTypeInfo::checksum_type).
  static Result<ChecksumKey> derive(const Key& key, std::uint32_t usage);
  // For an explicit type, e.g. the cksumtype a received Checksum names. Unkeyed types fail with
  // kPolicy, weak/unknown types with kPolicy, a type whose key enctype differs with kCrypto, a
  // type this kerb is built without with kCrypto ("... is not built into this kerb").
  static Result<ChecksumKey> derive(const Key& key, std::uint32_t usage, CksumType type);

  bool empty() const noexcept;
  CksumType type() const noexcept;
  std::size_t size() const noexcept;

  // Writes size() bytes to the front of `out`; returns size().
  Result<std::size_t> make(std::span<const std::uint8_t> data, std::span<std::uint8_t> out) const;
  // Constant-time comparison; kCrypto on mismatch, including a wrong-length checksum.
  Result<void> verify(std::span<const std::uint8_t> data,
                      std::span<const std::uint8_t> checksum) const;

 private:
  alignas(16) unsigned char storage_[kStorageSize];
};

// One-shot keyed checksum with the key's mandatory type; the type is key.info()->checksum_type.
Result<std::size_t> make_checksum(const Key& key, std::uint32_t usage,
                                  std::span<const std::uint8_t> data, std::span<std::uint8_t> out);

// One-shot verification of a received keyed checksum of type `type`.
Result<void> verify_keyed(const Key& key, std::uint32_t usage, CksumType type,
                          std::span<const std::uint8_t> data,
                          std::span<const std::uint8_t> checksum);

// Unkeyed digest (crc32 per RFC 3961 §6.1.3, rsa-md5, sha1), for decoding only -- it proves
// nothing about who sent the data. Keyed types fail with kInvalidArgument.
Result<std::size_t> compute_unkeyed(CksumType type, std::span<const std::uint8_t> data,
                                    std::span<std::uint8_t> out);

}  // namespace kerb::crypto
