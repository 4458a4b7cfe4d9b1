// Key, UsageKey and the profile-independent parts of RFC 3961 §3 operations.
#include <cstdlib>
#include <new>
#include <type_traits>

#include "profile.hpp"

namespace kerb::crypto {

using detail::Bytes;
using detail::MutBytes;
using detail::Profile;
using detail::UsageImpl;

namespace detail {

Error integrity_error() noexcept {
  return Error(ErrorCategory::kCrypto, "integrity check failed: ciphertext modified or wrong key");
}

Error buffer_too_small(std::size_t need, std::size_t have) noexcept {
  return Error::format(ErrorCategory::kBufferTooSmall, 0, "output needs %zu bytes, has %zu", need,
                       have);
}

}  // namespace detail

namespace {

Error empty_key_error() noexcept {
  return Error(ErrorCategory::kInvalidArgument, "empty key");
}

}  // namespace

// ---- Key ----

EncType Key::enctype() const noexcept {
  return info_ == nullptr ? EncType::kNone : info_->enctype;
}

Result<Key> Key::from_bytes(EncType enctype, std::span<const std::uint8_t> bytes,
                            const Policy& policy) {
  KERB_TRY(const EncTypeInfo* info, policy.check(enctype));
  if (bytes.size() != info->key_size) {
    return Error::format(ErrorCategory::kCrypto, 0, "%s key must be %zu bytes, got %zu",
                         info->name.data(), info->key_size, bytes.size());
  }
  Key k;
  k.info_ = info;
  if (!k.bytes_.assign(bytes)) std::abort();  // key_size <= kMaxSize by construction
  return k;
}

Result<Key> Key::random_to_key(EncType enctype, std::span<const std::uint8_t> seed,
                               const Policy& policy) {
  KERB_TRY(const EncTypeInfo* info, policy.check(enctype));
  if (seed.size() != info->key_seed_size) {
    return Error::format(ErrorCategory::kInvalidArgument, 0,
                         "%s random-to-key needs %zu bytes, got %zu", info->name.data(),
                         info->key_seed_size, seed.size());
  }
  // Every implemented profile's random-to-key is the identity (RFC 3962 §4 and §6,
  // RFC 8009 §5, RFC 6803 §3, RFC 4757).
  return from_bytes(enctype, seed, policy);
}

Result<Key> Key::generate(EncType enctype, Random& random, const Policy& policy) {
  KERB_TRY(const EncTypeInfo* info, policy.check(enctype));
  SecretBytes<kMaxSize> seed;
  if (!seed.resize(info->key_seed_size)) std::abort();
  KERB_TRY_VOID(random.fill(seed.mutable_view()));
  return random_to_key(enctype, seed.view(), policy);
}

Result<Key> Key::from_password(EncType enctype, std::string_view password,
                               std::span<const std::uint8_t> salt,
                               std::span<const std::uint8_t> s2kparams, const Policy& policy) {
  KERB_TRY(const EncTypeInfo* info, policy.check(enctype));
  std::uint32_t iterations = info->default_iterations;
  if (info->default_iterations == 0) {
    if (!s2kparams.empty()) {
      return Error::format(ErrorCategory::kInvalidArgument, 0,
                           "%s string-to-key takes no s2kparams", info->name.data());
    }
  } else if (!s2kparams.empty()) {
    if (s2kparams.size() != 4) {
      return Error::format(ErrorCategory::kInvalidArgument, 0, "s2kparams must be 4 bytes, got %zu",
                           s2kparams.size());
    }
    iterations = detail::load_be32(s2kparams.data());
    // RFC 3962 §4: zero means 2^32 iterations, which is far past any limit as well.
    if (iterations == 0 || iterations > policy.s2k_iteration_limit()) {
      return Error::format(ErrorCategory::kPolicy, 0,
                           "string-to-key iteration count %u%s exceeds the policy limit of %u",
                           iterations, iterations == 0 ? " (2^32)" : "",
                           policy.s2k_iteration_limit());
    }
    if (iterations < info->default_iterations && !policy.allows_weak_s2kparams()) {
      return Error::format(ErrorCategory::kPolicy, 0,
                           "string-to-key iteration count %u is below the %s default of %u "
                           "(weak s2kparams refused by policy)",
                           iterations, info->name.data(), info->default_iterations);
    }
  }
  const Profile& p = detail::profile_of(*info);
  Key k;
  k.info_ = info;
  if (!k.bytes_.resize(info->key_size)) std::abort();
  KERB_TRY_VOID(p.string_to_key(p, password, salt, iterations, k.bytes_.mutable_view()));
  return k;
}

// ---- UsageKey ----

static_assert(sizeof(UsageImpl) <= UsageKey::kStorageSize, "grow UsageKey::kStorageSize");
static_assert(alignof(UsageImpl) <= 16);
static_assert(std::is_trivially_copyable_v<UsageImpl>);

// The storage holds a UsageImpl at its start; bytes past sizeof(UsageImpl) are never touched.
// An empty key has only its header set (no 1 KiB zeroing); a derived key's impl is wiped when
// it is overwritten or destroyed.

namespace {

const UsageImpl& impl(const unsigned char* storage) noexcept {
  return *std::launder(reinterpret_cast<const UsageImpl*>(storage));
}

Result<std::size_t> encrypt_with(const UsageImpl& u, std::span<const std::uint8_t> plaintext,
                                 std::span<std::uint8_t> ciphertext, Random& random) {
  const EncTypeInfo& info = u.profile->info;
  const std::size_t need = info.confounder_size + plaintext.size() + info.mac_size;
  if (ciphertext.size() < need) return detail::buffer_too_small(need, ciphertext.size());
  return u.profile->encrypt(u, plaintext, ciphertext.first(need), random);
}

// The plaintext length a ciphertext decrypts to under `info`, checked against the output.
Result<std::size_t> decrypt_size(const EncTypeInfo& info, std::size_t ciphertext_size,
                                 std::size_t plaintext_capacity) {
  KERB_TRY(std::size_t n, crypto::plaintext_size(info.enctype, ciphertext_size));
  if (plaintext_capacity < n) return detail::buffer_too_small(n, plaintext_capacity);
  return n;
}

// The one-shot functions derive into a UsageImpl on their own stack frame: no UsageKey, no
// copies of its ~1 KiB through Result, and only the derived material is wiped afterwards.
class OneShotKeys {
 public:
  OneShotKeys(const Key& key, std::uint32_t usage) noexcept {
    const Profile& p = detail::profile_of(*key.info());
    u_.start(p, usage);
    p.derive_usage(p, key.expose_secret(), usage, u_);
  }
  ~OneShotKeys() { u_.wipe(); }
  OneShotKeys(const OneShotKeys&) = delete;
  OneShotKeys& operator=(const OneShotKeys&) = delete;
  const UsageImpl& get() const noexcept { return u_; }

