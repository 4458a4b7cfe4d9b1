// Operations on CcacheContents, the in-memory image of a cache: finding and storing
// credentials, and the X-CACHECONF: configuration entries.
#include <kerb/ccache.hpp>

#include <utility>

namespace kerb {

const Credentials* CcacheContents::find(const Principal& server) const {
  const Credentials* best = nullptr;
  for (const Credentials& c : credentials) {
    if (c.server == server && (best == nullptr || c.endtime > best->endtime)) best = &c;
  }
  return best;
}

void CcacheContents::store(Credentials creds) {
  for (Credentials& c : credentials) {
    if (c.client == creds.client && c.server == creds.server) {
      c = std::move(creds);
      return;
    }
  }
  credentials.push_back(std::move(creds));
}

const ConfigEntry* CcacheContents::find_config(std::string_view key,
                                               std::string_view principal) const {
  for (const ConfigEntry& e : config) {
    if (e.key == key && e.principal == principal) return &e;
  }
  return nullptr;
}

void CcacheContents::set_config(std::string_view key, std::string_view principal,
                                std::span<const std::uint8_t> value) {
  for (ConfigEntry& e : config) {
    if (e.key == key && e.principal == principal) {
      e.value.assign(value.begin(), value.end());
      return;
    }
  }
  ConfigEntry e;
  e.key = std::string(key);  // constructed: no string assignment from a view to link
  e.principal = std::string(principal);
  e.value.assign(value.begin(), value.end());
  config.push_back(std::move(e));
}

void CcacheContents::set_config(std::string_view key, std::string_view principal,
                                std::string_view value) {
  set_config(key, principal,
             std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

bool CcacheContents::remove_config(std::string_view key, std::string_view principal) {
  for (auto it = config.begin(); it != config.end(); ++it) {
    if (it->key == key && it->principal == principal) {
      config.erase(it);
      return true;
    }
  }
  return false;
}

bool CcacheContents::is_config_principal(const Principal& server) noexcept {
  return server.realm() == kCcacheConfigRealm;
}

}  // namespace kerb
