// The FILE credentials cache: CcacheContents read from and written to a path, and
// FileCredentialCache, which reads the file for every operation and replaces it whole after
// every change.
#include <kerb/ccache.hpp>

#include <utility>

#include <kerb/internal/bytes.hpp>
#include <kerb/internal/file.hpp>
#include "ccache_codec.hpp"

namespace kerb {

namespace {

std::string_view strip_prefix(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) == prefix) name.remove_prefix(prefix.size());
  return name;
}

}  // namespace

Result<CcacheContents> CcacheContents::open(std::string_view path) {
  const std::string file(strip_prefix(path, "FILE:"));
  const std::string label = detail::file_label("ccache", file);
  KERB_TRY(std::vector<std::uint8_t> bytes, detail::read_file_locked(file, label, kMaxFileSize));
  Result<CcacheContents> parsed = detail::parse_ccache(bytes, label);
  detail::wipe(bytes);
  return parsed;
}

Result<void> CcacheContents::write(std::string_view path) const {
  const std::string file(strip_prefix(path, "FILE:"));
  KERB_TRY(std::vector<std::uint8_t> bytes, serialize());
  Result<void> written = detail::write_file_atomic(file, bytes, detail::file_label("ccache", file));
  detail::wipe(bytes);
  return written;
}

Result<void> FileCredentialCache::read_contents(Reader reader) const {
  KERB_TRY(CcacheContents contents, CcacheContents::open(path_));
  return reader(contents);
}

Result<void> FileCredentialCache::update_contents(Updater updater, bool create) {
  Result<CcacheContents> current = CcacheContents::open(path_);
  if (!current && !create) return current.error();
  CcacheContents contents = current ? std::move(current).value() : CcacheContents();
  KERB_TRY_VOID(updater(contents));
  return contents.write(path_);
}

// The session keys are overwritten before the name goes away (convention 10).
Result<void> FileCredentialCache::destroy() {
  return detail::remove_file_wiped(path_, detail::file_label("ccache", path_));
}

}  // namespace kerb
