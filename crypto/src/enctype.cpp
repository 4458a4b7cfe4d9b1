// The enctype table (RFC 3961 §8), names, size queries and the enctype Policy.
#include <cstdlib>
#include <cstring>
#include <iterator>
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

// ---- MIT's names (krb5.conf enctype lists) ----

namespace {

// MIT's names and aliases, "number name" each, '\0'-separated: one string and no pointers to
// relocate. Names of enctypes this build lacks are left out, so they read as unknown.
constexpr char kEnctypeNames[] =
    "1 des-cbc-crc\0"
    "2 des-cbc-md4\0"
    "3 des-cbc-md5\0"
    "3 des\0"
    "4 des-cbc-raw\0"
    "6 des3-cbc-raw\0"
    "8 des-hmac-sha1\0"
    "16 des3-cbc-sha1\0"
    "16 des3-hmac-sha1\0"
    "16 des3-cbc-sha1-kd\0"
    "17 aes128-cts-hmac-sha1-96\0"
    "17 aes128-cts\0"
    "17 aes128-sha1\0"
    "18 aes256-cts-hmac-sha1-96\0"
    "18 aes256-cts\0"
    "18 aes256-sha1\0"
    "19 aes128-cts-hmac-sha256-128\0"
    "19 aes128-sha2\0"
    "20 aes256-cts-hmac-sha384-192\0"
    "20 aes256-sha2\0"
#if KERB_WITH_RC4_HMAC
    "23 arcfour-hmac\0"
    "23 rc4-hmac\0"
    "23 arcfour-hmac-md5\0"
#endif
    "24 arcfour-hmac-exp\0"
    "24 rc4-hmac-exp\0"
    "24 arcfour-hmac-md5-exp\0"
#if KERB_WITH_CAMELLIA
    "25 camellia128-cts-cmac\0"
    "25 camellia128-cts\0"
    "26 camellia256-cts-cmac\0"
    "26 camellia256-cts\0"
#endif
    ;

constexpr EncType kDefaultEnctypes[] = {
    EncType::kAes256CtsHmacSha1_96,    EncType::kAes128CtsHmacSha1_96,
    EncType::kAes256CtsHmacSha384_192, EncType::kAes128CtsHmacSha256_128,
#if KERB_WITH_CAMELLIA
    EncType::kCamellia256CtsCmac,      EncType::kCamellia128CtsCmac,
#endif
};
static_assert(std::size(kDefaultEnctypes) <= Policy::kMaxEnctypes);

constexpr EncType kAesFamily[] = {EncType::kAes256CtsHmacSha1_96, EncType::kAes128CtsHmacSha1_96,
                                  EncType::kAes256CtsHmacSha384_192,
                                  EncType::kAes128CtsHmacSha256_128};
#if KERB_WITH_CAMELLIA
constexpr EncType kCamelliaFamily[] = {EncType::kCamellia256CtsCmac, EncType::kCamellia128CtsCmac};
#endif
#if KERB_WITH_RC4_HMAC
constexpr EncType kRc4Family[] = {EncType::kRc4Hmac};
#endif
constexpr EncType kDes3Family[] = {EncType::kDes3CbcSha1Kd};
constexpr EncType kDesFamily[] = {EncType::kDesCbcCrc, EncType::kDesCbcMd5, EncType::kDesCbcMd4};

bool iequals(std::string_view a, const char* b) noexcept {
  std::size_t i = 0;
  for (; i < a.size() && b[i] != '\0'; ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return i == a.size() && b[i] == '\0';
}

}  // namespace

std::optional<EncType> enctype_from_name(std::string_view name) noexcept {
  for (const char* e = kEnctypeNames; *e != '\0'; e += std::strlen(e) + 1) {
    if (iequals(name, std::strchr(e, ' ') + 1)) return static_cast<EncType>(std::atoi(e));
  }
  return std::nullopt;
}

std::span<const EncType> enctype_family(std::string_view name) noexcept {
  if (iequals(name, "DEFAULT")) return kDefaultEnctypes;
  if (iequals(name, "aes")) return kAesFamily;
#if KERB_WITH_CAMELLIA
  if (iequals(name, "camellia")) return kCamelliaFamily;
#endif
#if KERB_WITH_RC4_HMAC
  if (iequals(name, "rc4")) return kRc4Family;
#endif
  if (iequals(name, "des3")) return kDes3Family;
  if (iequals(name, "des")) return kDesFamily;
  return {};
}

std::span<const EncType> default_enctypes() noexcept {
  return kDefaultEnctypes;
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
  for (EncType e : default_enctypes())
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
