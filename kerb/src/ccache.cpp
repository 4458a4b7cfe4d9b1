// The CredentialCache operations, written once on top of the two primitives every backend
// provides (read_contents, update_contents); the backends are ccache_file.cpp and
// ccache_memory.cpp.
#include <kerb/ccache.hpp>

#include <utility>

namespace kerb {

Result<void> CredentialCache::initialize(const Principal& default_principal) {
  if (default_principal.realm().empty()) {
    return Error(ErrorCategory::kInvalidArgument, "ccache: default principal has no realm");
  }
  return update_contents(
      [&](CcacheContents& c) -> Result<void> {
        c = CcacheContents();
        c.default_principal = default_principal;
        return ok();
      },
      true);
}

Result<CcacheContents> CredentialCache::snapshot() const {
  CcacheContents out;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    out = c;
    return ok();
  }));
  return out;
}

Result<Principal> CredentialCache::default_principal() const {
  Principal out;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    out = c.default_principal;
    return ok();
  }));
  return out;
}

Result<void> CredentialCache::store(const Credentials& creds) {
  return update_contents(
      [&](CcacheContents& c) -> Result<void> {
        c.store(creds);
        return ok();
      },
      false);
}

Result<std::optional<Credentials>> CredentialCache::retrieve(const Principal& server) const {
  std::optional<Credentials> found;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    if (const Credentials* match = c.find(server)) found.emplace(*match);
    return ok();
  }));
  return found;
}

Result<std::vector<Credentials>> CredentialCache::list() const {
  std::vector<Credentials> out;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    out = c.credentials;
    return ok();
  }));
  return out;
}

Result<std::optional<KdcOffset>> CredentialCache::kdc_offset() const {
  std::optional<KdcOffset> out;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    out = c.kdc_offset;
    return ok();
  }));
  return out;
}

Result<void> CredentialCache::set_kdc_offset(std::optional<KdcOffset> offset) {
  return update_contents(
      [&](CcacheContents& c) -> Result<void> {
        c.kdc_offset = offset;
        return ok();
      },
      false);
}

Result<std::optional<std::vector<std::uint8_t>>> CredentialCache::get_config(
    std::string_view key, std::string_view principal) const {
  std::optional<std::vector<std::uint8_t>> value;
  KERB_TRY_VOID(read_contents([&](const CcacheContents& c) -> Result<void> {
    if (const ConfigEntry* e = c.find_config(key, principal)) value = e->value;
    return ok();
  }));
  return value;
}

Result<void> CredentialCache::set_config(std::string_view key, std::string_view principal,
                                         std::span<const std::uint8_t> value) {
  return update_contents(
      [&](CcacheContents& c) -> Result<void> {
        c.set_config(key, principal, value);
        return ok();
      },
      false);
}

}  // namespace kerb
