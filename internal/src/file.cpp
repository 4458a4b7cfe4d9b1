// POSIX file I/O of <kerb/internal/file.hpp>.
#include <kerb/internal/file.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kerb/crypto/secret.hpp>
#include <kerb/error.hpp>

namespace kerb::detail {

namespace {

Error io_error(std::string_view label, const char* what, int err) {
  return Error::format(ErrorCategory::kIo, 0, "%.*s: %s: %s", static_cast<int>(label.size()),
                       label.data(), what, std::strerror(err));
}

void close_keeping_errno(int fd) {
  const int saved = errno;
  ::close(fd);
  errno = saved;
}

bool write_all(int fd, std::span<const std::uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string file_label(std::string_view kind, std::string_view path) {
  const std::size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (base.size() > 32) base = base.substr(base.size() - 32);
  std::string label(kind);
  label += ' ';
  label += base;
  return label;
}

Result<std::vector<std::uint8_t>> read_file_locked(const std::string& path, std::string_view label,
                                                   std::size_t max_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(label, "cannot open", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    close_keeping_errno(fd);
    return io_error(label, "cannot stat", errno);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::format(ErrorCategory::kIo, 0, "%.*s: not a regular file",
                         static_cast<int>(label.size()), label.data());
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    return Error::format(ErrorCategory::kIo, 0, "%.*s: larger than the limit of %zu bytes",
                         static_cast<int>(label.size()), label.data(), max_size);
  }
  // MIT krb5 takes POSIX record locks on these files; a shared one keeps a locked writer's
  // half-appended entry out of our view. Filesystems without locks (ENOLCK) are read anyway.
  struct flock lock {};
  lock.l_type = F_RDLCK;
  lock.l_whence = SEEK_SET;
  while (::fcntl(fd, F_SETLKW, &lock) != 0) {
    if (errno == EINTR) continue;
    if (errno == ENOLCK || errno == EINVAL) break;
    close_keeping_errno(fd);
    return io_error(label, "cannot lock", errno);
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[4096];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      crypto::secure_wipe(chunk, sizeof(chunk));
      wipe(bytes);
      return io_error(label, "read failed", err);
    }
    if (n == 0) break;
    const auto got = static_cast<std::size_t>(n);
    if (bytes.size() + got > max_size) {
      ::close(fd);
      crypto::secure_wipe(chunk, sizeof(chunk));
      wipe(bytes);
      return Error::format(ErrorCategory::kIo, 0, "%.*s: larger than the limit of %zu bytes",
                           static_cast<int>(label.size()), label.data(), max_size);
    }
    // Grow in place where possible; a reallocation would leave key bytes in the old block.
    if (bytes.capacity() < bytes.size() + got) {
      std::vector<std::uint8_t> bigger;
      std::size_t want = bytes.capacity() * 2;
      if (want < bytes.size() + got) want = bytes.size() + got;
      if (want < static_cast<std::size_t>(st.st_size)) want = static_cast<std::size_t>(st.st_size);
      if (want > max_size) want = max_size;
      bigger.reserve(want);
      bigger.assign(bytes.begin(), bytes.end());
      wipe(bytes);
      bytes.swap(bigger);
    }
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  ::close(fd);  // releases the lock
  crypto::secure_wipe(chunk, sizeof(chunk));
  return bytes;
}

Result<void> write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes,
                               std::string_view label) {
  std::string temp = path + ".kerbXXXXXX";
  const int fd = ::mkstemp(temp.data());  // creates the file with mode 0600
  if (fd < 0) return io_error(label, "cannot create a temporary file", errno);
  auto fail = [&](const char* what) -> Result<void> {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return io_error(label, what, err);
  };
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail("cannot set mode 0600");
  if (!write_all(fd, bytes)) return fail("write failed");
  if (::fsync(fd) != 0) return fail("fsync failed");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return io_error(label, "close failed", err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return io_error(label, "cannot rename the temporary file into place", err);
  }
  // Make the rename itself durable.
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    static_cast<void>(::fsync(dfd));
    ::close(dfd);
  }
  return ok();
}

void wipe(std::vector<std::uint8_t>& bytes) noexcept {
  crypto::secure_wipe(std::span<std::uint8_t>(bytes.data(), bytes.size()));
  // Not shrink_to_fit(): without exceptions libstdc++ makes it a no-op, keeping the block.
  std::vector<std::uint8_t>().swap(bytes);
}

}  // namespace kerb::detail
