// Credentials cache names: "TYPE:residual" parsing, $KRB5CCNAME and MIT's default, and
// resolution of a name to its FILE or MEMORY cache.
#include <kerb/ccache.hpp>

#include <utility>

#include <unistd.h>

#include "secure_env.hpp"

namespace kerb {

Result<CcacheName> CcacheName::parse(std::string_view name) {
  if (name.empty()) return Error(ErrorCategory::kConfig, "empty ccache name");
  CcacheName out;
  const std::size_t colon = name.find(':');
  if (name[0] == '/' || colon == std::string_view::npos) {
    out.residual = name;
    return out;
  }
  const std::string_view type = name.substr(0, colon);
  const std::string_view rest = name.substr(colon + 1);
  if (type == "FILE") {
    out.type = Type::kFile;
  } else if (type == "MEMORY") {
    out.type = Type::kMemory;
  } else {
    return Error::format(ErrorCategory::kConfig, 0, "unsupported ccache type %.*s",
                         static_cast<int>(type.size() < 32 ? type.size() : 32), type.data());
  }
  if (rest.empty()) {
    return Error::format(ErrorCategory::kConfig, 0, "ccache name %.*s: has nothing after the type",
                         static_cast<int>(type.size() < 32 ? type.size() : 32), type.data());
  }
  out.residual = rest;
  return out;
}

std::string CcacheName::to_string() const {
  return (type == Type::kMemory ? "MEMORY:" : "FILE:") + residual;
}

std::string default_ccache_name() {
  const char* env = detail::secure_env("KRB5CCNAME");
  if (env != nullptr && *env != '\0') return env;
  return "FILE:/tmp/krb5cc_" + std::to_string(::getuid());
}

Result<std::shared_ptr<CredentialCache>> resolve_ccache(std::string_view name) {
  KERB_TRY(CcacheName parsed, CcacheName::parse(name));
  std::shared_ptr<CredentialCache> cache;
  if (parsed.type == CcacheName::Type::kMemory) {
    cache = MemoryCcache::resolve(parsed.residual);
  } else {
    cache = std::make_shared<FileCredentialCache>(std::move(parsed.residual));
  }
  return cache;
}

Result<std::shared_ptr<CredentialCache>> default_ccache() {
  return resolve_ccache(default_ccache_name());
}

}  // namespace kerb