 private:
  UsageImpl u_;
};

}  // namespace

UsageKey::UsageKey() noexcept {
  UsageImpl* i = new (storage_) UsageImpl;
  i->profile = nullptr;
  i->usage = 0;
}

UsageKey::UsageKey(const UsageKey& other) noexcept {
  std::memcpy(storage_, other.storage_, sizeof(UsageImpl));
}

UsageKey& UsageKey::operator=(const UsageKey& other) noexcept {
  // Overwrites every byte of the old impl, key material included.
  if (this != &other) std::memcpy(storage_, other.storage_, sizeof(UsageImpl));
  return *this;
}

UsageKey::~UsageKey() {
  // The whole impl, not just the derived keys: a copy may carry bytes its source never wrote.
  if (!empty()) secure_wipe(storage_, sizeof(UsageImpl));
}

Result<UsageKey> UsageKey::derive(const Key& key, std::uint32_t usage) {
  if (key.empty()) return empty_key_error();
  const Profile& p = detail::profile_of(*key.info());
  UsageKey u;
  UsageImpl* i = std::launder(reinterpret_cast<UsageImpl*>(u.storage_));
  i->start(p, usage);
  p.derive_usage(p, key.expose_secret(), usage, *i);
  return u;
}

bool UsageKey::empty() const noexcept {
  return impl(storage_).profile == nullptr;
}

EncType UsageKey::enctype() const noexcept {
  return empty() ? EncType::kNone : impl(storage_).profile->info.enctype;
}

std::uint32_t UsageKey::usage() const noexcept {
  return impl(storage_).usage;
}

std::size_t UsageKey::ciphertext_size(std::size_t plaintext_size) const noexcept {
  return crypto::ciphertext_size(enctype(), plaintext_size);
}

Result<std::size_t> UsageKey::plaintext_size(std::size_t ciphertext_size) const noexcept {
  return crypto::plaintext_size(enctype(), ciphertext_size);
}

Result<std::size_t> UsageKey::encrypt(std::span<const std::uint8_t> plaintext,
                                      std::span<std::uint8_t> ciphertext, Random& random) const {
  if (empty()) return empty_key_error();
  return encrypt_with(impl(storage_), plaintext, ciphertext, random);
}

Result<std::size_t> UsageKey::decrypt(std::span<const std::uint8_t> ciphertext,
                                      std::span<std::uint8_t> plaintext) const {
  if (empty()) return empty_key_error();
  const UsageImpl& u = impl(storage_);
  KERB_TRY(std::size_t n, decrypt_size(u.profile->info, ciphertext.size(), plaintext.size()));
  return u.profile->decrypt(u, ciphertext, plaintext.first(n));
}

Result<std::size_t> encrypt(const Key& key, std::uint32_t usage,
                            std::span<const std::uint8_t> plaintext,
                            std::span<std::uint8_t> ciphertext, Random& random) {
  if (key.empty()) return empty_key_error();
  const EncTypeInfo& info = *key.info();
  const std::size_t need = info.confounder_size + plaintext.size() + info.mac_size;
  if (ciphertext.size() < need) return detail::buffer_too_small(need, ciphertext.size());
  const OneShotKeys keys(key, usage);
  return encrypt_with(keys.get(), plaintext, ciphertext, random);
}

Result<std::size_t> decrypt(const Key& key, std::uint32_t usage,
                            std::span<const std::uint8_t> ciphertext,
                            std::span<std::uint8_t> plaintext) {
  if (key.empty()) return empty_key_error();
  KERB_TRY(std::size_t n, decrypt_size(*key.info(), ciphertext.size(), plaintext.size()));
  const OneShotKeys keys(key, usage);
  const UsageImpl& u = keys.get();
  return u.profile->decrypt(u, ciphertext, plaintext.first(n));
}

// ---- PRF, PRF+, KRB-FX-CF2 ----

Result<std::size_t> prf(const Key& key, std::span<const std::uint8_t> input,
                        std::span<std::uint8_t> out) {
  if (key.empty()) return empty_key_error();
  const Profile& p = detail::profile_of(*key.info());
  if (out.size() < p.info.prf_size) return detail::buffer_too_small(p.info.prf_size, out.size());
  p.prf(p, key.expose_secret(), {}, input, out.data());
  return p.info.prf_size;
}

Result<void> prf_plus(const Key& key, std::span<const std::uint8_t> input,
                      std::span<std::uint8_t> out) {
  if (key.empty()) return empty_key_error();
  const Profile& p = detail::profile_of(*key.info());
  const std::size_t block = p.info.prf_size;
  // RFC 6113 §5.1: the counter is one octet, so at most 255 PRF outputs.
  if (out.size() > 255 * block) {
    return Error::format(ErrorCategory::kInvalidArgument, 0, "PRF+ output of %zu bytes exceeds %zu",
                         out.size(), 255 * block);
  }
  std::uint8_t buf[detail::kMaxDigest];
  std::uint8_t counter = 1;
  for (std::size_t off = 0; off < out.size(); off += block, ++counter) {
    p.prf(p, key.expose_secret(), Bytes(&counter, 1), input, buf);
    const std::size_t take = out.size() - off < block ? out.size() - off : block;
    std::memcpy(out.data() + off, buf, take);
  }
  secure_wipe(buf, sizeof(buf));
  return ok();
}

Result<Key> krb_fx_cf2(const Key& k1, const Key& k2, std::span<const std::uint8_t> pepper1,
                       std::span<const std::uint8_t> pepper2) {
  if (k1.empty() || k2.empty()) return empty_key_error();
  const EncTypeInfo& info = *k1.info();
  SecretBytes<Key::kMaxSize> a, b;
  if (!a.resize(info.key_seed_size) || !b.resize(info.key_seed_size)) std::abort();
  KERB_TRY_VOID(prf_plus(k1, pepper1, a.mutable_view()));
  KERB_TRY_VOID(prf_plus(k2, pepper2, b.mutable_view()));
  for (std::size_t i = 0; i < a.size(); ++i)
    a.mutable_view()[i] ^= b.view()[i];
  // k1 was accepted by the caller's policy when it was made; the result shares its enctype.
  const EncType e = info.enctype;
  KERB_TRY(Policy only_k1, Policy::from_list(std::span<const EncType>(&e, 1), info.weak));
  return Key::random_to_key(e, a.view(), only_k1);
}

}  // namespace kerb::crypto
