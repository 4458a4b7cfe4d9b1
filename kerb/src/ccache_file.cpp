// The FILE credentials cache: CcacheContents read from and written to a path, and
// FileCredentialCache, which reads the file for every operation and replaces it whole after
// every change.
#include <kerb/ccache.hpp>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

Result<void> FileCredentialCache::destroy() {
  const std::string label = detail::file_label("ccache", path_);
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Error::format(ErrorCategory::kIo, 0, "%s: cannot open: %s", label.c_str(),
                         std::strerror(errno));
  }
  // Overwrite the session keys before the name goes away (convention 10).
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    static const std::uint8_t zeros[4096] = {};
    auto left = static_cast<std::size_t>(st.st_size);
    while (left > 0) {
      const std::size_t n = left < sizeof(zeros) ? left : sizeof(zeros);
      const ssize_t w = ::write(fd, zeros, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      left -= static_cast<std::size_t>(w);
    }
    static_cast<void>(::fsync(fd));
  }
  ::close(fd);
  if (::unlink(path_.c_str()) != 0) {
    return Error::format(ErrorCategory::kIo, 0, "%s: cannot remove: %s", label.c_str(),
                         std::strerror(errno));
  }
  return ok();
}

}  // namespace kerb
