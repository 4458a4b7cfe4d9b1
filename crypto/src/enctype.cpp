// The enctype table (RFC 3961 §8), names, size queries and the enctype Policy.
#include <type_traits>

#include "profile.hpp"

namespace kerb::crypto {

using detail::Profile;

// profile_of() converts an EncTypeInfo* back to its Profile: valid because info is the first
// member of a standard-layout struct.
static_assert(std::is_standard_layout_v<Profile>);
static_assert(offsetof(Profile, info) == 0);

const EncTypeInfo* find_enctype(EncType enctype) noexcept {
  const Profile* p = nullptr;
  switch (enctype) {
    case EncType::kAes128CtsHmacSha1_96:
      p = &detail::kAes128CtsHmacSha1_96;
      break;
    case EncType::kAes256CtsHmacSha1_96:
      p = &detail::kAes256CtsHmacSha1_96;
      break;
    case EncType::kAes128CtsHmacSha256_128:
      p = &detail::kAes128CtsHmacSha256_128;
      break;
    case EncType::kAes256CtsHmacSha384_192:
      p = &detail::kAes256CtsHmacSha384_192;
      break;
#if KERB_WITH_CAMELLIA
    case EncType::kCamellia128CtsCmac:
      p = &detail::kCamellia128CtsCmac;
      break;
    case EncType::kCamellia256CtsCmac:
      p = &detail::kCamellia256CtsCmac;
      break;
#endif
#if KERB_WITH_RC4_HMAC
    case EncType::kRc4Hmac:
      p = &detail::kRc4Hmac;
      break;
#endif
    default:
      return nullptr;
  }
  return &p->info;
}

std::string_view enctype_name(EncType enctype) noexcept {
  switch (enctype) {
    case EncType::kNone:
      return "none";
    case EncType::kDesCbcCrc:
      return "des-cbc-crc";
    case EncType::kDesCbcMd4:
      return "des-cbc-md4";
    case EncType::kDesCbcMd5:
      return "des-cbc-md5";
    case EncType::kDes3CbcMd5:
      return "des3-cbc-md5";
    case EncType::kDes3CbcSha1:
      return "des3-cbc-sha1";
    case EncType::kDes3CbcSha1Kd:
      return "des3-cbc-sha1-kd";
    case EncType::kAes128CtsHmacSha1_96:
      return "aes128-cts-hmac-sha1-96";
    case EncType::kAes256CtsHmacSha1_96:
      return "aes256-cts-hmac-sha1-96";
    case EncType::kAes128CtsHmacSha256_128:
      return "aes128-cts-hmac-sha256-128";
    case EncType::kAes256CtsHmacSha384_192:
      return "aes256-cts-hmac-sha384-192";
    case EncType::kRc4Hmac:
      return "rc4-hmac";
    case EncType::kRc4HmacExp:
      return "rc4-hmac-exp";
    case EncType::kCamellia128CtsCmac:
      return "camellia128-cts-cmac";
    case EncType::kCamellia256CtsCmac:
      return "camellia256-cts-cmac";
  }
  return "unknown";
}

std::string_view checksum_name(CksumType type) noexcept {
  switch (type) {
    case CksumType::kNone:
      return "none";
    case CksumType::kCrc32:
      return "crc32";
    case CksumType::kRsaMd4:
      return "rsa-md4";
    case CksumType::kRsaMd4Des:
      return "rsa-md4-des";
    case CksumType::kDesMac:
      return "des-mac";
    case CksumType::kDesMacK:
      return "des-mac-k";
    case CksumType::kRsaMd4DesK:
      return "rsa-md4-des-k";
    case CksumType::kRsaMd5:
      return "rsa-md5";
    case CksumType::kRsaMd5Des:
      return "rsa-md5-des";
    case CksumType::kRsaMd5Des3:
      return "rsa-md5-des3";
    case CksumType::kHmacSha1Des3Kd:
      return "hmac-sha1-des3-kd";
    case CksumType::kHmacSha1Des3:
      return "hmac-sha1-des3";
    case CksumType::kSha1:
      return "sha1";
    case CksumType::kHmacSha1_96Aes128:
      return "hmac-sha1-96-aes128";
    case CksumType::kHmacSha1_96Aes256:
      return "hmac-sha1-96-aes256";
    case CksumType::kCmacCamellia128:
      return "cmac-camellia128";
    case CksumType::kCmacCamellia256:
      return "cmac-camellia256";
    case CksumType::kHmacSha256_128Aes128:
      return "hmac-sha256-128-aes128";
    case CksumType::kHmacSha384_192Aes256:
      return "hmac-sha384-192-aes256";
    case CksumType::kHmacMd5:
      return "hmac-md5";
  }
  return "unknown";
}

std::size_t ciphertext_size(EncType enctype, std::size_t plaintext_size) noexcept {
  const EncTypeInfo* info = find_enctype(enctype);
  if (info == nullptr) return 0;
  return info->confounder_size + plaintext_size + info->mac_size;
}

Result<std::size_t> plaintext_size(EncType enctype, std::size_t ciphertext_size) noexcept {
  const EncTypeInfo* info = find_enctype(enctype);
  if (info == nullptr) {
    if (detail::missing_option(enctype) != nullptr) return detail::not_built_error(enctype);
    return Error::format(ErrorCategory::kPolicy, 0, "unsupported enctype %d",
                         static_cast<int>(enctype));
  }
  const std::size_t overhead = info->confounder_size + info->mac_size;
  if (ciphertext_size < overhead) {
    return Error::format(ErrorCategory::kCrypto, 0,
                         "ciphertext of %zu bytes is shorter than the %zu-byte minimum",
                         ciphertext_size, overhead);
  }
  return ciphertext_size - overhead;
}

namespace detail {

Error not_built_error(EncType e) noexcept {
  const char* option = missing_option(e);
  return Error::format(ErrorCategory::kCrypto, 0,
                       "enctype %s (%d) is not built into this kerb (%s=OFF)",
                       enctype_name(e).data(), static_cast<int>(e), option ? option : "?");
}

}  // namespace detail

// ---- Policy ----

namespace {

Error unsupported(EncType e) noexcept {
  if (detail::missing_option(e) != nullptr) return detail::not_built_error(e);
  const int n = static_cast<int>(e);
  switch (e) {
    case EncType::kDesCbcCrc:
    case EncType::kDesCbcMd4:
    case EncType::kDesCbcMd5:
    case EncType::kDes3CbcMd5:
    case EncType::kDes3CbcSha1:
    case EncType::kDes3CbcSha1Kd:
      return Error::format(ErrorCategory::kPolicy, 0,
                           "weak or unsupported enctype %s (%d): DES and 3DES are not implemented",
                           enctype_name(e).data(), n);
    case EncType::kRc4HmacExp:
      return Error::format(ErrorCategory::kPolicy, 0,
                           "weak or unsupported enctype rc4-hmac-exp (%d) is not implemented", n);
    default:
      return Error::format(ErrorCategory::kPolicy, 0, "weak or unsupported enctype %d", n);
  }
}

}  // namespace

Policy Policy::defaults() noexcept {
  Policy p;
  constexpr EncType kDefault[] = {
    EncType::kAes256CtsHmacSha1_96,
    EncType::kAes128CtsHmacSha1_96,
    EncType::kAes256CtsHmacSha384_192,
    EncType::kAes128CtsHmacSha256_128,
#if KERB_WITH_CAMELLIA
    EncType::kCamellia256CtsCmac,
    EncType::kCamellia128CtsCmac,
#endif
  };
  for (EncType e : kDefault)
    p.list_[p.count_++] = e;
  return p;
}

Result<Policy> Policy::from_list(std::span<const EncType> enctypes, bool allow_weak) {
  if (enctypes.empty() || enctypes.size() > kMaxEnctypes) {
    return Error::format(ErrorCategory::kPolicy, 0, "enctype list must hold 1 to %zu entries",
                         kMaxEnctypes);
  }
  Policy p;
  p.allow_weak_ = allow_weak;
  for (EncType e : enctypes) {
    const EncTypeInfo* info = find_enctype(e);
    if (info == nullptr) return unsupported(e);
    if (info->weak && !allow_weak) {
      return Error::format(ErrorCategory::kPolicy, 0,
                           "weak enctype %s (%d) refused: weak crypto is not allowed",
                           info->name.data(), static_cast<int>(e));
    }
    if (p.permits(e)) {
      return Error::format(ErrorCategory::kPolicy, 0, "enctype %s (%d) listed twice",
                           info->name.data(), static_cast<int>(e));
    }
    p.list_[p.count_++] = e;
  }
  return p;
}

Policy& Policy::allow_rc4_hmac() noexcept {
#if KERB_WITH_RC4_HMAC
  allow_weak_ = true;
  if (!permits(EncType::kRc4Hmac) && count_ < kMaxEnctypes) list_[count_++] = EncType::kRc4Hmac;
#endif
  return *this;
}

bool Policy::permits(EncType enctype) const noexcept {
  for (std::size_t i = 0; i < count_; ++i) {
    if (list_[i] == enctype) return true;
  }
  return false;
}

Result<const EncTypeInfo*> Policy::check(EncType enctype) const noexcept {
  const EncTypeInfo* info = find_enctype(enctype);
  if (info == nullptr) return unsupported(enctype);
  if (info->weak && !allow_weak_) {
    return Error::format(ErrorCategory::kPolicy, 0,
                         "weak enctype %s (%d) refused: call Policy::allow_rc4_hmac to accept it",
                         info->name.data(), static_cast<int>(enctype));
  }
  if (!permits(enctype)) {
    return Error::format(ErrorCategory::kPolicy, 0, "enctype %s (%d) not permitted by policy",
                         info->name.data(), static_cast<int>(enctype));
  }
  return info;
}

}  // namespace kerb::crypto
