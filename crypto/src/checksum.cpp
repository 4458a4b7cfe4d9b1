// Checksum table, ChecksumKey (RFC 3961 §4 get_mic/verify_mic) and unkeyed digests.
#include <new>
#include <type_traits>

#include "profile.hpp"

namespace kerb::crypto {

using detail::Bytes;
using detail::ChecksumImpl;
using detail::Profile;

namespace {

// Names come from KERB_CKSUM_TYPE_LIST (checksum_name), not a second table.
constexpr ChecksumInfo checksum(CksumType type, std::size_t size, bool keyed,
                                EncType key_enctype) noexcept {
  return {type, checksum_name(type), size, keyed, key_enctype};
}

constexpr ChecksumInfo kChecksums[] = {
    checksum(CksumType::kCrc32, 4, false, EncType::kNone),
    checksum(CksumType::kRsaMd5, 16, false, EncType::kNone),
    checksum(CksumType::kSha1, 20, false, EncType::kNone),
    // RFC 3962 §7: 96-bit truncated HMAC-SHA1 (RFC 3961's table wrongly says 20 bytes).
    checksum(CksumType::kHmacSha1_96Aes128, 12, true, EncType::kAes128CtsHmacSha1_96),
    checksum(CksumType::kHmacSha1_96Aes256, 12, true, EncType::kAes256CtsHmacSha1_96),
#if KERB_WITH_CAMELLIA
    checksum(CksumType::kCmacCamellia128, 16, true, EncType::kCamellia128CtsCmac),
    checksum(CksumType::kCmacCamellia256, 16, true, EncType::kCamellia256CtsCmac),
#endif
    checksum(CksumType::kHmacSha256_128Aes128, 16, true, EncType::kAes128CtsHmacSha256_128),
    checksum(CksumType::kHmacSha384_192Aes256, 24, true, EncType::kAes256CtsHmacSha384_192),
#if KERB_WITH_RC4_HMAC
    checksum(CksumType::kHmacMd5, 16, true, EncType::kRc4Hmac),
#endif
};

Error unsupported_checksum(CksumType type) noexcept {
  if (const char* option = detail::missing_option(type)) {
    return Error::format(ErrorCategory::kCrypto, 0,
                         "checksum type %s (%d) is not built into this kerb (%s=OFF)",
                         checksum_name(type).data(), static_cast<int>(type), option);
  }
  return Error::format(ErrorCategory::kPolicy, 0, "weak or unsupported checksum type %s (%d)",
                       checksum_name(type).data(), static_cast<int>(type));
}

const ChecksumImpl& impl(const unsigned char* storage) noexcept {
  return *std::launder(reinterpret_cast<const ChecksumImpl*>(storage));
}

// RFC 3961 §6.1.3: ISO 3309 CRC-32 (reflected polynomial 0xEDB88320) without the initial
// all-ones register and without the final complement; output least significant byte first.
std::uint32_t modified_crc32(Bytes data) noexcept {
  std::uint32_t crc = 0;
  for (std::uint8_t b : data) {
    crc ^= b;
    for (int i = 0; i < 8; ++i)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}

}  // namespace

const ChecksumInfo* find_checksum(CksumType type) noexcept {
  for (const ChecksumInfo& c : kChecksums) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

// ---- ChecksumKey ----

static_assert(sizeof(ChecksumImpl) <= ChecksumKey::kStorageSize, "grow ChecksumKey::kStorageSize");
static_assert(alignof(ChecksumImpl) <= 16);
static_assert(std::is_trivially_copyable_v<ChecksumImpl>);

ChecksumKey::ChecksumKey() noexcept {
  std::memset(storage_, 0, sizeof(storage_));
}

ChecksumKey::ChecksumKey(const ChecksumKey& other) noexcept {
  std::memcpy(storage_, other.storage_, sizeof(storage_));
}

ChecksumKey& ChecksumKey::operator=(const ChecksumKey& other) noexcept {
  if (this != &other) std::memcpy(storage_, other.storage_, sizeof(storage_));
  return *this;
}

ChecksumKey::~ChecksumKey() {
  secure_wipe(storage_, sizeof(storage_));
}

Result<ChecksumKey> ChecksumKey::derive(const Key& key, std::uint32_t usage) {
  if (key.empty()) return Error(ErrorCategory::kInvalidArgument, "empty key");
  return derive(key, usage, key.info()->checksum_type);
}

Result<ChecksumKey> ChecksumKey::derive(const Key& key, std::uint32_t usage, CksumType type) {
  if (key.empty()) return Error(ErrorCategory::kInvalidArgument, "empty key");
  const ChecksumInfo* info = find_checksum(type);
  if (info == nullptr) return unsupported_checksum(type);
  if (!info->keyed) {
    return Error::format(ErrorCategory::kPolicy, 0,
                         "unkeyed checksum type %s (%d) refused where a keyed checksum is required",
                         info->name.data(), static_cast<int>(type));
  }
  if (info->key_enctype != key.enctype()) {
    return Error::format(ErrorCategory::kCrypto, 0, "checksum type %s (%d) needs a %s key, not %s",
                         info->name.data(), static_cast<int>(type),
                         enctype_name(info->key_enctype).data(), key.info()->name.data());
  }
  const Profile& p = detail::profile_of(*key.info());
  ChecksumKey c;
  ChecksumImpl* i = new (c.storage_) ChecksumImpl{};
  i->profile = &p;
  i->info = info;
  i->usage = usage;
  p.derive_checksum(p, key.expose_secret(), usage, *i);
  return c;
}

bool ChecksumKey::empty() const noexcept {
  return impl(storage_).profile == nullptr;
}

CksumType ChecksumKey::type() const noexcept {
  return empty() ? CksumType::kNone : impl(storage_).info->type;
}

std::size_t ChecksumKey::size() const noexcept {
  return empty() ? 0 : impl(storage_).info->size;
}

Result<std::size_t> ChecksumKey::make(std::span<const std::uint8_t> data,
                                      std::span<std::uint8_t> out) const {
  if (empty()) return Error(ErrorCategory::kInvalidArgument, "empty checksum key");
  const ChecksumImpl& c = impl(storage_);
  if (out.size() < c.info->size) return detail::buffer_too_small(c.info->size, out.size());
  c.profile->make_checksum(c, data, out.data());
  return c.info->size;
}

Result<void> ChecksumKey::verify(std::span<const std::uint8_t> data,
                                 std::span<const std::uint8_t> checksum) const {
  if (empty()) return Error(ErrorCategory::kInvalidArgument, "empty checksum key");
  const ChecksumImpl& c = impl(storage_);
  std::uint8_t expect[detail::kMaxDigest];
  c.profile->make_checksum(c, data, expect);
  const bool match = constant_time_equal(Bytes(expect, c.info->size), checksum);
  secure_wipe(expect, sizeof(expect));
  if (!match) {
    return Error::format(ErrorCategory::kCrypto, 0, "%s checksum verification failed",
                         c.info->name.data());
  }
  return ok();
}

Result<std::size_t> make_checksum(const Key& key, std::uint32_t usage,
                                  std::span<const std::uint8_t> data, std::span<std::uint8_t> out) {
  KERB_TRY(ChecksumKey c, ChecksumKey::derive(key, usage));
  return c.make(data, out);
}

Result<void> verify_keyed(const Key& key, std::uint32_t usage, CksumType type,
                          std::span<const std::uint8_t> data,
                          std::span<const std::uint8_t> checksum) {
  KERB_TRY(ChecksumKey c, ChecksumKey::derive(key, usage, type));
  return c.verify(data, checksum);
}

Result<std::size_t> compute_unkeyed(CksumType type, std::span<const std::uint8_t> data,
                                    std::span<std::uint8_t> out) {
  const ChecksumInfo* info = find_checksum(type);
  if (info == nullptr) return unsupported_checksum(type);
  if (info->keyed) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "%s is a keyed checksum; use ChecksumKey", info->name.data());
  }
  if (out.size() < info->size) return detail::buffer_too_small(info->size, out.size());
  switch (type) {
    case CksumType::kCrc32:
      detail::store_le32(modified_crc32(data), out.data());
      break;
    case CksumType::kRsaMd5:
      detail::hash(detail::HashKind::kMd5, data, out.data());
      break;
    case CksumType::kSha1:
      detail::hash(detail::HashKind::kSha1, data, out.data());
      break;
    default:
      return unsupported_checksum(type);
  }
  return info->size;
}

}  // namespace kerb::crypto
